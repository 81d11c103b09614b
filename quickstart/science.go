package quickstart

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/report"
	"github.com/fairclip/fairclip/sweep"
	"github.com/fairclip/fairclip/train"
)

// Variant is an extra run: Exp1 with some keys changed, so that one effect is
// isolated (the report's lambda_fair series and the gate_init_bias contrast).
type Variant struct {
	Name string
	Sets []string
}

// Lambdas are the lambda_fair values of the quickstart's series; Exp1's own 0.05 is
// the baseline, the others are variants.
var Lambdas = []float64{0, 0.05, 0.15, 0.5}

// Variants are the quickstart's extra runs, after Exp1-3: the lambda_fair series
// (Lambdas other than Exp1's) and Exp1 with gate_init_bias 0.0.
func Variants(exp1Lambda float64) []Variant {
	var out []Variant
	for _, l := range Lambdas {
		if l == exp1Lambda {
			continue
		}
		v := strconv.FormatFloat(l, 'g', -1, 64)
		out = append(out, Variant{Name: "exp1_lambda" + v, Sets: []string{"loss_weighting.lambda_fair=" + v}})
	}
	return append(out, Variant{Name: "exp1_gate0", Sets: []string{"model.gate_init_bias=0.0"}})
}

// runPoint is one run's validation numbers at its best epoch.
type runPoint struct {
	name             string
	lambda, gateBias float64
	auc, ffpr, fmeo  float64 // at the best epoch (by the configuration's metric)
	// at the last epoch: after the degenerate phase when the run left it, where the
	// best epoch may still be inside it (its gaps then read 0)
	lastAUC, lastFFPR, lastFMEO float64
	gateMean                    float64 // mean over epochs of the validation gate mean
	gateLast                    float64 // last epoch's
	degenerate                  []int
	epochs                      int
}

func loadPoint(dir string) (runPoint, error) {
	r := report.LoadRun(dir)
	nan := math.NaN()
	p := runPoint{name: filepath.Base(dir), auc: nan, ffpr: nan, fmeo: nan, lastAUC: nan, lastFFPR: nan, lastFMEO: nan,
		gateMean: math.NaN(), gateLast: math.NaN(), degenerate: r.DegenerateEpochs(), epochs: r.EpochsDone()}
	if !r.HasConfig {
		return p, fmt.Errorf("quickstart: run %s has no configuration", dir)
	}
	p.lambda = r.Config.LossWeighting.LambdaFair
	if b := r.Config.Model.GateInitBias; b != nil {
		p.gateBias = *b
	}
	if ep, ok := r.Epoch(r.BestEpoch()); ok {
		p.auc, p.ffpr, p.fmeo = ep.Val.AUC, ep.Val.FFPR, ep.Val.FMEO
	}
	var sum float64
	var n int
	for e := 1; e <= p.epochs; e++ {
		if ep, ok := r.Epoch(e); ok {
			sum += ep.Gate.Mean
			n++
			p.gateLast = ep.Gate.Mean
			p.lastAUC, p.lastFFPR, p.lastFMEO = ep.Val.AUC, ep.Val.FFPR, ep.Val.FMEO
		}
	}
	if n > 0 {
		p.gateMean = sum / float64(n)
	}
	return p, nil
}

// paretoPlots draws the lambda_fair series as the accuracy/fairness Pareto plots of
// `fairclip sweep pareto` (one trial per lambda): val AUC against val F_FPR and
// against val F_MEO, at each run's last epoch (out of the degenerate phase when the
// run left it). It returns the plot paths.
func paretoPlots(dir string, series []runPoint) ([]string, error) {
	st := &sweep.Status{Dir: dir, Objectives: []sweep.Objective{
		{Name: "val AUC, last epoch", Direction: sweep.Maximize},
		{Name: "val F_FPR, last epoch", Direction: sweep.Minimize},
		{Name: "val F_MEO, last epoch", Direction: sweep.Minimize},
	}}
	for k, p := range series {
		st.Trials = append(st.Trials, sweep.Trial{ID: k + 1, State: sweep.StateComplete,
			Params: map[string]any{"loss_weighting.lambda_fair": p.lambda, sweep.LabelParam: "λ=" + strconv.FormatFloat(p.lambda, 'g', -1, 64)},
			Values: []float64{p.lastAUC, p.lastFFPR, p.lastFMEO},
			RunDir: p.name})
	}
	var out []string
	for j, name := range []string{"pareto_fpr.png", "pareto_meo.png"} {
		path := filepath.Join(dir, name)
		if err := sweep.PlotPareto(path, st, 0, j+1); err != nil {
			return out, fmt.Errorf("quickstart: pareto plot: %w", err)
		}
		out = append(out, path)
	}
	return out, nil
}

