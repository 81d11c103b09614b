package quickstart

import (
	"math"
	"strings"
	"testing"
)

// TestSeedMeanDiff checks the difference of seed means and its standard error by
// hand: a = {0.1, 0.3} (mean 0.2, sample variance 0.02), b = {0.4, 0.6, 0.8} (mean
// 0.6, variance 0.04): difference 0.4, standard error sqrt(0.02/2 + 0.04/3).
func TestSeedMeanDiff(t *testing.T) {
	runs := func(v ...float64) []runPoint {
		var out []runPoint
		for _, x := range v {
			out = append(out, runPoint{lastFFPR: x})
		}
		return out
	}
	d, se := seedMeanDiff(runs(0.1, 0.3), runs(0.4, 0.6, 0.8), func(p runPoint) float64 { return p.lastFFPR })
	if math.Abs(d-0.4) > 1e-12 || math.Abs(se-math.Sqrt(0.02/2+0.04/3)) > 1e-12 {
		t.Fatalf("diff %g, se %g; want 0.4, %g", d, se, math.Sqrt(0.02/2+0.04/3))
	}
	if got := noiseJudgement(d, se); !strings.HasPrefix(got, "beyond") {
		t.Errorf("0.4 with s.e. %.3f: %q", se, got)
	}
	if got := noiseJudgement(0.2, se); !strings.HasPrefix(got, "within") {
		t.Errorf("0.2 with s.e. %.3f: %q", se, got)
	}
}

// TestSeriesFindingSaysNoise: the printed finding gives each gap's change with its
// training-seed standard error, and says when one seed per lambda cannot tell.
func TestSeriesFindingSaysNoise(t *testing.T) {
	mk := func(l float64, fpr ...float64) seriesPoint {
		sp := seriesPoint{lambda: l}
		for _, f := range fpr {
			sp.runs = append(sp.runs, runPoint{lastFFPR: f, lastFMEO: f / 2})
			sp.lastFFPR += f / float64(len(fpr))
			sp.lastFMEO += f / 2 / float64(len(fpr))
		}
		return sp
	}
	var b strings.Builder
	writeSeriesFinding(&b, []seriesPoint{mk(0, 0.5, 0.7, 0.6), mk(0.5, 0.2, 0.3, 0.25)})
	out := b.String()
	for _, want := range []string{"F_FPR falls from 60.0% to 25.0%", "F_FPR, lambda 0 -> 0.5: -35.0 points, standard error", "beyond two standard errors"} {
		if !strings.Contains(out, want) {
			t.Errorf("finding lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	writeSeriesFinding(&b, []seriesPoint{mk(0, 0.5), mk(0.5, 0.4)})
	if !strings.Contains(b.String(), "training-seed noise is unknown") {
		t.Errorf("one seed per lambda:\n%s", b.String())
	}
}
