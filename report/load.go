package report

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
)

// Run is what the report knows of one run folder. Loading never fails: what is
// missing or broken is recorded in Problems and shown in the report.
type Run struct {
	Dir  string
	Name string

	Config    config.Config
	HasConfig bool
	Info      runs.Info
	HasInfo   bool

	Start       *runs.RunStartEvent
	Epochs      []runs.EpochEvent // sorted by epoch; a resumed epoch keeps its last line
	Tests       []runs.TestEvent
	Bests       []runs.BestEvent
	Warnings    []runs.WarningEvent
	Phases      []runs.DegeneratePhaseEvent
	Checkpoints []runs.CheckpointEvent
	End         *runs.RunEndEvent
	// Stage1 are the stage1_epoch events of a Stage 1 run, sorted by epoch (a repeated
	// epoch keeps its last line).
	Stage1        []runs.Stage1EpochEvent
	BadSamples    int
	FairUndefined int
	TruncatedTail bool

	// Problems are reasons the run is incomplete or partly unreadable, in the order found.
	Problems []Problem
}

// Problem is one issue with a run folder; Key selects the message in each language.
type Problem struct {
	Key  string
	Args []any
}

// LoadRun reads a run folder: config.yaml, run.json and events.jsonl.
func LoadRun(dir string) *Run {
	r := &Run{Dir: dir, Name: filepath.Base(filepath.Clean(dir))}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		r.problem("missing_dir", dir)
		return r
	}
	cfgPath := filepath.Join(dir, runs.ConfigFile)
	if cfg, _, err := config.Load(cfgPath, nil); err == nil {
		r.Config, r.HasConfig = cfg, true
		if n := cfg.Logging.ExperimentName; n != "" {
			r.Name = n
		}
	} else if errors.Is(err, os.ErrNotExist) {
		r.problem("no_config")
	} else {
		r.problem("bad_config", err.Error())
	}
	if info, err := runs.ReadInfo(dir); err == nil {
		r.Info, r.HasInfo = info, true
	} else {
		r.problem("no_info", err.Error())
	}
	log, err := runs.ReadLog(dir)
	var corrupt *runs.CorruptLinesError
	switch {
	case errors.As(err, &corrupt):
		r.problem("corrupt_events", corrupt.Path, fmt.Sprint(corrupt.Lines))
	case err != nil:
		r.problem("no_events")
		return r
	}
	r.TruncatedTail = log.TruncatedTail
	if log.TruncatedTail {
		r.problem("truncated_events")
	}
	r.collect(log.Events)
	r.checkComplete()
	return r
}

func (r *Run) problem(key string, args ...any) {
	r.Problems = append(r.Problems, Problem{Key: key, Args: args})
}

func (r *Run) collect(events []runs.Event) {
	byEpoch := map[int]runs.EpochEvent{}
	stage1 := map[int]runs.Stage1EpochEvent{}
	for _, ev := range events {
		switch e := ev.(type) {
		case runs.RunStartEvent:
			start := e
			r.Start = &start
			if e.Experiment != "" && !r.HasConfig {
				r.Name = e.Experiment
			}
		case runs.EpochEvent:
			byEpoch[e.Epoch] = e
		case runs.TestEvent:
			r.Tests = append(r.Tests, e)
		case runs.BestEvent:
			r.Bests = append(r.Bests, e)
		case runs.WarningEvent:
			r.Warnings = append(r.Warnings, e)
		case runs.DegeneratePhaseEvent:
			r.Phases = append(r.Phases, e)
		case runs.CheckpointEvent:
			r.Checkpoints = append(r.Checkpoints, e)
		case runs.RunEndEvent:
			end := e
			r.End = &end
		case runs.BadSampleEvent:
			r.BadSamples++
		case runs.FairUndefinedEvent:
			r.FairUndefined++
		case runs.Stage1EpochEvent:
			stage1[e.Epoch] = e
		}
	}
	for _, e := range stage1 {
		r.Stage1 = append(r.Stage1, e)
	}
	sort.Slice(r.Stage1, func(i, j int) bool { return r.Stage1[i].Epoch < r.Stage1[j].Epoch })
	for _, e := range byEpoch {
		r.Epochs = append(r.Epochs, e)
	}
	sort.Slice(r.Epochs, func(i, j int) bool { return r.Epochs[i].Epoch < r.Epochs[j].Epoch })
}

