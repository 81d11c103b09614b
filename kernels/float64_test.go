package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lengths64 are the awkward lengths the float64 loops are tested at: empty, shorter
// than a vector, one past a vector or an unrolled step, and long.
var lengths64 = []int{0, 1, 3, 4, 7, 8, 9, 16, 31, 32, 33, 257}

const ulp = 0x1p-52

func engines64(t testing.TB) []*Engine {
	var es []*Engine
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

// randSlice returns n normal values placed at offset off of a larger buffer whose
// other values are sentinels, so writes past the end can be detected.
func rand64(rng *rand.Rand, n, off int) (s, buf []float64) {
	buf = make([]float64, n+off+9)
	for i := range buf {
		buf[i] = 12345
	}
	s = buf[off : off+n]
	for i := range s {
		s[i] = rng.NormFloat64() * math.Pow(2, float64(rng.IntN(9)-4))
	}
	return s, buf
}

func checkSentinels(t *testing.T, what string, buf []float64, off, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < off || i >= off+n) && v != 12345 {
			t.Fatalf("%s: wrote %v at %d outside [%d, %d)", what, v, i, off, off+n)
		}
	}
}

func TestDot64(t *testing.T) {
	for _, e := range engines64(t) {
		for _, n := range lengths64 {
			for off := 0; off < 2; off++ {
				rng := rand.New(rand.NewPCG(uint64(n), 3))
				a, _ := rand64(rng, n, off)
				b, _ := rand64(rng, n, 1-off)
				got := e.Dot64(a, b)
				want, abs := 0.0, 0.0
				for i := range a {
					want = math.FMA(a[i], b[i], want)
					abs += math.Abs(a[i] * b[i])
				}
				if tol := float64(n+2) * ulp * abs; math.Abs(got-want) > tol {
					t.Errorf("%s n=%d off=%d: %.17g, want %.17g (tol %.3g)", e.Name(), n, off, got, want, tol)
				}
				if again := e.Dot64(append([]float64(nil), a...), b); math.Float64bits(again) != math.Float64bits(got) {
					t.Errorf("%s n=%d: %v then %v for the same input at another address", e.Name(), n, got, again)
				}
			}
		}
		if got := e.Dot64([]float64{1, math.NaN(), 2}, []float64{1, 1, 1}); !math.IsNaN(got) {
			t.Errorf("%s: NaN term gives %v", e.Name(), got)
		}
		if got := e.Dot64([]float64{1, math.Inf(1), 2}, []float64{1, 1, 1}); !math.IsInf(got, 1) {
			t.Errorf("%s: +Inf term gives %v", e.Name(), got)
		}
	}
}

func TestAxpy64(t *testing.T) {
	for _, e := range engines64(t) {
		for _, n := range lengths64 {
			for off := 0; off < 2; off++ {
				rng := rand.New(rand.NewPCG(uint64(n), 4))
				x, _ := rand64(rng, n, 1-off)
				y, ybuf := rand64(rng, n, off)
				y0 := append([]float64(nil), y...)
				alpha := rng.NormFloat64()
				e.Axpy64(y, alpha, x)
				for i := range y {
					want := y0[i] + alpha*x[i]
					if tol := 2 * ulp * (math.Abs(y0[i]) + math.Abs(alpha*x[i])); math.Abs(y[i]-want) > tol {
						t.Fatalf("%s n=%d: y[%d] = %.17g, want %.17g", e.Name(), n, i, y[i], want)
					}
				}
				checkSentinels(t, e.Name()+" axpy", ybuf, off, n)
			}
		}
	}
}

// lseRef is log Σ_j exp(h_j - c_j·inv) with math.Exp, the max trick and the cut.
func lseRef(c, h []float64, inv, cut float64) float64 {
	mx := math.Inf(-1)
	for j := range c {
		mx = math.Max(mx, math.FMA(-c[j], inv, h[j]))
	}
	s := 0.0
	for j := range c {
		if t := math.FMA(-c[j], inv, h[j]) - mx; t > -cut {
			s += math.Exp(t)
		}
	}
	return mx + math.Log(s)
}

