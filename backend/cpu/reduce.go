package cpu

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
)

// reduceLayout describes a reduction as out[o, i] = reduce over r of in[o, r, i]; when the
// reduced axes are not adjacent the operand is first transposed to [kept..., reduced...].
type reduceLayout struct {
	o, r, i int
	perm    []int // non-nil: transpose the operand with this permutation first
}

func layoutFor(dims, axes []int) reduceLayout {
	red := make([]bool, len(dims))
	for _, a := range axes {
		red[a] = true
	}
	// Group the axes of size > 1 into runs of kept/reduced.
	type run struct {
		reduced bool
		size    int
	}
	var runs []run
	for a, d := range dims {
		if d == 1 {
			continue
		}
		if k := len(runs) - 1; k >= 0 && runs[k].reduced == red[a] {
			runs[k].size *= d
			continue
		}
		runs = append(runs, run{red[a], d})
	}
	total := 1
	for _, d := range dims {
		total *= d
	}
	nRed := 0
	for _, r := range runs {
		if r.reduced {
			nRed++
		}
	}
	switch {
	case nRed == 0:
		return reduceLayout{o: total, r: 1, i: 1}
	case nRed == 1:
		l := reduceLayout{o: 1, r: 1, i: 1}
		seen := false
		for _, r := range runs {
			switch {
			case r.reduced:
				l.r, seen = r.size, true
			case seen:
				l.i *= r.size
			default:
				l.o *= r.size
			}
		}
		return l
	}
	var perm []int
	kept := 1
	for a := range dims {
		if !red[a] {
			perm = append(perm, a)
			kept *= dims[a]
		}
	}
	for a := range dims {
		if red[a] {
			perm = append(perm, a)
		}
	}
	return reduceLayout{o: kept, r: total / max(kept, 1), i: 1, perm: perm}
}

// transposed returns in transposed by perm.
func transposed[T any](in []T, dims, perm []int) []T {
	out := make([]T, len(in))
	ist := contiguousStrides(dims)
	od := make([]int, len(perm))
	sSt := make([]int, len(perm))
	for a, p := range perm {
		od[a], sSt[a] = dims[p], ist[p]
	}
	copyStrided(out, 0, contiguousStrides(od), in, 0, sSt, od)
	return out
}

// reduceT reduces with accumulator type A (float64 for float32 sums).
func reduceT[T numberT, A numberT](op backends.OpType, out, in []T, l reduceLayout) {
	var init A
	var f func(acc A, v T) A
	switch op {
	case backends.OpTypeReduceSum:
		f = func(acc A, v T) A { return acc + A(v) }
	case backends.OpTypeReduceProduct:
		init = 1
		f = func(acc A, v T) A { return acc * A(v) }
	case backends.OpTypeReduceMax:
		init = lowest[A]()
		f = func(acc A, v T) A {
			if a := A(v); a > acc || a != a {
				return a
			}
			return acc
		}
	case backends.OpTypeReduceMin:
		init = highest[A]()
		f = func(acc A, v T) A {
			if a := A(v); a < acc || a != a {
				return a
			}
			return acc
		}
	}
	O, R, I := l.o, l.r, l.i
	if I == 1 {
		sum := op == backends.OpTypeReduceSum
		parallelChunks(O, grainFor(O, R), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				row := in[o*R : (o+1)*R]
				acc := init
				if sum {
					acc = sumRow[T, A](row)
				} else {
					for _, v := range row {
						acc = f(acc, v)
					}
				}
				out[o] = T(acc)
			}
		})
		return
	}
	const colChunk = 512
	nc := (I + colChunk - 1) / colChunk
	parallelChunks(O*nc, grainFor(O*nc, R*min(I, colChunk)), func(lo, hi int) {
		acc := make([]A, colChunk)
		for u := lo; u < hi; u++ {
			o, c := u/nc, u%nc
			i0, i1 := c*colChunk, min((c+1)*colChunk, I)
			a := acc[:i1-i0]
			for j := range a {
				a[j] = init
			}
			for r := 0; r < R; r++ {
				row := in[(o*R+r)*I+i0 : (o*R+r)*I+i1]
				if op == backends.OpTypeReduceSum {
					for j, v := range row {
						a[j] += A(v)
					}
				} else {
					for j, v := range row {
						a[j] = f(a[j], v)
					}
				}
			}
			dst := out[o*I+i0 : o*I+i1]
			for j := range dst {
				dst[j] = T(a[j])
			}
		}
	})
}

