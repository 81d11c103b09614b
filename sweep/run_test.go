package sweep

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeSpace(t *testing.T, dir, body string) *Space {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("seed: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "space.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSpace(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fakeCommand(t *testing.T) []string {
	abs, err := filepath.Abs("testdata/fake-fairclip.sh")
	if err != nil {
		t.Fatal(err)
	}
	return []string{abs}
}

const e2eSpace = `
base: base.yaml
params:
  loss_weighting.lambda_fair: {grid: [0.1, 0.2, 0.99, 0.3]}
objectives:
  val_auc: max
  mean_test_auc: max
`

func checkE2E(t *testing.T, sum Summary) {
	t.Helper()
	if len(sum.Trials) != 4 || sum.Complete != 3 || sum.Failed != 1 {
		t.Fatalf("summary %+v, want 4 trials: 3 complete, 1 failed", sum)
	}
	for _, tr := range sum.Trials {
		lambda := tr.Params["loss_weighting.lambda_fair"].(float64)
		if lambda == 0.99 {
			if tr.State != StateFailed || tr.Error == "" {
				t.Errorf("crashing trial recorded as %s %q", tr.State, tr.Error)
			}
			continue
		}
		if math.Abs(tr.Values[0]-(0.9-lambda)) > 1e-9 || math.Abs(tr.Values[1]-0.7) > 1e-9 {
			t.Errorf("trial %d values %v, want [%g 0.7]", tr.ID, tr.Values, 0.9-lambda)
		}
	}
}

func TestLocalSweepEndToEnd(t *testing.T) {
	dir := t.TempDir()
	s := writeSpace(t, dir, e2eSpace)
	out := filepath.Join(dir, "sweep")
	sum, err := Run(context.Background(), s, Options{SweepDir: out, Parallel: 2, Command: fakeCommand(t), Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	checkE2E(t, sum)
	st, err := OpenStore(StorePath(out))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, _ := st.Trials()
	if len(stored) != 4 {
		t.Fatalf("store has %d trials", len(stored))
	}
	// Running again finds the budget spent and starts nothing.
	sum2, err := Run(context.Background(), s, Options{SweepDir: out, Parallel: 2, Command: fakeCommand(t), Poll: 50 * time.Millisecond})
	if err != nil || len(sum2.Trials) != 4 {
		t.Fatalf("rerun: %v, %d trials", err, len(sum2.Trials))
	}
}

func TestResumeHalfDoneSweep(t *testing.T) {
	dir := t.TempDir()
	s := writeSpace(t, dir, `
base: base.yaml
params:
  loss_weighting.lambda_fair: {grid: [0.1, 0.2, 0.25, 0.3]}
objectives:
  val_auc: max
`)
	out := filepath.Join(dir, "sweep")
	t.Setenv("FAKE_SLEEP", "0.3")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Stop the sweep once the first trial has completed.
		for {
			time.Sleep(50 * time.Millisecond)
			p, _ := ReadProgress(TrialDir(out, 0))
			if p.Status == "completed" {
				cancel()
				return
			}
		}
	}()
	_, err := Run(ctx, s, Options{SweepDir: out, Parallel: 1, Command: fakeCommand(t), Poll: 20 * time.Millisecond})
	if err == nil {
		t.Fatal("cancelled sweep returned no error")
	}
	st, _ := OpenStore(StorePath(out))
	before, _ := st.Trials()
	st.Close()
	if len(before) == 0 || len(before) >= 4 {
		t.Fatalf("after cancel: %d trials recorded, want between 1 and 3", len(before))
	}
	firstParams, _ := os.ReadFile(filepath.Join(TrialDir(out, 0), "params.txt"))
	t.Setenv("FAKE_SLEEP", "0")
	sum, err := Run(context.Background(), s, Options{SweepDir: out, Parallel: 2, Command: fakeCommand(t), Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Complete != 4 || len(sum.Trials) != 4 {
		t.Fatalf("resumed sweep: %+v", sum)
	}
	again, _ := os.ReadFile(filepath.Join(TrialDir(out, 0), "params.txt"))
	if string(again) != string(firstParams) {
		t.Errorf("trial 0 rerun with other params: %q vs %q", again, firstParams)
	}
	// A different space in the same directory is refused.
	s.Seed = 99
	if _, err := Run(context.Background(), s, Options{SweepDir: out, Command: fakeCommand(t)}); err == nil || !strings.Contains(err.Error(), "different space") {
		t.Errorf("changed space accepted: %v", err)
	}
}

func TestPrunedTrialRecorded(t *testing.T) {
	dir := t.TempDir()
	s := writeSpace(t, dir, `
base: base.yaml
params:
  loss_weighting.lambda_fair: {grid: [0.1]}
objectives:
  val_auc: max
pruning:
  degenerate_epochs: 1
`)
	// A trainer whose every epoch is degenerate and that would run for a long time.
	script := filepath.Join(dir, "slow.sh")
	os.WriteFile(script, []byte(`#!/usr/bin/env bash
while [ $# -gt 0 ]; do [ "$1" = --run-dir ] && dir=$2; shift; done
for e in 1 2 3 4 5 6 7 8 9 10; do
  echo "{\"type\":\"epoch\",\"epoch\":$e,\"val\":{\"auc\":0.5},\"degenerate\":true}" >> "$dir/events.jsonl"
  sleep 0.2
done
`), 0o755)
	start := time.Now()
	sum, err := Run(context.Background(), s, Options{SweepDir: filepath.Join(dir, "sw"), Command: []string{script}, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pruned != 1 || !strings.Contains(sum.Trials[0].Error, "degenerate") {
		t.Fatalf("trial not pruned: %+v", sum.Trials)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("pruned trial was not stopped early")
	}
}

// TestSlurmSweepEndToEnd runs the sweep through a real Slurm cluster (scripts/slurm-up.sh).
// In CI (CI=true) it fails when the cluster is not reachable; elsewhere it skips.
func TestSlurmSweepEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("sbatch"); err != nil || exec.Command("sinfo", "-h").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Slurm cluster not reachable in CI (start it with scripts/slurm-up.sh): sbatch/sinfo failed")
		}
		t.Skip("no Slurm cluster (start one with scripts/slurm-up.sh)")
	}
	dir := t.TempDir()
	s := writeSpace(t, dir, e2eSpace)
	s.Retries = 1
	out := filepath.Join(dir, "sweep")
	sum, err := Run(context.Background(), s, Options{SweepDir: out, Executor: "slurm", Parallel: 2,
		Command: fakeCommand(t), Poll: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	checkE2E(t, sum)
	for _, tr := range sum.Trials {
		if tr.JobID == "" {
			t.Errorf("trial %d has no Slurm job id", tr.ID)
		}
		if tr.Params["loss_weighting.lambda_fair"].(float64) == 0.99 && tr.Attempts != 2 {
			t.Errorf("failed trial attempted %d times, want 2 (1 retry)", tr.Attempts)
		}
	}
}

// TestSlurmReattach stops the sweep process while its Slurm tasks run and checks that the
// next `sweep run` re-attaches to them instead of resubmitting.
func TestSlurmReattach(t *testing.T) {
	if _, err := exec.LookPath("sbatch"); err != nil || exec.Command("sinfo", "-h").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Slurm cluster not reachable in CI (start it with scripts/slurm-up.sh)")
		}
		t.Skip("no Slurm cluster (start one with scripts/slurm-up.sh)")
	}
	dir := t.TempDir()
	s := writeSpace(t, dir, `
base: base.yaml
params:
  loss_weighting.lambda_fair: {grid: [0.1, 0.2]}
objectives:
  val_auc: max
`)
	out := filepath.Join(dir, "sweep")
	t.Setenv("FAKE_SLEEP", "1")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if _, err := Run(ctx, s, Options{SweepDir: out, Executor: "slurm", Parallel: 2, Command: fakeCommand(t), Poll: 200 * time.Millisecond}); err == nil {
		t.Fatal("interrupted sweep returned no error")
	}
	st, _ := OpenStore(StorePath(out))
	mid, _ := st.Trials()
	st.Close()
	for _, tr := range mid {
		if tr.State != StateRunning || tr.JobID == "" {
			t.Fatalf("after interruption trial %d is %s job %q, want running with a job id", tr.ID, tr.State, tr.JobID)
		}
	}
	var log strings.Builder
	sum, err := Run(context.Background(), s, Options{SweepDir: out, Executor: "slurm", Parallel: 2, Command: fakeCommand(t),
		Poll: 200 * time.Millisecond, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Complete != 2 {
		t.Fatalf("after re-attach: %+v\n%s", sum, log.String())
	}
	if strings.Count(log.String(), "re-attached") != 2 || strings.Contains(log.String(), "started") {
		t.Errorf("expected two re-attachments and no new submissions; log:\n%s", log.String())
	}
	for i, tr := range sum.Trials {
		if tr.JobID != mid[i].JobID || tr.Attempts != 1 {
			t.Errorf("trial %d: job %s attempts %d, want job %s attempt 1", tr.ID, tr.JobID, tr.Attempts, mid[i].JobID)
		}
	}
}
