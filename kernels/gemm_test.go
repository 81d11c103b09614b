package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// problem is one batched product with its inputs laid out with padded strides.
type problem struct {
	batch, m, n, k int
	transA, transB bool
	lda, ldb, ldc  int
	sA, sB, sC     int
	a, b, c0       []float32
	accumulate     bool
	want           []float64 // float64 reference for C
	bound          []float64 // rounding-error bound per element of C
}

// newProblem fills A, B and C with seeded values in [-1, 1), rows padded by 3 and
// batch strides padded by 5 so that strides are exercised.
func newProblem(seed uint64, batch, m, n, k int, transA, transB, accumulate bool) *problem {
	rng := rand.New(rand.NewPCG(seed, 14))
	p := &problem{batch: batch, m: m, n: n, k: k, transA: transA, transB: transB, accumulate: accumulate}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+3, bc+3, n+3
	p.sA, p.sB, p.sC = ar*p.lda+5, br*p.ldb+5, m*p.ldc+5
	fill := func(size int) []float32 {
		s := make([]float32, size)
		for i := range s {
			s[i] = float32(rng.Float64()*2 - 1)
		}
		return s
	}
	p.a, p.b, p.c0 = fill(batch*p.sA), fill(batch*p.sB), fill(batch*p.sC)
	p.reference()
	return p
}

func (p *problem) A(bi, i, q int) float32 {
	if p.transA {
		return p.a[bi*p.sA+q*p.lda+i]
	}
	return p.a[bi*p.sA+i*p.lda+q]
}

func (p *problem) B(bi, q, j int) float32 {
	if p.transB {
		return p.b[bi*p.sB+j*p.ldb+q]
	}
	return p.b[bi*p.sB+q*p.ldb+j]
}

// reference computes C in float64 and, per element, the classic bound on float32
// recursive summation error, (k+2)·u·(Σ|a·b| + |c0|), with u = 2⁻²³ (a loose unit
// roundoff that also covers the final add into C).
func (p *problem) reference() {
	p.want = make([]float64, len(p.c0))
	p.bound = make([]float64, len(p.c0))
	for i, v := range p.c0 {
		p.want[i] = float64(v) // padding keeps its value
	}
	for bi := 0; bi < p.batch; bi++ {
		for i := 0; i < p.m; i++ {
			for j := 0; j < p.n; j++ {
				var s, abs float64
				for q := 0; q < p.k; q++ {
					x := float64(p.A(bi, i, q)) * float64(p.B(bi, q, j))
					s += x
					abs += math.Abs(x)
				}
				at := bi*p.sC + i*p.ldc + j
				if p.accumulate {
					abs += math.Abs(p.want[at])
					s += p.want[at]
				}
				p.want[at] = s
				p.bound[at] = float64(p.k+2) * 0x1p-23 * abs
			}
		}
	}
}

// run computes the product with e into a fresh copy of C.
func (p *problem) run(e *Engine) []float32 {
	c := append([]float32(nil), p.c0...)
	e.GemmBatched(p.batch, p.transA, p.transB, p.m, p.n, p.k, p.a, p.sA, p.lda, p.b, p.sB, p.ldb, c, p.sC, p.ldc, p.accumulate)
	return c
}

