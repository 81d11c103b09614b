package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyTrainConfig = `model:
  feature_dim: 16
  stage1_hidden_dim: 12
  stage2_hidden_dim: 10
  classifier_hidden_dims: [8, 4]
  random_stage1: true
  fusion_num_heads: 4
stage1_checkpoint: ""
training:
  num_epochs: 2
  train_batch_size: 64
scheduler:
  warmup_epochs: 1
evaluation:
  test_datasets: [celebdf]
`

func TestTrainAndEvalCLI(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(cfg, []byte(tinyTrainConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "--config", cfg, "--synthetic-features", "tiny", "--dry-run"}, 0, "trainable 4,463"},
		{[]string{"train", "--config", cfg, "--synthetic-features", "tiny", "--dry-run"}, 0, "attention softmax is 1"},
		{[]string{"train", "--config", cfg, "--dry-run"}, 2, "--synthetic-features"},
		{[]string{"train", "--config", cfg, "--synthetic-features", "huge"}, 2, "unknown preset"},
		{[]string{"train", "--config", cfg, "--set", "model.dropout=2", "--synthetic-features", "tiny"}, 2, "dropout"},
		{[]string{"train", "--config", cfg, "--synthetic-features", "tiny", "--run-dir", run}, 0, "completed, 2 epochs"},
		{[]string{"eval", "--run", run, "--synthetic-features", "tiny", "--datasets", "ff++,dfd"}, 0, "convention fairclip"},
		{[]string{"eval", "--synthetic-features", "tiny"}, 1, "--run RUNDIR"},
	}
	for _, tc := range tests {
		code, out := runMetricsCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("fairclip %s: exit %d (want %d), output lacks %q:\n%s", strings.Join(tc.args, " "), code, tc.code, tc.want, out)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(run, "scores", "eval_test_dfd_ep*.csv")); len(m) != 1 {
		t.Errorf("eval scores: %v", m)
	}
}
