package train

import (
	"fmt"
	"math"

	"github.com/fairclip/fairclip/config"
)

// Schedule gives the learning rate of each epoch (1-based). The reference steps its
// schedulers once per epoch, after validation.
type Schedule interface {
	LR(epoch int) float64
}

// NewSchedule builds the configured schedule for base learning rate base.
func NewSchedule(s config.Scheduler, base float64, epochs int) (Schedule, error) {
	if !s.UseScheduler {
		return Constant(base), nil
	}
	switch s.Name {
	case "WarmupCosine":
		return WarmupCosine{Base: base, Warmup: s.WarmupEpochs, Epochs: epochs, EtaMin: s.EtaMin}, nil
	case "CosineAnnealingWarmRestarts":
		if s.T0 < 1 || s.TMult < 1 {
			return nil, fmt.Errorf("scheduler CosineAnnealingWarmRestarts: T_0 %d and T_mult %d must be >= 1", s.T0, s.TMult)
		}
		return WarmRestarts{Base: base, T0: s.T0, TMult: s.TMult, EtaMin: s.EtaMin}, nil
	case "CosineAnnealingLR":
		return CosineAnnealing{Base: base, TMax: epochs, EtaMin: s.EtaMin}, nil
	default:
		return nil, fmt.Errorf("scheduler.name %q: unknown; use WarmupCosine, CosineAnnealingWarmRestarts or CosineAnnealingLR", s.Name)
	}
}

// Constant is a fixed learning rate (scheduler.use_scheduler: false).
type Constant float64

// LR implements Schedule.
func (c Constant) LR(int) float64 { return float64(c) }

// WarmupCosine is the reference's WarmupCosineScheduler, quirk included: it never
// touches the rate before epoch 1, so epoch 1 runs at the base rate; after epoch k it
// sets lr(k+1) = base*s(k), s(k) = (k+1)/W for k < W, else
// max(eta_min/base, (1+cos(pi*(k-W)/(E-W)))/2). Exp1 (3e-4, W=3, E=30):
// 3e-4, 2e-4, 3e-4, 3e-4, 2.99e-4, ...
type WarmupCosine struct {
	Base   float64
	Warmup int
	Epochs int
	EtaMin float64
}

// LR implements Schedule.
func (w WarmupCosine) LR(epoch int) float64 {
	if epoch <= 1 {
		return w.Base
	}
	k := epoch - 1
	if k < w.Warmup {
		return w.Base * float64(k+1) / float64(w.Warmup)
	}
	progress := float64(k-w.Warmup) / float64(w.Epochs-w.Warmup)
	return w.Base * math.Max(w.EtaMin/w.Base, 0.5*(1+math.Cos(math.Pi*progress)))
}

// WarmRestarts is PyTorch's CosineAnnealingWarmRestarts stepped once per epoch:
// epoch 1 runs at the base rate, and each step advances T_cur by one, restarting
// (with T_i *= T_mult) when it reaches T_i.
type WarmRestarts struct {
	Base   float64
	T0     int
	TMult  int
	EtaMin float64
}

// LR implements Schedule.
func (w WarmRestarts) LR(epoch int) float64 {
	tCur, tI := 0, w.T0
	for range epoch - 1 {
		tCur++
		if tCur >= tI {
			tCur -= tI
			tI *= w.TMult
		}
	}
	return w.EtaMin + (w.Base-w.EtaMin)*(1+math.Cos(math.Pi*float64(tCur)/float64(tI)))/2
}

// CosineAnnealing is PyTorch's CosineAnnealingLR(T_max = epochs) stepped per epoch,
// in its closed form.
type CosineAnnealing struct {
	Base   float64
	TMax   int
	EtaMin float64
}

// LR implements Schedule.
func (c CosineAnnealing) LR(epoch int) float64 {
	return c.EtaMin + (c.Base-c.EtaMin)*(1+math.Cos(math.Pi*float64(epoch-1)/float64(c.TMax)))/2
}
