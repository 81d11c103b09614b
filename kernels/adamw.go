package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// AdamWCoef are one AdamW step's constants, as float32 (PyTorch's single-tensor AdamW
// computes them in float64 and applies them to float32 tensors).
type AdamWCoef struct {
	Decay         float32 // 1 - lr·weight_decay
	Beta1, C1     float32 // beta1 and 1 - beta1
	Beta2, C2     float32 // beta2 and 1 - beta2
	BiasCorr2Sqrt float32 // sqrt(1 - beta2^step)
	Eps           float32
	StepSize      float32 // -lr / (1 - beta1^step)
}

// AdamW applies one AdamW update to parameters p with gradients g and moments m, v
// (all the same length), in place, per element and in float32:
//
//	p = p·decay;  m = m·beta1 + c1·g;  v = v·beta2 + (c2·g)·g
//	p = p + step·(m / (sqrt(v)/bc2 + eps))
//
// The vector kernels use separate multiplies and adds in this order and correctly
// rounded sqrt and division, so every kernel gives the Go loop's bits.
func AdamW(p, g, m, v []float32, c AdamWCoef) { defaultOrPanic().AdamW(p, g, m, v, c) }

// AdamW is the package function AdamW on e's kernel.
func (e *Engine) AdamW(p, g, m, v []float32, c AdamWCoef) {
	n := len(p)
	if len(g) != n || len(m) != n || len(v) != n {
		panic(fmt.Sprintf("kernels.AdamW: lengths p %d, g %d, m %d, v %d differ", n, len(g), len(m), len(v)))
	}
	done := 0
	if k := e.kern; k.adamw != nil && n >= k.adamwWidth {
		done = n - n%k.adamwWidth
		coef := [8]float32{c.Decay, c.Beta1, c.C1, c.Beta2, c.C2, c.BiasCorr2Sqrt, c.Eps, c.StepSize}
		k.adamw(done, unsafe.SliceData(p), unsafe.SliceData(g), unsafe.SliceData(m), unsafe.SliceData(v), &coef[0])
	}
	adamwGo(p[done:], g[done:n], m[done:n], v[done:n], c)
}

// adamwGo is the reference loop. The conversions round every product, so no compiler
// fuses a multiply-add (arm64 would); math.Sqrt of a float32, rounded back, is the
// correctly rounded float32 square root.
func adamwGo(p, g, m, v []float32, c AdamWCoef) {
	for i := range p {
		pi := p[i] * c.Decay
		mi := float32(m[i]*c.Beta1) + float32(c.C1*g[i])
		vi := float32(v[i]*c.Beta2) + float32(float32(c.C2*g[i])*g[i])
		denom := float32(float32(math.Sqrt(float64(vi)))/c.BiasCorr2Sqrt) + c.Eps
		p[i] = pi + float32(c.StepSize*(mi/denom))
		m[i], v[i] = mi, vi
	}
}