// TestExpSumRowsRandom compares mx + log(sum) with a math.Exp reference on random
// rows, with and without plan, at awkward row lengths; the tolerance covers the
// rounding of h - c·inv (different with and without a fused multiply-add), the
// exponential and the summation.
func TestExpSumRowsRandom(t *testing.T) {
	const rows, cut = 3, 50
	for _, e := range engines64(t) {
		for _, cols := range lengths64[1:] {
			for _, inv := range []float64{1, 20, 1e4} {
				rng := rand.New(rand.NewPCG(uint64(cols), uint64(inv)))
				c, _ := rand64(rng, rows*cols, 1)
				h, _ := rand64(rng, cols, 0)
				for i := range c {
					c[i] = math.Abs(c[i])
				}
				mx, sum := make([]float64, rows), make([]float64, rows)
				plan, planBuf := rand64(rng, rows*cols, 1)
				tmp, tmpBuf := rand64(rng, cols, 0)
				e.ExpSumRows(mx, sum, c, cols, h, inv, cut, tmp, nil)
				checkSentinels(t, e.Name()+" tmp", tmpBuf, 0, cols)
				mx2, sum2 := make([]float64, rows), make([]float64, rows)
				e.ExpSumRows(mx2, sum2, c, cols, h, inv, cut, nil, plan)
				checkSentinels(t, e.Name()+" plan", planBuf, 1, rows*cols)
				for i := 0; i < rows; i++ {
					row := c[i*cols : (i+1)*cols]
					if mx[i] != mx2[i] || sum[i] != sum2[i] {
						t.Fatalf("%s cols=%d row %d: (%v, %v) without plan, (%v, %v) with", e.Name(), cols, i, mx[i], sum[i], mx2[i], sum2[i])
					}
					big := 0.0
					for j := range row {
						big = math.Max(big, math.Abs(row[j]*inv)+math.Abs(h[j]))
					}
					want := lseRef(row, h, inv, cut)
					got := mx[i] + math.Log(sum[i])
					tol := 4*ulp*big + float64(cols+8)*ulp*math.Max(1, math.Abs(want))
					if math.Abs(got-want) > tol {
						t.Errorf("%s cols=%d inv=%g row %d: lse %.17g, want %.17g (tol %.3g)", e.Name(), cols, inv, i, got, want, tol)
					}
					ps := 0.0
					for j, p := range plan[i*cols : (i+1)*cols] {
						v := math.FMA(-row[j], inv, h[j])
						w := 0.0
						if v-mx[i] > -cut {
							w = math.Exp(v-want) * 1
						}
						if math.Abs(p-w) > tol*math.Max(w, 1e-300)+1e-300 && math.Abs(p-w) > 4*ulp*big*w+float64(cols+8)*ulp*w {
							t.Errorf("%s cols=%d inv=%g plan[%d][%d] = %.17g, want %.17g", e.Name(), cols, inv, i, j, p, w)
						}
						ps += p
					}
					if math.Abs(ps-1) > float64(2*cols+8)*ulp {
						t.Errorf("%s cols=%d inv=%g row %d: plan sums to %.17g", e.Name(), cols, inv, i, ps)
					}
				}
			}
		}
	}
}

