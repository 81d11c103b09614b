package report

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fairclip/fairclip/atomicfile"
)

// Options controls a report.
type Options struct {
	// Baseline is the run folder the others are compared with; "" means the first.
	Baseline string
	// Lang is "en" (default) or "ko".
	Lang string
	// Bootstrap is the number of bootstrap resamples for confidence intervals on the
	// AUCs from the score files; 0 leaves the intervals out.
	Bootstrap int
	// Seed seeds the bootstrap.
	Seed int64
	// PlotDir, when not empty, is where PNG plots are written; the report links them
	// relative to OutDir. Empty: no plots.
	PlotDir string
	// OutDir is the directory the report file will be in (for relative links).
	OutDir string
	// NoPlots tells Write not to draw plots.
	NoPlots bool
}

// Report is a built report.
type Report struct {
	Runs       []*Run
	sums       []*summary
	names      []string
	baseline   int
	datasets   []string
	opts       Options
	l          lang
	doc        document
	cis        [][]aucCI
	scoreCache map[string]scoresOrErr
	// Warnings are problems met while building (unreadable score files, plot errors);
	// they are also in the report.
	Warnings []string
	drawn    []drawnPlot
}

// Build loads the run folders and builds the report. Missing or partial runs are kept
// and reported as such; only bad options are errors.
func Build(dirs []string, opts Options) (*Report, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("report: no run folders given")
	}
	switch opts.Lang {
	case "", "en", "ko":
	default:
		return nil, fmt.Errorf("report: unknown language %q (want en or ko)", opts.Lang)
	}
	if opts.Bootstrap < 0 {
		return nil, fmt.Errorf("report: bootstrap resamples %d < 0", opts.Bootstrap)
	}
	rep := &Report{opts: opts, l: lang{ko: opts.Lang == "ko"}}
	for _, d := range dirs {
		rep.Runs = append(rep.Runs, LoadRun(d))
	}
	if opts.Baseline != "" {
		rep.baseline = -1
		for i, d := range dirs {
			if filepath.Clean(d) == filepath.Clean(opts.Baseline) {
				rep.baseline = i
			}
		}
		if rep.baseline < 0 {
			rep.Runs = append([]*Run{LoadRun(opts.Baseline)}, rep.Runs...)
			rep.baseline = 0
		}
	}
	for _, r := range rep.Runs {
		rep.sums = append(rep.sums, summarize(r))
	}
	rep.names = columnNames(rep.Runs)
	rep.datasets = testDatasets(rep.Runs)
	rep.build()
	return rep, nil
}

// columnNames are the runs' names, made unique with the folder name when needed.
func columnNames(rs []*Run) []string {
	seen := map[string]int{}
	for _, r := range rs {
		seen[r.Name]++
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
		if seen[r.Name] > 1 {
			names[i] = r.Name + " (" + filepath.Base(filepath.Clean(r.Dir)) + ")"
		}
	}
	return names
}

// testDatasets lists the test datasets: the configured ones in order, then any other
// dataset that has a test event, sorted.
func testDatasets(rs []*Run) []string {
	var out []string
	seen := map[string]bool{}
	add := func(d string) {
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, r := range rs {
		if r.HasConfig {
			for _, d := range r.Config.Evaluation.TestDatasets {
				add(d)
			}
		}
	}
	var extra []string
	for _, r := range rs {
		for _, t := range r.Tests {
			if !seen[t.Dataset] {
				extra = append(extra, t.Dataset)
				seen[t.Dataset] = true
			}
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

func (rep *Report) build() {
	l := rep.l
	if rep.allStage1() {
		rep.buildStage1()
		return
	}
	rep.doc.title = l.f("Experiment report: %s", "실험 보고서: %s", strings.Join(rep.names, ", "))
	rep.overview()
	rep.configs()
	rep.results()
	rep.intervals()
	if len(rep.stage1Runs()) > 0 {
		rep.doc.h3(l.s("3.6 Stage 1 runs", "3.6 Stage 1 실행"))
		rep.doc.p(l.s("The Stage 1 runs have no detection results; their columns in 3.1-3.5 are empty. Their own columns:",
			"Stage 1 실행에는 탐지 결과가 없어 3.1-3.5의 해당 열은 비어 있다. Stage 1 지표:"))
		rep.stage1Results("3.6.1", "3.6.2", "3.6.3", "3.6.4")
	}
	rep.analysis()
	rep.findings()
	rep.plots()
	rep.files()
}

// Markdown returns the report as GitHub Markdown.
func (rep *Report) Markdown() string { return rep.doc.markdown() }

// HTML returns the report as an HTML page.
func (rep *Report) HTML() string { return rep.doc.html(rep.l.code()) }

// Write builds the report for dirs and writes it to out (Markdown), with PNG plots in
// {out without extension}_plots/ and, when html is set, out with extension .html.
func Write(dirs []string, out string, html bool, opts Options) (*Report, error) {
	opts.OutDir = filepath.Dir(out)
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	switch {
	case opts.NoPlots:
		opts.PlotDir = ""
	case opts.PlotDir == "":
		opts.PlotDir = strings.TrimSuffix(out, filepath.Ext(out)) + "_plots"
	}
	if opts.PlotDir != "" {
		if err := os.MkdirAll(opts.PlotDir, 0o755); err != nil {
			return nil, fmt.Errorf("report plots: %w", err)
		}
	}
	rep, err := Build(dirs, opts)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(out, []byte(rep.Markdown()), 0o644); err != nil {
		return nil, err
	}
	if html {
		path := strings.TrimSuffix(out, filepath.Ext(out)) + ".html"
		if err := atomicfile.WriteFile(path, []byte(rep.HTML()), 0o644); err != nil {
			return nil, err
		}
	}
	return rep, nil
}
