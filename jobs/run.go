package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fairclip/fairclip/atomicfile"
)

// Task states in a RunAll state file.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// Status is a task's record in RunAll's state file.
type Status struct {
	ID       int    `json:"id"`
	JobID    string `json:"job_id,omitempty"`
	Attempts int    `json:"attempts"`
	State    string `json:"state"`
	Error    string `json:"error,omitempty"`
}

// RunOptions configure RunAll.
type RunOptions struct {
	// StateFile records every task's job id, attempts and state (JSON, written
	// atomically), so that a later RunAll re-attaches to tasks still running on Slurm.
	StateFile string
	// InFlight is the number of tasks started at once (0: all; Slurm limits the
	// array itself with %N).
	InFlight int
	// Retries is the number of times a failed task is started again.
	Retries int
	// Poll is the interval between checks (default 2 s).
	Poll time.Duration
	// Check tells whether task t's work is complete: nil, or why not. A task whose
	// work is complete before it starts is not started; a task that ended with a
	// non-nil Check failed.
	Check func(t *Task) error
	// Progress, when set, is called after every poll.
	Progress func()
	// Log receives one line per start, retry, re-attachment and failure.
	Log io.Writer
}

// RunAll runs every task (args gives its arguments) until each has done its work or
// failed Retries+1 times, and returns the final statuses, ordered by id. When ctx
// ends, local tasks are stopped and Slurm tasks keep running: the next RunAll with
// the same state file re-attaches to them.
func RunAll(ctx context.Context, ex Executor, tasks []*Task, args func(t *Task) []string, opts RunOptions) ([]Status, error) {
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Check == nil {
		return nil, errors.New("jobs: RunAll needs a Check")
	}
	saved, err := readState(opts.StateFile)
	if err != nil {
		return nil, err
	}
	byID := map[int]*Task{}
	st := map[int]*Status{}
	running := map[int]bool{}
	var pending []*Task
	for _, t := range tasks {
		byID[t.ID] = t
		s := &Status{ID: t.ID, State: StatePending}
		st[t.ID] = s
		if opts.Check(t) == nil {
			s.State = StateDone
			continue
		}
		if old, ok := saved[t.ID]; ok && old.JobID != "" && old.State == StateRunning {
			t.JobID = old.JobID
			ok, err := ex.Attach(t)
			if err != nil {
				return nil, err
			}
			if ok {
				fmt.Fprintf(opts.Log, "task %d: re-attached to job %s\n", t.ID, t.JobID)
				s.State, s.JobID, s.Attempts = StateRunning, t.JobID, old.Attempts
				running[t.ID] = true
				continue
			}
		}
		pending = append(pending, t)
	}
	statuses := func() []Status {
		out := make([]Status, 0, len(st))
		for _, s := range st {
			out = append(out, *s)
		}
		sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
		return out
	}
	save := func() error {
		if opts.StateFile == "" {
			return nil
		}
		raw, err := json.MarshalIndent(statuses(), "", " ")
		if err != nil {
			return err
		}
		return atomicfile.WriteFile(opts.StateFile, raw, 0o644)
	}
	_, local := ex.(*localExecutor)
	for {
		for len(pending) > 0 && (opts.InFlight <= 0 || len(running) < opts.InFlight) {
			t := pending[0]
			pending = pending[1:]
			s := st[t.ID]
			s.Attempts++
			if err := ex.Start(t, args(t)); err != nil {
				s.State, s.Error = StateFailed, err.Error()
				fmt.Fprintf(opts.Log, "task %d: failed to start: %v\n", t.ID, err)
				continue
			}
			s.State, s.Error = StateRunning, ""
			running[t.ID] = true
		}
		if err := ex.Flush(); err != nil {
			return statuses(), err
		}
		for id := range running {
			st[id].JobID = byID[id].JobID
		}
		if err := save(); err != nil {
			return statuses(), err
		}
		if len(running) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			if local {
				for id := range running {
					ex.Kill(byID[id])
				}
				return statuses(), fmt.Errorf("stopped: %w (the running local tasks were stopped; their finished work is kept)", ctx.Err())
			}
			return statuses(), fmt.Errorf("stopped: %w (the Slurm tasks keep running; rerun the same command to re-attach to them)", ctx.Err())
		case <-time.After(opts.Poll):
		}
		if opts.Progress != nil {
			opts.Progress()
		}
		ended, err := ex.Ended()
		if err != nil {
			return statuses(), err
		}
		sort.Ints(ended)
		for _, id := range ended {
			if !running[id] {
				continue
			}
			delete(running, id)
			t, s := byID[id], st[id]
			if err := opts.Check(t); err == nil {
				s.State, s.Error = StateDone, ""
				continue
			} else if s.Attempts <= opts.Retries {
				fmt.Fprintf(opts.Log, "task %d: %v; retrying (attempt %d)\n", id, err, s.Attempts+1)
				s.State = StatePending
				pending = append(pending, t)
			} else {
				s.State, s.Error = StateFailed, err.Error()
				fmt.Fprintf(opts.Log, "task %d: failed after %d attempts: %v\n", id, s.Attempts, err)
			}
		}
		if err := save(); err != nil {
			return statuses(), err
		}
	}
	out := statuses()
	var failed []string
	for _, s := range out {
		if s.State == StateFailed {
			failed = append(failed, fmt.Sprintf("task %d: %s", s.ID, s.Error))
		}
	}
	if len(failed) > 0 {
		return out, fmt.Errorf("%d of %d tasks failed: %s", len(failed), len(out), strings.Join(failed, "; "))
	}
	return out, nil
}

func readState(path string) (map[int]Status, error) {
	out := map[int]Status{}
	if path == "" {
		return out, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var list []Status
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("task state %s: %w", path, err)
	}
	for _, s := range list {
		out[s.ID] = s
	}
	return out, nil
}

// LastLogLine returns the last non-blank line of a task's log file, for error messages
// that point at why a task ended; "(no NAME)" when the file cannot be read.
func LastLogLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no " + filepath.Base(path) + ")"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