// TestExpSumRowsExp checks the exponential itself: with h = 0, inv = 1 and a first
// column of 0, v_j = -c_j exactly, mx = 0 and tmp receives exp(-c_j) of the last row.
func TestExpSumRowsExp(t *testing.T) {
	const cut, cols = 50, 257
	for _, e := range engines64(t) {
		worst := 0.0
		h := make([]float64, cols)
		c := make([]float64, cols)
		tmp := make([]float64, cols)
		mx, sum := make([]float64, 1), make([]float64, 1)
		const steps = 200000
		for k := 0; k < steps; k += cols - 1 {
			for j := 1; j < cols; j++ {
				c[j] = cut * float64(k+j) / steps
			}
			e.ExpSumRows(mx, sum, c, cols, h, 1, cut, tmp, nil)
			if mx[0] != 0 {
				t.Fatalf("%s: max %v, want 0", e.Name(), mx[0])
			}
			for j := range c {
				want := math.Exp(-c[j])
				if c[j] >= cut {
					want = 0
				}
				if tmp[j] == want {
					continue
				}
				if r := math.Abs(tmp[j]-want) / want; r > worst || want == 0 {
					worst = r
				}
			}
		}
		if worst > 5e-16 {
			t.Errorf("%s: exp max relative error %.3g, want <= 5e-16", e.Name(), worst)
		}
		t.Logf("%s: exp max relative error %.3g", e.Name(), worst)
	}
}

// TestExpSumRowsSpecial checks infinities, NaN, huge negative terms and the cut on
// every kernel: with inv = 1 every kernel computes the same v, so the maxima must be
// identical and the sums agree to rounding.
func TestExpSumRowsSpecial(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		name    string
		c, h    []float64
		mx, sum float64 // sum < 0: not checked beyond agreement with the Go loop
	}{
		{"all -Inf", []float64{0, 1, 2}, []float64{-inf, -inf, -inf}, -inf, 0},
		{"+Inf term", []float64{0, -inf, 2, 0, 0, 0, 0, 0, 0}, []float64{0, 0, 0, 0, 0, 0, 0, 0, 0}, inf, 0},
		{"NaN ignored", []float64{nan, 0, nan, 3, nan}, []float64{0, 0, 0, 0, 0}, 0, 1 + math.Exp(-3)},
		{"NaN h", []float64{0, 0, 0}, []float64{nan, -1, nan}, -1, 1},
		{"very negative", []float64{1e300, 0, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300}, make([]float64, 10), 0, 1},
		{"-100000 weights", []float64{0, 0, 0, 0, 0, 0, 0}, []float64{-100000, -100000, 0, -100000, -100000, -100000, -100000}, 0, 1},
		{"at the cut", []float64{0, 50, math.Nextafter(50, 0), 49}, []float64{0, 0, 0, 0}, 0, 1 + math.Exp(-math.Nextafter(50, 0)) + math.Exp(-49)},
		{"large equal", []float64{-700, -700, -700}, []float64{0, 0, 0}, 700, 3},
	}
	for _, e := range engines64(t) {
		for _, tc := range cases {
			for _, withPlan := range []bool{false, true} {
				cols := len(tc.c)
				mx, sum := []float64{7}, []float64{7}
				tmp := make([]float64, cols)
				var plan []float64
				if withPlan {
					plan = make([]float64, cols)
				}
				e.ExpSumRows(mx, sum, tc.c, cols, tc.h, 1, 50, tmp, plan)
				if mx[0] != tc.mx {
					t.Errorf("%s %s: max %v, want %v", e.Name(), tc.name, mx[0], tc.mx)
				}
				if math.Abs(sum[0]-tc.sum) > 4*ulp*tc.sum || math.IsNaN(sum[0]) {
					t.Errorf("%s %s: sum %.17g, want %.17g", e.Name(), tc.name, sum[0], tc.sum)
				}
			}
		}
	}
}

