package report

import (
	"math"

	"github.com/fairclip/fairclip/runs"
)

// summary holds the numbers of one run that the tables and findings use, each taken
// from a run file (config.yaml, events.jsonl) as documented at its field.
type summary struct {
	run     *Run
	best    int             // best epoch (Run.BestEpoch)
	bestEp  runs.EpochEvent // its epoch event
	hasBest bool
	tests   map[string]runs.TestEvent // test events at the best epoch

	finalTrainLoss, finalValLoss float64 // last epoch's train_loss, val_loss
	lastEpoch                    int

	gateInitBias         float64 // config model.gate_init_bias (NaN without config)
	gateLo, gateHi       float64 // min/max over epochs of gate.mean
	gateAtBest           float64 // gate.mean at the best epoch (else last epoch)
	crossLo, crossHi     float64 // min/max over epochs of cross_attention_share
	crossAtBest          float64
	blur, lambdaCfg      float64 // config fairness_loss.sinkhorn_blur, loss_weighting.lambda_fair
	meanFair, meanLambda float64 // mean over epochs of train_fair_loss, lambda_fair
	meanWeightedFair     float64 // mean over epochs of lambda_fair*train_fair_loss
	meanEff              float64 // mean over epochs of effective_fair_contribution
	degenerate           []int
	majorityShare        float64 // val.majority_share (first epoch that has it)
	degenerateAcc        float64 // mean val.acc over degenerate epochs
	seconds              float64
	secondsPartial       bool
	undefinedFairBatches int // sum over epochs of fair_undefined_batches
}

func summarize(r *Run) *summary {
	s := &summary{run: r, best: r.BestEpoch(), tests: map[string]runs.TestEvent{}}
	s.bestEp, s.hasBest = r.Epoch(s.best)
	if s.hasBest {
		s.tests = r.TestsAt(s.best)
	}
	nan := math.NaN()
	s.finalTrainLoss, s.finalValLoss, s.gateAtBest, s.crossAtBest = nan, nan, nan, nan
	s.gateInitBias, s.blur, s.lambdaCfg, s.majorityShare = nan, nan, nan, nan
	if r.HasConfig {
		s.gateInitBias = 0 // the resolved default when absent (DESIGN.md section 5)
		if b := r.Config.Model.GateInitBias; b != nil {
			s.gateInitBias = *b
		}
		s.blur = r.Config.FairnessLoss.SinkhornBlur
		s.lambdaCfg = r.Config.LossWeighting.LambdaFair
	}
	var gate, cross, fair, lambda, weighted, eff, degAcc []float64
	degen := map[int]bool{}
	s.degenerate = r.DegenerateEpochs()
	for _, e := range s.degenerate {
		degen[e] = true
	}
	for _, e := range r.Epochs {
		gate = append(gate, e.Gate.Mean)
		cross = append(cross, e.CrossAttentionShare)
		fair = append(fair, e.TrainFairLoss)
		lambda = append(lambda, e.LambdaFair)
		weighted = append(weighted, e.LambdaFair*e.TrainFairLoss)
		eff = append(eff, e.EffectiveFairContribution)
		s.undefinedFairBatches += e.FairUndefinedBatches
		if !finite(s.majorityShare) && finite(e.Val.MajorityShare) {
			s.majorityShare = e.Val.MajorityShare
		}
		if degen[e.Epoch] {
			degAcc = append(degAcc, e.Val.ACC)
		}
	}
	if n := len(r.Epochs); n > 0 {
		last := r.Epochs[n-1]
		s.lastEpoch = last.Epoch
		s.finalTrainLoss, s.finalValLoss = last.TrainLoss, last.ValLoss
		ref := last
		if s.hasBest {
			ref = s.bestEp
		}
		s.gateAtBest, s.crossAtBest = ref.Gate.Mean, ref.CrossAttentionShare
	}
	s.gateLo, s.gateHi = minMax(gate)
	s.crossLo, s.crossHi = minMax(cross)
	s.meanFair, s.meanLambda = meanOf(fair), meanOf(lambda)
	s.meanWeightedFair, s.meanEff = meanOf(weighted), meanOf(eff)
	s.degenerateAcc = meanOf(degAcc)
	s.seconds, s.secondsPartial = r.Seconds()
	return s
}

// val returns the best epoch's validation metrics (NaN metrics without a best epoch).
func (s *summary) val() runs.Metrics {
	if s.hasBest {
		return s.bestEp.Val
	}
	nan := math.NaN()
	return runs.Metrics{AUC: nan, ACC: nan, EER: nan, AP: nan, FFPR: nan, FFPROverall: nan,
		FOAE: nan, FDP: nan, FMEO: nan, MajorityShare: nan, PredictedPositiveShare: nan}
}

// testMetric returns a test metric at the best epoch (NaN when absent).
func (s *summary) testMetric(dataset string, get func(runs.Metrics) float64) float64 {
	t, ok := s.tests[dataset]
	if !ok {
		return math.NaN()
	}
	return get(t.Metrics)
}

// meanTestAUC is the mean test AUC over datasets, NaN unless every dataset has one.
func (s *summary) meanTestAUC(datasets []string) float64 {
	if len(datasets) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, d := range datasets {
		v := s.testMetric(d, func(m runs.Metrics) float64 { return m.AUC })
		if !finite(v) {
			return math.NaN()
		}
		sum += v
	}
	return sum / float64(len(datasets))
}

// saturated reports whether the gate's mean at the best epoch is within 0.05 of 0 or 1:
// one branch then gets under 5% of the weight.
func (s *summary) saturated() bool {
	return finite(s.gateAtBest) && (s.gateAtBest >= 0.95 || s.gateAtBest <= 0.05)
}
