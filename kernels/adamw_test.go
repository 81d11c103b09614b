package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamWHand checks one step computed by hand: p=1, g=0.5, m=v=0, lr 0.1, weight
// decay 0.01, betas (0.9, 0.999), eps 1e-8, step 1. decay = 0.999, m = 0.05,
// v = 0.00025, sqrt(v)/sqrt(1-0.999) = 0.5, step size -0.1/0.1 = -1, so
// p = 0.999 - 0.05/0.5 = 0.899.
func TestAdamWHand(t *testing.T) {
	c := AdamWCoef{Decay: 0.999, Beta1: 0.9, C1: 0.1, Beta2: 0.999, C2: 0.001,
		BiasCorr2Sqrt: float32(math.Sqrt(0.001)), Eps: 1e-8, StepSize: -1}
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			t.Fatal(err)
		}
		// 37 equal elements: vector body and Go tail on every kernel.
		n := 37
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i], g[i] = 1, 0.5
		}
		e.AdamW(p, g, m, v, c)
		for i := range p {
			if math.Abs(float64(p[i])-0.899) > 1e-6 || math.Abs(float64(m[i])-0.05) > 1e-8 || math.Abs(float64(v[i])-0.00025) > 1e-10 {
				t.Fatalf("%s: element %d: p %v m %v v %v, want 0.899, 0.05, 0.00025", name, i, p[i], m[i], v[i])
			}
		}
	}
}

// TestAdamWKernelsBitIdentical runs several steps on random values of awkward lengths
// with every kernel the CPU has and requires the Go loop's bits (NaN where it has NaN).
func TestAdamWKernelsBitIdentical(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 100, 1023} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		base := make([][]float32, 4)
		for k := range base {
			base[k] = make([]float32, n)
			for i := range base[k] {
				base[k][i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-4)))
			}
		}
		for i := range n {
			base[3][i] = float32(math.Abs(float64(base[3][i]))) // v >= 0
			switch i % 50 {
			case 3:
				base[1][i] = float32(math.NaN())
			case 4:
				base[1][i] = 0
				base[3][i] = 0
			case 5:
				base[1][i] = float32(math.Inf(1))
			}
		}
		run := func(e *Engine) [][]float32 {
			s := make([][]float32, 4)
			for k := range s {
				s[k] = append([]float32(nil), base[k]...)
			}
			for step := 1; step <= 3; step++ {
				c := AdamWCoef{Decay: float32(1 - 1e-3*0.01), Beta1: 0.9, C1: 0.1, Beta2: 0.999, C2: float32(1 - 0.999),
					BiasCorr2Sqrt: float32(math.Sqrt(1 - math.Pow(0.999, float64(step)))), Eps: 1e-8,
					StepSize: float32(-1e-3 / (1 - math.Pow(0.9, float64(step))))}
				e.AdamW(s[0], s[1], s[2], s[3], c)
			}
			return s
		}
		goE, err := NewEngine("go")
		if err != nil {
			t.Fatal(err)
		}
		want := run(goE)
		for _, name := range Available() {
			e, err := NewEngine(name)
			if err != nil {
				t.Fatal(err)
			}
			got := run(e)
			for k, label := range []string{"p", "g", "m", "v"} {
				for i := range got[k] {
					a, b := got[k][i], want[k][i]
					if math.Float32bits(a) != math.Float32bits(b) && !(a != a && b != b) {
						t.Fatalf("%s n=%d: %s[%d] = %v (%08x), Go loop %v (%08x)", name, n, label, i, a, math.Float32bits(a), b, math.Float32bits(b))
					}
				}
			}
		}
	}
}

func BenchmarkAdamW(b *testing.B) {
	const n = 1 << 20
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i] = 1, float32(i%7)-3
	}
	c := AdamWCoef{Decay: 0.999, Beta1: 0.9, C1: 0.1, Beta2: 0.999, C2: 0.001, BiasCorr2Sqrt: 0.03, Eps: 1e-8, StepSize: -1e-3}
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(7 * 4 * n)
			for range b.N {
				e.AdamW(p, g, m, v, c)
			}
		})
	}
}
