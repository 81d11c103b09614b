package train

import (
	"context"
	"fmt"
	"math"
	"path/filepath"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/fairloss"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
)

// trainer is one run in progress.
type trainer struct {
	session
	mcfg   model.Config
	cls    ClsLoss
	eng    *engine
	opt    *AdamW
	sched  Schedule
	fair   fairloss.Stage2
	useFai bool

	train, val Split
	testNames  []string
	tests      []Split
	caches     map[Split]*stage1Cache
	s1Logged   [2]bool // logged: stored s1 used; stored s1 of another adapter ignored
	sampler    *data.SubgroupSampler

	tb    *runs.TBWriter
	state trainerState
	step  int
	start int // first epoch to run
}

// Run trains the configured model (or, with DryRun, validates and prints the plan).
func Run(ctx context.Context, o Options) (Result, error) {
	return start(ctx, o, setup)
}

func setup(o Options) (*trainer, error) {
	s, err := newSession(o)
	if err != nil {
		return nil, err
	}
	cfg := s.cfg
	t := &trainer{session: s, caches: map[Split]*stage1Cache{}}
	if t.mcfg, err = model.ConfigFromAll(cfg); err != nil {
		return nil, err
	}
	if err := t.mcfg.Validate(); err != nil {
		return nil, err
	}
	if t.cls, err = NewClsLoss(cfg.Loss); err != nil {
		return nil, err
	}
	w, err := weightingOf(cfg.LossWeighting)
	if err != nil {
		return nil, err
	}
	t.useFai = w.Dynamic || w.LambdaFair != 0
	fl := cfg.FairnessLoss
	t.fair = fairloss.Stage2{Blur: fl.SinkhornBlur, P: fl.SinkhornP, Scaling: fl.Scaling,
		MinSamplesPerSubgroup: fl.MinSamplesPerSubgroup, NumSubgroups: fl.NumSubgroups}
	if cfg.Optimizer.Type != "adamw" {
		return nil, fmt.Errorf("optimizer.type %q: only adamw is supported", cfg.Optimizer.Type)
	}
	if len(cfg.Optimizer.Betas) != 2 {
		return nil, fmt.Errorf("optimizer.betas: %d values, want 2", len(cfg.Optimizer.Betas))
	}
	epochs := cfg.Training.NumEpochs
	if epochs < 1 {
		return nil, fmt.Errorf("training.num_epochs %d: must be >= 1", epochs)
	}
	if t.sched, err = NewSchedule(cfg.Scheduler, cfg.Optimizer.LR, epochs); err != nil {
		return nil, err
	}
	switch cfg.Evaluation.MetricForBest {
	case "auc", "acc", "eer", "ap":
	default:
		return nil, fmt.Errorf("evaluation.metric_for_best %q: use auc, acc, eer or ap", cfg.Evaluation.MetricForBest)
	}
	if err := t.openData(); err != nil {
		return nil, err
	}
	for _, sp := range append([]Split{t.train, t.val}, t.tests...) {
		if err := checkTokens(sp, "feature source", t.mcfg); err != nil {
			return nil, err
		}
	}

	// Model: fresh, or the last completed epoch of the run being resumed.
	be, err := backend.New(t.backendSpec())
	if err != nil {
		return nil, err
	}
	var stage1, params *model.Params
	var logVars []float32
	t.start = 1
	if o.Resume != "" {
		c, err := loadCheckpoint(filepath.Join(o.Resume, "latest.safetensors"), w.Dynamic,
			[2]float64{cfg.Optimizer.Betas[0], cfg.Optimizer.Betas[1]}, cfg.Optimizer.Eps, cfg.Optimizer.WeightDecay, true)
		if err != nil {
			return nil, fmt.Errorf("resume %s: %w", o.Resume, err)
		}
		stage1, params, logVars, t.opt = c.stage1, c.params, c.logVars, c.opt
		t.state, t.step, t.start = c.meta.Trainer, c.meta.Step, c.meta.Epoch+1
	} else {
		var desc string
		stage1, desc, err = LoadStage1(cfg.Stage1Checkpoint, cfg.Model.RandomStage1, t.mcfg, cfg.Seed+1)
		if err != nil {
			return nil, err
		}
		t.printf("%s\n", desc)
		if params, err = model.NewStage2(t.mcfg, cfg.Seed); err != nil {
			return nil, err
		}
		if o.initHook != nil {
			o.initHook(params)
		}
	}
	if t.eng, err = newEngine(be, t.mcfg, t.cls, w, stage1, params); err != nil {
		return nil, err
	}
	if logVars != nil {
		t.eng.logVars = logVars
	}
	if t.opt == nil {
		t.opt = newAdamW(cfg.Optimizer, params, len(t.eng.logVars))
	}
	CountParams(cfg, stage1, params, len(t.eng.logVars)).Print(t.out)
	if t.mcfg.Heads != 8 && t.mcfg.HeadsInert() {
		t.printf("Notice: %s\n", headsNotice(t.mcfg.Heads))
	}
	t.printPlan()
	return t, nil
}

