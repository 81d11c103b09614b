package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestArithKernels checks every operation in every form (vector-vector, vector-scalar,
// scalar-vector) on every kernel against the plain float32 operation, bit for bit, at
// awkward lengths, in place as well as not, with zeros, infinities and NaN among the
// values.
func TestArithKernels(t *testing.T) {
	ops := []struct {
		op ArithOp
		f  func(a, b float32) float32
	}{
		{Add, func(a, b float32) float32 { return a + b }},
		{Sub, func(a, b float32) float32 { return a - b }},
		{Mul, func(a, b float32) float32 { return a * b }},
		{Div, func(a, b float32) float32 { return a / b }},
	}
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 1000} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			switch i % 23 {
			case 5:
				y[i] = 0
			case 7:
				x[i] = float32(math.Inf(-1))
			case 11:
				y[i] = float32(math.NaN())
			}
		}
		const v = float32(-1.7)
		for _, name := range Available() {
			e, err := NewEngine(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range ops {
				got := make([]float32, n)
				e.Arith(o.op, got, x, y)
				inPlace := append([]float32(nil), x...)
				e.Arith(o.op, inPlace, inPlace, y)
				for i := range got {
					if w := o.f(x[i], y[i]); !same(got[i], w) || !same(inPlace[i], w) {
						t.Fatalf("%s op %d n=%d: x op y at %d = %v (in place %v), want %v", name, o.op, n, i, got[i], inPlace[i], w)
					}
				}
				e.ArithScalar(o.op, got, x, v)
				for i := range got {
					if w := o.f(x[i], v); !same(got[i], w) {
						t.Fatalf("%s op %d n=%d: x op v at %d = %v, want %v", name, o.op, n, i, got[i], w)
					}
				}
				inPlace = append(inPlace[:0], y...)
				e.ScalarArith(o.op, inPlace, v, inPlace)
				for i := range got {
					if w := o.f(v, y[i]); !same(inPlace[i], w) {
						t.Fatalf("%s op %d n=%d: v op y at %d = %v, want %v", name, o.op, n, i, inPlace[i], w)
					}
				}
			}
		}
	}
}

func BenchmarkArith(b *testing.B) {
	const n = 256 * 3072
	x, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(i%97), float32(i%89+1)
	}
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(3 * 4 * n)
			for range b.N {
				e.Arith(Mul, d, x, y)
			}
		})
	}
}
