package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSweepCLI runs `fairclip sweep run/status/best/pareto` with the sweep tests' stand-in
// trainer (a script writing documented events), and the bad-input exits.
func TestSweepCLI(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("seed: 1\n"), 0o644)
	space := filepath.Join(dir, "space.yaml")
	os.WriteFile(space, []byte(`
base: base.yaml
params:
  loss_weighting.lambda_fair: {grid: [0.1, 0.3]}
  model.fusion_num_heads: {grid: [4, 8]}
objectives:
  val_auc: max
  val_f_meo: min
`), 0o644)
	out := filepath.Join(dir, "sw")
	code, stdout, stderr := runCLI(t, "sweep", "run", "--space", space, "--out", out, "--parallel", "2",
		"--fairclip", "../../sweep/testdata/fake-fairclip.sh")
	if code != 0 || !strings.Contains(stdout, "4 trials: 4 complete") {
		t.Fatalf("sweep run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "sweep", "status", out, "--json")
	var trials []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &trials) != nil || len(trials) != 4 {
		t.Fatalf("status --json: exit %d\n%s", code, stdout)
	}
	// The stand-in gives val_auc = 0.9 - lambda and val_f_meo = 0.5 + heads/100: the best
	// AUC is lambda 0.1, the best F_MEO heads 4, and the front is the two trials with
	// lambda 0.1 (heads 4 dominates heads 8 there).
	code, stdout, _ = runCLI(t, "sweep", "best", out)
	if code != 0 || !strings.Contains(stdout, "best val_auc (max): trial 0") || !strings.Contains(stdout, "best val_f_meo (min): trial 0") {
		t.Errorf("best: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "sweep", "pareto", out, "--json", "--no-report")
	if code != 0 || json.Unmarshal([]byte(stdout), &trials) != nil || len(trials) != 1 || trials[0]["id"].(float64) != 0 {
		t.Errorf("pareto: exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "pareto.png")); err != nil {
		t.Errorf("pareto plot: %v", err)
	}
	if code, _, _ := runCLI(t, "sweep", "run", "--space", filepath.Join(dir, "missing.yaml"), "--out", out); code != 2 {
		t.Errorf("missing space file: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "sweep", "status", dir); code != 2 {
		t.Errorf("status of a non-sweep directory: exit %d, want 2", code)
	}
}

// TestSweepCLINoCompletedTrial checks the exits when no trial completes: a space whose
// every trial is invalid exits 2 before starting anything, a sweep whose trials all crash
// exits non-zero, and `sweep best`/`pareto` then say so instead of drawing.
func TestSweepCLINoCompletedTrial(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("seed: 1\nscheduler:\n  warmup_epochs: 3\n"), 0o644)
	cases := []struct {
		name, params string
		code         int
		want         string
	}{
		{"invalid", "training.num_epochs: {grid: [1, 2]}", 2, "every trial's configuration is invalid"},
		{"crashing", "loss_weighting.lambda_fair: {grid: [0.99]}", 1, "no completed trial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			space := filepath.Join(dir, c.name+".yaml")
			os.WriteFile(space, []byte("base: base.yaml\nparams:\n  "+c.params+"\nobjectives:\n  val_auc: max\n  val_f_meo: min\n"), 0o644)
			out := filepath.Join(dir, c.name)
			code, stdout, stderr := runCLI(t, "sweep", "run", "--space", space, "--out", out,
				"--fairclip", "../../sweep/testdata/fake-fairclip.sh")
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Fatalf("sweep run: exit %d, want %d with %q\n%s\n%s", code, c.code, c.want, stdout, stderr)
			}
			for _, sub := range []string{"best", "pareto"} {
				code, stdout, stderr := runCLI(t, "sweep", sub, out)
				if code == 0 || !strings.Contains(stderr, "no completed trial") {
					t.Errorf("sweep %s: exit %d\n%s\n%s", sub, code, stdout, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "pareto.png")); err == nil {
				t.Errorf("a Pareto plot was drawn without a completed trial")
			}
		})
	}
}
