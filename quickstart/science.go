package quickstart

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/report"
	"github.com/fairclip/fairclip/sweep"
	"github.com/fairclip/fairclip/train"
)

// Variant is an extra run: Exp1 with some keys changed, so that one effect is
// isolated (the lambda_fair series and the gate_init_bias contrast).
type Variant struct {
	Name string
	Sets []string
}

// Lambdas are the lambda_fair values of the quickstart's series (the issue's
// example; 0.05 and 0.15 are Exp1's and Exp3's). Above 0.5 some runs fall back into
// the degenerate phase at this scale (docs/quickstart.md).
var Lambdas = []float64{0, 0.05, 0.15, 0.5}

// SeriesSets are the series' changes to Exp1 besides lambda_fair, for Exp1's batch
// size batch: batches balanced over subgroup x label, twice as large, so that every
// batch holds 4 real and 4 fake samples of every subgroup (batch 32) and both
// classes' fairness terms compare 4-point clouds. With Exp1's subgroup sampler at
// batch 32 (4 per subgroup, 20% real) the real class's term is defined in under
// half of the batches, from one pair of 2-point clouds (docs/quickstart.md).
func SeriesSets(batch int) []string {
	return []string{"dataset.subgroup_sampler_by_label=true", fmt.Sprintf("training.train_batch_size=%d", 2*batch)}
}

// seriesName is the run name of the series' lambda l.
func seriesName(l float64) string {
	return "series_lambda" + strconv.FormatFloat(l, 'g', -1, 64)
}

// Variants are the quickstart's extra runs, after Exp1-3, for Exp1's batch size
// batch: the lambda_fair series (Exp1 with SeriesSets and each of Lambdas) and Exp1
// with gate_init_bias 0.0.
func Variants(batch int) []Variant {
	var out []Variant
	for _, l := range Lambdas {
		out = append(out, Variant{Name: seriesName(l), Sets: append(SeriesSets(batch),
			"loss_weighting.lambda_fair="+strconv.FormatFloat(l, 'g', -1, 64))})
	}
	return append(out, Variant{Name: "exp1_gate0", Sets: []string{"model.gate_init_bias=0.0"}})
}

// seedVariants are the runs repeated at the other training seeds: the series,
// and Exp1 (under its own name) with exp1_gate0 for the gate contrast.
func seedVariants(batch int) []Variant {
	v := Variants(batch)
	return append(v[:len(v)-1:len(v)-1], Variant{Name: Experiments[0].Name}, v[len(v)-1])
}

// runPoint is one run's validation numbers at its best epoch.
type runPoint struct {
	name             string
	seed             int64
	lambda, gateBias float64
	auc, ffpr, fmeo  float64 // at the best epoch (by the configuration's metric)
	// at the last epoch: after the degenerate phase when the run left it, where the
	// best epoch may still be inside it (its gaps then read 0)
	lastAUC, lastFFPR, lastFMEO float64
	gateMean                    float64 // mean over epochs of the validation gate mean
	// fairRaw and fairShare are the means over epochs of the raw training fairness
	// loss and of its effective share lambda*L_fair/L_total (NaN at lambda 0)
	fairRaw, fairShare float64
	gateLast           float64 // last epoch's
	degenerate         []int
	epochs             int
}

func loadPoint(dir string) (runPoint, error) {
	r := report.LoadRun(dir)
	nan := math.NaN()
	p := runPoint{name: filepath.Base(dir), auc: nan, ffpr: nan, fmeo: nan, lastAUC: nan, lastFFPR: nan, lastFMEO: nan,
		gateMean: math.NaN(), gateLast: math.NaN(), fairRaw: nan, fairShare: nan, degenerate: r.DegenerateEpochs(), epochs: r.EpochsDone()}
	if !r.HasConfig {
		return p, fmt.Errorf("quickstart: run %s has no configuration", dir)
	}
	p.lambda = r.Config.LossWeighting.LambdaFair
	p.seed = r.Config.Seed
	if b := r.Config.Model.GateInitBias; b != nil {
		p.gateBias = *b
	}
	if ep, ok := r.Epoch(r.BestEpoch()); ok {
		p.auc, p.ffpr, p.fmeo = ep.Val.AUC, ep.Val.FFPR, ep.Val.FMEO
	}
	var sum, raw, share float64
	var n, nf int
	for e := 1; e <= p.epochs; e++ {
		if ep, ok := r.Epoch(e); ok {
			if p.lambda > 0 && !math.IsNaN(ep.TrainFairLoss) && !math.IsNaN(ep.EffectiveFairContribution) {
				raw += ep.TrainFairLoss
				share += ep.EffectiveFairContribution
				nf++
			}
			sum += ep.Gate.Mean
			n++
			p.gateLast = ep.Gate.Mean
			p.lastAUC, p.lastFFPR, p.lastFMEO = ep.Val.AUC, ep.Val.FFPR, ep.Val.FMEO
		}
	}
	if n > 0 {
		p.gateMean = sum / float64(n)
	}
	if nf > 0 {
		p.fairRaw, p.fairShare = raw/float64(nf), share/float64(nf)
	}
	return p, nil
}

