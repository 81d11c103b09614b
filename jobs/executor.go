// Package jobs starts tasks as processes, on this machine or as Slurm job arrays, and
// tells which have ended. Sweeps (one task per trial) and sharded feature extraction
// (one task per shard) share it: submission, the array's %N limit, tracking with
// squeue, stopping, and re-attaching to tasks an earlier process submitted.
package jobs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Task is one unit of work run as one process.
type Task struct {
	ID    int    // the caller's id (trial number, shard task number)
	Dir   string // holds the task's log (and, on Slurm, its run.sh)
	JobID string // Slurm "JOB_TASK" once submitted
}

// Executor starts task processes and reports which have ended.
type Executor interface {
	// Start launches task t with the arguments args (after the command).
	Start(t *Task, args []string) error
	// Flush submits anything Start queued (Slurm submits one array per flush) and sets
	// the queued tasks' JobID.
	Flush() error
	// Ended returns the ids of tasks whose process has finished since the last call.
	Ended() ([]int, error)
	// Kill stops a running task.
	Kill(t *Task) error
	// Attach resumes tracking a task started by an earlier process (t.JobID); false
	// when its process is gone.
	Attach(t *Task) (bool, error)
}

// Options configure New.
type Options struct {
	// Command is the program and its leading arguments; each task appends its own.
	Command []string
	// Dir holds the Slurm array scripts and outputs (Dir/slurm/).
	Dir string
	// Limit is the number of tasks in flight on Slurm (the array's %N).
	Limit int
	// SlurmArgs are extra sbatch arguments (partition, time, ...).
	SlurmArgs []string
	// Name is the Slurm job name (default "fairclip").
	Name string
	// LogName is the file in each task's Dir receiving its output (default "task.log").
	LogName string
}

// New returns the executor of kind "local" (or "") or "slurm".
func New(kind string, opts Options) (Executor, error) {
	if opts.LogName == "" {
		opts.LogName = "task.log"
	}
	if opts.Name == "" {
		opts.Name = "fairclip"
	}
	if len(opts.Command) == 0 {
		return nil, fmt.Errorf("executor %q: no command", kind)
	}
	switch kind {
	case "", "local":
		return &localExecutor{command: opts.Command, logName: opts.LogName, procs: map[int]*exec.Cmd{}}, nil
	case "slurm":
		return &slurmExecutor{opts: opts, tracked: map[string]int{}, run: runCommand}, nil
	}
	return nil, fmt.Errorf("executor %q: unknown; use local or slurm", kind)
}

// localExecutor runs each task as a child process.
type localExecutor struct {
	command []string
	logName string
	mu      sync.Mutex
	procs   map[int]*exec.Cmd
	ended   []int
}

func (l *localExecutor) Start(t *Task, args []string) error {
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return fmt.Errorf("task %d: %w", t.ID, err)
	}
	logf, err := os.OpenFile(filepath.Join(t.Dir, l.logName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("task %d: %w", t.ID, err)
	}
	cmd := exec.Command(l.command[0], append(append([]string{}, l.command[1:]...), args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("task %d: start %s: %w", t.ID, l.command[0], err)
	}
	l.mu.Lock()
	l.procs[t.ID] = cmd
	l.mu.Unlock()
	go func() {
		cmd.Wait()
		logf.Close()
		l.mu.Lock()
		delete(l.procs, t.ID)
		l.ended = append(l.ended, t.ID)
		l.mu.Unlock()
	}()
	return nil
}

func (l *localExecutor) Flush() error { return nil }

func (l *localExecutor) Ended() ([]int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.ended
	l.ended = nil
	return out, nil
}

func (l *localExecutor) Kill(t *Task) error {
	l.mu.Lock()
	cmd := l.procs[t.ID]
	l.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return nil
	}
	// The task runs in its own process group: stop it and anything it started.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	go func(pid int) {
		time.Sleep(10 * time.Second)
		syscall.Kill(-pid, syscall.SIGKILL)
	}(cmd.Process.Pid)
	return nil
}

// Attach: a local task's process died with the process that started it.
func (l *localExecutor) Attach(*Task) (bool, error) { return false, nil }

// slurmExecutor submits tasks as Slurm job arrays and tracks them with squeue.
type slurmExecutor struct {
	opts     Options
	queued   []*Task
	queuedAr [][]string
	tracked  map[string]int // "JOB_TASK" -> task id
	run      func(name string, args ...string) (string, error)
}