func headsNotice(h int) string {
	return fmt.Sprintf("model.fusion_num_heads is %d (the reference uses 8): with one query and one key token "+
		"the attention softmax is 1, so the number of heads cannot change the model's output "+
		"(only how attention dropout groups dimensions during training)", h)
}

func weightingOf(lw config.LossWeighting) (Weighting, error) {
	switch lw.Type {
	case "fixed":
		return Weighting{LambdaCls: lw.LambdaCls, LambdaFair: lw.LambdaFair}, nil
	case "dynamic":
		return Weighting{Dynamic: true, InitLogVarCls: lw.InitLogVarCls, InitLogVarFair: lw.InitLogVarFair}, nil
	default:
		return Weighting{}, fmt.Errorf("loss_weighting.type %q: use fixed or dynamic", lw.Type)
	}
}

// openData opens the splits and the sampler and fills the plan.
func (t *trainer) openData() error {
	cfg := t.cfg
	if len(cfg.Dataset.TrainDataset) != 1 || len(cfg.Dataset.ValidationDataset) != 1 {
		return fmt.Errorf("dataset.train_dataset %v and validation_dataset %v: exactly one each is supported",
			cfg.Dataset.TrainDataset, cfg.Dataset.ValidationDataset)
	}
	var err error
	if t.train, err = t.o.Source.Split("train", cfg.Dataset.TrainDataset[0]); err != nil {
		return err
	}
	if t.val, err = t.o.Source.Split("val", cfg.Dataset.ValidationDataset[0]); err != nil {
		return err
	}
	d := t.mcfg.Dim
	if err := checkSplit(t.train, "train "+cfg.Dataset.TrainDataset[0], d); err != nil {
		return err
	}
	if err := checkSplit(t.val, "val "+cfg.Dataset.ValidationDataset[0], d); err != nil {
		return err
	}
	for _, name := range cfg.Evaluation.TestDatasets {
		s, err := t.o.Source.Split("test", name)
		if err != nil {
			return err
		}
		if err := checkSplit(s, "test "+name, d); err != nil {
			return err
		}
		t.testNames = append(t.testNames, name)
		t.tests = append(t.tests, s)
	}
	if mode := data.BalanceFromConfig(cfg.Dataset.UseBalanceSampling, cfg.Dataset.UseSubgroupBalance); mode != data.BalanceNone {
		keep, err := data.BalanceIndices(labelsOf(t.train), subgroupsOf(t.train), mode, cfg.Seed)
		if err != nil {
			return fmt.Errorf("training set balancing (%s): %w", mode, err)
		}
		t.printf("Balancing (%s): %d of %d training samples kept\n", mode, len(keep), t.train.Len())
		t.train = newSubset(t.train, keep) // pointers: splits key the Stage 1 cache
	}
	bs := cfg.Training.TrainBatchSize
	if bs < 1 || cfg.Training.ValBatchSize < 1 {
		return fmt.Errorf("training.train_batch_size %d and val_batch_size %d must be >= 1", bs, cfg.Training.ValBatchSize)
	}
	p := Plan{Epochs: cfg.Training.NumEpochs, TrainSamples: t.train.Len(), ValSamples: t.val.Len(), TestDatasets: t.testNames}
	if cfg.Dataset.UseSubgroupSampler {
		if t.sampler, err = newSampler(cfg, t.train, bs); err != nil {
			return err
		}
		p.BatchesPerEpoch, p.BatchSize = t.sampler.BatchesPerEpoch(), t.sampler.BatchSize()
	} else {
		p.BatchesPerEpoch, p.BatchSize = t.train.Len()/bs, bs
		if p.BatchesPerEpoch == 0 {
			return fmt.Errorf("training.train_batch_size %d exceeds the %d training samples", bs, t.train.Len())
		}
	}
	for e := 1; e <= p.Epochs; e++ {
		if t.validates(e) {
			p.Validations = append(p.Validations, e)
		}
		if len(t.tests) > 0 && t.cfg.Evaluation.TestEveryNEpochs > 0 && e%t.cfg.Evaluation.TestEveryNEpochs == 0 {
			p.TestEpochs = append(p.TestEpochs, e)
		}
	}
	t.plan = p
	return nil
}

