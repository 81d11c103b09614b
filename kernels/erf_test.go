package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps32 is the distance between two float32 values in units in the last place.
func ulps32(a, b float32) int64 {
	key := func(f float32) int64 {
		u := int64(math.Float32bits(f))
		if u >= 1<<31 {
			return (1 << 31) - u // negative values below the positive ones
		}
		return u
	}
	d := key(a) - key(b)
	if d < 0 {
		d = -d
	}
	return d
}

// worstULPs runs f on src and returns the largest distance in ulps from ref (float64,
// rounded to float32) and where it is; a NaN reference wants a NaN, reported through t.
func worstULPs(t *testing.T, what string, f func(dst, src []float32), ref func(float64) float64, src []float32) (worst int64, at float32) {
	t.Helper()
	dst := make([]float32, len(src))
	f(dst, src)
	for i, x := range src {
		want := float32(ref(float64(x)))
		if want != want {
			if dst[i] == dst[i] {
				t.Errorf("%s(%v) = %v, want NaN", what, x, dst[i])
			}
			continue
		}
		if u := ulps32(dst[i], want); u > worst {
			worst, at = u, x
		}
	}
	return worst, at
}

// TestErfWithinOneULP sweeps Erf densely over [-6, 6] (and tiny magnitudes down to the
// subnormals) on every kernel and compares with package math's float64 erf rounded to
// float32; special values must match math.Erf exactly.
func TestErfWithinOneULP(t *testing.T) {
	const n = 1 << 20
	src := make([]float32, 0, n+200)
	for i := 0; i <= n; i++ {
		src = append(src, float32(-6+12*float64(i)/n))
	}
	for e := -149; e < -10; e++ {
		v := float32(math.Ldexp(1.37, e))
		src = append(src, v, -v)
	}
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			t.Fatal(err)
		}
		worst, at := worstULPs(t, name+": Erf", e.Erf, math.Erf, src)
		if worst > 1 {
			t.Errorf("%s: %d ulps from math.Erf at x=%v", name, worst, at)
		}
		special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1000, -1000, 0,
			float32(math.Copysign(0, -1)), 3.9999998, 4, 4.0000005}
		for len(special)%vecWidth != 1 { // a vector body and a Go tail
			special = append(special, 7)
		}
		out := make([]float32, len(special))
		e.Erf(out, special)
		for i, x := range special {
			want := float32(math.Erf(float64(x)))
			if !(math.Float32bits(out[i]) == math.Float32bits(want) || out[i] != out[i] && want != want) {
				t.Errorf("%s: Erf(%v) = %v, want %v", name, x, out[i], want)
			}
		}
	}
}

// TestErfKernelsBitIdentical requires every kernel to give the Go loop's bits at every
// position of slices of awkward lengths.
func TestErfKernelsBitIdentical(t *testing.T) {
	checkKernelsBitIdentical(t, "Erf", (*Engine).Erf, 3, 2)
}

// checkKernelsBitIdentical runs f on every kernel over normal values (seed, scale) at
// awkward lengths and requires the Go kernel's bits at every position.
func checkKernelsBitIdentical(t *testing.T, what string, f func(*Engine, []float32, []float32), seed uint64, scale float64) {
	t.Helper()
	goE, err := NewEngine("go")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 1001} {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(rng.NormFloat64() * scale)
		}
		want := make([]float32, n)
		f(goE, want, src)
		for _, name := range Available() {
			e, err := NewEngine(name)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, n)
			f(e, got, src)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s on %s n=%d: %s(%v)[%d] = %v, Go loop %v", what, name, n, what, src[i], i, got[i], want[i])
				}
			}
		}
	}
}

func BenchmarkErf(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]float32, 1<<16)
	for i := range src {
		src[i] = float32(rng.NormFloat64() * 1.5)
	}
	dst := make([]float32, len(src))
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				e.Erf(dst, src)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/value")
		})
	}
}