func runCommand(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *slurmExecutor) Start(t *Task, args []string) error {
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return fmt.Errorf("task %d: %w", t.ID, err)
	}
	s.queued = append(s.queued, t)
	s.queuedAr = append(s.queuedAr, args)
	return nil
}

func (s *slurmExecutor) Flush() error {
	if len(s.queued) == 0 {
		return nil
	}
	dir := filepath.Join(s.opts.Dir, "slurm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// One script per task; the array task runs the one its index names.
	var ids, scripts []string
	for i, t := range s.queued {
		var b strings.Builder
		b.WriteString("#!/usr/bin/env bash\nset -e\nexec")
		for _, a := range append(append([]string{}, s.opts.Command...), s.queuedAr[i]...) {
			b.WriteString(" " + shellQuote(a))
		}
		b.WriteString(" >>" + shellQuote(filepath.Join(t.Dir, s.opts.LogName)) + " 2>&1\n")
		script := filepath.Join(t.Dir, "run.sh")
		if err := os.WriteFile(script, []byte(b.String()), 0o755); err != nil {
			return fmt.Errorf("task %d: %w", t.ID, err)
		}
		ids = append(ids, strconv.Itoa(t.ID))
		scripts = append(scripts, shellQuote(script))
	}
	batch := fmt.Sprintf("#!/usr/bin/env bash\n#SBATCH --job-name=%s\n#SBATCH --output=%s/%%A_%%a.out\nscripts=(%s)\nexec bash \"${scripts[$SLURM_ARRAY_TASK_ID]}\"\n",
		s.opts.Name, dir, strings.Join(scripts, " "))
	script := filepath.Join(dir, fmt.Sprintf("array-%d.sh", s.queued[0].ID))
	if err := os.WriteFile(script, []byte(batch), 0o755); err != nil {
		return err
	}
	args := append([]string{"--parsable", fmt.Sprintf("--array=0-%d%%%d", len(s.queued)-1, max(1, s.opts.Limit))}, s.opts.SlurmArgs...)
	out, err := s.run("sbatch", append(args, script)...)
	if err != nil {
		return fmt.Errorf("submit tasks %s: %w", strings.Join(ids, ","), err)
	}
	jobID := strings.TrimSpace(strings.SplitN(strings.TrimSpace(out), ";", 2)[0])
	if _, err := strconv.Atoi(jobID); err != nil {
		return fmt.Errorf("sbatch printed %q, not a job id", out)
	}
	for i, t := range s.queued {
		t.JobID = fmt.Sprintf("%s_%d", jobID, i)
		s.tracked[t.JobID] = t.ID
	}
	s.queued, s.queuedAr = nil, nil
	return nil
}

// activeTasks lists the array tasks squeue still knows (pending, running, completing).
func (s *slurmExecutor) activeTasks() (map[string]bool, error) {
	jobs := map[string]bool{}
	for key := range s.tracked {
		jobs[strings.SplitN(key, "_", 2)[0]] = true
	}
	active := map[string]bool{}
	if len(jobs) == 0 {
		return active, nil
	}
	var list []string
	for j := range jobs {
		list = append(list, j)
	}
	out, err := s.run("squeue", "-h", "-r", "-j", strings.Join(list, ","), "-o", "%i %T")
	if err != nil {
		// squeue rejects a job list whose jobs have all left the queue.
		if strings.Contains(err.Error(), "Invalid job id") {
			return active, nil
		}
		return nil, err
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			active[f[0]] = true
		}
	}
	return active, nil
}

func (s *slurmExecutor) Ended() ([]int, error) {
	active, err := s.activeTasks()
	if err != nil {
		return nil, err
	}
	var ended []int
	for key, id := range s.tracked {
		if !active[key] {
			ended = append(ended, id)
			delete(s.tracked, key)
		}
	}
	return ended, nil
}

func (s *slurmExecutor) Kill(t *Task) error {
	if t.JobID == "" {
		return nil
	}
	_, err := s.run("scancel", t.JobID)
	return err
}

func (s *slurmExecutor) Attach(t *Task) (bool, error) {
	if t.JobID == "" {
		return false, nil
	}
	s.tracked[t.JobID] = t.ID
	active, err := s.activeTasks()
	if err != nil {
		delete(s.tracked, t.JobID)
		return false, err
	}
	if !active[t.JobID] {
		delete(s.tracked, t.JobID)
		return false, nil
	}
	return true, nil
}
