package quickstart

import (
	"math"
	"testing"
)

// The properties the quickstart exists to show, asserted with margins on the
// quickstart's own runs (TestQuickstartEndToEnd's full-length run at the tiny scale,
// its lambda_fair series and gate contrast at 3 training seeds): they are properties
// of the synthetic data and the trainer, not exact numbers.

// Margins of the science checks (docs/quickstart.md, "Seed dependence"): the seed-mean
// gate contrast was 0.11, 0.11, 0.11, 0.14, 0.08, 0.15 and 0.00 at --seed 42, 7, 1, 2, 3,
// 4 and 5; the seed-mean raw fairness loss at lambda 0.5 was 0.39x-0.52x lambda 0.05's.
// That a larger lambda lowers the validation gaps is NOT asserted: on the seed means,
// lambda 0 -> 0.5 moved F_FPR by -12.1, -17.9, -1.2, -4.5, +0.3, +9.7 and +3.4 points at
// those seeds, and over 10 training seeds the fall was -5.6 +- 5.7 (data seed 7) and
// -2.5 +- 5.8 (data seed 4): smaller than the noise of a 3-seed mean, so a seed that
// passes would pass by luck.
const (
	gateMargin    = 0.02
	fairRawFactor = 0.6
)

// checkScience asserts on the quickstart's run folders: Exp1 leaves the degenerate
// phase and reaches val AUC >= 0.85; the planted bias gives a measurable baseline gap
// (at the last epoch, out of the degenerate phase); the series' end points leave the
// degenerate phase at every training seed and, on the seed means, the largest
// lambda_fair drives the raw training fairness loss well below the smallest positive
// lambda's; gate_init_bias 1.0 keeps the mean gate above 0.0's on the seed means.
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
	t.Logf("seed means, lambda %g -> %g (not asserted): val F_FPR %.3f -> %.3f, F_MEO %.3f -> %.3f, AUC %.4f -> %.4f",
		lo.lambda, hi.lambda, lo.lastFFPR, hi.lastFFPR, lo.lastFMEO, hi.lastFMEO, lo.lastAUC, hi.lastAUC)
	// The fairness term acts on what it measures: a larger lambda drives the raw
	// training fairness loss down (the subgroup clouds of each class closer).
	var first *seriesPoint
	for i := range series {
		if series[i].lambda > 0 {
			first = &series[i]
			break
		}
	}
	switch {
	case first == nil || first.lambda == hi.lambda:
		t.Errorf("the series %v has fewer than two positive lambdas", Lambdas)
	case !(hi.fairRaw <= fairRawFactor*first.fairRaw):
		t.Errorf("seed-mean raw fairness loss at lambda %g: %.4f, at lambda %g: %.4f; want the first at most %.1fx the second",
			hi.lambda, hi.fairRaw, first.lambda, first.fairRaw, fairRawFactor)
	default:
		t.Logf("seed-mean raw fairness loss: lambda %g %.4f, lambda %g %.4f", first.lambda, first.fairRaw, hi.lambda, hi.fairRaw)
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
