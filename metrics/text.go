package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// fmtFrac prints a fraction with 4 decimals, "n/a" when undefined.
func fmtFrac(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", v)
}

// fmtPct prints a fraction as a percentage with 2 decimals (the report's style).
func fmtPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

func fmtInterval(iv Interval, pct bool) string {
	f := fmtFrac
	if pct {
		f = fmtPct
	}
	s := fmt.Sprintf("[%s, %s]", f(iv.Lo), f(iv.Hi))
	if iv.Undefined > 0 {
		s += fmt.Sprintf(" (%d undefined)", iv.Undefined)
	}
	return s
}

func (g GroupFairness) metric(name string) float64 {
	switch name {
	case "f_fpr":
		return g.FFPR
	case "f_fpr_overall":
		return g.FFPROverall
	case "f_oae":
		return g.FOAE
	case "f_dp":
		return g.FDP
	}
	return g.FMEO
}

func (f Fairness) parts() [3]GroupFairness {
	return [3]GroupFairness{f.Intersectional, f.Gender, f.Race}
}

// fairnessLabels pairs each gap's JSON key with its printed name.
func fairnessLabels() [5][2]string {
	return [5][2]string{{"f_fpr", "F_FPR"}, {"f_fpr_overall", "F_FPR_overall"},
		{"f_oae", "F_OAE"}, {"f_dp", "F_DP"}, {"f_meo", "F_MEO"}}
}

// WriteText writes the human report: detection metrics as fractions, fairness in percent.
func (r Report) WriteText(out io.Writer) error {
	w := bufio.NewWriter(out)
	conv, _ := ConventionByName(r.Convention)
	fmt.Fprintf(w, "fairclip metrics: %s\n%s\n", r.Scores, conv.Describe(r.Threshold))
	fmt.Fprintf(w, "samples %d (fake %d, real %d)\n", r.N, r.Positives, r.Negatives)
	if r.CI != nil {
		fmt.Fprintf(w, "intervals: %g%% percentile bootstrap, %d resamples of %ss stratified by label, seed %d\n",
			100*r.CI.Level, r.CI.Resamples, r.CI.Unit, r.CI.Seed)
	}
	writeBlock(w, "", r.Result.AUC, r.ACC, r.EER, r.AP, r.Fairness, r.CI)
	if v := r.Video; v != nil {
		fmt.Fprintf(w, "\nVideo level (mean score per video): %d videos (fake %d, real %d)", v.N, v.Positives, v.Negatives)
		if v.MixedGroup > 0 {
			fmt.Fprintf(w, "; %d with mixed subgroups counted as unknown", v.MixedGroup)
		}
		fmt.Fprintln(w)
		writeBlock(w, "video.", v.AUC, v.ACC, v.EER, v.AP, v.Fairness, r.CI)
	}
	if c := r.ThresholdChoice; c != nil {
		fmt.Fprintf(w, "\nThreshold by rule %s chosen on %s: %.6g (score >= t is fake)\n", c.Rule, c.From, c.Threshold)
		fmt.Fprintf(w, "  %-30s %12s %12s\n", "", fmt.Sprintf("at %g", r.Threshold), fmt.Sprintf("at %.4g", c.Threshold))
		fmt.Fprintf(w, "  %-30s %12s %12s\n", "ACC", fmtFrac(r.ACC), fmtFrac(c.ACC))
		for k, part := range partitions() {
			for _, m := range fairnessLabels() {
				fmt.Fprintf(w, "  %-30s %12s %12s\n", m[1]+" "+part.name, fmtPct(r.Fairness.parts()[k].metric(m[0])),
					fmtPct(c.Fairness.parts()[k].metric(m[0])))
			}
		}
	}
	if c := r.Compare; c != nil {
		writeComparison(w, c)
	}
	return w.Flush()
}

