package cpu

import (
	"fmt"
	"math"

	"github.com/fairclip/fairclip/kernels"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

type floatT interface{ ~float32 | ~float64 }

type intT interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

type numberT interface{ floatT | intT }

var unaryOps = map[backends.OpType]bool{
	backends.OpTypeAbs: true, backends.OpTypeNeg: true, backends.OpTypeSign: true, backends.OpTypeExp: true,
	backends.OpTypeExpm1: true, backends.OpTypeLog: true, backends.OpTypeLog1p: true, backends.OpTypeSqrt: true,
	backends.OpTypeRsqrt: true, backends.OpTypeTanh: true, backends.OpTypeLogistic: true, backends.OpTypeErf: true,
	backends.OpTypeSin: true, backends.OpTypeCos: true, backends.OpTypeFloor: true, backends.OpTypeCeil: true,
	backends.OpTypeRound: true, backends.OpTypeLogicalNot: true, backends.OpTypeBitwiseNot: true,
}

var binaryOps = map[backends.OpType]bool{
	backends.OpTypeAdd: true, backends.OpTypeSub: true, backends.OpTypeMul: true, backends.OpTypeDiv: true,
	backends.OpTypePow: true, backends.OpTypeRem: true, backends.OpTypeMax: true, backends.OpTypeMin: true,
	backends.OpTypeLogicalAnd: true, backends.OpTypeLogicalOr: true, backends.OpTypeLogicalXor: true,
	backends.OpTypeBitwiseAnd: true, backends.OpTypeBitwiseOr: true, backends.OpTypeBitwiseXor: true,
}

var compareOps = map[backends.OpType]bool{
	backends.OpTypeEqual: true, backends.OpTypeNotEqual: true, backends.OpTypeGreaterThan: true,
	backends.OpTypeGreaterOrEqual: true, backends.OpTypeLessThan: true, backends.OpTypeLessOrEqual: true,
}

// elementwise reports whether output element i depends only on operands' element i (or
// a scalar operand), so the output may overwrite a same-sized operand.
func elementwise(op backends.OpType) bool {
	return unaryOps[op] || binaryOps[op] || op == backends.OpTypeWhere || op == backends.OpTypeClamp
}

// checkUnary rejects unary ops the backend does not compute for a dtype.
func checkUnary(op backends.OpType, out, in dtypes.DType) error {
	switch {
	case op == backends.OpTypeLogicalNot:
		if in == dtypes.Bool {
			return nil
		}
	case op == backends.OpTypeBitwiseNot:
		if in.IsInt() {
			return nil
		}
	case op == backends.OpTypeAbs || op == backends.OpTypeNeg || op == backends.OpTypeSign:
		if in.IsInt() || in.IsFloat() {
			return checkSupported(op, in)
		}
	default:
		if in == dtypes.Float32 || in == dtypes.Float64 {
			return nil
		}
	}
	return wrapErr(op, fmt.Errorf("dtype %s not supported", in))
}

func checkBinary(op backends.OpType, dt dtypes.DType) error {
	if err := checkSupported(op, dt); err != nil {
		return err
	}
	switch op {
	case backends.OpTypeLogicalAnd, backends.OpTypeLogicalOr, backends.OpTypeLogicalXor:
		if dt == dtypes.Bool {
			return nil
		}
	case backends.OpTypeBitwiseAnd, backends.OpTypeBitwiseOr, backends.OpTypeBitwiseXor:
		if dt.IsInt() {
			return nil
		}
	case backends.OpTypeEqual, backends.OpTypeNotEqual:
		return nil
	default:
		if dt != dtypes.Bool {
			return nil
		}
	}
	return wrapErr(op, fmt.Errorf("dtype %s not supported", dt))
}

func checkSupported(op backends.OpType, dt dtypes.DType) error {
	if _, err := makeFlat(dt, 0); err != nil {
		return wrapErr(op, err)
	}
	return nil
}

// mapUnary writes f(src[i]) to dst in parallel chunks.
func mapUnary[T, U any](dst []U, src []T, cost int, f func(T) U) {
	parallelChunks(len(dst), grainFor(len(dst), cost), func(lo, hi int) {
		d, s := dst[lo:hi], src[lo:hi]
		for i, v := range s {
			d[i] = f(v)
		}
	})
}

func unaryFloat[T floatT](op backends.OpType, dst, src []T) {
	if d, ok := any(dst).([]float32); ok {
		s := any(src).([]float32)
		switch op {
		case backends.OpTypeExp:
			f32Loop(f32Exp, d, s)
			return
		case backends.OpTypeLogistic:
			f32Loop(f32Logistic, d, s)
			return
		case backends.OpTypeErf:
			f32Loop(f32Erf, d, s)
			return
		case backends.OpTypeAbs:
			f32Loop(f32Abs, d, s)
			return
		case backends.OpTypeNeg:
			f32Loop(f32Neg, d, s)
			return
		}
	}
	f64 := func(g func(float64) float64) func(T) T { return func(v T) T { return T(g(float64(v))) } }
	var f func(T) T
	cost := 20
	switch op {
	case backends.OpTypeAbs:
		f, cost = func(v T) T { return T(math.Abs(float64(v))) }, 1
	case backends.OpTypeNeg:
		f, cost = func(v T) T { return -v }, 1
	case backends.OpTypeSign:
		f, cost = func(v T) T {
			switch {
			case v > 0:
				return 1
			case v < 0:
				return -1
			}
			return v // ±0 and NaN
		}, 1
	case backends.OpTypeExp:
		f, cost = f64(math.Exp), 10
	case backends.OpTypeExpm1:
		f = f64(math.Expm1)
	case backends.OpTypeLog:
		f = f64(math.Log)
	case backends.OpTypeLog1p:
		f = f64(math.Log1p)
	case backends.OpTypeSqrt:
		f, cost = f64(math.Sqrt), 2
	case backends.OpTypeRsqrt:
		f, cost = func(v T) T { return T(1 / math.Sqrt(float64(v))) }, 2
	case backends.OpTypeTanh:
		f = f64(math.Tanh)
	case backends.OpTypeLogistic:
		f, cost = func(v T) T { return T(logistic(float64(v))) }, 10
	case backends.OpTypeErf:
		f = f64(math.Erf)
	case backends.OpTypeSin:
		f = f64(math.Sin)
	case backends.OpTypeCos:
		f = f64(math.Cos)
	case backends.OpTypeFloor:
		f, cost = f64(math.Floor), 1
	case backends.OpTypeCeil:
		f, cost = f64(math.Ceil), 1
	case backends.OpTypeRound:
		f, cost = f64(math.RoundToEven), 1
	}
	mapUnary(dst, src, cost, f)
}

// logistic is 1/(1+exp(-x)) without overflow.
func logistic(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func unaryInt[T intT](op backends.OpType, dst, src []T) {
	var zero T
	signed := zero-1 < zero
	var f func(T) T
	switch op {
	case backends.OpTypeAbs:
		f = func(v T) T {
			if signed && v < zero {
				return -v
			}
			return v
		}
	case backends.OpTypeNeg:
		f = func(v T) T { return -v }
	case backends.OpTypeSign:
		f = func(v T) T {
			switch {
			case v > zero:
				return 1
			case v < zero:
				return zero - 1
			}
			return 0
		}
	case backends.OpTypeBitwiseNot:
		f = func(v T) T { return ^v }
	}
	mapUnary(dst, src, 1, f)
}

func runUnary(op backends.OpType, out, in any) error {
	switch o := out.(type) {
	case []float32:
		unaryFloat(op, o, in.([]float32))
	case []float64:
		unaryFloat(op, o, in.([]float64))
	case []int8:
		unaryInt(op, o, in.([]int8))
	case []int16:
		unaryInt(op, o, in.([]int16))
	case []int32:
		unaryInt(op, o, in.([]int32))
	case []int64:
		unaryInt(op, o, in.([]int64))
	case []uint8:
		unaryInt(op, o, in.([]uint8))
	case []uint16:
		unaryInt(op, o, in.([]uint16))
	case []uint32:
		unaryInt(op, o, in.([]uint32))
	case []uint64:
		unaryInt(op, o, in.([]uint64))
	case []bool:
		mapUnary(o, in.([]bool), 1, func(v bool) bool { return !v })
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

func runIsNaN(op backends.OpType, out []bool, in any) error {
	var f64 func(float64) bool
	if op == backends.OpTypeIsNaN {
		f64 = math.IsNaN
	} else {
		f64 = func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	}
	switch x := in.(type) {
	case []float32:
		mapUnary(out, x, 1, func(v float32) bool { return f64(float64(v)) })
	case []float64:
		mapUnary(out, x, 1, f64)
	default:
		return fmt.Errorf("unsupported operand %T", in)
	}
	return nil
}

// operands gives the flat operands of a binary op on out's shape: the same size as out,
// or of size one (a scalar, read at index 0). Operands broadcast along some axes are
// expanded first.
func expandOperand[T any](x []T, xs, outShape shapes.Shape) []T {
	if len(x) == 1 || len(x) == outShape.Size() {
		return x
	}
	out := make([]T, outShape.Size())
	strides := make([]int, outShape.Rank())
	st := 1
	for a := xs.Rank() - 1; a >= 0; a-- {
		if xs.Dimensions[a] != 1 {
			strides[a] = st
		}
		st *= xs.Dimensions[a]
	}
	copyStrided(out, 0, contiguousStrides(outShape.Dimensions), x, 0, strides, outShape.Dimensions)
	return out
}

// zipBinary writes f(a[i], b[i]) to dst, where a or b may have one element (broadcast).
func zipBinary[T, U any](dst []U, a, b []T, cost int, f func(T, T) U) {
	switch {
	case len(a) == len(dst) && len(b) == len(dst):
		parallelChunks(len(dst), grainFor(len(dst), cost), func(lo, hi int) {
			d, x, y := dst[lo:hi], a[lo:hi], b[lo:hi]
			for i := range d {
				d[i] = f(x[i], y[i])
			}
		})
	case len(a) == len(dst):
		y := b[0]
		parallelChunks(len(dst), grainFor(len(dst), cost), func(lo, hi int) {
			d, x := dst[lo:hi], a[lo:hi]
			for i := range d {
				d[i] = f(x[i], y)
			}
		})
	case len(b) == len(dst):
		x := a[0]
		parallelChunks(len(dst), grainFor(len(dst), cost), func(lo, hi int) {
			d, y := dst[lo:hi], b[lo:hi]
			for i := range d {
				d[i] = f(x, y[i])
			}
		})
	default: // both single values, dst of one value
		for i := range dst {
			dst[i] = f(a[0], b[0])
		}
	}
}

// arithF32 runs float32 Add/Sub/Mul/Div on operands of the output's size or single
// values with loops free of function calls; false for other ops.
func arithF32(op backends.OpType, dst, a, b []float32) bool {
	if op != backends.OpTypeAdd && op != backends.OpTypeSub && op != backends.OpTypeMul && op != backends.OpTypeDiv {
		return false
	}
	parallelChunks(len(dst), grainFor(len(dst), 1), func(lo, hi int) {
		x, y := a, b
		if len(x) != 1 {
			x = x[lo:hi:hi]
		}
		if len(y) != 1 {
			y = y[lo:hi:hi]
		}
		arithRow(op, dst[lo:hi:hi], x, y, len(x) == 1, len(y) == 1)
	})
	return true
}

// arithRow computes one contiguous row; a (b) is a single value when aScalar (bScalar).
// The loops are kernels' vector ones (the same bits as plain float32 operations).
func arithRow(op backends.OpType, d, x, y []float32, aScalar, bScalar bool) {
	var k kernels.ArithOp
	switch op {
	case backends.OpTypeAdd:
		k = kernels.Add
	case backends.OpTypeSub:
		k = kernels.Sub
	case backends.OpTypeMul:
		k = kernels.Mul
	case backends.OpTypeDiv:
		k = kernels.Div
	default:
		panic(fmt.Sprintf("backend %q: arithRow: %s is not arithmetic", Name, op))
	}
	switch {
	case !aScalar && !bScalar:
		kernels.Arith(k, d, x[:len(d)], y[:len(d)])
	case !aScalar:
		kernels.ArithScalar(k, d, x[:len(d)], y[0])
	case !bScalar:
		kernels.ScalarArith(k, d, x[0], y[:len(d)])
	default:
		r := []float32{0}
		kernels.Arith(k, r, x[:1], y[:1])
		for i := range d {
			d[i] = r[0]
		}
	}
}

func binaryFloat[T floatT](op backends.OpType, dst, a, b []T) {
	var f func(x, y T) T
	cost := 1
	switch op {
	case backends.OpTypeAdd:
		f = func(x, y T) T { return x + y }
	case backends.OpTypeSub:
		f = func(x, y T) T { return x - y }
	case backends.OpTypeMul:
		f = func(x, y T) T { return x * y }
	case backends.OpTypeDiv:
		f = func(x, y T) T { return x / y }
	case backends.OpTypePow:
		f, cost = func(x, y T) T { return T(math.Pow(float64(x), float64(y))) }, 30
	case backends.OpTypeRem:
		f, cost = func(x, y T) T { return T(math.Mod(float64(x), float64(y))) }, 10
	case backends.OpTypeMax:
		f = func(x, y T) T {
			if x > y || x != x {
				return x
			}
			return y
		}
	case backends.OpTypeMin:
		f = func(x, y T) T {
			if x < y || x != x {
				return x
			}
			return y
		}
	}
	zipBinary(dst, a, b, cost, f)
}

func binaryInt[T intT](op backends.OpType, dst, a, b []T) {
	var f func(x, y T) T
	switch op {
	case backends.OpTypeAdd:
		f = func(x, y T) T { return x + y }
	case backends.OpTypeSub:
		f = func(x, y T) T { return x - y }
	case backends.OpTypeMul:
		f = func(x, y T) T { return x * y }
	case backends.OpTypeDiv:
		f = func(x, y T) T {
			if y == 0 {
				return 0
			}
			return x / y
		}
	case backends.OpTypeRem:
		f = func(x, y T) T {
			if y == 0 {
				return 0
			}
			return x % y
		}
	case backends.OpTypePow:
		f = func(x, y T) T {
			r := T(1)
			for ; y > 0; y-- {
				r *= x
			}
			return r
		}
	case backends.OpTypeMax:
		f = func(x, y T) T { return max(x, y) }
	case backends.OpTypeMin:
		f = func(x, y T) T { return min(x, y) }
	case backends.OpTypeBitwiseAnd:
		f = func(x, y T) T { return x & y }
	case backends.OpTypeBitwiseOr:
		f = func(x, y T) T { return x | y }
	case backends.OpTypeBitwiseXor:
		f = func(x, y T) T { return x ^ y }
	}
	zipBinary(dst, a, b, 1, f)
}

func binaryBool(op backends.OpType, dst, a, b []bool) {
	var f func(x, y bool) bool
	switch op {
	case backends.OpTypeLogicalAnd:
		f = func(x, y bool) bool { return x && y }
	case backends.OpTypeLogicalOr:
		f = func(x, y bool) bool { return x || y }
	case backends.OpTypeLogicalXor:
		f = func(x, y bool) bool { return x != y }
	}
	zipBinary(dst, a, b, 1, f)
}

func runBinary(x *node, out any, in []any) error {
	op, s, as, bs := x.op, x.shape, x.inputs[0].shape, x.inputs[1].shape
	if o, ok := out.([]float32); ok && needsBroadcast(x) {
		if f := binaryFunc[float32](op); f != nil {
			r := s.Rank()
			zipBroadcastF32(op, o, in[0].([]float32), in[1].([]float32), s.Dimensions, broadcastStrides(as, r), broadcastStrides(bs, r))
			return nil
		}
	}
	switch o := out.(type) {
	case []float32:
		a, b := expandOperand(in[0].([]float32), as, s), expandOperand(in[1].([]float32), bs, s)
		if !arithF32(op, o, a, b) {
			binaryFloat(op, o, a, b)
		}
	case []float64:
		binaryFloat(op, o, expandOperand(in[0].([]float64), as, s), expandOperand(in[1].([]float64), bs, s))
	case []int8:
		binaryInt(op, o, expandOperand(in[0].([]int8), as, s), expandOperand(in[1].([]int8), bs, s))
	case []int16:
		binaryInt(op, o, expandOperand(in[0].([]int16), as, s), expandOperand(in[1].([]int16), bs, s))
	case []int32:
		binaryInt(op, o, expandOperand(in[0].([]int32), as, s), expandOperand(in[1].([]int32), bs, s))
	case []int64:
		binaryInt(op, o, expandOperand(in[0].([]int64), as, s), expandOperand(in[1].([]int64), bs, s))
	case []uint8:
		binaryInt(op, o, expandOperand(in[0].([]uint8), as, s), expandOperand(in[1].([]uint8), bs, s))
	case []uint16:
		binaryInt(op, o, expandOperand(in[0].([]uint16), as, s), expandOperand(in[1].([]uint16), bs, s))
	case []uint32:
		binaryInt(op, o, expandOperand(in[0].([]uint32), as, s), expandOperand(in[1].([]uint32), bs, s))
	case []uint64:
		binaryInt(op, o, expandOperand(in[0].([]uint64), as, s), expandOperand(in[1].([]uint64), bs, s))
	case []bool:
		binaryBool(op, o, expandOperand(in[0].([]bool), as, s), expandOperand(in[1].([]bool), bs, s))
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

func compareT[T numberT](op backends.OpType, dst []bool, a, b []T) {
	var f func(x, y T) bool
	switch op {
	case backends.OpTypeEqual:
		f = func(x, y T) bool { return x == y }
	case backends.OpTypeNotEqual:
		f = func(x, y T) bool { return x != y }
	case backends.OpTypeGreaterThan:
		f = func(x, y T) bool { return x > y }
	case backends.OpTypeGreaterOrEqual:
		f = func(x, y T) bool { return x >= y }
	case backends.OpTypeLessThan:
		f = func(x, y T) bool { return x < y }
	case backends.OpTypeLessOrEqual:
		f = func(x, y T) bool { return x <= y }
	}
	zipBinary(dst, a, b, 1, f)
}

func compareOperands[T numberT](op backends.OpType, dst []bool, a, b any, as, bs, s shapes.Shape) {
	compareT(op, dst, expandOperand(a.([]T), as, s), expandOperand(b.([]T), bs, s))
}

func runCompare(x *node, out []bool, in []any) error {
	op, s, as, bs := x.op, x.shape, x.inputs[0].shape, x.inputs[1].shape
	switch in[0].(type) {
	case []float32:
		compareOperands[float32](op, out, in[0], in[1], as, bs, s)
	case []float64:
		compareOperands[float64](op, out, in[0], in[1], as, bs, s)
	case []int8:
		compareOperands[int8](op, out, in[0], in[1], as, bs, s)
	case []int16:
		compareOperands[int16](op, out, in[0], in[1], as, bs, s)
	case []int32:
		compareOperands[int32](op, out, in[0], in[1], as, bs, s)
	case []int64:
		compareOperands[int64](op, out, in[0], in[1], as, bs, s)
	case []uint8:
		compareOperands[uint8](op, out, in[0], in[1], as, bs, s)
	case []uint16:
		compareOperands[uint16](op, out, in[0], in[1], as, bs, s)
	case []uint32:
		compareOperands[uint32](op, out, in[0], in[1], as, bs, s)
	case []uint64:
		compareOperands[uint64](op, out, in[0], in[1], as, bs, s)
	case []bool:
		a := expandOperand(in[0].([]bool), as, s)
		b := expandOperand(in[1].([]bool), bs, s)
		eq := op == backends.OpTypeEqual
		zipBinary(out, a, b, 1, func(p, q bool) bool { return (p == q) == eq })
	default:
		return fmt.Errorf("unsupported operand %T", in[0])
	}
	return nil
}

func whereT[T any](dst []T, cond []bool, a, b []T) {
	at := func(x []T, i int) T {
		if len(x) == 1 {
			return x[0]
		}
		return x[i]
	}
	parallelChunks(len(dst), grainFor(len(dst), 1), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c := cond[0]
			if len(cond) > 1 {
				c = cond[i]
			}
			if c {
				dst[i] = at(a, i)
			} else {
				dst[i] = at(b, i)
			}
		}
	})
}

// whereF32 is whereT for full-length float32 operands, without a branch on the
// condition: ReLU masks are true about half the time, and a mispredicted branch per
// value cost more than the select (the bits of a or b picked by a mask).
func whereF32(dst []float32, cond []bool, a, b []float32) {
	parallelChunks(len(dst), grainFor(len(dst), 1), func(lo, hi int) {
		d, c, x, y := dst[lo:hi], cond[lo:hi], a[lo:hi], b[lo:hi]
		for i := range d {
			var m uint32
			if c[i] {
				m = 1
			}
			m = -m // all ones when c[i]
			d[i] = math.Float32frombits(math.Float32bits(x[i])&m | math.Float32bits(y[i])&^m)
		}
	})
}

func clampT[T numberT](dst, lo, x, hi []T) {
	at := func(v []T, i int) T {
		if len(v) == 1 {
			return v[0]
		}
		return v[i]
	}
	parallelChunks(len(dst), grainFor(len(dst), 1), func(l, h int) {
		for i := l; i < h; i++ {
			v := x[i]
			if a := at(lo, i); v < a {
				v = a
			}
			if b := at(hi, i); v > b {
				v = b
			}
			dst[i] = v
		}
	})
}

func runWhere(out any, in []any) error {
	c := in[0].([]bool)
	switch o := out.(type) {
	case []float32:
		a, b := in[1].([]float32), in[2].([]float32)
		if len(c) == len(o) && len(a) == len(o) && len(b) == len(o) {
			whereF32(o, c, a, b)
		} else {
			whereT(o, c, a, b)
		}
	case []float64:
		whereT(o, c, in[1].([]float64), in[2].([]float64))
	case []int8:
		whereT(o, c, in[1].([]int8), in[2].([]int8))
	case []int16:
		whereT(o, c, in[1].([]int16), in[2].([]int16))
	case []int32:
		whereT(o, c, in[1].([]int32), in[2].([]int32))
	case []int64:
		whereT(o, c, in[1].([]int64), in[2].([]int64))
	case []uint8:
		whereT(o, c, in[1].([]uint8), in[2].([]uint8))
	case []uint16:
		whereT(o, c, in[1].([]uint16), in[2].([]uint16))
	case []uint32:
		whereT(o, c, in[1].([]uint32), in[2].([]uint32))
	case []uint64:
		whereT(o, c, in[1].([]uint64), in[2].([]uint64))
	case []bool:
		whereT(o, c, in[1].([]bool), in[2].([]bool))
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

func runClamp(out any, in []any) error {
	switch o := out.(type) {
	case []float32:
		clampT(o, in[0].([]float32), in[1].([]float32), in[2].([]float32))
	case []float64:
		clampT(o, in[0].([]float64), in[1].([]float64), in[2].([]float64))
	case []int32:
		clampT(o, in[0].([]int32), in[1].([]int32), in[2].([]int32))
	case []int64:
		clampT(o, in[0].([]int64), in[1].([]int64), in[2].([]int64))
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

// convertFrom converts src to dst's type.
func convertFrom[S numberT](dst any, src []S) error {
	switch d := dst.(type) {
	case []float32:
		mapUnary(d, src, 1, func(v S) float32 { return float32(v) })
	case []float64:
		mapUnary(d, src, 1, func(v S) float64 { return float64(v) })
	case []int8:
		mapUnary(d, src, 1, func(v S) int8 { return int8(v) })
	case []int16:
		mapUnary(d, src, 1, func(v S) int16 { return int16(v) })
	case []int32:
		mapUnary(d, src, 1, func(v S) int32 { return int32(v) })
	case []int64:
		mapUnary(d, src, 1, func(v S) int64 { return int64(v) })
	case []uint8:
		mapUnary(d, src, 1, func(v S) uint8 { return uint8(v) })
	case []uint16:
		mapUnary(d, src, 1, func(v S) uint16 { return uint16(v) })
	case []uint32:
		mapUnary(d, src, 1, func(v S) uint32 { return uint32(v) })
	case []uint64:
		mapUnary(d, src, 1, func(v S) uint64 { return uint64(v) })
	case []bool:
		mapUnary(d, src, 1, func(v S) bool { return v != 0 })
	default:
		return fmt.Errorf("unsupported output %T", dst)
	}
	return nil
}

func runConvert(out, in any) error {
	switch s := in.(type) {
	case []float32:
		return convertFrom(out, s)
	case []float64:
		return convertFrom(out, s)
	case []int8:
		return convertFrom(out, s)
	case []int16:
		return convertFrom(out, s)
	case []int32:
		return convertFrom(out, s)
	case []int64:
		return convertFrom(out, s)
	case []uint8:
		return convertFrom(out, s)
	case []uint16:
		return convertFrom(out, s)
	case []uint32:
		return convertFrom(out, s)
	case []uint64:
		return convertFrom(out, s)
	case []bool:
		b := make([]uint8, len(s))
		for i, v := range s {
			if v {
				b[i] = 1
			}
		}
		return convertFrom(out, b)
	}
	return fmt.Errorf("unsupported operand %T", in)
}
