package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/fairloss"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
)

// stage1Trainer is one Stage 1 run in progress. It shares with Stage 2 the
// optimizer (AdamW, ClipGradNorm), the schedules, the samplers, the sources, the
// run folder and its events; what differs is the model (model.Stage1Train), the
// losses and the validation columns.
type stage1Trainer struct {
	session
	mcfg  model.Config
	grl   model.GRLSchedule
	sched Schedule
	fair  fairloss.Stage1
	eng   *s1Engine
	opt   *AdamW

	train     Split
	trainRows []int // samples of train with a known subgroup
	val       Split
	valRows   []int
	sampler   *data.SubgroupSampler

	step      int
	start     int // first epoch to run (after the resumed one)
	best      float64
	bestEpoch int
	before    stage1Before
	hasBefore bool // before was restored from latest.safetensors
}

// stage1Before are the validation columns of the raw CLIP features (computed once).
type stage1Before struct {
	probeRace, probeGender float64
	sinkhorn               sinkhornDistances
}

// RunStage1 trains the Stage 1 fairness adapter A1 (config `stage: 1`; REFERENCE.md
// section 7) on the face-attribute datasets of stage1.attribute_datasets, validating
// on dataset.validation_dataset. It writes a run folder like Stage 2 (config.yaml,
// run.json, events.jsonl with run_start, one stage1_epoch per epoch, checkpoint,
// best (metric stage1_score) and run_end), the checkpoints
// best.safetensors and latest.safetensors, and the best A1 exported under the
// original's PyTorch names as stage1.export_name. With Options.Resume it continues
// that run folder after the epoch of its latest.safetensors and ends as the
// uninterrupted run would have.
func RunStage1(ctx context.Context, o Options) (Result, error) {
	return start(ctx, o, setupStage1)
}

func setupStage1(o Options) (*stage1Trainer, error) {
	if o.Config.Stage != 1 {
		return nil, fmt.Errorf("stage %d: RunStage1 trains stage 1 configurations (stage: 1)", o.Config.Stage)
	}
	s, err := newSession(o)
	if err != nil {
		return nil, err
	}
	cfg := s.cfg
	t := &stage1Trainer{session: s, start: 1, best: math.Inf(-1)}
	t.mcfg = ModelConfig(cfg.Model)
	if t.mcfg.Dim <= 0 || t.mcfg.Stage1Hidden <= 0 {
		return nil, fmt.Errorf("model.feature_dim %d and model.stage1_hidden_dim %d must be positive", t.mcfg.Dim, t.mcfg.Stage1Hidden)
	}
	s1 := cfg.Stage1
	epochs := cfg.Training.NumEpochs
	t.grl = model.GRLSchedule{Kind: s1.GRL.Schedule, Initial: s1.GRL.InitialLambda, Max: s1.GRL.MaxLambda, Gamma: s1.GRL.Gamma, Epochs: epochs}
	if err := t.grl.Validate(); err != nil {
		return nil, fmt.Errorf("stage1.grl: %w", err)
	}
	if cfg.Optimizer.Type != "adamw" || len(cfg.Optimizer.Betas) != 2 {
		return nil, fmt.Errorf("optimizer: only adamw with two betas is supported (type %q, betas %v)", cfg.Optimizer.Type, cfg.Optimizer.Betas)
	}
	if t.sched, err = NewSchedule(cfg.Scheduler, cfg.Optimizer.LR, epochs); err != nil {
		return nil, err
	}
	fl := cfg.FairnessLoss
	t.fair = fairloss.Stage1{Blur: fl.SinkhornBlur, P: fl.SinkhornP, Scaling: fl.Scaling,
		MinSamplesPerSubgroup: fl.MinSamplesPerSubgroup, NumSubgroups: fl.NumSubgroups}
	if err := t.openData(); err != nil {
		return nil, err
	}
	be, err := backend.New(t.backendSpec())
	if err != nil {
		return nil, err
	}
	var params *model.Params
	if o.Resume != "" {
		if params, err = t.resume(); err != nil {
			return nil, fmt.Errorf("resume %s: %w", o.Resume, err)
		}
	} else {
		params = model.NewStage1Trainable(t.mcfg, cfg.Seed)
		t.opt = newAdamW(cfg.Optimizer, params, 0)
	}
	w := s1Weights{race: s1.LambdaRace, gender: s1.LambdaGender, similarity: s1.LambdaSimilarity,
		fairness: s1.LambdaFairness, pairwise: s1.LambdaPairwise, labelSmoothing: cfg.Loss.LabelSmoothing}
	if t.eng, err = newS1Engine(be, t.mcfg, w, params); err != nil {
		return nil, err
	}
	a1, _ := model.Stage1Adapter(params)
	t.printf("Stage 1: adapter A1 %s + race head + gender head = %s trainable parameters (CLIP frozen; features are precomputed)\n",
		comma(a1.Count()), comma(params.Count()))
	p := t.plan
	t.printf("Data: %s; train %d samples (%v), val %d samples (%s)\n", o.Source.Describe(), p.TrainSamples,
		datasetNames(cfg.Stage1.AttributeDatasets), p.ValSamples, cfg.Dataset.ValidationDataset[0])
	t.printf("Plan: %d epochs x %d batches of %d; GRL %s (%g -> %g, gamma %g); losses race %g, gender %g, similarity %g, fairness %g, pairwise %g\n",
		p.Epochs, p.BatchesPerEpoch, p.BatchSize, t.grl.Kind, t.grl.Initial, t.grl.Max, t.grl.Gamma,
		w.race, w.gender, w.similarity, w.fairness, w.pairwise)
	return t, nil
}

