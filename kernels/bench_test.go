package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// benchShapes are m×k×n: an m×k activation times a k×n weight (2·m·k·n flops).
var benchShapes = []struct{ m, k, n int }{
	{256, 768, 3072},
	{1024, 768, 3072},
	{2056, 1024, 4096},
}

// BenchmarkGemm reports GFLOP/s for every kernel this CPU has, on one goroutine and
// on GOMAXPROCS, for op(B) = B (NN) and op(B) = Bᵀ (NT, PyTorch's Linear layout).
func BenchmarkGemm(b *testing.B) {
	for _, name := range Available() {
		for _, s := range benchShapes {
			rng := rand.New(rand.NewPCG(1, 2))
			x := randSlice(rng, s.m*s.k)
			w := randSlice(rng, s.k*s.n)
			c := make([]float32, s.m*s.n)
			for _, threads := range threadCounts() {
				for _, transB := range []bool{false, true} {
					layout := "NN"
					if transB {
						layout = "NT"
					}
					b.Run(fmt.Sprintf("%s/%dx%dx%d/%s/threads=%d", name, s.m, s.k, s.n, layout, threads), func(b *testing.B) {
						e, _ := NewEngine(name)
						e.threads = threads
						ldb := s.n
						if transB {
							ldb = s.k
						}
						cpu0 := processCPU()
						for b.Loop() {
							e.Gemm(false, transB, s.m, s.n, s.k, x, s.k, w, ldb, c, s.n, false)
						}
						reportFlops(b, 2*float64(s.m)*float64(s.k)*float64(s.n), processCPU()-cpu0)
					})
				}
			}
		}
	}
}

// BenchmarkFMAPeak measures the machine's FMA throughput with independent FMA chains
// on every goroutine at once: the ceiling BenchmarkGemm is judged against.
func BenchmarkFMAPeak(b *testing.B) {
	const iters = 1 << 16
	for _, ak := range archKernels() {
		if !ak.ok || ak.k.peak == nil {
			continue
		}
		k := ak.k
		for _, threads := range threadCounts() {
			b.Run(fmt.Sprintf("%s/threads=%d", k.name, threads), func(b *testing.B) {
				var wg sync.WaitGroup
				cpu0 := processCPU()
				for b.Loop() {
					wg.Add(threads)
					for range threads {
						go func() {
							defer wg.Done()
							k.peak(iters)
						}()
					}
					wg.Wait()
				}
				reportFlops(b, float64(threads)*iters*float64(k.peakFlops), processCPU()-cpu0)
			})
		}
	}
}

// reportFlops reports GFLOP/s (wall clock) and GFLOP/cpu-s (process CPU time: on a
// machine shared with other work this shows the code's own speed per core-second).
func reportFlops(b *testing.B, flopsPerOp float64, cpu time.Duration) {
	total := flopsPerOp * float64(b.N) / 1e9
	b.ReportMetric(total/b.Elapsed().Seconds(), "GFLOP/s")
	if cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "GFLOP/cpu-s")
	}
}

func threadCounts() []int {
	if p := runtime.GOMAXPROCS(0); p > 1 {
		return []int{1, p}
	}
	return []int{1}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
	return s
}
