package train

import (
	"math"
	"sync"

	"github.com/fairclip/fairclip/kernels"
)

// AdamW is PyTorch's AdamW (torch.optim.AdamW, single-tensor path, amsgrad off) over
// flat float32 parameters, with the same float32 arithmetic: decoupled weight decay
// p *= 1 - lr*wd, then the Adam step with bias corrections.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	Step                           int         // completed steps
	M, V                           [][]float32 // first and second moments, one per parameter
}

// NewAdamW returns an optimizer for parameters of the given sizes.
func NewAdamW(beta1, beta2, eps, weightDecay float64, sizes []int) *AdamW {
	a := &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: weightDecay}
	for _, n := range sizes {
		a.M = append(a.M, make([]float32, n))
		a.V = append(a.V, make([]float32, n))
	}
	return a
}

// Update applies one step with learning rate lr to params given grads.
func (a *AdamW) Update(params, grads [][]float32, lr float64) {
	a.Step++
	step := float64(a.Step)
	decay := float32(1 - lr*a.WeightDecay)
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1, c2 := float32(1-a.Beta1), float32(1-a.Beta2)
	bc1 := 1 - math.Pow(a.Beta1, step)
	bc2Sqrt := float32(math.Sqrt(1 - math.Pow(a.Beta2, step)))
	stepSize := float32(-lr / bc1)
	eps := float32(a.Eps)
	c := kernels.AdamWCoef{Decay: decay, Beta1: b1, C1: c1, Beta2: b2, C2: c2, BiasCorr2Sqrt: bc2Sqrt,
		Eps: eps, StepSize: stepSize}
	parallelChunks(params, func(pi, lo, hi int) {
		kernels.AdamW(params[pi][lo:hi], grads[pi][lo:hi], a.M[pi][lo:hi], a.V[pi][lo:hi], c)
	})
}

// ClipGradNorm scales grads in place so that their global L2 norm is at most maxNorm,
// as torch.nn.utils.clip_grad_norm_ does (coefficient maxNorm/(norm+1e-6), capped at
// 1, applied even when it is 1). It returns the norm before clipping.
func ClipGradNorm(grads [][]float32, maxNorm float64) float64 {
	// Sums of squares per fixed chunk, in parallel, then added in chunk order: the
	// same bits whatever the scheduling.
	first := make([]int, len(grads)+1) // index of each slice's first chunk
	for i, g := range grads {
		first[i+1] = first[i] + (len(g)+gradChunk-1)/gradChunk
	}
	partial := make([]float64, first[len(grads)])
	parallelChunks(grads, func(pi, lo, hi int) {
		var s float64
		for _, v := range grads[pi][lo:hi] {
			s += float64(v) * float64(v)
		}
		partial[first[pi]+lo/gradChunk] = s
	})
	var sum float64
	for _, s := range partial {
		sum += s
	}
	norm := math.Sqrt(sum)
	if maxNorm <= 0 {
		return norm
	}
	coef := float32(min(maxNorm/(norm+1e-6), 1))
	parallelChunks(grads, func(pi, lo, hi int) {
		g := grads[pi][lo:hi]
		for i := range g {
			g[i] *= coef
		}
	})
	return norm
}

// gradChunk is the length of parallelChunks' chunks (the last of a slice is shorter).
const gradChunk = 1 << 16

// parallelChunks calls f over fixed chunks of every slice on a few goroutines. Each
// element is touched by exactly one call, so results do not depend on scheduling.
func parallelChunks(slices [][]float32, f func(slice, lo, hi int)) {
	const chunk = gradChunk
	type job struct{ s, lo, hi int }
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				f(j.s, j.lo, j.hi)
			}
		}()
	}
	for s, x := range slices {
		for lo := 0; lo < len(x); lo += chunk {
			jobs <- job{s, lo, min(lo+chunk, len(x))}
		}
	}
	close(jobs)
	wg.Wait()
}