func datasetNames(ds []config.AttributeDataset) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// openData opens the attribute training sets and the validation split.
func (t *stage1Trainer) openData() error {
	cfg := t.cfg
	src := stage1Source(t.o.Source)
	d := t.mcfg.Dim
	var parts []Split
	for _, ds := range cfg.Stage1.AttributeDatasets {
		s, err := src.Split("train", ds.Name)
		if err != nil {
			return err
		}
		if s.Dim() != d || s.Views() < 1 {
			return fmt.Errorf("train %s: features have %d dimensions and %d views, model.feature_dim is %d", ds.Name, s.Dim(), s.Views(), d)
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return errors.New("stage1.attribute_datasets is empty")
	}
	t.train = newConcatSplit(parts)
	t.trainRows = knownRows(t.train)
	if len(cfg.Dataset.ValidationDataset) != 1 {
		return fmt.Errorf("dataset.validation_dataset %v: exactly one is supported", cfg.Dataset.ValidationDataset)
	}
	var err error
	if t.val, err = src.Split("val", cfg.Dataset.ValidationDataset[0]); err != nil {
		return err
	}
	if t.val.Dim() != d {
		return fmt.Errorf("val %s: features have %d dimensions, model.feature_dim is %d", cfg.Dataset.ValidationDataset[0], t.val.Dim(), d)
	}
	t.valRows = knownRows(t.val)
	if len(t.valRows) == 0 {
		return fmt.Errorf("val %s: no sample with known race and gender", cfg.Dataset.ValidationDataset[0])
	}
	bs := cfg.Training.TrainBatchSize
	p := Plan{Epochs: cfg.Training.NumEpochs, TrainSamples: len(t.trainRows), ValSamples: len(t.valRows)}
	if cfg.Dataset.UseSubgroupSampler {
		groups := make([]int, len(t.trainRows))
		for j, i := range t.trainRows {
			groups[j] = t.train.Subgroup(i)
		}
		if t.sampler, err = data.NewSubgroupSampler(groups, bs, cfg.Seed); err != nil {
			return err
		}
		p.BatchesPerEpoch, p.BatchSize = t.sampler.BatchesPerEpoch(), t.sampler.BatchSize()
	} else {
		p.BatchesPerEpoch, p.BatchSize = len(t.trainRows)/bs, bs
	}
	if p.BatchesPerEpoch == 0 {
		return fmt.Errorf("training.train_batch_size %d: no full batch from the %d training samples", bs, len(t.trainRows))
	}
	for e := 1; e <= p.Epochs; e++ {
		if t.validates(e) {
			p.Validations = append(p.Validations, e)
		}
	}
	t.plan = p
	return nil
}

func (t *stage1Trainer) probes(e int) bool {
	k := t.cfg.Stage1.ProbeEvery
	return k > 0 && (e%k == 0 || e == t.cfg.Training.NumEpochs)
}

func (t *stage1Trainer) openRun() error {
	if err := t.openFolder(t.backendSpec(), t.start); err != nil {
		return err
	}
	if t.o.Resume != "" {
		return nil
	}
	return t.runStart(CountParams(t.cfg, nil, t.eng.params, 0))
}

func (t *stage1Trainer) loop(ctx context.Context) (Result, error) {
	if err := t.openRun(); err != nil {
		return Result{}, err
	}
	if !t.hasBefore {
		if err := t.measureBefore(); err != nil {
			return t.finish(runs.StatusFailed, t.start-1, err)
		}
	}
	return epochLoop(ctx, &t.session, t.start, t.trainEpoch, t.endEpoch, t.finish)
}

func (t *stage1Trainer) finish(status string, epochs int, runErr error) (Result, error) {
	return t.end(status, epochs, t.bestEpoch, t.best, runErr)
}

func (t *stage1Trainer) batches(epoch int) [][]int {
	return t.epochBatches(t.sampler, len(t.trainRows), epoch)
}

// trainEpoch runs the training batches of one epoch and returns the event with
// the training means filled in.
func (t *stage1Trainer) trainEpoch(ctx context.Context, epoch int) (runs.Stage1EpochEvent, error) {
	ev := newStage1Epoch(epoch, t.sched.LR(epoch), t.grl.Lambda(epoch))
	d := t.mcfg.Dim
	w := t.eng.w
	batches := t.batches(epoch)
	params := t.eng.paramData()
	for b, batch := range batches {
		if err := ctx.Err(); err != nil {
			return ev, err
		}
		n := len(batch)
		idx, views := make([]int, n), make([]int, n)
		groups, races, genders := make([]int, n), make([]int, n), make([]int, n)
		for j, k := range batch {
			i := t.trainRows[k]
			idx[j] = i
			views[j] = data.ViewForEpoch(t.cfg.Seed, epoch, i, t.train.Views())
			groups[j] = t.train.Subgroup(i)
			races[j], genders[j] = groups[j]%4, groups[j]/4
		}
		clip := make([]float32, n*d)
		if err := t.train.Rows(idx, views, clip); err != nil {
			return ev, err
		}
		rng, err := rngState(t.cfg.Seed, epoch, b)
		if err != nil {
			return ev, err
		}
		adapted, recorded, err := t.eng.forward(clip, n, rng)
		if err != nil {
			return ev, err
		}
		dz := make([]float32, n*d)
		var global, pair float64
		undefined := false
		if w.fairness > 0 || w.pairwise > 0 {
			f := make([]float64, n*d)
			for i, v := range adapted {
				f[i] = float64(v)
			}
			if w.fairness > 0 {
				r, err := t.fair.Global(f, n, d, groups, mixSeed(t.cfg.Seed, int64(epoch), int64(b), 7))
				if err != nil {
					return ev, fmt.Errorf("epoch %d batch %d: global Sinkhorn: %w", epoch, b, err)
				}
				global, undefined = r.Value, undefined || !r.Defined
				for i, g := range r.Grad {
					dz[i] += float32(w.fairness * g)
				}
			}
			if w.pairwise > 0 {
				r, err := t.fair.Pairwise(f, n, d, groups)
				if err != nil {
					return ev, fmt.Errorf("epoch %d batch %d: pairwise Sinkhorn: %w", epoch, b, err)
				}
				pair, undefined = r.Value, undefined || !r.Defined
				for i, g := range r.Grad {
					dz[i] += float32(w.pairwise * g)
				}
			}
		}
		so, err := t.eng.backward(clip, races, genders, dz, ev.LambdaGRL, rng, recorded)
		if err != nil {
			return ev, fmt.Errorf("epoch %d batch %d: %w", epoch, b, err)
		}
		sim := 1 - so.cosine
		total := w.race*so.ceRace + w.gender*so.ceGender + w.similarity*sim + w.fairness*global + w.pairwise*pair
		norm := ClipGradNorm(so.grads, t.cfg.GradientClip)
		if !finite(total) || !finite(norm) {
			return ev, fmt.Errorf("epoch %d batch %d: loss %g, gradient norm %g: %w", epoch, b, total, norm, ErrNonFinite)
		}
		t.opt.Update(params, so.grads, ev.LR)
		t.step++
		if undefined {
			ev.FairUndefinedBatches++
		}
		ev.TrainLoss += total
		ev.TrainRaceLoss += so.ceRace
		ev.TrainGenderLoss += so.ceGender
		ev.TrainSimilarityLoss += sim
		ev.TrainFairnessLoss += global
		ev.TrainPairwiseLoss += pair
		ev.TrainRaceAcc += so.raceAcc
		ev.TrainGenderAcc += so.genderAcc
		if t.o.AfterBatch != nil {
			t.o.AfterBatch(epoch, b)
		}
	}
	k := float64(max(1, len(batches)))
	for _, v := range []*float64{&ev.TrainLoss, &ev.TrainRaceLoss, &ev.TrainGenderLoss, &ev.TrainSimilarityLoss,
		&ev.TrainFairnessLoss, &ev.TrainPairwiseLoss, &ev.TrainRaceAcc, &ev.TrainGenderAcc} {
		*v /= k
	}
	return ev, nil
}

// valData reads the validation rows' raw features and attributes.
func (t *stage1Trainer) valData() ([]float32, []int, error) {
	d := t.mcfg.Dim
	n := len(t.valRows)
	clip := make([]float32, n*d)
	views := make([]int, evalChunk)
	for lo := 0; lo < n; lo += evalChunk {
		hi := min(lo+evalChunk, n)
		if err := t.val.Rows(t.valRows[lo:hi], views[:hi-lo], clip[lo*d:hi*d]); err != nil {
			return nil, nil, err
		}
	}
	groups := make([]int, n)
	for j, i := range t.valRows {
		groups[j] = t.val.Subgroup(i)
	}
	return clip, groups, nil
}

// measureBefore computes the raw CLIP columns (probes and Sinkhorn distances).
func (t *stage1Trainer) measureBefore() error {
	clip, groups, err := t.valData()
	if err != nil {
		return err
	}
	d := t.mcfg.Dim
	b := stage1Before{probeRace: math.NaN(), probeGender: math.NaN()}
	// The model sees normalized CLIP features; so does the raw probe.
	if t.mcfg.Normalize {
		clip = normalizedRows(clip, d)
	}
	if t.cfg.Stage1.ProbeEvery > 0 {
		b.probeRace, b.probeGender = probePair(clip, len(groups), d, groups)
	}
	if b.sinkhorn, err = sinkhornOf(t.fair, clip, d, groups, subgroupSubset(groups), uint64(t.cfg.Seed)); err != nil {
		return fmt.Errorf("val Sinkhorn distances: %w", err)
	}
	t.before = b
	t.printf("Raw CLIP on val: race probe %.3f, gender probe %.3f, Sinkhorn global %.4g, pairwise %.4g\n",
		b.probeRace, b.probeGender, b.sinkhorn.global, b.sinkhorn.pairwise)
	return nil
}

func probePair(x []float32, n, d int, groups []int) (race, gender float64) {
	races, genders := make([]int, n), make([]int, n)
	for i, g := range groups {
		races[i], genders[i] = g%4, g/4
	}
	// The two probes are independent: the gender probe runs beside the race probe.
	done := make(chan struct{})
	go func() {
		defer close(done)
		gender = probeAccuracy(x, n, d, genders, model.NumGenders)
	}()
	race = probeAccuracy(x, n, d, races, model.NumRaces)
	<-done
	return race, gender
}

func normalizedRows(x []float32, d int) []float32 {
	out := make([]float32, len(x))
	for i := 0; i < len(x); i += d {
		var ss float64
		for _, v := range x[i : i+d] {
			ss += float64(v) * float64(v)
		}
		inv := 1 / math.Max(math.Sqrt(ss), 1e-12)
		for j, v := range x[i : i+d] {
			out[i+j] = float32(float64(v) * inv)
		}
	}
	return out
}

// endEpoch validates, keeps the best model, saves checkpoints and logs the epoch.
func (t *stage1Trainer) endEpoch(epoch int, ev runs.Stage1EpochEvent, began time.Time) error {
	ev.ProbeRaceAccCLIP, ev.ProbeGenderAccCLIP = t.before.probeRace, t.before.probeGender
	ev.SinkhornGlobalBefore, ev.SinkhornPairwiseBefore = t.before.sinkhorn.global, t.before.sinkhorn.pairwise
	ev.SinkhornSubgroupBefore = t.before.sinkhorn.subgroup
	score := math.NaN()
	if t.validates(epoch) {
		clip, groups, err := t.valData()
		if err != nil {
			return err
		}
		n, d := len(groups), t.mcfg.Dim
		out := s1Eval{adapted: make([]float32, 0, n*d), cosine: make([]float32, 0, n),
			raceLogits: make([]float32, 0, n*model.NumRaces), genderLogits: make([]float32, 0, n*model.NumGenders)}
		for lo := 0; lo < n; lo += evalChunk {
			hi := min(lo+evalChunk, n)
			if err := t.eng.evalRows(clip[lo*d:hi*d], hi-lo, &out); err != nil {
				return err
			}
		}
		races, genders := make([]int, n), make([]int, n)
		var cos float64
		for i, g := range groups {
			races[i], genders[i] = g%4, g/4
			cos += float64(out.cosine[i])
		}
		cos /= float64(n)
		raceAcc := accuracy(out.raceLogits, races, model.NumRaces)
		genderAcc := accuracy(out.genderLogits, genders, model.NumGenders)
		sel := t.cfg.Stage1.BestModelSelection
		score = sel.WCosine*cos + sel.WRaceAcc*raceAcc + sel.WGenderAcc*genderAcc
		ev.ValSamples, ev.ValCosine, ev.ValRaceAcc, ev.ValGenderAcc, ev.Score = n, cos, raceAcc, genderAcc, score
		if t.probes(epoch) {
			pr, pg := probePair(out.adapted, n, d, groups)
			ev.ProbeRaceAcc, ev.ProbeGenderAcc = pr, pg
		}
		sk, err := sinkhornOf(t.fair, out.adapted, d, groups, subgroupSubset(groups), uint64(t.cfg.Seed))
		if err != nil {
			return fmt.Errorf("val Sinkhorn distances: %w", err)
		}
		ev.SinkhornGlobalAfter, ev.SinkhornPairwiseAfter, ev.SinkhornSubgroupAfter = sk.global, sk.pairwise, sk.subgroup
	}
	ev.Best = finite(score) && score > t.best
	if ev.Best {
		t.best, t.bestEpoch = score, epoch
	}
	meta := t.checkpointMeta(epoch, score, ev.LambdaGRL)
	dir := t.run.Dir()
	if ev.Best {
		if err := saveStage1Checkpoint(runs.CheckpointPath(dir, "best.safetensors"), t.eng.params, nil, meta); err != nil {
			return err
		}
		export := t.cfg.Stage1.ExportName
		if err := ExportStage1Adapter(filepath.Join(dir, export), t.eng.params, map[string]string{
			"epoch": strconv.Itoa(epoch), "score": strconv.FormatFloat(score, 'g', -1, 64), "config_hash": t.hash}); err != nil {
			return err
		}
		for _, c := range []struct{ path, kind string }{{"best.safetensors", "best"}, {export, "stage1_export"}} {
			if err := t.event(runs.CheckpointEvent{Epoch: epoch, Path: c.path, Kind: c.kind}); err != nil {
				return err
			}
		}
	}
	ev.Time = t.o.Now()
	ev.Seconds = time.Since(began).Seconds()
	if err := t.event(ev); err != nil {
		return err
	}
	if ev.Best {
		if err := t.event(runs.BestEvent{Epoch: epoch, Metric: runs.BestMetricStage1, Value: score, Checkpoint: "best.safetensors"}); err != nil {
			return err
		}
	}
	t.printEpoch(ev)
	// latest.safetensors comes last: a run killed before it resumes at this epoch
	// again, and the repeated epoch's lines supersede these (ReadStage1Events).
	return t.saveLatest(epoch, func(path string) error {
		return saveStage1Checkpoint(path, t.eng.params, t.opt, meta)
	})
}

func (t *stage1Trainer) printEpoch(ev runs.Stage1EpochEvent) {
	f := func(v float64) string {
		if !finite(v) {
			return "-"
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	best := ""
	if ev.Best {
		best = " *best*"
	}
	t.printf("Epoch %d/%d lr %.3g grl %.3f | loss %.4f race %.4f gender %.4f sim %.4f fair %.4g pair %.4g | head acc race %.3f gender %.3f\n",
		ev.Epoch, t.cfg.Training.NumEpochs, ev.LR, ev.LambdaGRL, ev.TrainLoss, ev.TrainRaceLoss, ev.TrainGenderLoss,
		ev.TrainSimilarityLoss, ev.TrainFairnessLoss, ev.TrainPairwiseLoss, ev.TrainRaceAcc, ev.TrainGenderAcc)
	t.printf("  Val cos %s | heads race %s gender %s | probe race %s (CLIP %s) gender %s (CLIP %s) | Sinkhorn global %s -> %s, pairwise %s -> %s | score %s%s\n",
		f(ev.ValCosine), f(ev.ValRaceAcc), f(ev.ValGenderAcc), f(ev.ProbeRaceAcc), f(ev.ProbeRaceAccCLIP),
		f(ev.ProbeGenderAcc), f(ev.ProbeGenderAccCLIP), f(ev.SinkhornGlobalBefore), f(ev.SinkhornGlobalAfter),
		f(ev.SinkhornPairwiseBefore), f(ev.SinkhornPairwiseAfter), f(ev.Score), best)
}