// science prints what the quickstart's runs show: the lambda_fair series (with the
// Pareto plots), the gate_init_bias contrast and the degenerate phase of Exp1.
func science(w io.Writer, runs []string, plotDir string, res *Result) error {
	points := map[string]runPoint{}
	for _, d := range runs {
		p, err := loadPoint(d)
		if err != nil {
			return err
		}
		points[p.name] = p
	}
	exp1 := points[Experiments[0].Name]
	var series []runPoint
	for _, l := range Lambdas {
		name := Experiments[0].Name
		if l != exp1.lambda {
			name = "exp1_lambda" + strconv.FormatFloat(l, 'g', -1, 64)
		}
		if p, ok := points[name]; ok {
			series = append(series, p)
		}
	}
	fmt.Fprintf(w, "Exp1: degenerate phase %s; best epoch: val AUC %.4f, F_FPR %.1f%%, F_MEO %.1f%%; last epoch: val AUC %.4f, F_FPR %.1f%%, F_MEO %.1f%%\n",
		degenerateText(exp1.degenerate, exp1.epochs), exp1.auc, 100*exp1.ffpr, 100*exp1.fmeo, exp1.lastAUC, 100*exp1.lastFFPR, 100*exp1.lastFMEO)
	fmt.Fprintf(w, "lambda_fair series (Exp1 otherwise; validation at each run's best epoch and at its last epoch;\n")
	fmt.Fprintf(w, "a best epoch inside the degenerate phase predicts one class, so its gaps read 0):\n")
	fmt.Fprintf(w, "  %-8s %-18s %8s %8s %8s | %8s %8s %8s %s\n", "lambda", "run", "best AUC", "F_FPR", "F_MEO", "last AUC", "F_FPR", "F_MEO", "degenerate")
	for _, p := range series {
		fmt.Fprintf(w, "  %-8g %-18s %8.4f %7.1f%% %7.1f%% | %8.4f %7.1f%% %7.1f%% %s\n", p.lambda, p.name, p.auc, 100*p.ffpr, 100*p.fmeo,
			p.lastAUC, 100*p.lastFFPR, 100*p.lastFMEO, degenerateText(p.degenerate, p.epochs))
	}
	plots, err := paretoPlots(plotDir, series)
	if err != nil {
		return err
	}
	res.Pareto = plots
	fmt.Fprintf(w, "Accuracy/fairness Pareto plots (as `fairclip sweep pareto` draws them): %v\n", plots)
	if g0, ok := points["exp1_gate0"]; ok {
		fmt.Fprintf(w, "gate_init_bias %.1f (Exp1): mean gate over epochs %.3f, last epoch %.3f; gate_init_bias %.1f (exp1_gate0): mean %.3f, last %.3f\n",
			exp1.gateBias, exp1.gateMean, exp1.gateLast, g0.gateBias, g0.gateMean, g0.gateLast)
	}
	return nil
}

func degenerateText(eps []int, total int) string {
	if len(eps) == 0 {
		return "none"
	}
	last := eps[len(eps)-1]
	if last == total {
		return fmt.Sprintf("Ep %d-%d (never left)", eps[0], last)
	}
	return fmt.Sprintf("Ep %d-%d (%d epochs), left it at epoch %d", eps[0], last, len(eps), last+1)
}

// probeExp1 runs `fairclip probe fairloss` on the trained Exp1 at blur 1e-4 and 1e-3
// and prints its table with the diameter explanation.
func probeExp1(ctx context.Context, o Options, cfg config.Config, run string, w io.Writer) (train.ProbeResult, error) {
	src, err := train.NewFeatureSource(cfg, features.Options{Backend: o.Backend}, io.Discard)
	if err != nil {
		return train.ProbeResult{}, fmt.Errorf("quickstart: probe: %w", err)
	}
	defer src.Close()
	r, err := train.ProbeFairLoss(train.ProbeOptions{Config: cfg, Source: src, Run: run, Blurs: []float64{1e-4, 1e-3}, Backend: o.Backend})
	if err != nil {
		return r, fmt.Errorf("quickstart: probe: %w", err)
	}
	if err := r.WriteTable(w); err != nil {
		return r, err
	}
	_ = ctx
	return r, nil
}
