package report

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/runs"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_en.md (check every number by hand before committing)")

func testRuns() []string {
	return []string{
		"testdata/runs/exp1_baseline_2026-01-28-10-00-00",
		"testdata/runs/exp2_fairness_boost_2026-01-28-11-00-00",
		"testdata/runs/exp3_balanced_recovery_2026-01-28-12-00-00",
		"testdata/runs/exp4_crashed_2026-01-28-13-00-00",
	}
}

// TestGolden compares the report of the hand-made runs (plots and intervals off) with
// testdata/golden_en.md. Its numbers were checked by hand against the run files, e.g.:
// exp1 time 2520 s = 42.0 min, total 2520+2160+2400+(2x600) s = 2.30h; trainable share
// 9377475/353000000 = 2.66%; exp1 mean test AUC (0.6401+0.8119+0.7058)/3 = 0.7193; exp1
// mean raw fair loss (0.07+0.07+0.06+0.062)/4 = 0.0655, lambda x L_fair 0.05 x 0.0655 =
// 0.0033, effective share (0.007+0.009+0.008+0.010)/4 = 0.85%; exp2 vs exp1 lambda 10x,
// share 1.10/0.85 = 1.3x, fair loss 0.0655/0.009 = 7.3x smaller; exp3 share 2.50/0.85 =
// 2.9x; exp1 gap at best epoch 0.44-0.35 = 0.09; exp3 threshold finding: AUC 0.795 vs
// 0.80 (< 0.01 apart), ACC 0.78 vs 0.85.
func TestGolden(t *testing.T) {
	rep, err := Build(testRuns(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Markdown()
	compareGolden(t, got, "testdata/golden_en.md")
}

func TestTestdataEventsConform(t *testing.T) {
	for _, dir := range testRuns() {
		if err := runs.ValidateLog(dir); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

func TestPartialAndMissingRuns(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "never_ran")
	empty := t.TempDir() // a folder without any run file
	rep, err := Build([]string{testRuns()[3], missing, empty}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown()
	for _, want := range []string{
		"| exp4 (baseline) | `testdata/runs/exp4_crashed_2026-01-28-13-00-00` | **incomplete** | 2/4 | 2 | ≥ 20.0 min |",
		"**exp4**: no run_end event: the run crashed, was killed or is still running (2 of 4 epochs done)",
		"**exp4**: no test results for the best epoch (2) yet",
		"**exp4**: events.jsonl ends in a truncated line",
		"**never_ran**: run folder " + missing + " does not exist",
		"| never_ran | `" + missing + "` | **missing** |",
		"no events.jsonl: no results",
		"| celebdf | — | — | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if got := rep.Runs[0].Status(); got != "incomplete" {
		t.Errorf("exp4 status %q, want incomplete", got)
	}
}

func TestKorean(t *testing.T) {
	rep, err := Build(testRuns()[:3], Options{Lang: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown()
	for _, want := range []string{
		"# 실험 보고서: exp1, exp2, exp3",
		"## 1. 실험 개요", "### 2.1 하이퍼파라미터 변경 이력", "### 3.2 Cross-Dataset 일반화 성능 (Best Model 기준 Test AUC)",
		"| **평균** | **0.7193** | 0.6954 | 0.7070 |",
		"| F_FPR | 166.89% | 176.36% | **155.23%** | ↓ 낮을수록 공정 |",
		"## 5. 발견 사항", "## 6. 향후 권장 사항",
		"**exp1**: gate 포화: epoch 3에서 gate 평균 0.9600",
		"blur/lambda 결합: lambda_fair는 10.0× 증가했으나 (0.05 → 0.5) 실질 기여도는 1.3× 증가에 그쳤다",
		"0.0001 (복원)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Korean report lacks %q", want)
		}
	}
	for _, english := range []string{"## 1. Overview", "## 5. Findings", "gate saturated", "Recommendations"} {
		if strings.Contains(md, english) {
			t.Errorf("Korean report contains English %q", english)
		}
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := Build(nil, Options{}); err == nil {
		t.Error("no runs: no error")
	}
	if _, err := Build(testRuns(), Options{Lang: "fr"}); err == nil {
		t.Error("lang fr: no error")
	}
	if _, err := Build(testRuns(), Options{Bootstrap: -1}); err == nil {
		t.Error("bootstrap -1: no error")
	}
}

// TestWriteWithIntervalsAndPlots writes the full report (bootstrap, plots, HTML) and
// checks the interval table and that every linked plot is a PNG.
func TestWriteWithIntervalsAndPlots(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rep", "report.md")
	rep, err := Write(testRuns()[:3], out, true, Options{Bootstrap: 200, Seed: 7, Baseline: testRuns()[2]})
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
	text := string(md)
	if !strings.Contains(text, "| exp3 | val ff++ |") || !strings.Contains(text, "| baseline |") {
		t.Errorf("interval table missing the baseline row:\n%s", text)
	}
	// exp1 vs baseline exp3 on val: a paired difference with an interval and a verdict.
	var row string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "| exp1 | val ff++ |") {
			row = line
		}
	}
	cells := strings.Split(row, "|")
	if len(cells) < 10 || !strings.HasPrefix(strings.TrimSpace(cells[4]), "[") || !strings.HasPrefix(strings.TrimSpace(cells[6]), "[") {
		t.Fatalf("exp1 val interval row = %q", row)
	}
	links := 0
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "![") {
			continue
		}
		links++
		rel := line[strings.Index(line, "](")+2 : len(line)-1]
		b, err := os.ReadFile(filepath.Join(filepath.Dir(out), rel))
		if err != nil {
			t.Errorf("plot %s: %v", rel, err)
			continue
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("plot %s is not a PNG: %v", rel, err)
		}
	}
	// train loss, val AUC, fair contribution, gate, 3 ROC, subgroups.
	if links != 8 {
		t.Errorf("%d plots linked, want 8", links)
	}
	html, err := os.ReadFile(strings.TrimSuffix(out, ".md") + ".html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<img src="report_plots/roc_celebdf.png"`) || !strings.Contains(string(html), "<strong>0.8000</strong>") {
		t.Errorf("HTML lacks plots or bold cells")
	}
}