// seriesPoint is one lambda_fair of the series over the training seeds: each
// seed's run and the means of their last-epoch validation numbers.
type seriesPoint struct {
	lambda                      float64
	runs                        []runPoint // one per training seed, in seed order
	lastAUC, lastFFPR, lastFMEO float64    // means over the seeds
	fairRaw, fairShare          float64    // means over the seeds (NaN at lambda 0)
	stuck                       int        // runs that never left the degenerate phase
}

// seriesOver groups the runs of the lambda_fair series (series_lambda*, at every
// training seed) by lambda and averages their
// last-epoch validation numbers.
func seriesOver(points []runPoint) []seriesPoint {
	var out []seriesPoint
	for _, l := range Lambdas {
		name := seriesName(l)
		sp := seriesPoint{lambda: l}
		for _, p := range points {
			if p.name == name {
				sp.runs = append(sp.runs, p)
			}
		}
		if len(sp.runs) == 0 {
			continue
		}
		slices.SortFunc(sp.runs, func(a, b runPoint) int { return cmp.Compare(a.seed, b.seed) })
		for _, p := range sp.runs {
			sp.fairRaw += p.fairRaw / float64(len(sp.runs))
			sp.fairShare += p.fairShare / float64(len(sp.runs))
			sp.lastAUC += p.lastAUC / float64(len(sp.runs))
			sp.lastFFPR += p.lastFFPR / float64(len(sp.runs))
			sp.lastFMEO += p.lastFMEO / float64(len(sp.runs))
			if n := len(p.degenerate); n > 0 && p.degenerate[n-1] == p.epochs {
				sp.stuck++
			}
		}
		out = append(out, sp)
	}
	return out
}

