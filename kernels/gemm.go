package kernels

import (
	"fmt"
	"runtime"
)

// Gemm computes C = op(A)·op(B) (accumulate=false) or C += op(A)·op(B) (accumulate=true)
// for row-major float32 matrices. op(A) is m×k (A is m×k with row stride lda, or k×m when transA),
// op(B) is k×n (B is k×n with row stride ldb, or n×k when transB); C is m×n with row stride ldc.
//
// k == 0 sets C to zero (or leaves it when accumulating). Results do not depend on
// GOMAXPROCS or on how many goroutines call at once; NaN and Inf propagate as IEEE
// arithmetic says. Malformed shapes or short slices panic, as an index out of range would.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	defaultOrPanic().Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmBatched runs batch independent Gemms; matrix i starts at a[i*strideA], b[i*strideB], c[i*strideC].
func GemmBatched(batch int, transA, transB bool, m, n, k int, a []float32, strideA, lda int, b []float32, strideB, ldb int, c []float32, strideC, ldc int, accumulate bool) {
	defaultOrPanic().GemmBatched(batch, transA, transB, m, n, k, a, strideA, lda, b, strideB, ldb, c, strideC, ldc, accumulate)
}

// Name reports the micro-kernel in use: "avx512", "avx2" or "go".
func Name() string { return defaultOrPanic().Name() }

// Engine is a GEMM bound to one micro-kernel. The package-level functions use the
// engine FAIRCLIP_KERNEL selects; NewEngine lets tests and benchmarks pick each kernel.
// An Engine is immutable and safe for concurrent use.
type Engine struct {
	kern *microKernel
	// Cache blocking: kc steps of k per packed panel, mc rows of A, nc columns of B.
	kc, mc, nc int
	// simpleBelow: products with n·k below it skip packing (unpacked loop), whatever m.
	simpleBelow int
	// parallelFrom: total batch·m·n·k from which work is split over goroutines.
	parallelFrom int
	// threads caps the goroutines one call uses; 0 means GOMAXPROCS.
	threads int
}

// NewEngine returns an engine running the named micro-kernel ("avx512", "avx2",
// "go"), or the fastest this CPU has for "". It fails for unknown names and for
// kernels this CPU lacks.
func NewEngine(kernel string) (*Engine, error) {
	k, err := lookup(kernel)
	if err != nil {
		return nil, err
	}
	return &Engine{kern: k, kc: 512, mc: 96, nc: 3072, simpleBelow: 1 << 12, parallelFrom: 1 << 19}, nil
}

// Name reports the engine's micro-kernel: "avx512", "avx2" or "go".
func (e *Engine) Name() string { return e.kern.name }

// Gemm is the package-level Gemm on this engine.
func (e *Engine) Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	e.GemmBatched(1, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc, accumulate)
}

// GemmBatched is the package-level GemmBatched on this engine.
func (e *Engine) GemmBatched(batch int, transA, transB bool, m, n, k int, a []float32, strideA, lda int, b []float32, strideB, ldb int, c []float32, strideC, ldc int, accumulate bool) {
	g := gemm{
		batch: batch, transA: transA, transB: transB, m: m, n: n, k: k,
		a: a, strideA: strideA, lda: lda, b: b, strideB: strideB, ldb: ldb,
		c: c, strideC: strideC, ldc: ldc, accumulate: accumulate,
	}
	if err := g.check(); err != nil {
		panic(err)
	}
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for bi := 0; bi < batch; bi++ {
				for i := 0; i < m; i++ {
					clear(c[bi*strideC+i*ldc:][:n])
				}
			}
		}
		return
	}
	threads := e.threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	if batch*m*n*k < e.parallelFrom {
		threads = 1
	}
	e.run(&g, threads)
}

// gemm holds one call's arguments.
type gemm struct {
	batch          int
	transA, transB bool
	m, n, k        int
	a              []float32
	strideA, lda   int
	b              []float32
	strideB, ldb   int
	c              []float32
	strideC, ldc   int
	accumulate     bool
}

// check validates shapes, strides and slice lengths.
func (g *gemm) check() error {
	if g.batch < 0 || g.m < 0 || g.n < 0 || g.k < 0 {
		return fmt.Errorf("kernels: negative size batch=%d m=%d n=%d k=%d", g.batch, g.m, g.n, g.k)
	}
	if g.batch == 0 || g.m == 0 || g.n == 0 {
		return nil
	}
	if g.strideA < 0 || g.strideB < 0 || g.strideC < 0 {
		return fmt.Errorf("kernels: negative batch stride strideA=%d strideB=%d strideC=%d", g.strideA, g.strideB, g.strideC)
	}
	if err := checkMatrix("C", g.c, g.batch, g.strideC, g.m, g.n, g.ldc); err != nil {
		return err
	}
	if g.k == 0 {
		return nil
	}
	ar, ac := g.m, g.k
	if g.transA {
		ar, ac = g.k, g.m
	}
	if err := checkMatrix("A", g.a, g.batch, g.strideA, ar, ac, g.lda); err != nil {
		return err
	}
	br, bc := g.k, g.n
	if g.transB {
		br, bc = g.n, g.k
	}
	return checkMatrix("B", g.b, g.batch, g.strideB, br, bc, g.ldb)
}

func checkMatrix(name string, s []float32, batch, stride, rows, cols, ld int) error {
	if ld < cols {
		return fmt.Errorf("kernels: %s is %d×%d but its row stride is %d", name, rows, cols, ld)
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	if len(s) < need {
		return fmt.Errorf("kernels: %s needs %d values (batch %d, stride %d, %d×%d, row stride %d), got %d", name, need, batch, stride, rows, cols, ld, len(s))
	}
	return nil
}