func (r *Run) checkComplete() {
	if r.Start == nil {
		r.problem("no_start")
	}
	switch {
	case r.End == nil:
		r.problem("no_end", r.EpochsDone(), r.PlannedEpochs())
	case r.End.Status != runs.StatusCompleted:
		r.problem("ended", r.End.Status, r.End.Error)
	}
	switch {
	case r.EpochsDone() == 0:
		r.problem("no_epochs")
	case r.IsStage1():
		// Stage 1 runs have no test sets.
	case len(r.TestsAt(r.BestEpoch())) == 0:
		r.problem("no_tests", r.BestEpoch())
	}
}

// IsStage1 reports whether the run trains the Stage 1 adapter: its config says
// `stage: 1` or its events hold stage1_epoch events.
func (r *Run) IsStage1() bool {
	return (r.HasConfig && r.Config.Stage == 1) || len(r.Stage1) > 0
}

// EpochsDone is the number of finished epochs (epoch events, or stage1_epoch events
// for a Stage 1 run).
func (r *Run) EpochsDone() int {
	if r.IsStage1() {
		return len(r.Stage1)
	}
	return len(r.Epochs)
}

// Stage1Epoch returns the stage1_epoch event of epoch e.
func (r *Run) Stage1Epoch(e int) (runs.Stage1EpochEvent, bool) {
	for _, ev := range r.Stage1 {
		if ev.Epoch == e {
			return ev, true
		}
	}
	return runs.Stage1EpochEvent{}, false
}

// PlannedEpochs is run_start's plan, else the config's num_epochs, else 0.
func (r *Run) PlannedEpochs() int {
	if r.Start != nil && r.Start.Plan.Epochs > 0 {
		return r.Start.Plan.Epochs
	}
	if r.HasConfig {
		return r.Config.Training.NumEpochs
	}
	return 0
}

// Status is "completed", "failed", "stopped_nonfinite", "incomplete" (no run_end: killed
// or still running) or "missing" (no readable events).
func (r *Run) Status() string {
	switch {
	case r.End != nil:
		return r.End.Status
	case r.Start == nil && len(r.Epochs) == 0:
		return "missing"
	}
	return "incomplete"
}

// BestEpoch is the epoch of the last best event, else run_end's best_epoch, else the
// epoch with the highest validation AUC (Stage 1: selection score); 0 without epochs.
func (r *Run) BestEpoch() int {
	if n := len(r.Bests); n > 0 {
		return r.Bests[n-1].Epoch
	}
	if r.End != nil && r.End.BestEpoch > 0 {
		return r.End.BestEpoch
	}
	if r.IsStage1() {
		best, score := 0, math.Inf(-1)
		for _, e := range r.Stage1 {
			if e.Score > score {
				best, score = e.Epoch, e.Score
			}
		}
		return best
	}
	best, auc := 0, math.Inf(-1)
	for _, e := range r.Epochs {
		if e.Val.AUC > auc {
			best, auc = e.Epoch, e.Val.AUC
		}
	}
	return best
}

// Epoch returns the event of epoch e.
func (r *Run) Epoch(e int) (runs.EpochEvent, bool) {
	for _, ev := range r.Epochs {
		if ev.Epoch == e {
			return ev, true
		}
	}
	return runs.EpochEvent{}, false
}

// TestsAt returns the test events of epoch e, the last one per dataset.
func (r *Run) TestsAt(e int) map[string]runs.TestEvent {
	out := map[string]runs.TestEvent{}
	for _, t := range r.Tests {
		if t.Epoch == e {
			out[t.Dataset] = t
		}
	}
	return out
}

// Seconds is the run's wall time: run_end's, else the sum of epoch times (partial is
// true then).
func (r *Run) Seconds() (s float64, partial bool) {
	if r.End != nil {
		return r.End.Seconds, false
	}
	for _, e := range r.Epochs {
		s += e.Seconds
	}
	for _, e := range r.Stage1 {
		s += e.Seconds
	}
	return s, true
}

// DegenerateEpochs lists the degenerate epochs: from degenerate_phase events, else
// from the epochs' degenerate flags.
func (r *Run) DegenerateEpochs() []int {
	var out []int
	if len(r.Phases) > 0 {
		seen := map[int]bool{}
		for _, p := range r.Phases {
			for e := p.Start; e <= p.End; e++ {
				if !seen[e] {
					seen[e] = true
					out = append(out, e)
				}
			}
		}
		sort.Ints(out)
		return out
	}
	for _, e := range r.Epochs {
		if e.Degenerate {
			out = append(out, e.Epoch)
		}
	}
	return out
}