// gateMeans averages, over the training seeds, the mean validation gate of the
// runs named name.
func gateMeans(points []runPoint, name string) (mean float64, n int) {
	for _, p := range points {
		if p.name == name && !math.IsNaN(p.gateMean) {
			mean += p.gateMean
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	return mean, n
}

// paretoPlots draws the lambda_fair series as the accuracy/fairness Pareto plots of
// `fairclip sweep pareto` (one trial per lambda): val AUC against val F_FPR and
// against val F_MEO, each the mean over the training seeds of the runs' last
// epochs. It returns the plot paths.
func paretoPlots(dir string, series []seriesPoint) ([]string, error) {
	st := &sweep.Status{Dir: dir, Objectives: []sweep.Objective{
		{Name: "val AUC, last epoch, seed mean", Direction: sweep.Maximize},
		{Name: "val F_FPR, last epoch, seed mean", Direction: sweep.Minimize},
		{Name: "val F_MEO, last epoch, seed mean", Direction: sweep.Minimize},
	}}
	for k, p := range series {
		st.Trials = append(st.Trials, sweep.Trial{ID: k + 1, State: sweep.StateComplete,
			Params: map[string]any{"loss_weighting.lambda_fair": p.lambda, sweep.LabelParam: "λ=" + strconv.FormatFloat(p.lambda, 'g', -1, 64)},
			Values: []float64{p.lastAUC, p.lastFFPR, p.lastFMEO},
			RunDir: p.runs[0].name})
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

// loadPoints reads the run folders.
func loadPoints(dirs ...[]string) ([]runPoint, error) {
	var out []runPoint
	for _, ds := range dirs {
		for _, d := range ds {
			p, err := loadPoint(d)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// science prints what the quickstart's runs show: the lambda_fair series at the
// main seed and its means over the training seeds (with the Pareto plots), the
// gate_init_bias contrast and the degenerate phase of Exp1.
func science(w io.Writer, runs, seedRuns []string, plotDir string, res *Result) error {
	main, err := loadPoints(runs)
	if err != nil {
		return err
	}
	all, err := loadPoints(runs, seedRuns)
	if err != nil {
		return err
	}
	var exp1 runPoint
	for _, p := range main {
		if p.name == Experiments[0].Name {
			exp1 = p
		}
	}
	fmt.Fprintf(w, "Exp1: degenerate phase %s; best epoch: val AUC %.4f, F_FPR %.1f%%, F_MEO %.1f%%; last epoch: val AUC %.4f, F_FPR %.1f%%, F_MEO %.1f%%\n",
		degenerateText(exp1.degenerate, exp1.epochs), exp1.auc, 100*exp1.ffpr, 100*exp1.fmeo, exp1.lastAUC, 100*exp1.lastFFPR, 100*exp1.lastFMEO)
	fmt.Fprintf(w, "lambda_fair series at seed %d (Exp1 with %s; validation at each run's best epoch and at its last epoch;\n",
		exp1.seed, strings.Join(SeriesSets(res.BatchSize), ", "))
	fmt.Fprintf(w, "a best epoch inside the degenerate phase predicts one class, so its gaps read 0):\n")
	fmt.Fprintf(w, "  %-8s %-18s %8s %8s %8s | %8s %8s %8s %s\n", "lambda", "run", "best AUC", "F_FPR", "F_MEO", "last AUC", "F_FPR", "F_MEO", "degenerate")
	for _, sp := range seriesOver(main) {
		p := sp.runs[0]
		fmt.Fprintf(w, "  %-8g %-18s %8.4f %7.1f%% %7.1f%% | %8.4f %7.1f%% %7.1f%% %s\n", p.lambda, p.name, p.auc, 100*p.ffpr, 100*p.fmeo,
			p.lastAUC, 100*p.lastFFPR, 100*p.lastFMEO, degenerateText(p.degenerate, p.epochs))
	}
	series := seriesOver(all)
	if len(series) == 0 {
		return fmt.Errorf("quickstart: no run of the lambda_fair series among %v", runs)
	}
	var seeds []string
	for _, p := range series[0].runs {
		seeds = append(seeds, strconv.FormatInt(p.seed, 10))
	}
	fmt.Fprintf(w, "lambda_fair series over training seeds %s (same data and backbone), validation at the last epoch;\n"+
		"raw L_fair and its effective share lambda*L_fair/L_total are the training means over epochs:\n", strings.Join(seeds, ", "))
	fmt.Fprintf(w, "  %-8s %8s %8s %8s | %-24s | %-24s | %9s %9s | %s\n", "lambda", "AUC", "F_FPR", "F_MEO", "F_FPR per seed", "F_MEO per seed",
		"raw L_fair", "share", "never left the degenerate phase")
	for _, sp := range series {
		var fpr, meo []string
		for _, p := range sp.runs {
			fpr = append(fpr, fmt.Sprintf("%.1f", 100*p.lastFFPR))
			meo = append(meo, fmt.Sprintf("%.1f", 100*p.lastFMEO))
		}
		raw, share := "-", "-"
		if !math.IsNaN(sp.fairRaw) {
			raw, share = fmt.Sprintf("%.4f", sp.fairRaw), fmt.Sprintf("%.2f%%", 100*sp.fairShare)
		}
		fmt.Fprintf(w, "  %-8g %8.4f %7.1f%% %7.1f%% | %-24s | %-24s | %9s %9s | %d of %d\n", sp.lambda, sp.lastAUC, 100*sp.lastFFPR, 100*sp.lastFMEO,
			strings.Join(fpr, " "), strings.Join(meo, " "), raw, share, sp.stuck, len(sp.runs))
	}
	writeSeriesFinding(w, series)
	plots, err := paretoPlots(plotDir, series)
	if err != nil {
		return err
	}
	res.Pareto = plots
	fmt.Fprintf(w, "Accuracy/fairness Pareto plots of the seed means (as `fairclip sweep pareto` draws them): %v\n", plots)
	if g1, n1 := gateMeans(all, Experiments[0].Name); n1 > 0 {
		if g0, n0 := gateMeans(all, "exp1_gate0"); n0 > 0 {
			var g0p runPoint
			for _, p := range main {
				if p.name == "exp1_gate0" {
					g0p = p
				}
			}
			fmt.Fprintf(w, "gate_init_bias %.1f (Exp1): mean gate over epochs %.3f, last epoch %.3f; gate_init_bias %.1f (exp1_gate0): mean %.3f, last %.3f (seed %d)\n",
				exp1.gateBias, exp1.gateMean, exp1.gateLast, g0p.gateBias, g0p.gateMean, g0p.gateLast, exp1.seed)
			fmt.Fprintf(w, "gate_init_bias %.1f vs %.1f, mean gate over epochs and %d training seeds: %.3f vs %.3f\n",
				exp1.gateBias, g0p.gateBias, min(n0, n1), g1, g0)
		}
	}
	return nil
}

// writeSeriesFinding says, from the seed means, whether the gaps fall as lambda_fair
// rises, at what AUC cost, and whether each change stands out of the training-seed
// noise (the standard error of the difference of two seed means).
func writeSeriesFinding(w io.Writer, series []seriesPoint) {
	if len(series) < 2 {
		return
	}
	first, last := series[0], series[len(series)-1]
	falls := func(get func(seriesPoint) float64) string {
		for k := 1; k < len(series); k++ {
			if get(series[k]) > get(series[k-1]) {
				return fmt.Sprintf("not monotonically (it rises from lambda %g to %g)", series[k-1].lambda, series[k].lambda)
			}
		}
		return "monotonically"
	}
	fpr := func(p seriesPoint) float64 { return p.lastFFPR }
	meo := func(p seriesPoint) float64 { return p.lastFMEO }
	verb := func(a, b float64) string {
		if b < a {
			return "falls"
		}
		return "does not fall"
	}
	fmt.Fprintf(w, "Seed means: from lambda %g to %g, F_FPR %s from %.1f%% to %.1f%% (%s), F_MEO %s from %.1f%% to %.1f%% (%s), val AUC %.4f -> %.4f (cost %.4f).\n",
		first.lambda, last.lambda, verb(first.lastFFPR, last.lastFFPR), 100*first.lastFFPR, 100*last.lastFFPR, falls(fpr),
		verb(first.lastFMEO, last.lastFMEO), 100*first.lastFMEO, 100*last.lastFMEO, falls(meo),
		first.lastAUC, last.lastAUC, first.lastAUC-last.lastAUC)
	if len(first.runs) < 2 || len(last.runs) < 2 {
		fmt.Fprintf(w, "With one training seed per lambda the training-seed noise is unknown: use --seeds 3 or more.\n")
		return
	}
	for _, m := range []struct {
		name string
		get  func(runPoint) float64
	}{{"F_FPR", func(p runPoint) float64 { return p.lastFFPR }}, {"F_MEO", func(p runPoint) float64 { return p.lastFMEO }}} {
		d, se := seedMeanDiff(first.runs, last.runs, m.get)
		fmt.Fprintf(w, "  %s, lambda %g -> %g: %+.1f points, standard error %.1f from the spread over %d and %d training seeds: %s.\n",
			m.name, first.lambda, last.lambda, 100*d, 100*se, len(first.runs), len(last.runs), noiseJudgement(d, se))
	}
}

// noiseJudgement says whether a change d with standard error se stands out of the
// training-seed noise (more than two standard errors).
func noiseJudgement(d, se float64) string {
	if math.Abs(d) > 2*se {
		return "beyond two standard errors of the training-seed noise"
	}
	return "within two standard errors: the training-seed noise alone could explain it"
}

// seedMeanDiff is the difference of the means of get over b and over a, and its
// standard error from the two samples' variances (unpaired: each seed trains its own
// run). Each sample needs at least two runs.
func seedMeanDiff(a, b []runPoint, get func(runPoint) float64) (diff, se float64) {
	moments := func(rs []runPoint) (mean, variance float64) {
		for _, r := range rs {
			mean += get(r) / float64(len(rs))
		}
		for _, r := range rs {
			d := get(r) - mean
			variance += d * d / float64(len(rs)-1)
		}
		return mean, variance
	}
	ma, va := moments(a)
	mb, vb := moments(b)
	return mb - ma, math.Sqrt(va/float64(len(a)) + vb/float64(len(b)))
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
