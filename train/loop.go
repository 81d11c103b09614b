package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/fairloss"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
)

// epochStats are the training averages of one epoch (means over batches).
type epochStats struct {
	loss, cls, fair, lambda, contrib float64
	undefined                        int
	batches                          int
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func (t *trainer) loop(ctx context.Context) (Result, error) {
	if err := t.openRun(); err != nil {
		return Result{}, err
	}
	return epochLoop(ctx, &t.session, t.start, t.trainEpoch, t.endEpoch, t.finish)
}

// trainEpoch runs the training batches of one epoch.
func (t *trainer) trainEpoch(ctx context.Context, epoch int) (epochStats, error) {
	var es epochStats
	lr := t.sched.LR(epoch)
	d := t.mcfg.Dim
	batches := t.batches(epoch)
	cache := t.cache(t.train)
	bar := t.newBar(len(batches), fmt.Sprintf("epoch %d/%d", epoch, t.cfg.Training.NumEpochs))
	defer bar.finish()
	for b, idx := range batches {
		if err := ctx.Err(); err != nil {
			return es, err
		}
		n := len(idx)
		views := make([]int, n)
		labels := make([]int, n)
		groups := make([]int, n)
		for j, i := range idx {
			views[j] = data.ViewForEpoch(t.cfg.Seed, epoch, i, t.train.Views())
			labels[j], groups[j] = t.train.Label(i), t.train.Subgroup(i)
		}
		clip := make([]float32, n*d)
		s1 := make([]float32, n*d)
		if err := t.train.Rows(idx, views, clip); err != nil {
			return es, err
		}
		if err := t.stage1For(cache, idx, views, clip, s1); err != nil {
			return es, err
		}
		s1, err := t.eng.keys(t.train, idx, views, s1)
		if err != nil {
			return es, err
		}
		rng, err := rngState(t.cfg.Seed, epoch, b)
		if err != nil {
			return es, err
		}
		var fair *fairloss.Stage2
		if t.useFai {
			fair = &t.fair
		}
		r, err := t.eng.trainStep(clip, s1, labels, groups, rng, fair, t.cfg.GradientClip, t.opt, lr)
		if err != nil {
			return es, fmt.Errorf("epoch %d batch %d: %w", epoch, b, err)
		}
		if r.undefined != "" {
			es.undefined++
			if err := t.event(runs.FairUndefinedEvent{Epoch: epoch, Batch: b, Reason: r.undefined}); err != nil {
				return es, err
			}
		}
		t.step++
		total, so, fairValue, lambda, fairWeight := r.total, r.stepOut, r.fair, r.lambda, r.fairWeight
		es.loss += total
		es.cls += so.clsLoss
		es.fair += fairValue
		es.lambda += lambda
		if total != 0 {
			es.contrib += fairWeight * fairValue / total
		}
		es.batches++
		bar.add()
		if t.o.AfterBatch != nil {
			t.o.AfterBatch(epoch, b)
		}
	}
	k := float64(max(1, es.batches))
	es.loss, es.cls, es.fair, es.lambda, es.contrib = es.loss/k, es.cls/k, es.fair/k, es.lambda/k, es.contrib/k
	return es, nil
}

func (t *trainer) cache(s Split) *stage1Cache {
	c, ok := t.caches[s]
	if !ok {
		c = newStage1Cache(s, t.mcfg.Dim)
		t.useStoredStage1(c, s)
		t.caches[s] = c
	}
	return c
}

// endEpoch validates, keeps the best model, writes checkpoints, runs the tests and
// logs the epoch's diagnostics.
func (t *trainer) endEpoch(epoch int, es epochStats, began time.Time) error {
	nan := math.NaN()
	ev := runs.EpochEvent{Epoch: epoch, LR: t.sched.LR(epoch), TrainLoss: es.loss, TrainClsLoss: es.cls,
		TrainFairLoss: es.fair, LambdaFair: es.lambda, EffectiveFairContribution: es.contrib,
		FairUndefinedBatches: es.undefined, ValLoss: nan, CrossAttentionShare: nan,
		Val: runs.Metrics{AUC: nan, ACC: nan, EER: nan, AP: nan, FFPR: nan, FFPROverall: nan, FOAE: nan, FDP: nan,
			FMEO: nan, MajorityShare: nan, PredictedPositiveShare: nan},
		Gate: gateStats(nil)}
	if !t.useFai {
		ev.TrainFairLoss, ev.EffectiveFairContribution = nan, nan
	}
	var warnings []runs.WarningEvent
	isBest := false
	if t.validates(epoch) {
		valBegan := time.Now()
		m, preds, err := t.evaluate(t.val, t.cfg.Dataset.ValidationDataset[0], "val", epoch)
		if err != nil {
			return err
		}
		ev.Val = m
		ev.ValLoss = t.valLoss(preds.logits, labelsOf(t.val), t.cfg.Training.ValBatchSize)
		ev.Gate = gateStats(preds.gate)
		ev.AttentionEntropy = meanEntropy(preds.entropy, t.mcfg.Heads)
		ev.CrossAttentionShare = 1 - ev.Gate.Mean
		ev.Degenerate = m.PredictedPositiveShare == 0 || m.PredictedPositiveShare == 1
		warnings = append(warnings, t.detect(epoch, ev)...)
		isBest = t.updateBest(epoch, m)
		ev.ValSeconds = time.Since(valBegan).Seconds()
	}
	if t.useFai && es.contrib < LowFairContribution {
		warnings = append(warnings, runs.WarningEvent{Epoch: epoch, Kind: runs.WarnLowFairContribution,
			Message: fmt.Sprintf("effective fairness contribution lambda*L_fair/L_total is %.3g%% (< 1%%): raw L_fair %.3g, lambda %.3g; the fairness loss barely moves the model (check sinkhorn_blur and lambda_fair together)",
				100*es.contrib, es.fair, es.lambda)})
	}
	ev.Seconds = time.Since(began).Seconds()
	if err := t.saveCheckpoints(epoch, ev.Val, isBest); err != nil {
		return err
	}
	if err := t.event(ev); err != nil {
		return err
	}
	for _, w := range warnings {
		if err := t.event(w); err != nil {
			return err
		}
	}
	t.logEpoch(ev, isBest, warnings)
	if isBest {
		if err := t.event(runs.BestEvent{Epoch: epoch, Metric: t.cfg.Evaluation.MetricForBest, Value: t.state.BestValue,
			Checkpoint: t.state.BestFiles[len(t.state.BestFiles)-1]}); err != nil {
			return err
		}
	}
	every := t.cfg.Evaluation.TestEveryNEpochs
	if len(t.tests) > 0 && (isBest || (every > 0 && epoch%every == 0)) {
		for i, s := range t.tests {
			m, _, err := t.evaluate(s, t.testNames[i], "test", epoch)
			if err != nil {
				return err
			}
			rel := filepath.Join(runs.ScoresDir, filepath.Base(runs.ScoresPath("", "test", t.testNames[i], epoch)))
			if err := t.event(runs.TestEvent{Epoch: epoch, Dataset: t.testNames[i], Metrics: m, ScoresFile: rel}); err != nil {
				return err
			}
			t.printf("  Test %-8s AUC %.4f ACC %.4f EER %.4f AP %.4f | F_FPR %.2f%% F_OAE %.2f%% F_DP %.2f%% F_MEO %.2f%%\n",
				t.testNames[i], m.AUC, m.ACC, m.EER, m.AP, 100*m.FFPR, 100*m.FOAE, 100*m.FDP, 100*m.FMEO)
			for k, v := range metricsMap(m) {
				t.scalar("test_"+t.testNames[i]+"/"+k, epoch, v)
			}
		}
	}
	return nil
}

// evaluate predicts a split, computes its metrics and writes its score CSV.
func (t *trainer) evaluate(s Split, dataset, split string, epoch int) (runs.Metrics, predictions, error) {
	preds, err := t.predict(s, t.cache(s))
	if err != nil {
		return runs.Metrics{}, preds, err
	}
	in := metricsInput(s, preds)
	conv := t.cfg.Evaluation.FairnessConvention
	r, err := metrics.Evaluate(in, metrics.Options{Convention: conv})
	if err != nil {
		return runs.Metrics{}, preds, fmt.Errorf("%s %s metrics: %w", split, dataset, err)
	}
	if err := writeScores(t.run.ScoresPath(split, dataset, epoch), in); err != nil {
		return runs.Metrics{}, preds, err
	}
	return summarize(in, r, 0.5, conv == "deepfakebench"), preds, nil
}

// updateBest records a new best validation metric (eer: lower is better).
func (t *trainer) updateBest(epoch int, m runs.Metrics) bool {
	v := metricsMap(m)[t.cfg.Evaluation.MetricForBest]
	if !finite(v) {
		return false
	}
	lower := t.cfg.Evaluation.MetricForBest == "eer"
	if t.state.HasBest && ((lower && v >= t.state.BestValue) || (!lower && v <= t.state.BestValue)) {
		return false
	}
	t.state.HasBest, t.state.BestValue, t.state.BestEpoch = true, v, epoch
	return true
}

// maxBestFiles is how many best_ep* checkpoints are kept (the newest).
const maxBestFiles = 3

// saveCheckpoints writes best (when isBest) and latest. latest is written last and
// carries the trainer state, so a run killed in between resumes at this epoch again.
func (t *trainer) saveCheckpoints(epoch int, val runs.Metrics, isBest bool) error {
	c := checkpoint{meta: CheckpointMeta{Epoch: epoch, Step: t.step, ConfigHash: t.hash, Seed: t.cfg.Seed, Model: t.mcfg,
		Metrics: metricsMap(val), RNG: fmt.Sprintf("stateless: seed %d, (epoch, batch) streams", t.cfg.Seed)},
		stage1: t.eng.stage1, params: t.eng.params, opt: t.opt, logVars: t.eng.logVars}
	dir := t.run.Dir()
	if isBest {
		name := runs.BestCheckpointName(epoch, val.AUC, val.ACC)
		if n := len(t.state.BestFiles); n == 0 || t.state.BestFiles[n-1] != name {
			t.state.BestFiles = append(t.state.BestFiles, name)
		}
		var drop []string
		if len(t.state.BestFiles) > maxBestFiles {
			drop = t.state.BestFiles[:len(t.state.BestFiles)-maxBestFiles]
			t.state.BestFiles = append([]string(nil), t.state.BestFiles[len(t.state.BestFiles)-maxBestFiles:]...)
		}
		c.meta.Trainer = t.state
		for _, f := range []struct{ name, kind string }{{name, "best_epoch"}, {"best.safetensors", "best"}} {
			if err := c.save(runs.CheckpointPath(dir, f.name)); err != nil {
				return err
			}
			if err := t.event(runs.CheckpointEvent{Epoch: epoch, Path: f.name, Kind: f.kind}); err != nil {
				return err
			}
		}
		for _, old := range drop {
			if err := os.Remove(runs.CheckpointPath(dir, old)); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("remove old checkpoint: %w", err)
			}
		}
	}
	c.meta.Trainer = t.state
	return t.saveLatest(epoch, c.save)
}