// sumRow is the sum of row in A, with four running sums (lanes j mod 4) added as
// (s0+s1)+(s2+s3): four independent additions per step instead of one chain, in an
// order fixed by the row's length.
func sumRow[T numberT, A numberT](row []T) A {
	var s0, s1, s2, s3 A
	j := 0
	for ; j+4 <= len(row); j += 4 {
		s0 += A(row[j])
		s1 += A(row[j+1])
		s2 += A(row[j+2])
		s3 += A(row[j+3])
	}
	for ; j < len(row); j++ {
		s0 += A(row[j])
	}
	return (s0 + s1) + (s2 + s3)
}

func lowest[A numberT]() A {
	var z A
	switch p := any(&z).(type) {
	case *float64:
		*p = math.Inf(-1)
	case *float32:
		*p = float32(math.Inf(-1))
	case *int8:
		*p = math.MinInt8
	case *int16:
		*p = math.MinInt16
	case *int32:
		*p = math.MinInt32
	case *int64:
		*p = math.MinInt64
	}
	return z // unsigned: 0
}

func highest[A numberT]() A {
	var z A
	switch p := any(&z).(type) {
	case *float64:
		*p = math.Inf(1)
	case *float32:
		*p = float32(math.Inf(1))
	case *int8:
		*p = math.MaxInt8
	case *int16:
		*p = math.MaxInt16
	case *int32:
		*p = math.MaxInt32
	case *int64:
		*p = math.MaxInt64
	case *uint8:
		*p = math.MaxUint8
	case *uint16:
		*p = math.MaxUint16
	case *uint32:
		*p = math.MaxUint32
	case *uint64:
		*p = math.MaxUint64
	}
	return z
}

func reduceGeneric[T numberT, A numberT](x *node, out, in []T) {
	l := layoutFor(x.inputs[0].shape.Dimensions, x.axes)
	if l.perm != nil {
		in = transposed(in, x.inputs[0].shape.Dimensions, l.perm)
	}
	reduceT[T, A](x.op, out, in, l)
}

func runReduce(x *node, out, in any) error {
	sumLike := x.op == backends.OpTypeReduceSum || x.op == backends.OpTypeReduceProduct
	switch o := out.(type) {
	case []float32:
		if sumLike {
			reduceGeneric[float32, float64](x, o, in.([]float32))
		} else {
			reduceGeneric[float32, float32](x, o, in.([]float32))
		}
	case []float64:
		reduceGeneric[float64, float64](x, o, in.([]float64))
	case []int8:
		reduceGeneric[int8, int8](x, o, in.([]int8))
	case []int16:
		reduceGeneric[int16, int16](x, o, in.([]int16))
	case []int32:
		reduceGeneric[int32, int32](x, o, in.([]int32))
	case []int64:
		reduceGeneric[int64, int64](x, o, in.([]int64))
	case []uint8:
		reduceGeneric[uint8, uint8](x, o, in.([]uint8))
	case []uint16:
		reduceGeneric[uint16, uint16](x, o, in.([]uint16))
	case []uint32:
		reduceGeneric[uint32, uint32](x, o, in.([]uint32))
	case []uint64:
		reduceGeneric[uint64, uint64](x, o, in.([]uint64))
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

// argT finds, for each [o, :, i], the index of the first minimum/maximum (a NaN wins).
func argT[T numberT](in []T, O, A, I int, isMin bool) []int {
	idx := make([]int, O*I)
	parallelChunks(O*I, grainFor(O*I, A), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o, i := u/I, u%I
			best, bi := in[o*A*I+i], 0
			if best == best {
				for a := 1; a < A; a++ {
					v := in[(o*A+a)*I+i]
					if v != v {
						bi = a
						break
					}
					if (isMin && v < best) || (!isMin && v > best) {
						best, bi = v, a
					}
				}
			}
			idx[u] = bi
		}
	})
	return idx
}

func runArgMinMax(x *node, out, in any) error {
	dims, axis := x.inputs[0].shape.Dimensions, x.axes[0]
	O, I := 1, 1
	for _, d := range dims[:axis] {
		O *= d
	}
	for _, d := range dims[axis+1:] {
		I *= d
	}
	A := dims[axis]
	var idx []int
	switch s := in.(type) {
	case []float32:
		idx = argT(s, O, A, I, x.isMin)
	case []float64:
		idx = argT(s, O, A, I, x.isMin)
	case []int32:
		idx = argT(s, O, A, I, x.isMin)
	case []int64:
		idx = argT(s, O, A, I, x.isMin)
	default:
		return fmt.Errorf("unsupported operand %T", in)
	}
	return convertFrom(out, idx64(idx))
}

func idx64(idx []int) []int64 {
	r := make([]int64, len(idx))
	for i, v := range idx {
		r[i] = int64(v)
	}
	return r
}
