package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
)

// scoreSet is one evaluation's score file of a run: validation or a test dataset at
// the best epoch.
type scoreSet struct {
	key   string // "val" or the test dataset
	label string // shown in tables
	path  string // absolute or relative to the working directory
}

// aucCI is the AUC of one score set with its bootstrap interval and the paired
// difference against the baseline run's same set.
type aucCI struct {
	set               scoreSet
	auc, lo, hi       float64
	hasDiff           bool
	diff, dlo, dhi, p float64
	delongP           float64
	err               string
	note              string // the score file disagrees with events.jsonl
	// fair holds the intersectional fairness gaps (tradeoffMetrics) of this set with
	// their bootstrap intervals (A the value, Lo and Hi the interval).
	fair map[string]metrics.Difference
}

// valDataset names the validation dataset of run r (config, else the score files).
func valDataset(r *Run, epoch int) string {
	if r.HasConfig && len(r.Config.Dataset.ValidationDataset) > 0 {
		return strings.Join(r.Config.Dataset.ValidationDataset, "+")
	}
	m, _ := filepath.Glob(filepath.Join(r.Dir, runs.ScoresDir, fmt.Sprintf("val_*_ep%d.csv", epoch)))
	if len(m) == 1 {
		base := strings.TrimPrefix(filepath.Base(m[0]), "val_")
		return strings.TrimSuffix(base, fmt.Sprintf("_ep%d.csv", epoch))
	}
	return "val"
}

// scoreSets lists the run's score files at its best epoch: validation, then each test
// dataset with a test event.
func (rep *Report) scoreSets(i int) []scoreSet {
	s, r := rep.sums[i], rep.Runs[i]
	if !s.hasBest {
		return nil
	}
	ds := valDataset(r, s.best)
	sets := []scoreSet{{key: "val", label: fmt.Sprintf("val %s", ds), path: runs.ScoresPath(r.Dir, "val", ds, s.best)}}
	for _, d := range rep.datasets {
		t, ok := s.tests[d]
		if !ok {
			continue
		}
		p := runs.ScoresPath(r.Dir, "test", d, s.best)
		if t.ScoresFile != "" {
			p = filepath.Join(r.Dir, t.ScoresFile)
		}
		sets = append(sets, scoreSet{key: d, label: "test " + d, path: p})
	}
	return sets
}

// loadScores reads a score file once.
func (rep *Report) loadScores(path string) (metrics.Input, error) {
	if rep.scoreCache == nil {
		rep.scoreCache = map[string]scoresOrErr{}
	}
	if c, ok := rep.scoreCache[path]; ok {
		return c.in, c.err
	}
	in, err := metrics.ReadScoresCSV(path)
	if err != nil && os.IsNotExist(err) {
		err = fmt.Errorf("%s: no score file", path)
	}
	rep.scoreCache[path] = scoresOrErr{in, err}
	return in, err
}

type scoresOrErr struct {
	in  metrics.Input
	err error
}

func (rep *Report) runConvention(i int) string {
	if r := rep.Runs[i]; r.HasConfig && r.Config.Evaluation.FairnessConvention != "" {
		return r.Config.Evaluation.FairnessConvention
	}
	return "fairclip"
}

// computeCIs fills rep.cis (per run, per score set) when bootstrapping is on.
func (rep *Report) computeCIs() {
	rep.cis = make([][]aucCI, len(rep.Runs))
	if rep.opts.Bootstrap == 0 {
		return
	}
	baseSets := map[string]scoreSet{}
	for _, s := range rep.scoreSets(rep.baseline) {
		baseSets[s.key] = s
	}
	for i := range rep.Runs {
		for _, set := range rep.scoreSets(i) {
			c := aucCI{set: set, auc: math.NaN(), lo: math.NaN(), hi: math.NaN()}
			opts := metrics.Options{Convention: rep.runConvention(i), Bootstrap: rep.opts.Bootstrap, Seed: rep.opts.Seed}
			in, err := rep.loadScores(set.path)
			if err != nil {
				c.err = err.Error()
				rep.cis[i] = append(rep.cis[i], c)
				continue
			}
			res, err := metrics.Evaluate(in, opts)
			if err != nil {
				c.err = fmt.Sprintf("%s: %v", set.path, err)
				rep.cis[i] = append(rep.cis[i], c)
				continue
			}
			c.auc = res.AUC
			if logged := rep.loggedAUC(i, set.key); finite(logged) && math.Abs(logged-c.auc) > 5e-4 {
				c.note = rep.l.f("AUC %s from %s differs from %s in events.jsonl",
					"%[2]s의 AUC %[1]s가 events.jsonl의 %[3]s와 다름", f4(c.auc), set.path, f4(logged))
			}
			if res.CI != nil {
				iv := res.CI.Intervals["auc"]
				c.lo, c.hi = iv.Lo, iv.Hi
				c.fair = map[string]metrics.Difference{}
				for _, m := range tradeoffMetrics {
					iv := res.CI.Intervals[m.key]
					c.fair[m.key] = metrics.Difference{A: m.get(res), Lo: iv.Lo, Hi: iv.Hi}
				}
			}
			if bs, ok := baseSets[set.key]; ok && i != rep.baseline {
				if bin, err := rep.loadScores(bs.path); err != nil {
					c.err = l10nNoBaseline(rep.l, err)
				} else if cmp, err := metrics.Compare(in, bin, opts); err != nil {
					c.err = fmt.Sprintf("%s vs %s: %v", set.path, bs.path, err)
				} else if cmp.Bootstrap != nil {
					d := cmp.Bootstrap.Metrics["auc"]
					c.hasDiff, c.diff, c.dlo, c.dhi, c.p = true, d.Diff, d.Lo, d.Hi, d.P
					c.delongP = cmp.DeLong.P
				}
			}
			rep.cis[i] = append(rep.cis[i], c)
		}
	}
}

