package train

import (
	"fmt"

	"github.com/fairclip/fairclip/fairloss"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// stepResult is one optimizer step's losses.
type stepResult struct {
	stepOut
	total, fair, lambda, fairWeight float64
	gradNorm                        float64
	undefined                       string // why the fairness term was 0, if it was
}

// trainStep is one training step on a batch: the training-mode forward pass (once),
// the fairness loss (when fair is not nil) on its z, the backward pass, the finiteness checks, global-norm
// clipping of the model's gradients (not the log-variances', as in the original) and
// the AdamW update at lr.
func (e *engine) trainStep(clip, s1 []float32, labels, groups []int, rng *tensors.Tensor, fair *fairloss.Stage2,
	clipNorm float64, opt *AdamW, lr float64) (stepResult, error) {
	var r stepResult
	n, d := len(labels), e.cfg.Dim
	dz := make([]float32, n*d)
	z, products, err := e.forward(clip, s1, n, rng)
	if err != nil {
		return r, err
	}
	if fair != nil {
		z64 := make([]float64, len(z))
		for i, v := range z {
			z64[i] = float64(v)
		}
		res, err := fair.Loss(z64, n, d, labels, groups)
		switch {
		case err != nil:
			r.undefined = "fairness loss error: " + err.Error()
		case !res.Defined:
			r.undefined = res.Breakdown.Reason
			if r.undefined == "" {
				r.undefined = "undefined"
			}
		default:
			r.fair = res.Value
			for i, g := range res.Grad {
				dz[i] = float32(g)
			}
		}
	}
	so, err := e.backward(clip, s1, labels, dz, r.fair, rng, products)
	if err != nil {
		return r, err
	}
	r.stepOut = so
	r.total, r.lambda, r.fairWeight = e.totalLoss(so.clsLoss, r.fair)
	if !finite(so.clsLoss) || !finite(r.fair) || !finite(r.total) {
		return r, fmt.Errorf("%w: loss %g (classification %g, fairness %g)", ErrNonFinite, r.total, so.clsLoss, r.fair)
	}
	r.gradNorm = ClipGradNorm(so.grads, clipNorm)
	if !finite(r.gradNorm) {
		return r, fmt.Errorf("%w: gradient norm %g", ErrNonFinite, r.gradNorm)
	}
	params := make([][]float32, 0, len(so.grads)+2)
	grads := append([][]float32{}, so.grads...)
	for _, p := range e.params.List {
		params = append(params, p.Data)
	}
	for i, g := range so.logGrad {
		if !finite(float64(g)) {
			return r, fmt.Errorf("%w: log-variance gradient %g", ErrNonFinite, g)
		}
		params = append(params, e.logVars[i:i+1])
		grads = append(grads, []float32{g})
	}
	opt.Update(params, grads, lr)
	return r, nil
}
