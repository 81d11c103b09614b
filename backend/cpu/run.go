package cpu

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
)

// run computes node x into out from its operands' flat data.
func run(x *node, out any, in []any) error {
	switch {
	case unaryOps[x.op]:
		return runUnary(x.op, out, in[0])
	case binaryOps[x.op]:
		return runBinary(x, out, in)
	case compareOps[x.op]:
		return runCompare(x, out.([]bool), in)
	}
	switch x.op {
	case backends.OpTypeIsNaN, backends.OpTypeIsFinite:
		return runIsNaN(x.op, out.([]bool), in[0])
	case backends.OpTypeWhere:
		return runWhere(out, in)
	case backends.OpTypeClamp:
		return runClamp(out, in)
	case backends.OpTypeConvertDType:
		return runConvert(out, in[0])
	case backends.OpTypeTranspose, backends.OpTypeBroadcastInDim, backends.OpTypeSlice,
		backends.OpTypeConcatenate, backends.OpTypeReverse, backends.OpTypePad:
		return runLayout(x, out, in)
	case backends.OpTypeIota:
		return runIota(x, out)
	case backends.OpTypeReduceSum, backends.OpTypeReduceMax, backends.OpTypeReduceMin, backends.OpTypeReduceProduct:
		return runReduce(x, out, in[0])
	case backends.OpTypeArgMinMax:
		return runArgMinMax(x, out, in[0])
	case backends.OpTypeDotGeneral:
		return runDot(x, out, in)
	case backends.OpTypeRNGBitGenerator:
		return runRNGValues(x, out, in)
	case opRNGState:
		runRNGState(x, out.([]uint64), in)
		return nil
	}
	return fmt.Errorf("op %s has no implementation", x.op)
}
