package train

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteTable prints the probe as a table: one row per blur.
func (r ProbeResult) WriteTable(w io.Writer) error {
	mode := "eval"
	if r.Training {
		mode = "training-mode (dropout as in a training step)"
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("Fairness loss probe: %s weights, %d batches of %d from %s, %s forward pass\n", r.Weights, r.Batches, r.BatchSize, r.Source, mode)
	p("Classification loss L_cls: mean %s (min %s, max %s)\n", probeNum(r.ClsLoss), probeNum(r.ClsLossMin), probeNum(r.ClsLossMax))
	p("Target effective contribution lambda*L_fair/(L_cls + lambda*L_fair) = %g; configuration: blur %g, lambda_fair %g (%s weighting)\n\n",
		r.LambdaTarget, r.ConfigBlur, r.ConfigLambda, r.Weighting)
	p("%-9s %12s %12s %12s %12s %9s %9s %14s %14s\n", "blur", "mean L_fair", "median", "min", "max", "undefined", "vs first", "lambda@target", "share@config")
	for _, b := range r.Blurs {
		ratio := "-"
		if !math.IsNaN(b.RatioToFirst) {
			ratio = fmt.Sprintf("%.2fx", b.RatioToFirst)
		}
		share := "-"
		if !math.IsNaN(b.ConfigContribution) {
			share = fmt.Sprintf("%.2f%%", 100*b.ConfigContribution)
		}
		p("%-9g %12s %12s %12s %12s %4d/%-4d %9s %14s %14s\n", b.Blur, probeNum(b.Mean), probeNum(b.Median), probeNum(b.Min), probeNum(b.Max),
			b.Undefined, b.Defined+b.Undefined, ratio, probeNum(b.LambdaForTarget), share)
	}
	if r.Weighting == "dynamic" {
		p("\nNote: loss_weighting.type is dynamic; lambda@target and share@config assume fixed weighting.\n")
	}
	if len(r.Blurs) > 1 {
		first, last := r.Blurs[0], r.Blurs[len(r.Blurs)-1]
		ratio := last.RatioToFirst
		switch {
		case math.IsNaN(ratio):
		case math.Max(ratio, 1/ratio) < 1.05:
			p("\nThe mean fairness loss at blur %g is within 5%% of blur %g's (%.3fx): on these batches the blur barely changes its scale.\n",
				last.Blur, first.Blur, ratio)
		default:
			p("\nThe mean fairness loss at blur %g is %.2fx %s than at blur %g: a lambda_fair chosen at one blur does not carry over to the other (see lambda@target).\n",
				last.Blur, math.Max(ratio, 1/ratio), smallerOrLarger(ratio), first.Blur)
		}
	}
	r.writeDiameter(p)
	_, err := fmt.Fprintln(w)
	return err
}

// writeDiameter explains the blur's effect from the clouds' diameter D: the epsilon
// schedule anneals from D^p down to blur^p, and the entropic smoothing only changes
// the divergence where blur is not small against the clouds' scale.
func (r ProbeResult) writeDiameter(p func(string, ...any)) {
	if len(r.Blurs) == 0 || !(r.Diameter > 0) {
		return
	}
	p("\nClouds: the fairness loss compares subgroup clouds of normalized features (distances at most 2); their diameter\n")
	p("(bounding-box diagonal of each pair, where the epsilon schedule starts) is %.3g on average (%.3g-%.3g).\n", r.Diameter, r.MinDiameter, r.MaxDiameter)
	for _, b := range r.Blurs {
		p("  blur %-8g = %.1e x diameter; epsilon = blur^p anneals from diameter^p in %.1f Sinkhorn iterations per pair\n",
			b.Blur, b.Blur/r.Diameter, b.Iterations)
	}
	if len(r.Blurs) < 2 {
		return
	}
	first, last := r.Blurs[0], r.Blurs[len(r.Blurs)-1]
	ratio, rel := last.RatioToFirst, last.Blur/r.Diameter
	if math.IsNaN(ratio) {
		return
	}
	switch {
	case rel < 0.01:
		p("Every blur here is under 1%% of the diameter: the entropic smoothing acts far below the clouds' scale, so the\n")
		p("debiased divergence stays close to the unregularized transport cost and the loss moves only %.2fx from blur %g to %g;\n", ratio, first.Blur, last.Blur)
		p("what changes is mostly the schedule's length (%.1f -> %.1f iterations). A blur/lambda coupling as large as the seed\n", first.Iterations, last.Iterations)
		p("report's ~8x needs a blur that is not small against the distances between the clouds' points.\n")
	default:
		p("At blur %g the smoothing scale is %.1f%% of the diameter: it blurs away structure the clouds differ in, so the loss\n", last.Blur, 100*rel)
		p("shrinks %.2fx from blur %g (%.1f -> %.1f iterations); lambda_fair must grow with the blur to keep its share.\n", ratio, first.Blur, first.Iterations, last.Iterations)
	}
}

func smallerOrLarger(ratio float64) string {
	if ratio >= 1 {
		return "smaller"
	}
	return "larger"
}

// probeNum formats a value with 4 significant digits, "-" when undefined.
func probeNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// probeJSONNum is a float64 written as null when NaN or infinite.
type probeJSONNum float64

func (v probeJSONNum) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

type probeBlurJSON struct {
	Blur               float64      `json:"blur"`
	Mean               probeJSONNum `json:"mean_fair_loss"`
	Median             probeJSONNum `json:"median_fair_loss"`
	Min                probeJSONNum `json:"min_fair_loss"`
	Max                probeJSONNum `json:"max_fair_loss"`
	Defined            int          `json:"defined_batches"`
	Undefined          int          `json:"undefined_batches"`
	RatioToFirst       probeJSONNum `json:"ratio_to_first"`
	LambdaForTarget    probeJSONNum `json:"lambda_for_target"`
	ConfigContribution probeJSONNum `json:"config_contribution"`
}

// MarshalJSON writes the `fairclip probe fairloss --json` object (undefined values null).
func (r ProbeResult) MarshalJSON() ([]byte, error) {
	out := struct {
		Weights      string          `json:"weights"`
		Source       string          `json:"source"`
		Batches      int             `json:"batches"`
		BatchSize    int             `json:"batch_size"`
		Training     bool            `json:"training_mode"`
		ClsLoss      probeJSONNum    `json:"cls_loss"`
		ClsLossMin   probeJSONNum    `json:"cls_loss_min"`
		ClsLossMax   probeJSONNum    `json:"cls_loss_max"`
		LambdaTarget float64         `json:"lambda_target"`
		ConfigBlur   float64         `json:"config_blur"`
		ConfigLambda float64         `json:"config_lambda_fair"`
		Weighting    string          `json:"weighting"`
		Diameter     probeJSONNum    `json:"diameter"`
		Blurs        []probeBlurJSON `json:"blurs"`
	}{r.Weights, r.Source, r.Batches, r.BatchSize, r.Training, probeJSONNum(r.ClsLoss), probeJSONNum(r.ClsLossMin), probeJSONNum(r.ClsLossMax),
		r.LambdaTarget, r.ConfigBlur, r.ConfigLambda, r.Weighting, probeJSONNum(r.Diameter), []probeBlurJSON{}}
	for _, b := range r.Blurs {
		out.Blurs = append(out.Blurs, probeBlurJSON{b.Blur, probeJSONNum(b.Mean), probeJSONNum(b.Median), probeJSONNum(b.Min), probeJSONNum(b.Max),
			b.Defined, b.Undefined, probeJSONNum(b.RatioToFirst), probeJSONNum(b.LambdaForTarget), probeJSONNum(b.ConfigContribution)})
	}
	return json.Marshal(out)
}
