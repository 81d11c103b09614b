package report

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/runs"
)

func stage1TestRuns() []string {
	return []string{
		"testdata/runs/s1_dann_2026-02-01-09-00-00",
		"testdata/runs/s1_linear_2026-02-01-10-00-00",
	}
}

// TestGoldenStage1 compares the report of the two hand-made Stage 1 runs
// (testdata/gen/make_stage1_runs.py; plots off) with testdata/golden_stage1_en.md.
// Checked by hand against the run files: s1_dann scores 0.96-0.3*0.2-0.2*0.4 = 0.82,
// 0.95-0.03-0.06 = 0.86 (best, epoch 2), 0.94-0.09-0.10 = 0.75, 0.93-0.075-0.10 = 0.755;
// s1_linear 0.98-0.15-0.14 = 0.69, 0.97-0.12-0.12 = 0.73 (best, epoch 2); race probe
// 0.90 -> 0.60 = -0.30 (s1_dann, bold: lower than s1_linear's 0.70, -0.20); gender
// 0.95 -> 0.80 = -0.15 vs 0.85 (-0.10); Sinkhorn global 0.80 -> 0.65 (-0.15) vs 0.75
// (-0.05), pairwise 0.90 -> 0.75 (-0.15) vs 0.85 (-0.05); subgroup male-asian 0.70 -> 0.60
// (-0.10) vs 0.68 (-0.02); female-others null in both; time 125 s = 2.1 min, s1_linear
// 2 x 30 s = 1.0 min (partial), total 185 s = 3.1 min; trainable share 1185286/428000000
// = 0.28%; note: s1_dann's lowest race probe is 0.35 at epoch 4 (0.25 below the best
// epoch's), s1_linear's lowest is its best epoch (epoch 1 has no probe).
func TestGoldenStage1(t *testing.T) {
	rep, err := Build(stage1TestRuns(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, rep.Markdown(), "testdata/golden_stage1_en.md")
}

func compareGolden(t *testing.T, got, path string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("report differs from %s at line %d:\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("report differs from %s in length: %d vs %d lines", path, len(gl), len(wl))
	}
}

func TestStage1TestdataConforms(t *testing.T) {
	for _, dir := range stage1TestRuns() {
		if err := runs.ValidateLog(dir); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
		r := LoadRun(dir)
		if !r.IsStage1() || len(r.Stage1) == 0 {
			t.Errorf("%s: not read as a Stage 1 run (%d stage1_epoch events)", dir, len(r.Stage1))
		}
	}
	if LoadRun(testRuns()[0]).IsStage1() {
		t.Error("a Stage 2 run read as Stage 1")
	}
}

// TestStage1MixedWithStage2 puts a Stage 1 run beside a Stage 2 run: the Stage 2 layout
// with a 3.6 section for the Stage 1 run, and no "no test results" problem for it.
func TestStage1MixedWithStage2(t *testing.T) {
	rep, err := Build([]string{testRuns()[0], stage1TestRuns()[0]}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown()
	for _, want := range []string{
		"# Experiment report: exp1, s1_dann",
		"### 3.5 Confidence intervals",
		"### 3.6 Stage 1 runs",
		"### 3.6.1 Stage 1 adapter at the best epoch",
		"| metric | s1_dann | direction |",
		"| race probe: raw CLIP → adapted | 0.9000 → 0.6000 (-0.3000) | ↓ lower is fairer |",
		"| s1_dann | `testdata/runs/s1_dann_2026-02-01-09-00-00` | completed | 4/4 | 2 | 2.1 min |",
		"## 7. Files",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("mixed report lacks %q", want)
		}
	}
	if strings.Contains(md, "**s1_dann**: no test results") {
		t.Error("Stage 1 run reported as missing test results")
	}
}

func TestStage1Korean(t *testing.T) {
	rep, err := Build(stage1TestRuns(), Options{Lang: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown()
	for _, want := range []string{"# Stage 1 보고서: s1_dann, s1_linear", "## 3. Stage 1 결과", "### 3.2 서브그룹별 Sinkhorn 거리 (best epoch)",
		"| race probe: raw CLIP → adapted | **0.9000 → 0.6000 (-0.3000)** | 0.9000 → 0.7000 (-0.2000) | ↓ 낮을수록 공정 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Korean Stage 1 report lacks %q", want)
		}
	}
	for _, english := range []string{"## 1. Overview", "Per epoch", "Nothing to note"} {
		if strings.Contains(md, english) {
			t.Errorf("Korean report contains English %q", english)
		}
	}
}

// TestStage1Plots writes the Stage 1 report with plots: the probe and cosine plots are
// linked and are PNGs.
func TestStage1Plots(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s1", "report.md")
	rep, err := Write(stage1TestRuns(), out, false, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) > 0 {
		t.Errorf("warnings: %v", rep.Warnings)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "![") {
			links = append(links, line[strings.Index(line, "](")+2:len(line)-1])
		}
	}
	if len(links) != 2 || links[0] != "report_plots/stage1_probes.png" || links[1] != "report_plots/stage1_cosine.png" {
		t.Fatalf("plot links %v", links)
	}
	for _, rel := range links {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(out), rel))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s is not a PNG: %v", rel, err)
		}
	}
	if !strings.Contains(string(md), "## 4. Plots") || !strings.Contains(string(md), "## 5. Files") {
		t.Error("Stage 1 report with plots: sections 4 (plots) and 5 (files) missing")
	}
}
