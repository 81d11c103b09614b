package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fairclip/fairclip/jobs"
)

var errStopped = errors.New("sweep stopped")

// Options configure a sweep run.
type Options struct {
	SweepDir  string
	SpaceFile string // recorded and checked on resume
	Executor  string // "local" (default) or "slurm"
	Parallel  int    // trials in flight (Slurm: the array's %N limit)
	Trials    int    // overrides the space's budget when > 0
	// Command runs fairclip (default: this executable). Trials get
	// `train --config BASE --run-dir DIR --set ...` appended.
	Command    []string
	SlurmArgs  []string // extra sbatch arguments
	Poll       time.Duration
	Log        io.Writer
	RetryLocal int // local: reruns of a crashed trial (default 0)
}

// Summary is the outcome of Run.
type Summary struct {
	Complete, Pruned, Failed int
	Trials                   []Trial
}

// TrialDir is the run folder of trial id.
func TrialDir(sweepDir string, id int) string {
	return filepath.Join(sweepDir, "trials", strconv.Itoa(id))
}

// trialArgs are the fairclip arguments of a trial; a trial that already has a
// checkpoint resumes from it.
func trialArgs(s *Space, t *Trial) []string {
	if _, err := os.Stat(filepath.Join(t.RunDir, "latest.safetensors")); err == nil {
		return append([]string{"train", "--resume", t.RunDir}, s.Args...)
	}
	args := []string{"train", "--config", s.Base, "--run-dir", t.RunDir}
	for _, kv := range append(append([]string{}, s.Set...), SetArgs(t.Params)...) {
		args = append(args, "--set", kv)
	}
	return append(args, s.Args...)
}

func spaceHash(s *Space) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%d", s.Base, s.Sampler, s.Seed)
	for _, p := range s.Params {
		fmt.Fprintf(h, "|%s:%s:%v:%g:%g", p.Key, p.Kind, p.Vals, p.Lo, p.Hi)
	}
	for _, o := range s.Objectives {
		fmt.Fprintf(h, "|%s:%s", o.Name, o.Direction)
	}
	fmt.Fprintf(h, "|%v|%v", s.Set, s.Args)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Run executes (or resumes) the sweep until the trial budget is spent. Each new
