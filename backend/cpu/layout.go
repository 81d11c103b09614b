package cpu

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
)

// contiguousStrides are the row-major strides of dims.
func contiguousStrides(dims []int) []int {
	st := make([]int, len(dims))
	s := 1
	for a := len(dims) - 1; a >= 0; a-- {
		st[a] = s
		s *= dims[a]
	}
	return st
}

// simplify drops axes of size one and merges neighbouring axes that are contiguous in
// both layouts.
func simplify(dims, dSt, sSt []int) ([]int, []int, []int) {
	var d, ds, ss []int
	for a := range dims {
		if dims[a] == 1 {
			continue
		}
		if k := len(d) - 1; k >= 0 && ds[k] == dSt[a]*dims[a] && ss[k] == sSt[a]*dims[a] {
			d[k] *= dims[a]
			ds[k], ss[k] = dSt[a], sSt[a]
			continue
		}
		d, ds, ss = append(d, dims[a]), append(ds, dSt[a]), append(ss, sSt[a])
	}
	return d, ds, ss
}

// copyStrided copies the box dims from src (offset sOff, strides sSt) to dst (offset
// dOff, strides dSt). Strides may be zero (broadcast). Large copies run in parallel over
// the outermost axis.
func copyStrided[T any](dst []T, dOff int, dSt []int, src []T, sOff int, sSt []int, dims []int) {
	total := 1
	for _, d := range dims {
		total *= d
	}
	if total == 0 {
		return
	}
	d, ds, ss := simplify(dims, dSt, sSt)
	if len(d) == 0 {
		dst[dOff] = src[sOff]
		return
	}
	if len(d) >= 2 && ds[len(d)-1] == 1 && ss[len(d)-1] != 1 && ss[len(d)-1] != 0 {
		// A transpose: copy in tiles so that both sides stay in cache.
		if k := tiledAxis(ss); k >= 0 && d[k] >= 8 && d[len(d)-1] >= 8 {
			copyTiled(dst, dOff, ds, src, sOff, ss, d, k)
			return
		}
	}
	if len(d) == 1 {
		parallelChunks(d[0], grainFor(d[0], 1), func(lo, hi int) {
			copyRows(dst, dOff+lo*ds[0], ds, src, sOff+lo*ss[0], ss, []int{hi - lo})
		})
		return
	}
	inner := total / d[0]
	parallelChunks(d[0], grainFor(d[0], inner), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			copyRows(dst, dOff+i*ds[0], ds[1:], src, sOff+i*ss[0], ss[1:], d[1:])
		}
	})
}

// copyRows is the sequential recursive copy.
func copyRows[T any](dst []T, dOff int, ds []int, src []T, sOff int, ss []int, d []int) {
	if len(d) == 1 {
		n, a, b := d[0], ds[0], ss[0]
		switch {
		case a == 1 && b == 1:
			copy(dst[dOff:dOff+n], src[sOff:sOff+n])
		case a == 1 && b == 0:
			v := src[sOff]
			out := dst[dOff : dOff+n]
			for i := range out {
				out[i] = v
			}
		case a == 1:
			out := dst[dOff : dOff+n]
			for i := range out {
				out[i] = src[sOff+i*b]
			}
		default:
			for i := 0; i < n; i++ {
				dst[dOff+i*a] = src[sOff+i*b]
			}
		}
		return
	}
	for i := 0; i < d[0]; i++ {
		copyRows(dst, dOff+i*ds[0], ds[1:], src, sOff+i*ss[0], ss[1:], d[1:])
	}
}

// tiledAxis is the axis whose source stride is 1 (the source's innermost axis), or -1.
func tiledAxis(ss []int) int {
	for k, s := range ss {
		if s == 1 {
			return k
		}
	}
	return -1
}

// copyTiled copies a box where dst is contiguous along the last axis and src along axis k,
// in 32x32 tiles of (axis k, last axis).
func copyTiled[T any](dst []T, dOff int, ds []int, src []T, sOff int, ss []int, d []int, k int) {
	const tile = 32
	last := len(d) - 1
	// The other axes enumerate the tiles' planes.
	var outer []int
	for a := range d {
		if a != k && a != last {
			outer = append(outer, a)
		}
	}
	planes := 1
	for _, a := range outer {
		planes *= d[a]
	}
	nk, nl := d[k], d[last]
	parallelChunks(planes, grainFor(planes, nk*nl), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			do, so, rem := dOff, sOff, p
			for i := len(outer) - 1; i >= 0; i-- {
				a := outer[i]
				idx := rem % d[a]
				rem /= d[a]
				do += idx * ds[a]
				so += idx * ss[a]
			}
			for k0 := 0; k0 < nk; k0 += tile {
				k1 := min(k0+tile, nk)
				for l0 := 0; l0 < nl; l0 += tile {
					l1 := min(l0+tile, nl)
					for l := l0; l < l1; l++ {
						for kk := k0; kk < k1; kk++ {
							dst[do+kk*ds[k]+l] = src[so+kk+l*ss[last]]
						}
					}
				}
			}
		}
	})
}

