package quickstart

import (
	"math"
	"testing"
)

// The properties the quickstart exists to show, asserted with margins on the
// quickstart's own runs (TestQuickstartEndToEnd's full-length run at the tiny scale,
// its lambda_fair series and gate contrast at 3 training seeds): they are properties
// of the synthetic data and the trainer, not exact numbers.

// Margins of the science checks. The lambda margins are about a third of the
// seed-mean drops measured at data seed 42 (training seeds 42-44: F_FPR -8.4, F_MEO
// -5.2 points; 1-3: -20.2, -4.5), the gate margin about a third of its contrast
// there (0.19; 0.17); docs/quickstart.md.
const (
	lambdaFPRMargin = 0.03
	lambdaMEOMargin = 0.01
	gateMargin      = 0.05
)

// checkScience asserts on the quickstart's run folders: Exp1 leaves the degenerate
// phase and reaches val AUC >= 0.85; the planted bias gives a measurable baseline gap
// (at the last epoch, out of the degenerate phase); on the mean over the training
// seeds, the largest lambda_fair of the series lowers val F_FPR and F_MEO against
// lambda 0 (runs out of the degenerate phase, so that a gap of 0 from predicting one
// class cannot pass); gate_init_bias 1.0 keeps the mean gate above 0.0's.
func checkScience(t *testing.T, res Result, seeds int) {
	t.Helper()
	all, err := loadPoints(res.Runs, res.SeedRuns)
	if err != nil {
		t.Fatal(err)
	}
	var exp1 *runPoint
	for i, p := range all {
		if p.name == Experiments[0].Name && p.seed == all[0].seed {
			exp1 = &all[i]
		}
	}
	if exp1 == nil {
		t.Fatalf("no exp1_baseline among %v", res.Runs)
	}
	t.Logf("exp1: degenerate %v of %d epochs, best val AUC %.4f, last epoch AUC %.4f F_FPR %.3f F_MEO %.3f, gate mean %.3f",
		exp1.degenerate, exp1.epochs, exp1.auc, exp1.lastAUC, exp1.lastFFPR, exp1.lastFMEO, exp1.gateMean)
	if n := len(exp1.degenerate); n > 0 && exp1.degenerate[n-1] >= exp1.epochs-2 {
		t.Errorf("Exp1 did not leave the degenerate phase (degenerate epochs %v of %d)", exp1.degenerate, exp1.epochs)
	}
	if !(exp1.auc >= 0.85) {
		t.Errorf("Exp1 best val AUC %.4f, want >= 0.85", exp1.auc)
	}
	// The gaps out of the degenerate phase (the best epoch may still be inside it).
	if !(exp1.lastFFPR >= 0.30 || exp1.lastFMEO >= 0.15) {
		t.Errorf("Exp1 last-epoch val F_FPR %.3f and F_MEO %.3f: want F_FPR >= 0.30 or F_MEO >= 0.15 (the planted bias)", exp1.lastFFPR, exp1.lastFMEO)
	}

	series := seriesOver(all)
	if len(series) != len(Lambdas) {
		t.Fatalf("series has %d lambdas, want %d", len(series), len(Lambdas))
	}
	for _, sp := range series {
		if len(sp.runs) != seeds {
			t.Errorf("lambda %g: %d runs, want one per training seed (%d)", sp.lambda, len(sp.runs), seeds)
		}
		t.Logf("lambda %g over %d seeds: val AUC %.4f, F_FPR %.3f, F_MEO %.3f (last epoch means)", sp.lambda, len(sp.runs), sp.lastAUC, sp.lastFFPR, sp.lastFMEO)
	}
	lo, hi := series[0], series[len(series)-1]
	for _, sp := range []seriesPoint{lo, hi} {
		for _, p := range sp.runs {
			if n := len(p.degenerate); n > 0 && p.degenerate[n-1] == p.epochs {
				t.Errorf("%s seed %d ends in the degenerate phase: its gaps of 0 say nothing about the fairness loss", p.name, p.seed)
			}
		}
	}
	if !(hi.lastFFPR <= lo.lastFFPR-lambdaFPRMargin) {
		t.Errorf("seed-mean val F_FPR at lambda %g: %.3f, at lambda %g: %.3f; want the larger lambda lower by >= %.2f",
			hi.lambda, hi.lastFFPR, lo.lambda, lo.lastFFPR, lambdaFPRMargin)
	}
	if !(hi.lastFMEO <= lo.lastFMEO-lambdaMEOMargin) {
		t.Errorf("seed-mean val F_MEO at lambda %g: %.3f, at lambda %g: %.3f; want the larger lambda lower by >= %.2f",
			hi.lambda, hi.lastFMEO, lo.lambda, lo.lastFMEO, lambdaMEOMargin)
	}

	g1, n1 := gateMeans(all, Experiments[0].Name)
	g0, n0 := gateMeans(all, "exp1_gate0")
	t.Logf("gate mean over epochs and seeds: bias 1.0 %.3f (%d runs), bias 0.0 %.3f (%d runs)", g1, n1, g0, n0)
	if n1 != seeds || n0 != seeds || math.IsNaN(g1) || math.IsNaN(g0) {
		t.Fatalf("gate contrast: %d and %d runs, want %d each", n1, n0, seeds)
	}
	// Qualitative: at this scale the gate does not saturate near 1 as in the seed
	// report (docs/quickstart.md); the higher start keeps it higher on average.
	if !(g1 >= g0+gateMargin) {
		t.Errorf("seed-mean gate with gate_init_bias 1.0: %.3f, with 0.0: %.3f; want the first above the second by >= %.2f", g1, g0, gateMargin)
	}
}
