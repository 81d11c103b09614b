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

// lambdaSeries returns the largest group of runs whose configurations differ only
// in loss_weighting.lambda_fair (and the experiment name), sorted by lambda_fair, with
// their lambdas; the baseline's group wins ties. nil when no group has two lambdas.
func (rep *Report) lambdaSeries() ([]int, []float64) {
	var best []int
	bestN := 1
	anchors := []int{rep.baseline}
	for i := range rep.Runs {
		if i != rep.baseline {
			anchors = append(anchors, i)
		}
	}
	for _, a := range anchors {
		idx := rep.lambdaGroup(a)
		distinct := map[float64]bool{}
		for _, i := range idx {
			distinct[rep.Runs[i].Config.LossWeighting.LambdaFair] = true
		}
		if len(distinct) > bestN {
			best, bestN = idx, len(distinct)
		}
	}
	if best == nil {
		return nil, nil
	}
	lam := func(i int) float64 { return rep.Runs[i].Config.LossWeighting.LambdaFair }
	sort.SliceStable(best, func(x, y int) bool { return lam(best[x]) < lam(best[y]) })
	lams := make([]float64, len(best))
	for k, i := range best {
		lams[k] = lam(i)
	}
	return best, lams
}

// lambdaGroup returns the runs (anchor included) whose configurations differ from
// the anchor's only in loss_weighting.lambda_fair and the experiment name.
func (rep *Report) lambdaGroup(anchor int) []int {
	a := rep.Runs[anchor]
	if !a.HasConfig {
		return nil
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
	return idx
}

// tradeoffFindings adds the accuracy/fairness trade-off along a lambda_fair series:
// for each lambda, the validation F_FPR and F_MEO with their bootstrap intervals, their
// paired change against the series' smallest lambda, and the AUC it cost (paired
// bootstrap interval and DeLong p); then which lambda bought the most fairness per
// unit of AUC.
func (rep *Report) tradeoffFindings() (items, recs []string) {
	l := rep.l
	idx, lams := rep.lambdaSeries()
	if idx == nil || rep.opts.Bootstrap == 0 {
		return nil, nil
	}
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
		if rep.degenerateBest(i) {
			series += l.s(" (best epoch in the degenerate phase: one class predicted, so its gaps are trivially 0)",
				" (best epoch가 degenerate phase: 한 클래스만 예측하므로 격차가 자명하게 0)")
		}
	}
	items = append(items, l.f("lambda_fair series (runs that differ only in lambda_fair; validation at the best epoch, 95%% bootstrap intervals over validation samples, which do not include the spread between training seeds): %s.",
		"lambda_fair 계열 (lambda_fair만 다른 실행; best epoch 검증, 검증 샘플에 대한 95%% bootstrap 구간이며 학습 seed 간 변동은 포함하지 않음): %s.", series))

	// Paired changes against the smallest lambda (the least fairness pressure) on the
	// same validation samples; the best buy is the largest F_FPR+F_MEO drop per unit of
	// AUC lost among the changes whose fairness drop is distinguishable.
	ref := idx[0]
	rc, ok := rep.valCI(ref)
	if !ok {
		return items, recs
	}
	refIn, err := rep.loadScores(rc.set.path)
	if err != nil {
		return items, recs
	}
	opts := metrics.Options{Convention: rep.runConvention(ref), Bootstrap: rep.opts.Bootstrap, Seed: rep.opts.Seed}
	bestK, bestGain := -1, 0.0
	var falls, rises int
	type change struct {
		fair      map[string]metrics.Difference
		auc       metrics.Difference
		delongP   float64
		lambda    float64
		run       int
		distinct  bool
		fairerAll bool
	}
	var changes []change
	for k, i := range idx[1:] {
		c, ok := rep.valCI(i)
		if !ok {
			continue
		}
		in, err := rep.loadScores(c.set.path)
		if err != nil {
			continue
		}
		cmp, err := metrics.Compare(in, refIn, opts)
		if err != nil || cmp.Bootstrap == nil {
			continue
		}
		ch := change{fair: map[string]metrics.Difference{}, auc: cmp.Bootstrap.Metrics["auc"], delongP: cmp.DeLong.P, lambda: lams[k+1], run: i}
		var parts []string
		drop := 0.0
		for _, m := range tradeoffMetrics {
			d := cmp.Bootstrap.Metrics[m.key]
			ch.fair[m.key] = d
			parts = append(parts, fmt.Sprintf("%s %+.1f pts [%+.1f, %+.1f]", m.name, 100*d.Diff, 100*d.Lo, 100*d.Hi))
			drop -= d.Diff
			if d.Hi < 0 {
				ch.distinct = true
			}
		}
		degenerate := rep.degenerateBest(i) || rep.degenerateBest(ref)
		switch {
		case degenerate:
		case drop > 0:
			falls++
		default:
			rises++
		}
		fv := l.s("fairness change within noise", "공정성 변화는 노이즈 범위")
		if ch.distinct && drop > 0 {
			fv = l.s("a distinguishable fairness gain", "구별되는 공정성 개선")
		} else if drop < 0 && (ch.fair[tradeoffMetrics[0].key].Lo > 0 || ch.fair[tradeoffMetrics[1].key].Lo > 0) {
			fv = l.s("distinguishably less fair", "구별되게 덜 공정")
		}
		if degenerate {
			fv = l.s("not comparable (a best epoch in the degenerate phase)", "비교 불가 (degenerate phase의 best epoch)")
		}
		av := l.s("AUC change within noise", "AUC 변화는 노이즈 범위")
		if ch.auc.Lo > 0 || ch.auc.Hi < 0 {
			av = l.s("AUC change distinguishable", "AUC 변화는 노이즈와 구별됨")
		}
		items = append(items, l.f("lambda_fair %s → %s (**%s** − **%s**): %s; val AUC %+.4f [%+.4f, %+.4f], DeLong p %s: %s, %s.",
			"lambda_fair %s → %s (**%s** − **%s**): %s; val AUC %+.4f [%+.4f, %+.4f], DeLong p %s: %s, %s.",
			sci(lams[0]), sci(ch.lambda), rep.names[i], rep.names[ref], joinParts(parts), ch.auc.Diff, ch.auc.Lo, ch.auc.Hi, f4(ch.delongP), fv, av))
		cost := math.Max(-ch.auc.Diff, 0.005) // an AUC gain counts as a small cost
		if g := drop / cost; !degenerate && ch.distinct && drop > 0 && g > bestGain {
			bestK, bestGain = len(changes), g
		}
		changes = append(changes, ch)
	}
	if falls+rises > 0 {
		items = append(items, l.f("Raising lambda_fair above %s lowered F_FPR+F_MEO in %d of %d runs whose best epochs predict both classes.",
			"lambda_fair를 %s보다 올리면 best epoch가 두 클래스를 모두 예측하는 %[3]d개 실행 중 %[2]d개에서 F_FPR+F_MEO가 감소했다.", sci(lams[0]), falls, falls+rises))
	}
	if bestK >= 0 {
		ch := changes[bestK]
		recs = append(recs, l.f("For fairness at the least AUC cost take lambda_fair %s (%s): F_FPR %+.1f pts, F_MEO %+.1f pts for val AUC %+.4f against lambda_fair %s; confirm with other seeds before adopting it.",
			"최소 AUC 비용의 공정성에는 lambda_fair %s (%s): F_FPR %+.1f pts, F_MEO %+.1f pts, val AUC %+.4f (lambda_fair %s 대비); 채택 전 다른 seed로 확인한다.",
			sci(ch.lambda), rep.names[ch.run], 100*ch.fair["intersectional.f_fpr"].Diff, 100*ch.fair["intersectional.f_meo"].Diff, ch.auc.Diff, sci(lams[0])))
	} else if falls+rises > 0 {
		recs = append(recs, l.s("No lambda_fair in the series gave a fairness gain distinguishable from noise: use more validation samples or seeds before choosing one.",
			"계열의 어떤 lambda_fair도 노이즈와 구별되는 공정성 개선을 주지 않았다: 선택 전에 검증 샘플이나 seed를 늘린다."))
	}
	return items, recs
}

// degenerateBest reports whether run i's best epoch predicts one class on validation.
func (rep *Report) degenerateBest(i int) bool {
	s := rep.sums[i]
	return s.hasBest && s.bestEp.Degenerate
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
