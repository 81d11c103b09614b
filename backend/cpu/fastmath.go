package cpu

import (
	"math"

	"github.com/fairclip/fairclip/kernels"
)

// The float32 transcendental functions run on package kernels (kernels.Exp,
// kernels.Erf: vector loops on AVX-512 and AVX2, within one float32 ulp of package math).

// f32Loop applies one of the fast functions (or abs, neg) over float32 slices in
// parallel chunks, with a direct (not indirect) call per element.
func f32Loop(op int, dst, src []float32) {
	parallelChunks(len(dst), grainFor(len(dst), 8), func(lo, hi int) {
		d, s := dst[lo:hi:hi], src[lo:hi:hi]
		switch op {
		case f32Exp:
			kernels.Exp(d, s)
		case f32Logistic:
			logisticF32(d, s)
		case f32Erf:
			kernels.Erf(d, s)
		case f32Abs:
			for i, v := range s {
				d[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
			}
		case f32Neg:
			for i, v := range s {
				d[i] = -v
			}
		}
	})
}

// logisticF32 is 1/(1+exp(-x)) over float32 values (dst may be src): e = exp(-|x|) on
// the vector kernel (so the exponential never needs more range than kernels.Exp64
// gives float32 results), then 1/(1+e) or e/(1+e) by x's sign, in float64, selected
// by a mask instead of a branch. It works through blocks that keep their inputs aside, so
// that writing dst never changes a value still to be read.
func logisticF32(dst, src []float32) {
	var x, e [256]float32
	for lo := 0; lo < len(src); lo += len(x) {
		n := copy(x[:], src[lo:])
		for i, v := range x[:n] {
			e[i] = math.Float32frombits(math.Float32bits(v) | 1<<31) // -|x|
		}
		kernels.Exp(e[:n], e[:n])
		d := dst[lo : lo+n]
		for i, v := range x[:n] {
			ei := float64(e[i])
			neg := uint64(math.Float32bits(v) >> 31) // 1 when x < 0 (or -0, -NaN)
			num := math.Float64frombits(math.Float64bits(ei)&-neg | math.Float64bits(1)&(neg-1))
			d[i] = float32(num / (1 + ei))
		}
	}
}

const (
	f32Exp = iota
	f32Logistic
	f32Erf
	f32Abs
	f32Neg
)
