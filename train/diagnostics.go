package train

import (
	"fmt"
	"strings"

	"github.com/fairclip/fairclip/runs"
)

// Thresholds of the run's automatic findings (REFERENCE.md section 6).
const (
	// GateSaturation: a mean gate above this leaves the cross-attention branch
	// under 5% of the fused feature.
	GateSaturation = 0.95
	// LowFairContribution: an effective fairness contribution lambda*L_fair/L_total
	// below this barely moves the model.
	LowFairContribution = 0.01
)

// detect returns the warnings of a validated epoch: gate saturation and the
// degenerate phase (every validation prediction in one class); it also records the
// phase's start and closes it (a degenerate_phase event) when it ends.
func (t *trainer) detect(epoch int, ev runs.EpochEvent) []runs.WarningEvent {
	var w []runs.WarningEvent
	if ev.Gate.Mean > GateSaturation {
		w = append(w, runs.WarningEvent{Epoch: epoch, Kind: runs.WarnGateSaturation,
			Message: fmt.Sprintf("mean gate %.3f > %.2f: the cross-attention branch contributes %.1f%% of the fused feature (gate_init_bias %g)",
				ev.Gate.Mean, GateSaturation, 100*(1-ev.Gate.Mean), t.mcfg.GateInitBias)})
	}
	if ev.Degenerate {
		if t.state.DegenerateStart == 0 {
			t.state.DegenerateStart = epoch
		}
		t.state.DegenerateLast = epoch
		class := "real"
		if ev.Val.PredictedPositiveShare == 1 {
			class = "fake"
		}
		w = append(w, runs.WarningEvent{Epoch: epoch, Kind: runs.WarnDegeneratePhase,
			Message: fmt.Sprintf("degenerate phase since epoch %d: every validation prediction is %s (val ACC %.4f = majority share %.4f)",
				t.state.DegenerateStart, class, ev.Val.ACC, ev.Val.MajorityShare)})
	} else if t.state.DegenerateStart > 0 {
		_ = t.event(runs.DegeneratePhaseEvent{Start: t.state.DegenerateStart, End: t.state.DegenerateLast})
		t.state.DegenerateStart, t.state.DegenerateLast = 0, 0
	}
	return w
}

// logEpoch prints the epoch's summary and writes its TensorBoard scalars.
func (t *trainer) logEpoch(ev runs.EpochEvent, isBest bool, warnings []runs.WarningEvent) {
	e := ev.Epoch
	t.printf("Epoch %d/%d  lr %.3g  %.1fs\n", e, t.cfg.Training.NumEpochs, ev.LR, ev.Seconds)
	t.printf("  Train loss %.4f (cls %.4f, fair raw %.4g, lambda %.3g, effective %.2f%%, undefined %d)\n",
		ev.TrainLoss, ev.TrainClsLoss, ev.TrainFairLoss, ev.LambdaFair, 100*ev.EffectiveFairContribution, ev.FairUndefinedBatches)
	if finite(ev.Val.AUC) || finite(ev.ValLoss) {
		best := ""
		if isBest {
			best = "  *** new best ***"
		}
		t.printf("  Val   loss %.4f  AUC %.4f ACC %.4f EER %.4f AP %.4f%s\n", ev.ValLoss, ev.Val.AUC, ev.Val.ACC, ev.Val.EER, ev.Val.AP, best)
		t.printf("  Val fairness F_FPR %.2f%% F_OAE %.2f%% F_DP %.2f%% F_MEO %.2f%%\n",
			100*ev.Val.FFPR, 100*ev.Val.FOAE, 100*ev.Val.FDP, 100*ev.Val.FMEO)
		t.printf("  Gate mean %.3f [min %.3f p5 %.3f p95 %.3f max %.3f]  cross-attention share %.1f%%\n",
			ev.Gate.Mean, ev.Gate.Min, ev.Gate.P5, ev.Gate.P95, ev.Gate.Max, 100*ev.CrossAttentionShare)
	}
	for _, w := range warnings {
		t.printf("  WARNING [%s] %s\n", w.Kind, w.Message)
	}
	s := func(tag string, v float64) { t.scalar(tag, e, v) }
	s("train/loss", ev.TrainLoss)
	s("train/cls_loss", ev.TrainClsLoss)
	s("train/fair_loss", ev.TrainFairLoss)
	s("train/lambda_fair", ev.LambdaFair)
	s("train/effective_fair_contribution", ev.EffectiveFairContribution)
	s("lr", ev.LR)
	s("val/loss", ev.ValLoss)
	for k, v := range metricsMap(ev.Val) {
		s("val/"+k, v)
	}
	s("gate/mean", ev.Gate.Mean)
	s("gate/cross_attention_share", ev.CrossAttentionShare)
}

// bar is a minimal per-epoch progress bar, drawn only on terminals.
type bar struct {
	t     *trainer
	total int
	done  int
	label string
}

func (t *trainer) newBar(total int, label string) *bar {
	if !t.o.Progress {
		return &bar{}
	}
	b := &bar{t: t, total: total, label: label}
	b.draw()
	return b
}

func (b *bar) add() {
	if b.t == nil {
		return
	}
	b.done++
	b.draw()
}

func (b *bar) draw() {
	const width = 30
	filled := width * b.done / max(1, b.total)
	fmt.Fprintf(b.t.out, "\r%s [%s%s] %d/%d", b.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), b.done, b.total)
}

func (b *bar) finish() {
	if b.t != nil {
		fmt.Fprint(b.t.out, "\r\033[K")
	}
}