func l10nNoBaseline(l lang, err error) string {
	return l.f("baseline: %v", "기준 실행: %v", err)
}

// valCI returns run i's validation interval.
func (rep *Report) valCI(i int) (aucCI, bool) {
	if i >= len(rep.cis) {
		return aucCI{}, false
	}
	for _, c := range rep.cis[i] {
		if c.set.key == "val" && c.err == "" {
			return c, true
		}
	}
	return aucCI{}, false
}

func (rep *Report) intervals() {
	l, d := rep.l, &rep.doc
	rep.computeCIs()
	d.h3(l.s("3.5 Confidence intervals", "3.5 신뢰구간"))
	if rep.opts.Bootstrap == 0 {
		d.p(l.s("Not computed (`--bootstrap 0`).", "계산하지 않음 (`--bootstrap 0`)."))
		return
	}
	d.p(l.f("AUC from the score files of the best epoch with a 95%% bootstrap interval (%d resamples, seed %d, stratified by label), and the paired difference run − %s on the same samples (paired bootstrap; DeLong's p as a check).",
		"best epoch 점수 파일로 계산한 AUC와 95%% bootstrap 신뢰구간 (%d회 재표본, seed %d, label별 층화), 그리고 같은 샘플에서의 짝지은 차이 (실행 − %s; paired bootstrap, DeLong p 병기).",
		rep.opts.Bootstrap, rep.opts.Seed, rep.names[rep.baseline]))
	t := table{header: []string{l.s("run", "실험"), l.s("set", "세트"), "AUC", "95% CI",
		l.f("Δ vs %s", "Δ (%s 대비)", rep.names[rep.baseline]), l.s("95% CI of Δ", "Δ의 95% CI"), "p", "DeLong p", l.s("verdict", "판정")}}
	var errs []string
	for i := range rep.Runs {
		if len(rep.cis[i]) == 0 {
			t.rows = append(t.rows, []string{rep.names[i], na, na, na, na, na, na, na, l.s("no best epoch", "best epoch 없음")})
		}
		for _, c := range rep.cis[i] {
			row := []string{rep.names[i], c.set.label, f4(c.auc), ci(c.lo, c.hi), na, na, na, na, ""}
			if i == rep.baseline {
				row[8] = l.s("baseline", "기준")
			}
			if c.hasDiff {
				row[4], row[5], row[6], row[7] = fmt.Sprintf("%+.4f", c.diff), ci(c.dlo, c.dhi), f4(c.p), f4(c.delongP)
				row[8] = l.s("within noise", "노이즈 범위")
				if c.dlo > 0 || c.dhi < 0 {
					row[8] = l.s("**distinguishable**", "**유의**")
				}
			}
			if c.note != "" {
				errs = append(errs, fmt.Sprintf("**%s** %s: %s", rep.names[i], c.set.label, c.note))
			}
			if c.err != "" {
				row[8] = l.s("not available", "계산 불가")
				errs = append(errs, fmt.Sprintf("**%s** %s: %s", rep.names[i], c.set.label, c.err))
			}
			t.rows = append(t.rows, row)
		}
	}
	d.table(t)
	if len(errs) > 0 {
		sort.Strings(errs)
		d.list(false, errs)
	}
}

func ci(lo, hi float64) string {
	if !finite(lo) || !finite(hi) {
		return na
	}
	return fmt.Sprintf("[%.4f, %.4f]", lo, hi)
}

// loggedAUC is the AUC events.jsonl records for run i's score set at the best epoch.
func (rep *Report) loggedAUC(i int, key string) float64 {
	s := rep.sums[i]
	if key == "val" {
		return s.val().AUC
	}
	return s.testMetric(key, func(m runs.Metrics) float64 { return m.AUC })
}