// layoutOp runs the data-movement ops, generic over the element type.
func layoutOp[T any](x *node, out []T, in []any) error {
	src := func(i int) []T { return in[i].([]T) }
	switch x.op {
	case backends.OpTypeTranspose:
		s := x.inputs[0].shape
		ist := contiguousStrides(s.Dimensions)
		sSt := make([]int, len(x.axes))
		for a, p := range x.axes {
			sSt[a] = ist[p]
		}
		copyStrided(out, 0, contiguousStrides(x.shape.Dimensions), src(0), 0, sSt, x.shape.Dimensions)
	case backends.OpTypeBroadcastInDim:
		s := x.inputs[0].shape
		ist := contiguousStrides(s.Dimensions)
		sSt := make([]int, x.shape.Rank())
		for i, a := range x.axes {
			if s.Dimensions[i] != 1 {
				sSt[a] = ist[i]
			}
		}
		copyStrided(out, 0, contiguousStrides(x.shape.Dimensions), src(0), 0, sSt, x.shape.Dimensions)
	case backends.OpTypeSlice:
		ist := contiguousStrides(x.inputs[0].shape.Dimensions)
		off := 0
		sSt := make([]int, len(ist))
		for a := range ist {
			off += x.starts[a] * ist[a]
			sSt[a] = ist[a] * x.strides[a]
		}
		copyStrided(out, 0, contiguousStrides(x.shape.Dimensions), src(0), off, sSt, x.shape.Dimensions)
	case backends.OpTypeConcatenate:
		axis := x.axes[0]
		dSt := contiguousStrides(x.shape.Dimensions)
		off := 0
		for i, in := range x.inputs {
			dims := in.shape.Dimensions
			copyStrided(out, off*dSt[axis], dSt, src(i), 0, contiguousStrides(dims), dims)
			off += dims[axis]
		}
	case backends.OpTypeReverse:
		dims := x.shape.Dimensions
		sSt := contiguousStrides(dims)
		off := 0
		for _, a := range x.axes {
			if dims[a] > 0 {
				off += (dims[a] - 1) * sSt[a]
			}
			sSt[a] = -sSt[a]
		}
		// Negative strides: copy element by element.
		copyRowsAny(out, 0, contiguousStrides(dims), src(0), off, sSt, dims)
	case backends.OpTypePad:
		fill := src(1)[0]
		for i := range out {
			out[i] = fill
		}
		padInto(x, out, src(0))
	default:
		return fmt.Errorf("not a layout op")
	}
	return nil
}

func copyRowsAny[T any](dst []T, dOff int, ds []int, src []T, sOff int, ss []int, d []int) {
	for _, n := range d {
		if n == 0 {
			return
		}
	}
	if len(d) == 0 {
		dst[dOff] = src[sOff]
		return
	}
	copyRows(dst, dOff, ds, src, sOff, ss, d)
}

// padInto writes x's operand into out at the padded positions, dropping cropped ones.
func padInto[T any](x *node, out, src []T) {
	in := x.inputs[0].shape.Dimensions
	oSt := contiguousStrides(x.shape.Dimensions)
	// Per axis: the first kept input index, the count and the output offset/stride.
	dims := make([]int, len(in))
	dSt := make([]int, len(in))
	sSt := contiguousStrides(in)
	dOff, sOff := 0, 0
	for a, p := range x.pads {
		step := p.Interior + 1
		first := 0
		if p.Start < 0 {
			first = (-p.Start + step - 1) / step
		}
		count := 0
		for i := first; i < in[a]; i++ {
			pos := p.Start + i*step
			if pos >= x.shape.Dimensions[a] {
				break
			}
			count++
		}
		if count <= 0 {
			return
		}
		dims[a] = count
		dSt[a] = oSt[a] * step
		dOff += (p.Start + first*step) * oSt[a]
		sOff += first * sSt[a]
	}
	copyRowsAny(out, dOff, dSt, src, sOff, sSt, dims)
}

func runLayout(x *node, out any, in []any) error {
	switch o := out.(type) {
	case []float32:
		return layoutOp(x, o, in)
	case []float64:
		return layoutOp(x, o, in)
	case []int8:
		return layoutOp(x, o, in)
	case []int16:
		return layoutOp(x, o, in)
	case []int32:
		return layoutOp(x, o, in)
	case []int64:
		return layoutOp(x, o, in)
	case []uint8:
		return layoutOp(x, o, in)
	case []uint16:
		return layoutOp(x, o, in)
	case []uint32:
		return layoutOp(x, o, in)
	case []uint64:
		return layoutOp(x, o, in)
	case []bool:
		return layoutOp(x, o, in)
	}
	return fmt.Errorf("unsupported output %T", out)
}

func iotaT[T numberT](out []T, dims []int, axis int) {
	inner := 1
	for _, d := range dims[axis+1:] {
		inner *= d
	}
	n := dims[axis]
	for i := range out {
		out[i] = T((i / inner) % n)
	}
}

func runIota(x *node, out any) error {
	d, a := x.shape.Dimensions, x.axes[0]
	switch o := out.(type) {
	case []float32:
		iotaT(o, d, a)
	case []float64:
		iotaT(o, d, a)
	case []int8:
		iotaT(o, d, a)
	case []int16:
		iotaT(o, d, a)
	case []int32:
		iotaT(o, d, a)
	case []int64:
		iotaT(o, d, a)
	case []uint8:
		iotaT(o, d, a)
	case []uint16:
		iotaT(o, d, a)
	case []uint32:
		iotaT(o, d, a)
	case []uint64:
		iotaT(o, d, a)
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}