func writeBlock(w io.Writer, prefix string, auc, acc, eer, ap float64, f Fairness, ci *CI) {
	fmt.Fprintln(w)
	for _, m := range []struct {
		key, label string
		v          float64
	}{{"auc", "AUC", auc}, {"acc", "ACC", acc}, {"eer", "EER", eer}, {"ap", "AP", ap}} {
		line := fmt.Sprintf("  %-4s %s", m.label, fmtFrac(m.v))
		if ci != nil {
			line += "  " + fmtInterval(ci.Intervals[prefix+m.key], false)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "\n  %-15s", "Fairness")
	width := 10
	if ci != nil {
		width = 30
	}
	for _, part := range partitions() {
		fmt.Fprintf(w, " %-*s", width, part.name)
	}
	fmt.Fprintln(w)
	for _, m := range fairnessLabels() {
		fmt.Fprintf(w, "  %-15s", m[1])
		for k, part := range partitions() {
			cell := fmtPct(f.parts()[k].metric(m[0]))
			if ci != nil {
				cell += " " + fmtInterval(ci.Intervals[prefix+part.name+"."+m[0]], true)
			}
			fmt.Fprintf(w, " %-*s", width, cell)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  %-15s", "valid groups")
	for k, part := range partitions() {
		fmt.Fprintf(w, " %-*s", width, fmt.Sprintf("%d/%d", f.parts()[k].Valid, len(part.classes)))
	}
	fmt.Fprintln(w)
	for k, part := range partitions() {
		g := f.parts()[k]
		if !g.Defined {
			fmt.Fprintf(w, "  %s fairness undefined: %s\n", part.name, g.Reason)
		}
	}
	writeSubgroups(w, f.Intersectional, partitions()[0])
}

func writeSubgroups(w io.Writer, g GroupFairness, part partition) {
	fmt.Fprintf(w, "\n  %-14s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n", "subgroup", "n", "fake", "real",
		"FPR", "TPR", "FNR", "TNR", "ACC", "PR", "NR", "AUC")
	var skipped []string
	for _, name := range part.classes {
		if reason, ok := g.Skipped[name]; ok {
			skipped = append(skipped, fmt.Sprintf("%s (%s)", name, reason))
		}
		s, ok := g.Groups[name]
		if !ok {
			continue
		}
		mark := ""
		if !s.Used {
			mark = " *"
		}
		fmt.Fprintf(w, "  %-14s %7d %7d %7d %7s %7s %7s %7s %7s %7s %7s %7s%s\n", name, s.N, s.Positives, s.Negatives,
			fmtFrac(s.FPR), fmtFrac(s.TPR), fmtFrac(s.FNR), fmtFrac(s.TNR), fmtFrac(s.ACC), fmtFrac(s.PR),
			fmtFrac(s.NR), fmtFrac(s.AUC), mark)
	}
	if g.Unknown > 0 {
		fmt.Fprintf(w, "  unknown subgroup: %d samples (not in any subgroup)\n", g.Unknown)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "  left out of the gaps (*): %s\n", strings.Join(skipped, ", "))
	}
}

func writeComparison(w io.Writer, c *CompareReport) {
	d := c.DeLong
	fmt.Fprintf(w, "\nComparison with %s (%d samples paired by %s; differences are this file minus that one)\n",
		c.With, c.N, c.MatchedBy)
	fmt.Fprintf(w, "  AUC %s vs %s, diff %s, DeLong SE %s, z %.3f, p %.4g\n", fmtFrac(d.AUCA), fmtFrac(d.AUCB),
		fmtFrac(d.Diff), fmtFrac(d.SE), d.Z, d.P)
	b := c.Bootstrap
	if b == nil {
		return
	}
	fmt.Fprintf(w, "  paired bootstrap: %d resamples of %ss, seed %d, %g%% intervals\n", b.Resamples, b.Unit, b.Seed, 100*b.Level)
	fmt.Fprintf(w, "  %-36s %9s %9s %9s %22s %7s\n", "metric", "this", "other", "diff", "interval", "p")
	_, hasVideo := b.Metrics["video.auc"]
	for _, name := range scalarNames(hasVideo) {
		m, ok := b.Metrics[name]
		if !ok {
			continue
		}
		pct := strings.Contains(name, "f_")
		f := fmtFrac
		if pct {
			f = fmtPct
		}
		fmt.Fprintf(w, "  %-36s %9s %9s %9s %22s %7.4f\n", name, f(m.A), f(m.B), f(m.Diff),
			fmtInterval(Interval{Lo: m.Lo, Hi: m.Hi}, pct), m.P)
	}
}