func (t *trainer) batches(epoch int) [][]int { return t.epochBatches(t.sampler, t.train.Len(), epoch) }

func (t *trainer) printPlan() {
	p := t.plan
	t.printf("Data: %s; train %d samples, val %d samples, tests %v\n", t.o.Source.Describe(), p.TrainSamples, p.ValSamples, p.TestDatasets)
	t.printf("Plan: %d epochs x %d batches of %d; validation at %d epochs; tests at epochs %v and at every new best (%s)\n",
		p.Epochs, p.BatchesPerEpoch, p.BatchSize, len(p.Validations), p.TestEpochs, t.cfg.Evaluation.MetricForBest)
	fairState := "off (lambda_fair 0)"
	if t.useFai {
		fairState = fmt.Sprintf("on (%s weighting, blur %g, p %d, scaling %g)", t.cfg.LossWeighting.Type,
			t.fair.Blur, t.fair.P, t.fair.Scaling)
	}
	t.printf("Fairness loss: %s\n", fairState)
}

// openRun creates (or reopens, for resume) the run folder and writes its header.
func (t *trainer) openRun() error {
	if err := t.openFolder(t.eng.be.Name(), t.start); err != nil {
		return err
	}
	if tb, err := t.run.TB(); err == nil {
		t.tb = tb
	}
	if t.o.Resume != "" {
		return nil
	}
	if err := t.runStart(CountParams(t.cfg, t.eng.stage1, t.eng.params, len(t.eng.logVars))); err != nil {
		return err
	}
	if t.mcfg.Heads != 8 && t.mcfg.HeadsInert() {
		return t.event(runs.WarningEvent{Kind: runs.WarnAttentionHeadsInert, Message: headsNotice(t.mcfg.Heads)})
	}
	return nil
}

func (t *trainer) scalar(tag string, step int, v float64) {
	if t.tb != nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		_ = t.tb.Scalar(tag, step, v)
	}
}

// finish writes run_end (after the degenerate phase still open at a completed run's
// end) and closes the run.
func (t *trainer) finish(status string, epochs int, runErr error) (Result, error) {
	if t.state.DegenerateStart > 0 && status == runs.StatusCompleted {
		_ = t.event(runs.DegeneratePhaseEvent{Start: t.state.DegenerateStart, End: t.state.DegenerateLast})
	}
	return t.end(status, epochs, t.state.BestEpoch, t.state.BestValue, runErr)
}
