package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
)

// session is what the Stage 1 and Stage 2 trainers share: the options and the
// configuration, the printed log, the run folder with its event log, the
// configuration hash, the plan and the start time, and the epoch loop around them.
type session struct {
	o     Options
	cfg   config.Config
	out   io.Writer
	run   *runs.Run
	hash  string
	plan  Plan
	begin time.Time
}

// runner is a trainer that is set up: its session and its epoch loop.
type runner interface {
	base() *session
	loop(ctx context.Context) (Result, error)
}

func (s *session) base() *session { return s }

// start is Run and RunStage1: set the trainer up, then stop at the plan (dry run)
// or train.
func start[T runner](ctx context.Context, o Options, setup func(Options) (T, error)) (Result, error) {
	t, err := setup(o)
	if err != nil {
		return Result{}, err
	}
	if o.DryRun {
		return Result{Plan: t.base().plan, Status: "dry-run"}, nil
	}
	return t.loop(ctx)
}

// newSession fills the option defaults (Out discards, Now is time.Now) and
// requires a feature source.
func newSession(o Options) (session, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Source == nil {
		return session{}, errors.New("no feature source: pass --synthetic-features (the feature store is not available yet)")
	}
	return session{o: o, cfg: o.Config, out: o.Out, begin: o.Now()}, nil
}

func (s *session) printf(format string, args ...any) { fmt.Fprintf(s.out, format, args...) }

// backendSpec is --backend when given, else the configuration's backend.
func (s *session) backendSpec() string { return chooseBackend(s.o.Backend, s.cfg) }

// chooseBackend is the backend override (--backend) when given, else cfg's backend.
func chooseBackend(override string, cfg config.Config) string {
	if override != "" {
		return override
	}
	return cfg.Backend
}

// validates reports whether epoch e runs validation: every eval_freq epochs and at
// the last epoch.
func (s *session) validates(e int) bool {
	f := max(1, s.cfg.Evaluation.EvalFreq)
	return e%f == 0 || e == s.cfg.Training.NumEpochs
}

// epochBatches are the training batches of an epoch over n samples: from the
// subgroup sampler when there is one, else shuffled full batches. Both depend only
// on the seed and the epoch, which is what makes a resumed run repeat them.
func (s *session) epochBatches(sampler *data.SubgroupSampler, n, epoch int) [][]int {
	if sampler != nil {
		return sampler.Epoch(epoch)
	}
	return data.ShuffledBatches(n, s.cfg.Training.TrainBatchSize, s.cfg.Seed, epoch, true)
}

// configYAML is the resolved configuration written to config.yaml (Options.ConfigYAML,
// or config.Marshal of the configuration); it also sets the configuration hash.
func (s *session) configYAML() ([]byte, error) {
	yaml := s.o.ConfigYAML
	if yaml == nil {
		var err error
		if yaml, err = config.Marshal(s.cfg); err != nil {
			return nil, fmt.Errorf("resolved config: %w", err)
		}
	}
	s.hash = runs.HashConfig(yaml)
	return yaml, nil
}

// openFolder creates the run folder with config.yaml and run.json (backendName
// goes to run.json), or, when resuming, reopens Options.Resume (runs.Open cuts a
// truncated last event line) and logs a "resumed" warning for epoch start-1.
func (s *session) openFolder(backendName string, start int) error {
	yaml, err := s.configYAML()
	if err != nil {
		return err
	}
	if s.o.Resume != "" {
		r, err := runs.Open(s.o.Resume)
		if err != nil {
			return err
		}
		s.run = r
		return s.event(runs.WarningEvent{Epoch: start - 1, Kind: "resumed",
			Message: fmt.Sprintf("resumed after epoch %d from latest.safetensors", start-1)})
	}
	dir := s.o.RunDir
	if dir == "" {
		dir = runs.DefaultDir(s.cfg.Logging.LogDir, s.cfg.Logging.ExperimentName, s.o.Now())
	}
	r, err := runs.Create(dir)
	if err != nil {
		return err
	}
	s.run = r
	if err := r.WriteConfig(yaml); err != nil {
		return err
	}
	return r.WriteRunInfo(runs.NewInfo(s.cfg.Logging.ExperimentName, s.o.Version, backendName, s.cfg.Seed, s.hash))
}

