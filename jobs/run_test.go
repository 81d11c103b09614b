package jobs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// flaky is a task command: the first attempt of a task whose directory holds "flaky"
// fails; every other attempt writes "ok". "slow" makes a task sleep first.
const flaky = `d=$1
[ -e "$d/slow" ] && sleep 3
if [ -e "$d/flaky" ] && [ ! -e "$d/tried" ]; then touch "$d/tried"; exit 1; fi
touch "$d/ok"`

func tasksIn(t *testing.T, dir string, n int, mark map[int]string) []*Task {
	var out []*Task
	for i := range n {
		d := filepath.Join(dir, "task", string(rune('a'+i)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if m := mark[i]; m != "" {
			os.WriteFile(filepath.Join(d, m), nil, 0o644)
		}
		out = append(out, &Task{ID: i, Dir: d})
	}
	return out
}

func checkOK(t *Task) error {
	if _, err := os.Stat(filepath.Join(t.Dir, "ok")); err != nil {
		return err
	}
	return nil
}

func haveSlurm(t *testing.T) bool {
	if _, err := exec.LookPath("sbatch"); err != nil || exec.Command("sinfo", "-h").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Slurm cluster not reachable in CI (start it with scripts/slurm-up.sh)")
		}
		return false
	}
	return true
}

// TestRunAllRetries runs 4 tasks, one failing on its first attempt, through each
// executor: with one retry every task ends done, with none the flaky one fails.
func TestRunAllRetries(t *testing.T) {
	kinds := []string{"local"}
	if haveSlurm(t) {
		kinds = append(kinds, "slurm")
	}
	for _, kind := range kinds {
		for _, retries := range []int{0, 1} {
			dir := t.TempDir()
			tasks := tasksIn(t, dir, 4, map[int]string{2: "flaky"})
			ex, err := New(kind, Options{Command: []string{"/bin/sh", "-c", flaky, "sh"}, Dir: dir, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			st, err := RunAll(context.Background(), ex, tasks, func(t *Task) []string { return []string{t.Dir} },
				RunOptions{StateFile: filepath.Join(dir, "state.json"), InFlight: 2, Retries: retries, Check: checkOK, Poll: 100 * time.Millisecond})
			if retries == 0 && (err == nil || !strings.Contains(err.Error(), "task 2")) {
				t.Errorf("%s retries 0: error %v, want task 2 failed", kind, err)
			}
			if retries == 1 && err != nil {
				t.Errorf("%s retries 1: %v", kind, err)
			}
			for _, s := range st {
				want, attempts := StateDone, 1
				if s.ID == 2 {
					attempts = 1 + retries
					if retries == 0 {
						want = StateFailed
					}
				}
				if s.State != want || s.Attempts != attempts {
					t.Errorf("%s retries %d: task %d %s after %d attempts, want %s after %d", kind, retries, s.ID, s.State, s.Attempts, want, attempts)
				}
				if kind == "slurm" && s.JobID == "" {
					t.Errorf("slurm: task %d has no job id", s.ID)
				}
			}
			// A second RunAll starts nothing: every task's work is done (or failed again).
			if retries == 1 {
				st2, err := RunAll(context.Background(), ex, tasks, func(t *Task) []string { return []string{t.Dir} },
					RunOptions{Check: checkOK, Poll: 100 * time.Millisecond})
				if err != nil || st2[2].Attempts != 0 {
					t.Errorf("%s: rerun of a finished run: %v, %+v", kind, err, st2)
				}
			}
		}
	}
}

// TestRunAllReattachesSlurm stops RunAll while its Slurm tasks run; the next RunAll
// with the same state file re-attaches to them instead of submitting again.
func TestRunAllReattachesSlurm(t *testing.T) {
	if !haveSlurm(t) {
		t.Skip("no Slurm cluster (start one with scripts/slurm-up.sh)")
	}
	dir := t.TempDir()
	tasks := tasksIn(t, dir, 2, map[int]string{0: "slow", 1: "slow"})
	ex, err := New("slurm", Options{Command: []string{"/bin/sh", "-c", flaky, "sh"}, Dir: dir, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	opts := RunOptions{StateFile: filepath.Join(dir, "state.json"), Check: checkOK, Poll: 100 * time.Millisecond}
	args := func(t *Task) []string { return []string{t.Dir} }
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	first, err := RunAll(ctx, ex, tasks, args, opts)
	if err == nil {
		t.Fatal("RunAll did not stop with its context")
	}
	ex2, _ := New("slurm", Options{Command: []string{"/bin/false"}, Dir: dir, Limit: 2})
	st, err := RunAll(context.Background(), ex2, tasksIn(t, dir, 2, nil), args, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range st {
		if s.State != StateDone || s.Attempts != 1 || s.JobID != first[i].JobID {
			t.Errorf("task %d: %s, attempt %d, job %s; want done on its first job %s", i, s.State, s.Attempts, s.JobID, first[i].JobID)
		}
	}
}
