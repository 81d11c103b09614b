package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// probeArgs run the probe on the tiny synthetic features with a 16-d head.
var probeArgs = []string{"probe", "fairloss", "--config", "../../configs/exp1_baseline.yaml", "--synthetic-features", "tiny",
	"--set", "model.feature_dim=16", "--set", "model.stage1_hidden_dim=12", "--set", "model.stage2_hidden_dim=10",
	"--set", "model.classifier_hidden_dims=[8, 4]", "--set", "model.random_stage1=true", "--set", "stage1_checkpoint=",
	"--set", "training.train_batch_size=64", "--batches", "3"}

func TestProbeFairlossCommand(t *testing.T) {
	code, out, errOut := runCLI(t, append(probeArgs, "--blur", "1e-4,0.5", "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Batches int `json:"batches"`
		Blurs   []struct {
			Blur   float64  `json:"blur"`
			Mean   *float64 `json:"mean_fair_loss"`
			Ratio  *float64 `json:"ratio_to_first"`
			Lambda *float64 `json:"lambda_for_target"`
		} `json:"blurs"`
		Target float64 `json:"lambda_target"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Batches != 3 || res.Target != 0.03 || len(res.Blurs) != 2 || res.Blurs[1].Blur != 0.5 {
		t.Fatalf("json %s", out)
	}
	for _, b := range res.Blurs {
		if b.Mean == nil || b.Lambda == nil || b.Ratio == nil || *b.Mean <= 0 {
			t.Errorf("blur %g: %s", b.Blur, out)
		}
	}
	if *res.Blurs[1].Ratio <= 1 {
		t.Errorf("blur 0.5 does not shrink the loss: ratio %g", *res.Blurs[1].Ratio)
	}

	code, out, errOut = runCLI(t, append(probeArgs, "--lambda-target", "0.1")...)
	if code != 0 || !strings.Contains(out, "lambda@target") || !strings.Contains(out, "(L_cls + lambda*L_fair) = 0.1;") {
		t.Errorf("table: exit %d\n%s%s", code, out, errOut)
	}
}

func TestProbeFairlossBadInput(t *testing.T) {
	for _, extra := range [][]string{
		{"--blur", "1e-4,x"}, {"--blur", "-1"}, {"--lambda-target", "1"}, {"--batches", "0"},
		{"--config", filepath.Join(t.TempDir(), "missing.yaml")},
	} {
		if code, _, errOut := runCLI(t, append(append([]string{}, probeArgs...), extra...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", extra, code, errOut)
		}
	}
	if code, _, _ := runCLI(t, "probe", "fairloss"); code != 2 {
		t.Errorf("no config: exit %d, want 2", code)
	}
}

func TestQuickstartCommandBadInput(t *testing.T) {
	for _, args := range [][]string{{"--scale", "full"}, {"--epochs", "0"}, {"--batch", "4"}} {
		if code, _, errOut := runCLI(t, append([]string{"quickstart", "--out", t.TempDir()}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}
