package cpu

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// broadcastStrides are x's strides on the output's axes: 0 where x has dimension 1.
func broadcastStrides(xs shapes.Shape, rank int) []int {
	st := make([]int, rank)
	if xs.Rank() != rank {
		return st // a scalar
	}
	s := 1
	for a := rank - 1; a >= 0; a-- {
		if xs.Dimensions[a] != 1 {
			st[a] = s
		}
		s *= xs.Dimensions[a]
	}
	return st
}

// merge3 drops axes of size one and merges neighbouring axes contiguous for the output
// and both operands.
func merge3(dims, as, bs []int) ([]int, []int, []int) {
	var d, a, b []int
	for i := range dims {
		if dims[i] == 1 {
			continue
		}
		if k := len(d) - 1; k >= 0 && a[k] == as[i]*dims[i] && b[k] == bs[i]*dims[i] {
			d[k] *= dims[i]
			a[k], b[k] = as[i], bs[i]
			continue
		}
		d, a, b = append(d, dims[i]), append(a, as[i]), append(b, bs[i])
	}
	return d, a, b
}

// needsBroadcast reports whether a binary op's operand must be read with strides: it is
// neither the output's size nor a single value.
func needsBroadcast(x *node) bool {
	n := x.shape.Size()
	for _, in := range x.inputs[:2] {
		if s := in.shape.Size(); s != n && s != 1 {
			return true
		}
	}
	return false
}

// binaryFunc is the scalar function of a float binary op.
func binaryFunc[T floatT](op backends.OpType) func(x, y T) T {
	var f func(x, y T) T
	switch op {
	case backends.OpTypeAdd:
		f = func(x, y T) T { return x + y }
	case backends.OpTypeSub:
		f = func(x, y T) T { return x - y }
	case backends.OpTypeMul:
		f = func(x, y T) T { return x * y }
	case backends.OpTypeDiv:
		f = func(x, y T) T { return x / y }
	}
	return f
}

// zipBroadcastF32 is zipBroadcast for float32 Add/Sub/Mul/Div with call-free rows.
func zipBroadcastF32(op backends.OpType, dst, a, b []float32, outDims, aSt, bSt []int) {
	d, as, bs := merge3(outDims, aSt, bSt)
	if len(d) == 0 {
		arithRow(op, dst[:1], a, b, true, true)
		return
	}
	inner := d[len(d)-1]
	ia, ib := as[len(d)-1], bs[len(d)-1]
	rows := len(dst) / inner
	outer := d[:len(d)-1]
	parallelChunks(rows, grainFor(rows, inner), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			oa, ob, rem := 0, 0, r
			for k := len(outer) - 1; k >= 0; k-- {
				i := rem % outer[k]
				rem /= outer[k]
				oa += i * as[k]
				ob += i * bs[k]
			}
			row := dst[r*inner : (r+1)*inner]
			if ia <= 1 && ib <= 1 {
				x, y := a[oa:], b[ob:]
				if ia == 1 {
					x = x[:inner]
				}
				if ib == 1 {
					y = y[:inner]
				}
				arithRow(op, row, x, y, ia == 0, ib == 0)
				continue
			}
			f := binaryFunc[float32](op)
			for j := range row {
				row[j] = f(a[oa+j*ia], b[ob+j*ib])
			}
		}
	})
}