// trial's resolved configuration is validated first: an invalid one is recorded as
// failed with the configuration error and never started, and when every trial is
// invalid Run returns an error matching [ErrAllInvalid]. Trials that crash are
// recorded as failed and do not stop the sweep.
func Run(ctx context.Context, s *Space, opts Options) (Summary, error) {
	if opts.Parallel <= 0 {
		opts.Parallel = 1
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	budget := s.Trials
	if opts.Trials > 0 {
		budget = opts.Trials
		if s.Sampler == "grid" && budget > GridSize(s.Params) {
			budget = GridSize(s.Params)
		}
	}
	if len(opts.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return Summary{}, fmt.Errorf("sweep: find fairclip executable: %w", err)
		}
		opts.Command = []string{exe}
	}
	if err := os.MkdirAll(filepath.Join(opts.SweepDir, "trials"), 0o755); err != nil {
		return Summary{}, fmt.Errorf("sweep: %w", err)
	}
	abs, err := filepath.Abs(opts.SweepDir)
	if err != nil {
		return Summary{}, err
	}
	opts.SweepDir = abs
	store, err := OpenStore(StorePath(opts.SweepDir))
	if err != nil {
		return Summary{}, err
	}
	defer store.Close()
	hash := spaceHash(s)
	if old, err := store.Meta("space_hash"); err != nil {
		return Summary{}, err
	} else if old != "" && old != hash {
		return Summary{}, fmt.Errorf("sweep %s was started with a different space (hash %s, now %s): use a new --out directory", opts.SweepDir, old, hash)
	}
	if err := store.SetMeta("space_hash", hash); err != nil {
		return Summary{}, err
	}
	var objNames []string
	for _, o := range s.Objectives {
		objNames = append(objNames, o.Name+":"+string(o.Direction))
	}
	store.SetMeta("objectives", strings.Join(objNames, ","))
	store.SetMeta("space_file", opts.SpaceFile)

	sampler, err := NewSampler(s)
	if err != nil {
		return Summary{}, err
	}
	ex, err := jobs.New(opts.Executor, jobs.Options{Command: opts.Command, Dir: opts.SweepDir, Limit: opts.Parallel,
		SlurmArgs: opts.SlurmArgs, Name: "fairclip-sweep", LogName: "trial.log"})
	if err != nil {
		return Summary{}, err
	}
	// The executor's view of each trial (its run folder and Slurm job).
	tasks := map[int]*jobs.Task{}
	task := func(t *Trial) *jobs.Task {
		jt := tasks[t.ID]
		if jt == nil {
			jt = &jobs.Task{ID: t.ID}
			tasks[t.ID] = jt
		}
		jt.Dir, jt.JobID = t.RunDir, t.JobID
		return jt
	}

	trials, err := store.Trials()
	if err != nil {
		return Summary{}, err
	}
	byID := map[int]*Trial{}
	for i := range trials {
		byID[trials[i].ID] = &trials[i]
	}
	running := map[int]*Trial{}
	var pending []*Trial
	// Re-attach to what an earlier sweep process left running; requeue the rest.
	for i := range trials {
		t := &trials[i]
		switch t.State {
		case StateRunning:
			ok, err := ex.Attach(task(t))
			if err != nil {
				return Summary{}, err
			}
			if ok {
				fmt.Fprintf(opts.Log, "trial %d: re-attached to job %s\n", t.ID, t.JobID)
				running[t.ID] = t
				continue
			}
			if finish(t, s) {
				store.Put(*t)
				continue
			}
			t.State = StatePending
			pending = append(pending, t)
		case StatePending:
			pending = append(pending, t)
		}
	}
	next := len(trials)
	all := func() []Trial {
		out := make([]Trial, 0, len(byID))
		for id := 0; id < next; id++ {
			if t, ok := byID[id]; ok {
				out = append(out, *t)
			}
		}
		return out
	}

	for {
		// Fill free slots: first requeued trials, then new proposals.
		for len(running) < opts.Parallel && (len(pending) > 0 || next < budget) {
			var t *Trial
			if len(pending) > 0 {
				t, pending = pending[0], pending[1:]
			} else {
				params, err := sampler.Propose(next, all())
				if err != nil {
					return Summary{}, err
				}
				t = &Trial{ID: next, State: StatePending, Params: params, RunDir: TrialDir(opts.SweepDir, next)}
				byID[next] = t
				next++
				if err := validateTrial(s, t); err != nil {
					t.State, t.Error = StateFailed, invalidPrefix+err.Error()
					if err := store.Put(*t); err != nil {
						return Summary{}, err
					}
					fmt.Fprintf(opts.Log, "trial %d: not started: %v\n", t.ID, err)
					continue
				}
			}
			t.Attempts++
			t.State = StateRunning
			if err := ex.Start(task(t), trialArgs(s, t)); err != nil {
				t.State, t.Error = StateFailed, err.Error()
				store.Put(*t)
				fmt.Fprintf(opts.Log, "trial %d: failed to start: %v\n", t.ID, err)
				continue
			}
			running[t.ID] = t
			fmt.Fprintf(opts.Log, "trial %d: started %s\n", t.ID, strings.Join(SetArgs(t.Params), " "))
		}
		if err := ex.Flush(); err != nil {
			return Summary{}, err
		}
		for _, t := range running {
			t.JobID = tasks[t.ID].JobID
			if err := store.Put(*t); err != nil {
				return Summary{}, err
			}
		}
		if len(running) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return summarize(all()), fmt.Errorf("%w: %v (trials left running on Slurm are re-attached by the next `sweep run`)", errStopped, ctx.Err())
		case <-time.After(opts.Poll):
		}
		// Pruning of running trials.
		var completedCurves [][]EpochPoint
		for _, t := range byID {
			if t.State == StateComplete {
				if p, err := ReadProgress(t.RunDir); err == nil {
					completedCurves = append(completedCurves, p.Epochs)
				}
			}
		}
		for _, t := range running {
			p, err := ReadProgress(t.RunDir)
			if err != nil {
				continue
			}
			if stop, why := PruneDecision(s.Pruning, p.Epochs, completedCurves); stop && t.Error == "" {
				t.Error = "pruned: " + why
				fmt.Fprintf(opts.Log, "trial %d: %s\n", t.ID, t.Error)
				ex.Kill(task(t))
			}
		}
		ended, err := ex.Ended()
		if err != nil {
			return Summary{}, err
		}
		for _, id := range ended {
			t := running[id]
			if t == nil {
				continue
			}
			delete(running, id)
			if strings.HasPrefix(t.Error, "pruned: ") {
				t.State = StatePruned
				p, _ := ReadProgress(t.RunDir)
				t.Values = p.Values(s.Objectives)
			} else if !finish(t, s) {
				retries := opts.RetryLocal
				if opts.Executor == "slurm" {
					retries = s.Retries
				}
				if t.Attempts <= retries {
					fmt.Fprintf(opts.Log, "trial %d: %s; retrying (attempt %d)\n", t.ID, t.Error, t.Attempts+1)
					t.State = StatePending
					pending = append(pending, t)
				}
			}
			store.Put(*t)
			fmt.Fprintf(opts.Log, "trial %d: %s %s\n", t.ID, t.State, formatObjectives(s.Objectives, t.Values))
		}
	}
	sum := summarize(all())
	if len(sum.Trials) > 0 && allInvalid(sum.Trials) {
		return sum, fmt.Errorf("sweep %s: %w: nothing was started; first: %s", opts.SweepDir, ErrAllInvalid,
			strings.TrimPrefix(sum.Trials[0].Error, invalidPrefix))
	}
	return sum, nil
}

func allInvalid(ts []Trial) bool {
	for _, t := range ts {
		if !invalidConfig(t) {
			return false
		}
	}
	return true
}

// finish reads a trial's run folder after its process ended and sets its state.
func finish(t *Trial, s *Space) bool {
	p, err := ReadProgress(t.RunDir)
	if err != nil {
		t.State, t.Error = StateFailed, err.Error()
		return false
	}
	t.Values = p.Values(s.Objectives)
	if p.Status == "completed" {
		t.State, t.Error = StateComplete, ""
		return true
	}
	t.State = StateFailed
	switch {
	case p.Error != "":
		t.Error = p.Error
	case p.Status != "":
		t.Error = "run ended with status " + p.Status
	default:
		t.Error = "process exited without finishing the run: " + jobs.LastLogLine(filepath.Join(t.RunDir, "trial.log"))
	}
	return false
}

func formatObjectives(objs []Objective, vals []float64) string {
	var parts []string
	for i, o := range objs {
		if i < len(vals) && !math.IsNaN(vals[i]) {
			parts = append(parts, fmt.Sprintf("%s=%.4f", o.Name, vals[i]))
		}
	}
	return strings.Join(parts, " ")
}

func summarize(ts []Trial) Summary {
	sum := Summary{Trials: ts}
	for _, t := range ts {
		switch t.State {
		case StateComplete:
			sum.Complete++
		case StatePruned:
			sum.Pruned++
		case StateFailed:
			sum.Failed++
		}
	}
	return sum
}
