package quickstart

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/runs"
)

// TestQuickstartEndToEnd runs the quickstart at the tiny scale with its own epochs and
// backbone (the default random A1, 50 bootstrap resamples, seed 7 rather than the default
// 42; the lambda_fair series and the gate contrast also at training seeds 8 and 9),
// checks the run folders and that the report has every section, its intervals and its
// PNG plots, then the science (science_test.go): Exp1 learns, the planted bias shows,
// the series' fairness term acts (its gaps are logged, not asserted: docs/quickstart.md),
// the gate contrast holds on the seed means.
func TestQuickstartEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "qs")
	var log bytes.Buffer
	opts := Options{Out: out, Seed: 7, Bootstrap: 50, Version: "test", Log: &log}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	text := log.String()
	for _, want := range []string{"TINY RANDOM ViT", "random:w64l2h4p8r64o64:seed=7", "[7/8] Report", "Next, with real data and weights", "fairclip detect --run ", "fairclip serve --run ",
		"lambda_fair series", "F_FPR, lambda 0 -> 0.5: ", "from the spread over 3 and 3 training seeds", "gate_init_bias 1.0 (Exp1)", "Clouds: the fairness loss compares",
		"fairclip train --config configs/exp3_balanced_recovery.yaml", res.Report} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if res.Stage1Run != "" || !strings.HasPrefix(res.Stage1, "seeded random") {
		t.Errorf("Stage 1: %q (want the default seeded random A1)\n%s", res.Stage1, text)
	}
	variants := Variants(32)
	if len(res.Runs) != len(Experiments)+len(variants) {
		t.Fatalf("runs %v", res.Runs)
	}
	for i, dir := range res.Runs {
		want := ""
		if i < len(Experiments) {
			want = Experiments[i].Name
		} else {
			want = variants[i-len(Experiments)].Name
		}
		if filepath.Base(dir) != want {
			t.Errorf("run %d in %s, want %s", i, dir, want)
		}
		evs, err := runs.ReadEvents(dir)
		if err != nil {
			t.Fatal(err)
		}
		var status string
		var tests int
		for _, ev := range evs {
			switch e := ev.(type) {
			case runs.RunEndEvent:
				status = e.Status
			case *runs.RunEndEvent:
				status = e.Status
			case runs.TestEvent, *runs.TestEvent:
				tests++
			}
		}
		if status != runs.StatusCompleted || tests < 3 {
			t.Errorf("%s: status %q, %d test events", dir, status, tests)
		}
	}
	// The resolved configuration is the run's, scaled down.
	cfg, err := os.ReadFile(res.Configs["exp2_fairness_boost"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"feature_dim: 64", "num_epochs: 25", "train_batch_size: 32", "lr: 0.002", "sinkhorn_blur: 0.001", "lambda_fair: 0.5"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("exp2 configuration lacks %q", want)
		}
	}

	md, err := os.ReadFile(res.Report)
	if err != nil {
		t.Fatal(err)
	}
	report := string(md)
	for _, section := range []string{
		"## 1. Overview", "### 1.2 Setup", "## 2. Configurations", "### 2.1 Hyperparameter differences",
		"### 3.1 Core metrics", "### 3.2 Cross-dataset generalization", "### 3.3 Validation fairness", "### 3.4 Test fairness",
		"### 3.5 Confidence intervals", "## 4. Analysis", "### 4.1 Fusion gate", "### 4.2 Sinkhorn blur", "### 4.3 Degenerate phase",
		"### 4.4 Train/validation loss gap", "## 5. Findings", "## 6. Recommendations",
	} {
		if !strings.Contains(report, section) {
			t.Errorf("report lacks %q", section)
		}
	}
	for _, e := range Experiments {
		if !strings.Contains(report, e.Name) {
			t.Errorf("report lacks run %s", e.Name)
		}
	}
	for _, ds := range []string{"celebdf", "dfd", "dfdc"} {
		if !regexp.MustCompile(`(?m)^\| ` + ds + ` \| (\*\*)?0\.\d{4}`).MatchString(report) {
			t.Errorf("report has no test AUC row for %s", ds)
		}
	}
	ci := report[strings.Index(report, "### 3.5"):strings.Index(report, "## 4. Analysis")]
	if !regexp.MustCompile(`\| 0\.\d{4} \| \[0\.\d{4}, 0\.\d{4}\] \|`).MatchString(ci) {
		t.Errorf("confidence intervals section has no interval:\n%s", ci)
	}
	links := regexp.MustCompile(`!\[[^\]]*\]\(([^)]+\.png)\)`).FindAllStringSubmatch(report, -1)
	if len(links) < 5 {
		t.Fatalf("report embeds %d plots", len(links))
	}
	for _, l := range links {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(res.Report), l[1]))
		if err != nil {
			t.Errorf("plot: %v", err)
			continue
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("plot %s is not a PNG", l[1])
		}
	}
	if _, err := os.Stat(res.ReportHTML); err != nil {
		t.Error(err)
	}
	if !strings.Contains(report, "lambda_fair series (runs that differ only in lambda_fair") {
		t.Errorf("report findings lack the lambda_fair series")
	}
	if len(res.Pareto) != 2 {
		t.Errorf("pareto plots %v", res.Pareto)
	}
	for _, p := range res.Pareto {
		if b, err := os.ReadFile(p); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("pareto plot %s: %v", p, err)
		}
	}
	if len(res.Probe.Blurs) != 2 || !(res.Probe.Diameter > 0) {
		t.Errorf("probe %+v", res.Probe)
	}
	if len(res.SeedRuns) != 2*len(seedVariants(32)) {
		t.Errorf("seed runs %v", res.SeedRuns)
	}
	checkScience(t, res, 3)
}

// TestEmbeddedConfigsMatchRepository: the embedded copies are the repository's
// configs/ files, byte for byte.
func TestEmbeddedConfigsMatchRepository(t *testing.T) {
	entries, err := embedded.ReadDir("configs")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(Experiments)+1 {
		t.Errorf("%d embedded configurations", len(entries))
	}
	for _, e := range entries {
		got, _ := embedded.ReadFile("configs/" + e.Name())
		want, err := os.ReadFile(filepath.Join("..", "configs", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("quickstart/configs/%s differs from configs/%s: run go generate ./quickstart", e.Name(), e.Name())
		}
	}
}

func TestOutputDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Out: dir})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty directory: err %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal("the user's file was touched")
	}
	// A previous quickstart's output is replaced, the rest kept.
	prev := t.TempDir()
	o, _ := Options{Out: prev}.withDefaults()
	if err := prepareOut(o); err != nil {
		t.Fatal(err)
	}
	l := newLayout(prev)
	for _, p := range []string{filepath.Join(l.runs, "old"), filepath.Join(prev, "keep")} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := prepareOut(o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(l.runs, "old")); !os.IsNotExist(err) {
		t.Errorf("old run kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(prev, "keep")); err != nil {
		t.Errorf("unrelated folder removed: %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"scale":  {Scale: "huge"},
		"epochs": {Epochs: -1},
		"batch":  {BatchSize: 4},
		"seeds":  {Seeds: -1},
		"arch":   {Arch: "w1"},
	} {
		o.Out = filepath.Join(t.TempDir(), "qs")
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
