package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/fairclip/fairclip/metrics"
)

// tradeoffMetric is a validation fairness gap the lambda_fair findings follow, with its
// key in metrics' bootstrap intervals and paired differences.
type tradeoffMetric struct {
	key, name string
	get       func(metrics.Result) float64
}

var tradeoffMetrics = []tradeoffMetric{
	{"intersectional.f_fpr", "F_FPR", func(r metrics.Result) float64 { return r.Fairness.Intersectional.FFPR }},
	{"intersectional.f_meo", "F_MEO", func(r metrics.Result) float64 { return r.Fairness.Intersectional.FMEO }},
}

// lambdaSeries returns the runs (baseline included) whose configurations differ from
// the baseline's only in loss_weighting.lambda_fair (and the experiment name), sorted
// by lambda_fair, with their lambdas; nil when there are fewer than two lambdas.
func (rep *Report) lambdaSeries() ([]int, []float64) {
	a := rep.Runs[rep.baseline]
	if !a.HasConfig {
		return nil, nil
	}
	va := flatMap(a.Config)
	var idx []int
	for i, r := range rep.Runs {
		if !r.HasConfig {
			continue
		}
		vb := flatMap(r.Config)
		only := len(va) == len(vb)
		for k, v := range va {
			if k == "logging.experiment_name" || k == "loss_weighting.lambda_fair" {
				continue
			}
			if vb[k] != v {
				only = false
				break
			}
		}
		if only {
			idx = append(idx, i)
		}
	}
	lam := func(i int) float64 { return rep.Runs[i].Config.LossWeighting.LambdaFair }
	sort.SliceStable(idx, func(x, y int) bool { return lam(idx[x]) < lam(idx[y]) })
	lams := make([]float64, len(idx))
	distinct := map[float64]bool{}
	for k, i := range idx {
		lams[k] = lam(i)
		distinct[lams[k]] = true
	}
	if len(distinct) < 2 {
		return nil, nil
	}
	return idx, lams
}

// tradeoffFindings adds the accuracy/fairness trade-off along a lambda_fair series:
// for each lambda, the validation F_FPR and F_MEO with their bootstrap intervals, their
// paired change against the baseline, and the AUC it cost (paired bootstrap interval
// and DeLong p); then which lambda bought the most fairness per unit of AUC.
func (rep *Report) tradeoffFindings() (items, recs []string) {
	l := rep.l
	idx, lams := rep.lambdaSeries()
	if idx == nil || rep.opts.Bootstrap == 0 {
		return nil, nil
	}
	base, ok := rep.valCI(rep.baseline)
	if !ok || base.fair == nil {
		return nil, nil
	}
	bname := rep.names[rep.baseline]
	bl := rep.Runs[rep.baseline].Config.LossWeighting.LambdaFair
	gap := func(d metrics.Difference) string {
		return fmt.Sprintf("%s [%s, %s]", pct(d.A), pct(d.Lo), pct(d.Hi))
	}
	series := ""
	for k, i := range idx {
		c, ok := rep.valCI(i)
		if !ok || c.fair == nil {
			continue
		}
		if k > 0 {
			series += "; "
		}
		series += fmt.Sprintf("λ %s (%s): AUC %s, F_FPR %s, F_MEO %s", strconv.FormatFloat(lams[k], 'g', -1, 64), rep.names[i],
			f4(c.auc), gap(c.fair["intersectional.f_fpr"]), gap(c.fair["intersectional.f_meo"]))
	}
	items = append(items, l.f("lambda_fair series (runs that differ only in lambda_fair; validation at the best epoch, 95%% bootstrap intervals): %s.",
		"lambda_fair 계열 (lambda_fair만 다른 실행; best epoch 검증, 95%% bootstrap 구간): %s.", series))

	// Paired changes against the baseline; the best buy is the largest F_FPR+F_MEO drop
	// per unit of AUC lost among the changes whose fairness drop is distinguishable.
	bestK, bestGain := -1, 0.0
	var falls, rises int
	for k, i := range idx {
		if i == rep.baseline {
			continue
		}
		c, ok := rep.valCI(i)
		if !ok || !c.hasDiff || c.fairDiff == nil {
			continue
		}
		var parts []string
		drop := 0.0
		distinct := false
		for _, m := range tradeoffMetrics {
			d := c.fairDiff[m.key]
			parts = append(parts, fmt.Sprintf("%s %+.1f pts [%+.1f, %+.1f]", m.name, 100*d.Diff, 100*d.Lo, 100*d.Hi))
			drop -= d.Diff
			if d.Hi < 0 {
				distinct = true
			}
		}
		if drop > 0 {
			falls++
		} else {
			rises++
		}
		verdict := l.s("within noise", "노이즈 범위")
		if distinct {
			verdict = l.s("a distinguishable fairness gain", "구별되는 공정성 개선")
		}
		items = append(items, l.f("lambda_fair %s → %s (**%s** − **%s**): %s; val AUC %+.4f [%+.4f, %+.4f], DeLong p %s: %s.",
			"lambda_fair %s → %s (**%s** − **%s**): %s; val AUC %+.4f [%+.4f, %+.4f], DeLong p %s: %s.",
			sci(bl), sci(lams[k]), rep.names[i], bname, joinParts(parts), c.diff, c.dlo, c.dhi, f4(c.delongP), verdict))
		cost := math.Max(-c.diff, 0.005) // an AUC gain counts as a small cost
		if g := drop / cost; distinct && drop > 0 && g > bestGain {
			bestK, bestGain = k, g
		}
	}
	if falls+rises > 0 {
		items = append(items, l.f("Raising lambda_fair lowered F_FPR+F_MEO in %d of %d comparisons with %s.",
			"lambda_fair를 올리면 %[3]s 대비 %[1]d/%[2]d 비교에서 F_FPR+F_MEO가 감소했다.", falls, falls+rises, bname))
	}
	if bestK >= 0 {
		i := idx[bestK]
		c, _ := rep.valCI(i)
		recs = append(recs, l.f("For fairness at the least AUC cost take lambda_fair %s (%s): F_FPR %+.1f pts, F_MEO %+.1f pts for val AUC %+.4f against %s; confirm with other seeds before adopting it.",
			"최소 AUC 비용의 공정성에는 lambda_fair %s (%s): F_FPR %+.1f pts, F_MEO %+.1f pts, val AUC %+.4f (%s 대비); 채택 전 다른 seed로 확인한다.",
			sci(lams[bestK]), rep.names[i], 100*c.fairDiff["intersectional.f_fpr"].Diff, 100*c.fairDiff["intersectional.f_meo"].Diff, c.diff, bname))
	} else if falls+rises > 0 {
		recs = append(recs, l.s("No lambda_fair in the series gave a fairness gain distinguishable from noise: use more validation samples or seeds before choosing one.",
			"계열의 어떤 lambda_fair도 노이즈와 구별되는 공정성 개선을 주지 않았다: 선택 전에 검증 샘플이나 seed를 늘린다."))
	}
	return items, recs
}

func joinParts(parts []string) string {
	out := ""
	for k, p := range parts {
		if k > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