// check compares got with the reference, NaN for NaN and Inf for Inf included.
func (p *problem) check(t *testing.T, got []float32) {
	t.Helper()
	bad := 0
	for i, w := range p.want {
		g := float64(got[i])
		ok := math.Abs(g-w) <= p.bound[i]
		if math.IsNaN(w) || math.IsInf(w, 0) {
			ok = math.IsNaN(w) && math.IsNaN(g) || g == w
		}
		if !ok {
			if bad < 5 {
				t.Errorf("C[%d] = %v, want %v ± %.3g", i, g, w, p.bound[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d values wrong", bad, len(got))
	}
}

// variant is an engine configuration the tests run for every kernel.
type variant struct {
	name string
	set  func(e *Engine)
}

var variants = []variant{
	{"default", func(e *Engine) {}},
	{"packed-1", func(e *Engine) { e.simpleBelow, e.threads = 0, 1 }},
	{"packed-4", func(e *Engine) { e.simpleBelow, e.parallelFrom, e.threads = 0, 0, 4 }},
	{"smallblocks-1", func(e *Engine) { e.simpleBelow, e.threads, e.kc, e.mc, e.nc = 0, 1, 16, 12, 64 }},
	{"smallblocks-3", func(e *Engine) { e.simpleBelow, e.parallelFrom, e.threads, e.kc, e.mc, e.nc = 0, 0, 3, 16, 12, 64 }},
}

// engines returns every kernel this CPU has, in every variant.
func engines(t testing.TB) map[string]map[string]*Engine {
	out := map[string]map[string]*Engine{}
	for _, name := range Available() {
		out[name] = map[string]*Engine{}
		for _, v := range variants {
			e, err := NewEngine(name)
			if err != nil {
				t.Fatal(err)
			}
			v.set(e)
			out[name][v.name] = e
		}
	}
	return out
}

func TestAvailableIncludesCPUKernels(t *testing.T) {
	names := Available()
	if names[len(names)-1] != "go" {
		t.Fatalf("Available() = %v, want go last", names)
	}
	if runtime.GOARCH == "amd64" && !strings.Contains(strings.Join(names, ","), "avx") {
		t.Logf("no AVX kernel on this amd64 CPU (or built with -tags purego): %v", names)
	}
	t.Logf("kernels: %v, default %s", names, Name())
}

func TestGemmShapes(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		{1, 1, 1}, {1, 769, 5}, {769, 1, 7}, {5, 7, 1}, {7, 33, 97},
		{33, 97, 769}, {97, 769, 33}, {6, 32, 8}, {12, 64, 3},
	}
	if !testing.Short() {
		shapes = append(shapes, struct{ m, n, k int }{300, 700, 513})
	}
	all := engines(t)
	for si, s := range shapes {
		for trans := 0; trans < 4; trans++ {
			ta, tb := trans&1 != 0, trans&2 != 0
			acc := (si+trans)%2 == 1
			name := fmt.Sprintf("%dx%dx%d/transA=%v,transB=%v,acc=%v", s.m, s.n, s.k, ta, tb, acc)
			t.Run(name, func(t *testing.T) {
				p := newProblem(uint64(si*4+trans), 1, s.m, s.n, s.k, ta, tb, acc)
				for kname, vs := range all {
					results := map[string][]float32{}
					for _, v := range variants {
						if s.m*s.n*s.k > 1e7 && v.name != "default" && v.name != "packed-1" && kname == "go" {
							continue // keep the suite fast: the Go kernel is slow on the big shape
						}
						got := p.run(vs[v.name])
						t.Run(kname+"/"+v.name, func(t *testing.T) { p.check(t, got) })
						results[v.name] = got
					}
					sameBits(t, kname, results, "packed-1", "packed-4")
					sameBits(t, kname, results, "smallblocks-1", "smallblocks-3")
				}
			})
		}
	}
}

// sameBits requires two variants that differ only in goroutines to agree bit for bit.
func sameBits(t *testing.T, kernel string, results map[string][]float32, x, y string) {
	t.Helper()
	rx, ry := results[x], results[y]
	if rx == nil || ry == nil {
		return
	}
	for i := range rx {
		if math.Float32bits(rx[i]) != math.Float32bits(ry[i]) {
			t.Errorf("%s: %s and %s differ at %d: %v vs %v", kernel, x, y, i, rx[i], ry[i])
			return
		}
	}
}

func TestGemmBatched(t *testing.T) {
	all := engines(t)
	for trans := 0; trans < 4; trans++ {
		ta, tb := trans&1 != 0, trans&2 != 0
		for _, batch := range []int{1, 3, 9} {
			p := newProblem(uint64(100+trans*10+batch), batch, 13, 37, 41, ta, tb, trans%2 == 0)
			for kname, vs := range all {
				for vname, e := range vs {
					t.Run(fmt.Sprintf("trans=%d/batch=%d/%s/%s", trans, batch, kname, vname), func(t *testing.T) {
						p.check(t, p.run(e))
					})
				}
			}
		}
	}
}

// A batch stride of 0 shares one matrix (e.g. weights) across the batch.
func TestGemmBatchedSharedB(t *testing.T) {
	p := newProblem(7, 4, 9, 35, 20, false, true, false)
	p.sB = 0
	p.reference()
	for kname, vs := range engines(t) {
		for vname, e := range vs {
			t.Run(kname+"/"+vname, func(t *testing.T) { p.check(t, p.run(e)) })
		}
	}
}

func TestGemmNaNInf(t *testing.T) {
	p := newProblem(3, 1, 13, 40, 19, false, false, false)
	inf := float32(math.Inf(1))
	// Row 0 of A is all zeros: 0·Inf must give NaN (no skipping of zeros).
	for q := 0; q < p.k; q++ {
		p.a[q] = 0
	}
	p.b[2*p.ldb+5] = inf                 // B(2, 5): column 5 becomes ±Inf (NaN in row 0)
	p.a[7*p.lda+3] = float32(math.NaN()) // A(7, 3): row 7 becomes NaN
	p.b[4*p.ldb+33] = -inf               // B(4, 33): column 33 becomes ∓Inf
	p.a[9*p.lda+4] = 0                   // … except NaN in row 9 (0·-Inf)
	p.reference()
	if !math.IsNaN(p.want[0*p.ldc+5]) || !math.IsInf(p.want[1*p.ldc+5], 0) || !math.IsNaN(p.want[7*p.ldc+0]) {
		t.Fatal("reference does not have the planted NaN/Inf pattern")
	}
	for kname, vs := range engines(t) {
		for vname, e := range vs {
			t.Run(kname+"/"+vname, func(t *testing.T) { p.check(t, p.run(e)) })
		}
	}
}

func TestGemmZeroK(t *testing.T) {
	for _, acc := range []bool{false, true} {
		c := []float32{1, 2, 3, 4, 5, 6}
		Gemm(false, false, 2, 3, 0, nil, 0, nil, 3, c, 3, acc)
		want := []float32{0, 0, 0, 0, 0, 0}
		if acc {
			want = []float32{1, 2, 3, 4, 5, 6}
		}
		for i := range c {
			if c[i] != want[i] {
				t.Errorf("accumulate=%v: C = %v, want %v", acc, c, want)
				break
			}
		}
	}
}

// Results must not depend on GOMAXPROCS.
func TestGemmGOMAXPROCS(t *testing.T) {
	p := newProblem(11, 2, 130, 200, 300, false, true, false)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one := p.run(defaultEngine)
	runtime.GOMAXPROCS(8)
	eight := p.run(defaultEngine)
	sameBits(t, Name(), map[string][]float32{"1": one, "8": eight}, "1", "8")
	p.check(t, eight)
}

// Many concurrent callers, some calling from inside the pool itself, must all finish
// with the same bits as a lone caller.
func TestGemmConcurrent(t *testing.T) {
	p := newProblem(5, 1, 70, 90, 150, true, false, false)
	e, _ := NewEngine("")
	e.parallelFrom = 0
	want := p.run(e)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			workers.parallel(4, 3, func(int) {
				got := p.run(e)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						errs <- fmt.Sprintf("element %d: %v vs %v", i, got[i], want[i])
						return
					}
				}
			})
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

func TestGemmBadArguments(t *testing.T) {
	buf := make([]float32, 100)
	cases := []struct {
		name string
		call func()
		want string
	}{
		{"negative m", func() { Gemm(false, false, -1, 2, 2, buf, 2, buf, 2, buf, 2, false) }, "negative size"},
		{"short lda", func() { Gemm(false, false, 2, 2, 3, buf, 2, buf, 2, buf, 2, false) }, "A is 2×3 but its row stride is 2"},
		{"short C", func() { Gemm(false, false, 20, 20, 1, buf, 1, buf, 20, buf[:50], 20, false) }, "C needs 400 values"},
		{"short B^T", func() { Gemm(false, true, 2, 30, 4, buf, 4, buf, 4, buf, 30, false) }, "B needs 120 values"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Errorf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			tc.call()
		})
	}
}

func TestEnvVar(t *testing.T) {
	for _, name := range Available() {
		e, err := engineFromEnv(strings.ToUpper(name))
		if err != nil || e.Name() != name {
			t.Errorf("%s=%s: engine %v, err %v", EnvVar, name, e, err)
		}
	}
	if e, err := engineFromEnv(""); err != nil || e.Name() != Available()[0] {
		t.Errorf("unset: engine %v, err %v; want the fastest, %s", e, err, Available()[0])
	}
	_, err := engineFromEnv("sse9")
	if err == nil || !strings.Contains(err.Error(), `FAIRCLIP_KERNEL="sse9": unknown kernel`) {
		t.Errorf("unknown kernel: err %v", err)
	}
	for _, name := range []string{"avx512", "avx2"} {
		if strings.Contains(strings.Join(Available(), ","), name) {
			continue
		}
		if _, err := engineFromEnv(name); err == nil {
			t.Errorf("%s is not available here but was accepted", name)
		}
	}
}

// FuzzGemm compares every kernel with the float64 reference over random shapes,
// layouts and blockings.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), uint64(1))
	f.Add(uint8(7), uint8(33), uint8(5), uint8(3), uint64(2))
	f.Add(uint8(97), uint8(6), uint8(70), uint8(12), uint64(3))
	f.Add(uint8(13), uint8(65), uint8(129), uint8(31), uint64(4))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, seed uint64) {
		batch := 1 + int(flags>>5)%3
		p := newProblem(seed, batch, int(m)%100, int(n)%100, int(k)%140, flags&1 != 0, flags&2 != 0, flags&4 != 0)
		for _, name := range Available() {
			e, _ := NewEngine(name)
			e.simpleBelow = 0
			if flags&8 != 0 {
				e.kc, e.mc, e.nc = 8+int(seed%32), 12, 32*(1+int(seed%3))
			}
			if flags&16 != 0 {
				e.parallelFrom, e.threads = 0, 3
			}
			p.check(t, p.run(e))
		}
	})
}