// TestExpSumRowsDeterministic requires the same bits for the same input at another
// address, and rows computed alone equal rows computed together.
func TestExpSumRowsDeterministic(t *testing.T) {
	const rows, cols = 5, 33
	rng := rand.New(rand.NewPCG(9, 9))
	c, _ := rand64(rng, rows*cols, 0)
	h, _ := rand64(rng, cols, 0)
	for _, e := range engines64(t) {
		mx, sum := make([]float64, rows), make([]float64, rows)
		plan := make([]float64, rows*cols)
		e.ExpSumRows(mx, sum, c, cols, h, 37, 50, nil, plan)
		c2, _ := rand64(rng, rows*cols, 1)
		copy(c2, c)
		for i := 0; i < rows; i++ {
			m1, s1 := make([]float64, 1), make([]float64, 1)
			p1 := make([]float64, cols+1)[1:]
			e.ExpSumRows(m1, s1, c2[i*cols:(i+1)*cols], cols, h, 37, 50, nil, p1)
			if math.Float64bits(m1[0]) != math.Float64bits(mx[i]) || math.Float64bits(s1[0]) != math.Float64bits(sum[i]) {
				t.Fatalf("%s row %d: (%v, %v) alone, (%v, %v) together", e.Name(), i, m1[0], s1[0], mx[i], sum[i])
			}
			for j := range p1 {
				if math.Float64bits(p1[j]) != math.Float64bits(plan[i*cols+j]) {
					t.Fatalf("%s plan[%d][%d]: %v alone, %v together", e.Name(), i, j, p1[j], plan[i*cols+j])
				}
			}
		}
	}
}

func TestExpNeg(t *testing.T) {
	worst := 0.0
	for i := 0; i <= 200000; i++ {
		x := -50 * float64(i) / 200000
		want := math.Exp(x)
		if e := math.Abs(expNeg(x)-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 5e-16 {
		t.Errorf("max relative error %.3g, want <= 5e-16", worst)
	}
}

func BenchmarkExpSumRows(b *testing.B) {
	const rows, cols = 16, 16
	rng := rand.New(rand.NewPCG(1, 1))
	c, _ := rand64(rng, rows*cols, 0)
	h, _ := rand64(rng, cols, 0)
	mx, sum, plan := make([]float64, rows), make([]float64, rows), make([]float64, rows*cols)
	for _, e := range engines64(b) {
		b.Run(e.Name(), func(b *testing.B) {
			start := processCPU()
			for range b.N {
				e.ExpSumRows(mx, sum, c, cols, h, 3, 50, nil, plan)
			}
			b.ReportMetric(float64(processCPU()-start)/float64(b.N*rows), "cpu-ns/row")
		})
		b.Run(e.Name()+"-noplan", func(b *testing.B) {
			start := processCPU()
			for range b.N {
				e.ExpSumRows(mx, sum, c, cols, h, 3, 50, plan[:cols], nil)
			}
			b.ReportMetric(float64(processCPU()-start)/float64(b.N*rows), "cpu-ns/row")
		})
	}
}

func BenchmarkAxpy64(b *testing.B) {
	x, y := make([]float64, 768), make([]float64, 768)
	for _, e := range engines64(b) {
		b.Run(e.Name(), func(b *testing.B) {
			for range b.N {
				e.Axpy64(y, 1e-3, x)
			}
		})
	}
}

// TestFinishLogSumExp checks the logarithm on every kernel: ln s for s from 1 to
// e^14 and at the points where the reductions switch (up to 2^64), at awkward lengths, then
// scale·(mx + ln s) against math.Log, and that nothing is written past out.
func TestFinishLogSumExp(t *testing.T) {
	var sums []float64
	for i := 0; i <= 300000; i++ {
		sums = append(sums, math.Exp(14*float64(i)/300000))
	}
	for k := 0; k <= 64; k++ {
		p := math.Ldexp(1, k)
		sums = append(sums, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)),
			p*math.Sqrt2, math.Nextafter(p*math.Sqrt2, 0), math.Nextafter(p*math.Sqrt2, math.Inf(1)))
	}
	sums = append(sums, 1.015625, 511.9999)
	sums = sums[1:] // math.Nextafter(1, 0) < 1 is outside the contract
	for _, e := range engines64(t) {
		out := make([]float64, len(sums))
		e.FinishLogSumExp(out, make([]float64, len(sums)), sums, 1)
		worst := 0.0
		for i, s := range sums {
			want := math.Log(s)
			if err := math.Abs(out[i] - want); err > 4e-16+ulp*math.Abs(want) {
				t.Fatalf("%s: ln(%.17g) = %.17g, want %.17g (error %.3g)", e.Name(), s, out[i], want, err)
			} else if want < 8 && err > worst {
				worst = err
			}
		}
		t.Logf("%s: largest error below e^8: %.3g", e.Name(), worst)
		for _, n := range lengths64 {
			rng := rand.New(rand.NewPCG(uint64(n), 5))
			mx, _ := rand64(rng, n, 0)
			sum, _ := rand64(rng, n, 1)
			for i := range sum {
				sum[i] = 1 + math.Abs(sum[i])*100
			}
			out, obuf := rand64(rng, n, 1)
			const scale = -1e-3
			e.FinishLogSumExp(out, mx, sum, scale)
			checkSentinels(t, e.Name()+" logsum", obuf, 1, n)
			for i := range out {
				want := scale * (mx[i] + math.Log(sum[i]))
				if tol := math.Abs(scale) * (4*ulp*(math.Abs(mx[i])+math.Log(sum[i])) + 4e-16); math.Abs(out[i]-want) > tol {
					t.Fatalf("%s n=%d: out[%d] = %.17g, want %.17g", e.Name(), n, i, out[i], want)
				}
			}
			// out may be mx.
			e.FinishLogSumExp(mx, mx, sum, scale)
			for i := range out {
				if mx[i] != out[i] {
					t.Fatalf("%s n=%d: in place %v, %v otherwise", e.Name(), n, mx[i], out[i])
				}
			}
		}
	}
}

