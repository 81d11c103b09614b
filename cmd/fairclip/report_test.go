package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	runs, _ := filepath.Glob("../../report/testdata/runs/exp[123]_*")
	if len(runs) != 3 {
		t.Fatalf("test runs: %v", runs)
	}
	out := filepath.Join(t.TempDir(), "r.md")
	root := newRootCmd()
	var stdout bytes.Buffer
	root.SetOut(&stdout)
	root.SetArgs(append([]string{"report", "--out", out, "--bootstrap", "0", "--no-plots", "--lang", "ko"}, runs...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "## 1. 실험 개요") || !strings.Contains(stdout.String(), "wrote "+out) {
		t.Errorf("report not written as asked; stdout %q", stdout.String())
	}
	if _, err := os.Stat(strings.TrimSuffix(out, ".md") + "_plots"); err == nil {
		t.Error("--no-plots made a plot folder")
	}

	for _, args := range [][]string{{"report", "--lang", "fr", runs[0]}, {"report", "--bootstrap", "-1", runs[0]}} {
		root := newRootCmd()
		root.SetOut(&bytes.Buffer{})
		root.SetArgs(args)
		if err := root.Execute(); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v (exit %d), want exit 2", args, err, exitCode(err))
		}
	}
}
