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

// TestQuickstartBadInput: bad flags exit 2 with a message naming the flag, before
// anything is written.
func TestQuickstartBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "bogus"}, `--arch: weights "random:bogus": unknown architecture "bogus"`},
		{[]string{"--arch", "w64l2h3p8r64o64"}, "--arch: weights"},
		{[]string{"--scale", "huge"}, `--scale "huge"`},
		{[]string{"--epochs", "0"}, "--epochs 0"},
	} {
		out := filepath.Join(t.TempDir(), "qs")
		code, _, stderr := runCLI(t, append([]string{"quickstart", "--out", out}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: code %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: output directory written (%v)", tc.args, err)
		}
	}
}