func TestLogAtLeast1(t *testing.T) {
	worst := 0.0
	for i := 0; i <= 1000000; i++ {
		s := math.Exp(7 * float64(i) / 1000000) // 1 .. ~1100
		if e := math.Abs(logAtLeast1(s) - math.Log(s)); e > worst {
			worst = e
		}
	}
	for _, s := range []float64{1, math.Nextafter(1, 2), 2, 1.015625, 511.9999, 512} {
		if e := math.Abs(logAtLeast1(s) - math.Log(s)); e > worst {
			worst = e
		}
	}
	if worst > 1e-15 {
		t.Errorf("max absolute error %.3g, want <= 1e-15", worst)
	}
}

// TestMinMax64 requires the Go loop's bits on every kernel, with NaN and signed zeros
// in x, lo and hi, at awkward lengths, and no write past lo or hi.
func TestMinMax64(t *testing.T) {
	goE, err := NewEngine("go")
	if err != nil {
		t.Fatal(err)
	}
	special := []float64{math.NaN(), 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1)}
	for _, e := range engines64(t) {
		for _, n := range lengths64 {
			rng := rand.New(rand.NewPCG(uint64(n), 6))
			x, _ := rand64(rng, n, 1)
			lo, lobuf := rand64(rng, n, 0)
			hi, hibuf := rand64(rng, n, 1)
			for i := range x {
				if rng.IntN(4) == 0 {
					x[i] = special[rng.IntN(len(special))]
				}
				if rng.IntN(6) == 0 {
					lo[i] = special[rng.IntN(len(special))]
				}
				if rng.IntN(6) == 0 {
					hi[i] = special[rng.IntN(len(special))]
				}
			}
			wlo, whi := append([]float64(nil), lo...), append([]float64(nil), hi...)
			goE.MinMax64(wlo, whi, x)
			e.MinMax64(lo, hi, x)
			for i := range x {
				if math.Float64bits(lo[i]) != math.Float64bits(wlo[i]) || math.Float64bits(hi[i]) != math.Float64bits(whi[i]) {
					t.Fatalf("%s n=%d [%d]: x %v gives lo %v hi %v, Go loop %v %v", e.Name(), n, i, x[i], lo[i], hi[i], wlo[i], whi[i])
				}
			}
			checkSentinels(t, e.Name()+" lo", lobuf, 0, n)
			checkSentinels(t, e.Name()+" hi", hibuf, 1, n)
		}
	}
}