// runStart logs the run_start event of a new run.
func (s *session) runStart(counts ParamCounts) error {
	cfg := s.cfg
	return s.event(runs.RunStartEvent{Experiment: cfg.Logging.ExperimentName, ConfigHash: s.hash, Seed: cfg.Seed,
		Backend: s.backendSpec(), FairclipVersion: s.o.Version,
		Params: runs.Params{Total: counts.Total(), Trainable: counts.Trainable, Frozen: counts.Frozen()},
		Plan: runs.Plan{Epochs: s.plan.Epochs, BatchesPerEpoch: s.plan.BatchesPerEpoch, TrainSamples: s.plan.TrainSamples,
			ValSamples: s.plan.ValSamples}})
}

func (s *session) event(ev runs.Event) error {
	if err := s.run.Events().Append(ev); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	return nil
}

// saveLatest writes latest.safetensors with save (every logging.save_freq epochs
// and at the last) and logs its checkpoint event.
func (s *session) saveLatest(epoch int, save func(path string) error) error {
	saveFreq := max(1, s.cfg.Logging.SaveFreq)
	if epoch%saveFreq != 0 && epoch != s.cfg.Training.NumEpochs {
		return nil
	}
	if err := save(runs.CheckpointPath(s.run.Dir(), "latest.safetensors")); err != nil {
		return err
	}
	return s.event(runs.CheckpointEvent{Epoch: epoch, Path: "latest.safetensors", Kind: "latest"})
}

// end logs run_end and closes the run folder.
func (s *session) end(status string, epochs, bestEpoch int, bestValue float64, runErr error) (Result, error) {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	_ = s.event(runs.RunEndEvent{Status: status, EpochsCompleted: epochs, Seconds: s.o.Now().Sub(s.begin).Seconds(),
		BestEpoch: bestEpoch, Error: msg})
	cerr := s.run.Close()
	res := Result{RunDir: s.run.Dir(), Status: status, EpochsCompleted: epochs, BestEpoch: bestEpoch,
		BestValue: bestValue, Plan: s.plan}
	if runErr == nil {
		runErr = cerr
	}
	return res, runErr
}

// epochLoop runs epochs start..num_epochs: train, then end (validation,
// checkpoints, events). A non-finite loss stops the run (stopped_nonfinite), any
// other error fails it; finish receives the status and the last completed epoch.
func epochLoop[S any](ctx context.Context, s *session, start int,
	train func(ctx context.Context, epoch int) (S, error),
	end func(epoch int, stats S, began time.Time) error,
	finish func(status string, epochs int, err error) (Result, error)) (Result, error) {
	last := start - 1
	for epoch := start; epoch <= s.cfg.Training.NumEpochs; epoch++ {
		began := time.Now()
		stats, err := train(ctx, epoch)
		switch {
		case errors.Is(err, ErrNonFinite):
			s.printf("Stopping: %v (epoch %d); the last good checkpoint is latest.safetensors (epoch %d)\n", err, epoch, last)
			_ = s.event(runs.WarningEvent{Epoch: epoch, Kind: "nonfinite", Message: err.Error()})
			return finish(runs.StatusStoppedNonfinite, last, err)
		case err != nil:
			return finish(runs.StatusFailed, last, err)
		}
		if err := end(epoch, stats, began); err != nil {
			return finish(runs.StatusFailed, last, err)
		}
		last = epoch
	}
	return finish(runs.StatusCompleted, last, nil)
}

// newAdamW is the configured AdamW (optimizer.*) for the parameters of ps followed
// by extra scalars (the dynamic weighting's log-variances).
func newAdamW(o config.Optimizer, ps *model.Params, extra int) *AdamW {
	var sizes []int
	for _, p := range ps.List {
		sizes = append(sizes, p.Size())
	}
	for range extra {
		sizes = append(sizes, 1)
	}
	return NewAdamW(o.Betas[0], o.Betas[1], o.Eps, o.WeightDecay, sizes)
}
