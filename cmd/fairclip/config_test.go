package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the fairclip command in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		errOut.WriteString(err.Error())
		return exitCode(err), out.String(), errOut.String()
	}
	return 0, out.String(), errOut.String()
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("optimizer:\n  lr: 0.001\n  wieght_decay: 0.01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("model:\n  dropout: 1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	originals, _ := filepath.Glob("../../config/testdata/original/*.yaml")
	repo, _ := filepath.Glob("../../configs/*.yaml")
	followups, _ := filepath.Glob("../../configs/followups/*.yaml")
	good := append(append(originals, repo...), followups...)
	if len(good) < 12 {
		t.Fatalf("found %d configs: %v", len(good), good)
	}

	code, out, _ := runCLI(t, append([]string{"config", "validate"}, good...)...)
	if code != 0 || strings.Count(out, ": ok\n") != len(good) {
		t.Errorf("valid configs: exit %d\n%s", code, out)
	}

	code, out, _ = runCLI(t, "config", "validate", good[0], typo)
	if code != 2 {
		t.Errorf("typo: exit %d, want 2", code)
	}
	if !strings.Contains(out, typo+":3:3: unknown key \"optimizer.wieght_decay\" (did you mean \"optimizer.weight_decay\"?)") {
		t.Errorf("typo message lacks line and suggestion:\n%s", out)
	}
	if code, _, _ = runCLI(t, "config", "validate", bad); code != 2 {
		t.Errorf("range error: exit %d, want 2", code)
	}
	if code, _, _ = runCLI(t, "config", "validate", filepath.Join(dir, "missing.yaml")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

func TestConfigShow(t *testing.T) {
	code, out, errOut := runCLI(t, "config", "show", "../../config/testdata/original/train_stage2_exp3.yaml", "--set", "fairness_loss.sinkhorn_blur=3e-4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "  sinkhorn_blur: 0.0003\n") || !strings.Contains(out, "  gate_init_bias: 0.0\n") {
		t.Errorf("resolved YAML:\n%s", out)
	}
	if !strings.Contains(errOut, "gate_init_bias") {
		t.Errorf("notice missing on stderr: %q", errOut)
	}
	code, _, errOut = runCLI(t, "config", "show", "../../configs/exp1_baseline.yaml", "--set", "optimizer.lrr=1")
	if code != 2 || !strings.Contains(errOut, `did you mean "optimizer.lr"`) {
		t.Errorf("--set typo: exit %d %q", code, errOut)
	}
	if code, _, _ = runCLI(t, "config", "show", "../../configs/exp1_baseline.yaml", "--set", "optimizer.lr=fast"); code != 2 {
		t.Errorf("--set bad type: exit %d", code)
	}
}

func TestConfigDiff(t *testing.T) {
	files := []string{"../../configs/exp1_baseline.yaml", "../../configs/exp2_fairness_boost.yaml", "../../configs/exp3_balanced_recovery.yaml"}
	code, out, errOut := runCLI(t, append([]string{"config", "diff", "--format", "markdown"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 12 { // header, rule, experiment name, nine parameters
		t.Errorf("want 12 lines, got %d:\n%s", len(lines), out)
	}
	for _, want := range []string{
		"| parameter | exp1_baseline | exp2_fairness_boost | exp3_balanced_recovery |",
		"| optimizer.lr | 0.0003 | 0.0002 (↓) | 0.0003 (restored) |",
		"| loss_weighting.lambda_fair | 0.05 | 0.5 (↑) | 0.15 (↑) |",
		"| model.gate_init_bias | 1.0 | 1.0 | 0.0 (↓) |",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if code, _, _ = runCLI(t, "config", "diff", "--format", "html", files[0], files[1]); code != 2 {
		t.Errorf("bad format: exit %d", code)
	}
	if code, _, _ = runCLI(t, "config", "diff", files[0], "nope.yaml"); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
	// Same experiment name twice: columns fall back to file stems.
	code, out, _ = runCLI(t, "config", "diff", files[0], "../../config/testdata/original/train_stage2_independent_adapter.yaml")
	if code != 0 || !strings.HasPrefix(out, "parameter ") || !strings.Contains(out, "stage2_tune_fair005") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
