package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpWithinOneULP sweeps Exp densely over float32's whole range of finite, nonzero
// results (and past both ends) on every kernel and compares with package math's
// float64 exp rounded to float32.
func TestExpWithinOneULP(t *testing.T) {
	const n = 1 << 20
	src := make([]float32, 0, n+16)
	for i := 0; i <= n; i++ {
		src = append(src, float32(-106+(90+106)*float64(i)/n))
	}
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0,
		float32(math.Copysign(0, -1)), 88.72283, 88.722855, -87.33655, -103.97, -104, 1e-30, -1e-30, 1000, -1000}
	src = append(src, special...)
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			t.Fatal(err)
		}
		worst, at := worstULPs(t, name+": Exp", e.Exp, math.Exp, src)
		if worst > 1 {
			t.Errorf("%s: %d ulps from math.Exp at x=%v", name, worst, at)
		}
	}
}

// TestExpKernelsBitIdentical requires every kernel to give the Go loop's bits at every
// position of slices of awkward lengths.
func TestExpKernelsBitIdentical(t *testing.T) {
	checkKernelsBitIdentical(t, "Exp", (*Engine).Exp, 5, 20)
}

func BenchmarkExp(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]float32, 1<<16)
	for i := range src {
		src[i] = float32(-rng.Float64() * 8)
	}
	dst := make([]float32, len(src))
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				e.Exp(dst, src)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/value")
		})
	}
}
