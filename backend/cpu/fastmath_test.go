package cpu

import (
	"math"
	"testing"
)

// ulps is the distance between float32 values in units in the last place.
func ulps(a, b float32) int64 {
	ia, ib := int64(math.Float32bits(a)), int64(math.Float32bits(b))
	if ia < 0x80000000 {
		ia += 0
	} else {
		ia = 0x80000000 - ia
	}
	if ib >= 0x80000000 {
		ib = 0x80000000 - ib
	}
	d := ia - ib
	if d < 0 {
		d = -d
	}
	return d
}

// TestLogisticF32 checks the vector logistic against float64 math within one ulp over
// float32's range, in place (as the backend runs an op whose operand dies) and not,
// at a length that leaves a partial block.
func TestLogisticF32(t *testing.T) {
	const n = 1<<18 + 77
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(-110 + 150*float64(i)/n)
	}
	src[0], src[1], src[2] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	src[3], src[4] = 1000, -1000
	want := make([]float32, n)
	for i, x := range src {
		want[i] = float32(1 / (1 + math.Exp(-float64(x))))
	}
	out := make([]float32, n)
	logisticF32(out, src)
	inPlace := append([]float32(nil), src...)
	logisticF32(inPlace, inPlace)
	for i := range src {
		for _, got := range []float32{out[i], inPlace[i]} {
			if want[i] != want[i] {
				if got == got {
					t.Fatalf("logistic(%v) = %v, want NaN", src[i], got)
				}
				continue
			}
			if u := ulps(got, want[i]); u > 1 {
				t.Fatalf("logistic(%v) = %v, want %v (%d ulps)", src[i], got, want[i], u)
			}
		}
	}
}
