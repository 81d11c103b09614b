package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/detect"
	"github.com/fairclip/fairclip/detect/detecttest"
	"github.com/fairclip/fairclip/metrics"
)

// TestDetectCLI trains a tiny run on synthetic faces once and runs the subtests on it.
func TestDetectCLI(t *testing.T) {
	fx, err := detecttest.TrainedRun(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("PrintsEvalScores", func(t *testing.T) { testDetectPrintsEvalScores(t, fx) })
	t.Run("ExitCodes", func(t *testing.T) { testDetectExitCodes(t, fx) })
}

// testDetectPrintsEvalScores: the probabilities `fairclip detect --json
// --no-face-detect` prints for training-style face crops are the scores
// `fairclip eval` writes for the same samples.
func testDetectPrintsEvalScores(t *testing.T, fx detecttest.Fixture) {
	if code, out := runMetricsCLI(t, "eval", "--run", fx.Run, "--datasets", "celebdf"); code != 0 {
		t.Fatalf("eval: exit %d:\n%s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join(fx.Run, "scores", "eval_test_celebdf_ep*.csv"))
	if len(files) != 1 {
		t.Fatalf("eval score files: %v", files)
	}
	in, err := metrics.ReadScoresCSV(files[0])
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float32{}
	var paths []string
	for i, p := range in.Paths {
		abs := filepath.Join(fx.Data, filepath.FromSlash(p))
		want[abs] = float32(in.Scores[i])
		paths = append(paths, abs)
	}
	sort.Strings(paths)
	paths = paths[:12]

	code, out := runMetricsCLI(t, append([]string{"detect", "--run", fx.Run, "--no-face-detect", "--json"}, paths...)...)
	if code != 0 {
		t.Fatalf("detect: exit %d:\n%s", code, out)
	}
	var rep detect.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("detect --json: %v\n%s", err, out)
	}
	if len(rep.Results) != len(paths) || rep.Failed != 0 || rep.Model.Backbone != "random:tiny:seed=1" || rep.Model.Threshold != 0.5 {
		t.Fatalf("report: %d results, %d failed, model %+v", len(rep.Results), rep.Failed, rep.Model)
	}
	for _, r := range rep.Results {
		if r.Prob == nil || float32(*r.Prob) != want[r.File] {
			t.Errorf("%s: detect %v, eval %v", r.File, r.Prob, want[r.File])
		}
	}

	// CSV: one row per face, the same probabilities, the model identity on every row.
	code, out = runMetricsCLI(t, append([]string{"detect", "--run", fx.Run, "--no-face-detect", "--csv"}, paths[:3]...)...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(detect.CSVHeader, ",") {
		t.Fatalf("detect --csv: exit %d, %v:\n%s", code, err, out)
	}
	for _, row := range rows[1:] {
		if row[0] != paths[0] && row[0] != paths[1] && row[0] != paths[2] || row[21] != fx.Run || row[24] != "random:tiny:seed=1" {
			t.Errorf("csv row %v", row)
		}
	}
}

func testDetectExitCodes(t *testing.T, fx detecttest.Fixture) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.png")
	if err := os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\ngarbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	good, _ := filepath.Glob(filepath.Join(fx.Data, "celebdf", "*", "*", "*.png"))
	sort.Strings(good)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"detect", "--run", fx.Run, "--no-face-detect", good[0]}, 0, []string{"Model: run", "1 file(s), 0 failed", "threshold 0.5 (fixed)"}},
		{[]string{"detect", "--run", fx.Run, "--no-face-detect", good[0], bad}, 1, []string{"unreadable", "1 of 2 input file(s) failed", "1 face(s)"}},
		{[]string{"detect", "--run", fx.Run, "--threshold", "eer", "--no-face-detect", good[0]}, 0, []string{"(eer on "}},
		{[]string{"detect", "--run", fx.Run}, 2, []string{"at least one"}},
		{[]string{"detect", good[0]}, 2, []string{"--run RUNDIR is required"}},
		{[]string{"detect", "--run", dir, good[0]}, 2, []string{"config.yaml"}},
		{[]string{"detect", "--run", fx.Run, "--json", "--csv", good[0]}, 2, []string{"exclude"}},
		{[]string{"detect", "--run", fx.Run, "--threshold", "1.5", good[0]}, 2, []string{"--threshold 1.5"}},
	} {
		code, out := runMetricsCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("fairclip %s: exit %d, want %d:\n%s", strings.Join(tc.args, " "), code, tc.code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("fairclip %s: output lacks %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
}
