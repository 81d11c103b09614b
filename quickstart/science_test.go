package quickstart

import "testing"

// The properties the quickstart exists to show, asserted with margins on the
// quickstart's own runs (TestQuickstartEndToEnd's full-length run at the tiny scale):
// they are properties of the synthetic data and the trainer, not exact numbers. That
// a larger lambda_fair lowers the gaps is NOT asserted: at this scale it does not hold
// over seeds (docs/quickstart.md, "What the fairness loss does here").

// checkScience asserts on the quickstart's run folders: Exp1 leaves the degenerate
// phase and reaches val AUC >= 0.85; the planted bias gives a measurable baseline gap
// (at the last epoch, out of the degenerate phase);
// gate_init_bias 1.0 keeps the mean gate above gate_init_bias 0.0's.
func checkScience(t *testing.T, res Result) {
	t.Helper()
	points := map[string]runPoint{}
	for _, d := range res.Runs {
		p, err := loadPoint(d)
		if err != nil {
			t.Fatal(err)
		}
		points[p.name] = p
	}
	exp1, ok := points["exp1_baseline"]
	if !ok {
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
	g0, ok := points["exp1_gate0"]
	if !ok {
		t.Fatalf("no exp1_gate0 among %v", res.Runs)
	}
	t.Logf("gate mean over epochs: bias %.1f %.3f, bias %.1f %.3f", exp1.gateBias, exp1.gateMean, g0.gateBias, g0.gateMean)
	// Qualitative only: at this scale the gate does not saturate near 1 as in the seed
	// report (docs/quickstart.md); the higher start keeps it higher on average (seed 42:
	// 0.706 vs 0.606, seed 7: 0.491 vs 0.463).
	if !(exp1.gateMean > g0.gateMean) {
		t.Errorf("mean gate with gate_init_bias %.1f: %.3f, with %.1f: %.3f; want the first above the second",
			exp1.gateBias, exp1.gateMean, g0.gateBias, g0.gateMean)
	}
}
