package sweep

import (
	"context"
	"errors"
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

// executor starts trial processes and reports which have ended.
type executor interface {
	// Start launches trial t with the fairclip arguments args (after the program).
	Start(t *Trial, args []string) error
	// Flush submits anything Start queued (Slurm submits one array per flush).
	Flush() error
	// Ended returns the ids of trials whose process has finished since the last call.
	Ended() ([]int, error)
	// Kill stops a running trial.
	Kill(t *Trial) error
	// Attach resumes tracking a trial started by an earlier sweep process; false when
	// its process is gone.
	Attach(t *Trial) (bool, error)
}

// localExecutor runs each trial as a child process of the sweep.
type localExecutor struct {
	command []string
	mu      sync.Mutex
	procs   map[int]*exec.Cmd
	ended   []int
}

func newLocalExecutor(command []string) *localExecutor {
	return &localExecutor{command: command, procs: map[int]*exec.Cmd{}}
}

func (l *localExecutor) Start(t *Trial, args []string) error {
	if err := os.MkdirAll(t.RunDir, 0o755); err != nil {
		return fmt.Errorf("trial %d: %w", t.ID, err)
	}
	logf, err := os.OpenFile(filepath.Join(t.RunDir, "trial.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("trial %d: %w", t.ID, err)
	}
	cmd := exec.Command(l.command[0], append(append([]string{}, l.command[1:]...), args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("trial %d: start %s: %w", t.ID, l.command[0], err)
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

func (l *localExecutor) Kill(t *Trial) error {
	l.mu.Lock()
	cmd := l.procs[t.ID]
	l.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return nil
	}
	// The trial runs in its own process group: stop it and anything it started.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	go func(pid int) {
		time.Sleep(10 * time.Second)
		syscall.Kill(-pid, syscall.SIGKILL)
	}(cmd.Process.Pid)
	return nil
}

// Attach: a local trial's process died with the sweep process that started it.
func (l *localExecutor) Attach(*Trial) (bool, error) { return false, nil }

// slurmExecutor submits trials as Slurm job arrays and tracks them with squeue.
type slurmExecutor struct {
	command  []string
	sweepDir string
	limit    int      // array concurrency limit (%N)
	extra    []string // extra sbatch arguments (partition, time, ...)
	queued   []*Trial
	queuedAr [][]string
	tracked  map[string]int // "JOB_TASK" -> trial id
	run      func(name string, args ...string) (string, error)
}

func newSlurmExecutor(command []string, sweepDir string, limit int, extra []string) *slurmExecutor {
	return &slurmExecutor{command: command, sweepDir: sweepDir, limit: limit, extra: extra,
		tracked: map[string]int{}, run: runCommand}
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

func (s *slurmExecutor) Start(t *Trial, args []string) error {
	if err := os.MkdirAll(t.RunDir, 0o755); err != nil {
		return fmt.Errorf("trial %d: %w", t.ID, err)
	}
	s.queued = append(s.queued, t)
	s.queuedAr = append(s.queuedAr, args)
	return nil
}

func (s *slurmExecutor) Flush() error {
	if len(s.queued) == 0 {
		return nil
	}
	dir := filepath.Join(s.sweepDir, "slurm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// One script per trial; the array task runs the one its index names.
	var ids []string
	for i, t := range s.queued {
		var b strings.Builder
		b.WriteString("#!/usr/bin/env bash\nset -e\nexec")
		for _, a := range append(append([]string{}, s.command...), s.queuedAr[i]...) {
			b.WriteString(" " + shellQuote(a))
		}
		b.WriteString(" >>" + shellQuote(filepath.Join(t.RunDir, "trial.log")) + " 2>&1\n")
		if err := os.WriteFile(filepath.Join(t.RunDir, "run.sh"), []byte(b.String()), 0o755); err != nil {
			return fmt.Errorf("trial %d: %w", t.ID, err)
		}
		ids = append(ids, strconv.Itoa(t.ID))
	}
	batch := fmt.Sprintf("#!/usr/bin/env bash\n#SBATCH --job-name=fairclip-sweep\n#SBATCH --output=%s/%%A_%%a.out\nids=(%s)\nid=${ids[$SLURM_ARRAY_TASK_ID]}\nexec bash %s/trials/$id/run.sh\n",
		dir, strings.Join(ids, " "), s.sweepDir)
	script := filepath.Join(dir, fmt.Sprintf("array-%d.sh", s.queued[0].ID))
	if err := os.WriteFile(script, []byte(batch), 0o755); err != nil {
		return err
	}
	args := append([]string{"--parsable", fmt.Sprintf("--array=0-%d%%%d", len(s.queued)-1, max(1, s.limit))}, s.extra...)
	out, err := s.run("sbatch", append(args, script)...)
	if err != nil {
		return fmt.Errorf("submit trials %s: %w", strings.Join(ids, ","), err)
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

func (s *slurmExecutor) Kill(t *Trial) error {
	if t.JobID == "" {
		return nil
	}
	_, err := s.run("scancel", t.JobID)
	return err
}

func (s *slurmExecutor) Attach(t *Trial) (bool, error) {
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

var errStopped = errors.New("sweep stopped")
