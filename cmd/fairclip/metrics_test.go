package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runMetricsCLI runs `fairclip args...` in-process and returns the exit code and output.
func runMetricsCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		return exitCode(err), out.String() + err.Error()
	}
	return 0, out.String()
}

func writeScores(t *testing.T, dir, name string, rows int, shift float64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("score,label,group,video,path\n")
	for i := range rows {
		label := (i / 2) % 3 % 2
		score := 0.3 + 0.4*float64(label) + 0.05*float64(i%7) - shift
		fmt.Fprintf(&b, "%.3f,%d,%d,v%d,img%d.png\n", score, label, i%8, i/2, i)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMetricsCommand(t *testing.T) {
	dir := t.TempDir()
	a := writeScores(t, dir, "a.csv", 200, 0)
	b := writeScores(t, dir, "b.csv", 200, 0.08)

	code, out := runMetricsCLI(t, "metrics", "--scores", a, "--bootstrap", "20", "--compare", b,
		"--threshold-rule", "youden", "--threshold-from", b)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{"convention fairclip", "AUC", "F_FPR_overall", "%", "female-white",
		"Video level", "Threshold by rule youden", "DeLong", "paired bootstrap"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}

	code, out = runMetricsCLI(t, "metrics", "--scores", a, "--json", "--convention", "deepfakebench")
	if code != 0 {
		t.Fatalf("--json: exit %d\n%s", code, out)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	for _, key := range []string{"convention", "n", "auc", "acc", "eer", "ap", "threshold", "fairness", "video"} {
		if _, ok := res[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if res["convention"] != "deepfakebench" || res["n"] != 200.0 {
		t.Errorf("convention %v n %v", res["convention"], res["n"])
	}
	inter := res["fairness"].(map[string]any)["intersectional"].(map[string]any)
	if v, ok := inter["f_fpr"].(float64); !ok || v < 0 || v > 1 {
		t.Errorf("f_fpr %v is not a fraction", inter["f_fpr"])
	}
}

func TestMetricsCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("score,label,group\n0.5,1,0\n0.7,1,male-martian\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	oneClass := filepath.Join(dir, "one.csv")
	if err := os.WriteFile(oneClass, []byte("score,label,group\n0.5,0,0\n0.7,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"metrics", "--scores", bad}, 2, "line 3 row 2"},
		{[]string{"metrics"}, 2, "--scores is required"},
		{[]string{"metrics", "--scores", oneClass, "--convention", "nope"}, 2, "unknown convention"},
		{[]string{"metrics", "--scores", oneClass, "--threshold-rule", "youden"}, 2, "go together"},
		{[]string{"metrics", "--scores", oneClass, "--json"}, 0, `"auc": null`},
	}
	for _, c := range cases {
		code, out := runMetricsCLI(t, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d containing %q", c.args, code, out, c.code, c.want)
		}
	}
}

// TestMetricsConventionMinimum checks that only the fairclip convention applies n >= 10 by
// default: 40 rows put 5 samples (both classes) in each intersectional subgroup.
func TestMetricsConventionMinimum(t *testing.T) {
	a := writeScores(t, t.TempDir(), "a.csv", 40, 0)
	cases := []struct {
		args  []string
		valid float64
	}{
		{[]string{"--convention", "fairclip"}, 0},
		{[]string{"--convention", "pgfdd"}, 8},
		{[]string{"--convention", "deepfakebench"}, 8},
		{[]string{"--convention", "pgfdd", "--min-subgroup", "10"}, 0},
		{[]string{"--convention", "fairclip", "--min-subgroup", "5"}, 8},
	}
	for _, c := range cases {
		args := append([]string{"metrics", "--scores", a, "--json"}, c.args...)
		code, out := runMetricsCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, out)
		}
		var res struct {
			Fairness struct {
				Intersectional struct {
					Valid   float64 `json:"valid"`
					Defined bool    `json:"defined"`
				} `json:"intersectional"`
			} `json:"fairness"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		got := res.Fairness.Intersectional
		if got.Valid != c.valid || got.Defined != (c.valid >= 2) {
			t.Errorf("%v: intersectional valid %v defined %v, want %v", c.args, got.Valid, got.Defined, c.valid)
		}
	}
	code, out := runMetricsCLI(t, "metrics", "--scores", a, "--min-subgroup", "-1")
	if code != 2 || !strings.Contains(out, "--min-subgroup") {
		t.Errorf("--min-subgroup -1: exit %d, output %q; want exit 2", code, out)
	}
}
