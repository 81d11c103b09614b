package model

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// GradientReversal is the identity in the forward pass; in the backward pass it
// multiplies the incoming gradient by -lambda (lambda a scalar node of x's dtype),
// the DANN gradient-reversal layer: the heads above it learn to predict the
// attribute while everything below it learns to hide it.
func GradientReversal(x, lambda *Node) *Node {
	return IdentityWithCustomGradient(x, func(_, v *Node) *Node {
		return Neg(Mul(v, lambda))
	})
}

// GRLSchedule is the gradient-reversal strength per epoch (the original's
// GRLScheduler): p = epoch/epochs (epochs count from 1), lambda =
// Initial + (Max-Initial)*s(p) with s(p) = 2/(1+exp(-Gamma*p)) - 1 ("dann"), p
// ("linear"), or 0 for p < 0.5 and 1 from it ("step"); the result is clamped to
// [Initial, Max].
type GRLSchedule struct {
	Kind         string // "dann", "linear" or "step"
	Initial, Max float64
	Gamma        float64
	Epochs       int
}

// Validate rejects schedules Lambda cannot evaluate.
func (s GRLSchedule) Validate() error {
	switch s.Kind {
	case "dann", "linear", "step":
	default:
		return fmt.Errorf("grl schedule %q: use dann, linear or step", s.Kind)
	}
	if s.Epochs < 1 {
		return fmt.Errorf("grl schedule: %d epochs", s.Epochs)
	}
	if s.Max < s.Initial {
		return fmt.Errorf("grl schedule: max_lambda %g below initial_lambda %g", s.Max, s.Initial)
	}
	return nil
}

// Lambda is the strength used during epoch (1-based).
func (s GRLSchedule) Lambda(epoch int) float64 {
	p := float64(epoch) / float64(s.Epochs)
	var f float64
	switch s.Kind {
	case "linear":
		f = p
	case "step":
		if p >= 0.5 {
			f = 1
		}
	default:
		f = 2/(1+math.Exp(-s.Gamma*p)) - 1
	}
	return math.Max(s.Initial, math.Min(s.Max, s.Initial+(s.Max-s.Initial)*f))
}
