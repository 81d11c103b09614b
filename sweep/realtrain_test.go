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

// buildFairclip compiles the fairclip binary once per test binary run.
func buildFairclip(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fairclip")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/fairclip")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fairclip: %v\n%s", err, out)
	}
	return bin
}

const tinyBase = `# A 2-epoch run of a 16-d head on tiny synthetic features.
model:
  feature_dim: 16
  stage1_hidden_dim: 12
  stage2_hidden_dim: 10
  classifier_hidden_dims: [8, 4]
  gate_init_bias: 0.0
  random_stage1: true
stage1_checkpoint: ""
training:
  num_epochs: 2
  train_batch_size: 64
  val_batch_size: 32
optimizer:
  lr: 1.0e-3
scheduler:
  warmup_epochs: 1
evaluation:
  test_every_n_epochs: 1
  test_datasets: [celebdf, dfd]
`

// TestRealTrainSweep runs 4 tiny trials of the real `fairclip train` through the local
// executor and, when a cluster is up (always in CI), through Slurm.
func TestRealTrainSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs fairclip")
	}
	bin := buildFairclip(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tiny.yaml"), []byte(tinyBase), 0o644); err != nil {
		t.Fatal(err)
	}
	space := `
base: tiny.yaml
args: [--synthetic-features, tiny]
params:
  loss_weighting.lambda_fair: {grid: [0.0, 0.05]}
  model.gate_init_bias: {grid: [0.0, 1.0]}
objectives:
  val_auc: max
  val_f_meo: min
  mean_test_auc: max
`
	if err := os.WriteFile(filepath.Join(dir, "space.yaml"), []byte(space), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSpace(filepath.Join(dir, "space.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	executors := []string{"local"}
	if _, err := exec.LookPath("sbatch"); err == nil && exec.Command("sinfo", "-h").Run() == nil {
		executors = append(executors, "slurm")
	} else if os.Getenv("CI") == "true" {
		t.Fatal("Slurm cluster not reachable in CI (scripts/slurm-up.sh)")
	}
	for _, ex := range executors {
		out := filepath.Join(dir, "sweep-"+ex)
		sum, err := Run(context.Background(), s, Options{SweepDir: out, Executor: ex, Parallel: 2,
			Command: []string{bin}, Poll: 200 * time.Millisecond})
		if err != nil {
			t.Fatalf("%s: %v", ex, err)
		}
		if sum.Complete != 4 {
			for _, tr := range sum.Trials {
				log, _ := os.ReadFile(filepath.Join(tr.RunDir, "trial.log"))
				t.Logf("trial %d %s %s\n%s", tr.ID, tr.State, tr.Error, log)
			}
			t.Fatalf("%s: %d of 4 trials complete", ex, sum.Complete)
		}
		for _, tr := range sum.Trials {
			for k, v := range tr.Values {
				if math.IsNaN(v) || v < 0 || v > 1 {
					t.Errorf("%s: trial %d objective %s = %v", ex, tr.ID, s.Objectives[k].Name, v)
				}
			}
			if _, err := os.Stat(filepath.Join(tr.RunDir, "best.safetensors")); err != nil {
				t.Errorf("%s: trial %d: %v", ex, tr.ID, err)
			}
		}
		st, err := LoadStatus(out)
		if err != nil {
			t.Fatal(err)
		}
		front := ParetoFront(st.Trials, st.Objectives)
		if len(front) == 0 {
			t.Fatalf("%s: empty Pareto front", ex)
		}
		rep := filepath.Join(out, "pareto-report.md")
		dirs, err := ReportFront(st, rep)
		if err != nil || len(dirs) != len(front) {
			t.Fatalf("%s: front report: %v (%d runs)", ex, err, len(dirs))
		}
		if b, err := os.ReadFile(rep); err != nil || !strings.Contains(string(b), "## 2. Configurations") {
			t.Errorf("%s: front report missing or without the configuration table: %v", ex, err)
		}
		png := filepath.Join(out, "pareto.png")
		if err := PlotPareto(png, st, 0, 1); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(png); err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
			t.Errorf("%s: pareto.png is not a PNG: %v", ex, err)
		}
	}
}
