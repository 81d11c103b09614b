package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
)

// findings writes section 5 (findings) and 6 (recommendations) from the numbers.
func (rep *Report) findings() {
	l, d := rep.l, &rep.doc
	d.h2(l.s("5. Findings", "5. 발견 사항"))
	var items, recs []string
	b := rep.baseline
	base := rep.sums[b]

	// Gate saturation.
	var satBias, unsatBias []float64
	var unsatName string
	for i, s := range rep.sums {
		if !finite(s.gateAtBest) {
			continue
		}
		if s.saturated() {
			items = append(items, l.f("**%s**: gate saturated: mean gate %s at epoch %d (over epochs %s), so the cross-attention branch contributes %s; gate_init_bias %s.",
				"**%s**: gate 포화: epoch %[3]d에서 gate 평균 %[2]s (epoch 전체 %[4]s), Cross-Attention 기여도 %[5]s; gate_init_bias %[6]s.",
				rep.names[i], f4(s.gateAtBest), s.best, rangeText(s.gateLo, s.gateHi, f4), pct0(s.crossAtBest), bias(s.gateInitBias)))
			satBias = append(satBias, s.gateInitBias)
		} else {
			items = append(items, l.f("**%s**: gate not saturated: mean gate %s over epochs, cross-attention share %s; gate_init_bias %s.",
				"**%s**: gate 포화 없음: epoch별 gate 평균 %s, Cross-Attention 기여도 %s; gate_init_bias %s.",
				rep.names[i], rangeText(s.gateLo, s.gateHi, f4), rangeText(s.crossLo, s.crossHi, pct0), bias(s.gateInitBias)))
			unsatBias = append(unsatBias, s.gateInitBias)
			if unsatName == "" && s.gateInitBias == 0 {
				unsatName = rep.names[i]
			}
		}
	}
	if len(satBias) > 0 {
		if unsatName != "" {
			recs = append(recs, l.f("Set `model.gate_init_bias: 0.0`: it kept the gate dynamic in %s, while runs starting at sigmoid(%s) saturated.",
				"`model.gate_init_bias: 0.0` 사용: %s에서 gate가 동적으로 유지되었고, sigmoid(%s)에서 시작한 실행은 포화되었다.", unsatName, bias(satBias[0])))
		} else {
			recs = append(recs, l.s("Try `model.gate_init_bias: 0.0` (sigmoid 0.5, both branches equal at the start): every run's gate saturated.",
				"`model.gate_init_bias: 0.0` 시도 (sigmoid 0.5에서 균등 출발): 모든 실행의 gate가 포화되었다."))
		}
	}

	// Blur/lambda coupling.
	blurChanged := false
	for i, s := range rep.sums {
		if i == b || !finite(s.meanEff) || !finite(base.meanEff) || base.meanEff <= 0 || s.meanEff <= 0 {
			continue
		}
		lb, li := lambdaOf(base), lambdaOf(s)
		if !(lb > 0) || !(li > 0) {
			continue
		}
		rl, re := li/lb, s.meanEff/base.meanEff
		if math.Abs(math.Log(rl)) < math.Log(1.2) {
			continue // lambda essentially unchanged
		}
		sameDirection := math.Log(re)*math.Log(rl) > 0
		follows := sameDirection && math.Abs(math.Log(re)) >= 0.5*math.Abs(math.Log(rl))
		blurDiff := finite(s.blur) && finite(base.blur) && s.blur != base.blur
		blurChanged = blurChanged || blurDiff
		why := ""
		if blurDiff {
			why = l.f(" sinkhorn_blur changed %s → %s and the mean raw fair loss %s (%s → %s).",
				" sinkhorn_blur가 %s → %s로 바뀌면서 평균 fair loss가 %s했다 (%s → %s).",
				sci(base.blur), sci(s.blur), l.change(s.meanFair/base.meanFair), f4(base.meanFair), f4(s.meanFair))
		}
		if follows {
			items = append(items, l.f("**%s** vs **%s**: lambda_fair %s (%s → %s) and the effective fairness share %s (%s → %s), as expected.%s",
				"**%s** vs **%s**: lambda_fair %s (%s → %s)에 따라 실질 기여도가 %s했다 (%s → %s).%s",
				rep.names[i], rep.names[b], l.change(rl), sci(lb), sci(li), l.change(re), pct(base.meanEff), pct(s.meanEff), why))
			continue
		}
		msg := l.f("**%s** vs **%s**: blur/lambda coupling: lambda_fair %s (%s → %s) but the effective fairness share %s (%s → %s).%s",
			"**%s** vs **%s**: blur/lambda 결합: lambda_fair는 %s했으나 (%s → %s) 실질 기여도는 %s에 그쳤다 (%s → %s).%s",
			rep.names[i], rep.names[b], l.change(rl), sci(lb), sci(li), l.change(re), pct(base.meanEff), pct(s.meanEff), why)
		if blurDiff {
			msg += l.s(" The blur change cancelled the lambda change: the two must be tuned together.", " blur 변경이 lambda 변경을 상쇄했다: 두 파라미터는 함께 조정해야 한다.")
		}
		items = append(items, msg)
	}
	if blurChanged {
		recs = append(recs, l.s("Measure the fairness-loss scale before changing the blur, and pick lambda_fair for a target effective share: `fairclip probe fairloss --config CONFIG --blur 1e-4,3e-4,5e-4,1e-3`.",
			"blur를 바꾸기 전에 fair loss 크기를 측정하고 목표 실질 기여도에 맞춰 lambda_fair를 정한다: `fairclip probe fairloss --config CONFIG --blur 1e-4,3e-4,5e-4,1e-3`."))
	}
	if k := argBest(rep.sums, func(s *summary) float64 { return s.meanEff }, true); k >= 0 {
		s := rep.sums[k]
		if lam := lambdaOf(s); lam > 0 {
			recs = append(recs, l.f("The largest effective fairness share was %s (%s, lambda_fair %s, blur %s): to strengthen fairness, explore lambda_fair %s–%s at that blur.",
				"최대 실질 기여도는 %s (%s, lambda_fair %s, blur %s): 공정성을 더 강화하려면 같은 blur에서 lambda_fair %s~%s 범위를 탐색한다.",
				pct(s.meanEff), rep.names[k], sci(lam), sci(s.blur), sci(lam), sci(2*lam)))
		}
	}

	// Accuracy/fairness trade-off along a lambda_fair series.
	tItems, tRecs := rep.tradeoffFindings()
	items, recs = append(items, tItems...), append(recs, tRecs...)

	// Degenerate phase.
	baseLen := len(base.degenerate)
	for i, s := range rep.sums {
		if len(s.degenerate) == 0 {
			continue
		}
		msg := l.f("**%s**: degenerate phase Ep %s (%s): validation ACC %s against a majority share of %s.",
			"**%s**: degenerate phase Ep %s (%s): Val ACC %s, 다수 클래스 비율 %s.",
			rep.names[i], epochRange(s.degenerate), l.epochs(len(s.degenerate)), f4(s.degenerateAcc), f4(s.majorityShare))
		if i != b && len(s.degenerate) > baseLen {
			keys := rep.changedKeys(i, []string{"optimizer.lr", "optimizer.weight_decay", "model.dropout", "loss.label_smoothing", "scheduler.warmup_epochs"})
			msg += l.f(" %s longer than %s", " %[2]s보다 %[1]s 길다", l.epochs(len(s.degenerate)-baseLen), rep.names[b])
			if keys != "" {
				msg += l.f("; it differs in %s", "; 차이: %s", keys)
			}
			msg += "."
			if len(s.degenerate)-baseLen >= 3 {
				recs = append(recs, l.f("Shorten %s's degenerate phase: revert the changes that slow convergence (%s).",
					"%s의 degenerate phase 단축: 수렴을 늦춘 변경을 되돌린다 (%s).", rep.names[i], orNone(keys)))
			}
		}
		items = append(items, msg)
	}

	// Best run per objective, among completed runs when there are any.
	done := rep.completed()
	var best []string
	obj := func(label string, get func(s *summary) float64, higher bool, format func(float64) string) {
		if k := argBestOf(rep.sums, done, get, higher); k >= 0 {
			best = append(best, fmt.Sprintf("%s **%s** (%s)", label, rep.names[k], format(get(rep.sums[k]))))
		}
	}
	obj("val AUC", func(s *summary) float64 { return s.val().AUC }, true, f4)
	obj(l.s("mean test AUC", "평균 test AUC"), func(s *summary) float64 { return s.meanTestAUC(rep.datasets) }, true, f4)
	for _, fm := range fairMetrics() {
		obj("val "+fm.name, func(s *summary) float64 { return fm.get(s.val()) }, false, pct)
	}
	if len(best) > 0 && len(done) > 1 {
		label := l.s("Best run per objective: ", "목표별 최선 실행: ")
		if len(done) < len(rep.Runs) {
			label = l.s("Best completed run per objective: ", "목표별 최선 실행 (완료된 실행 중): ")
		}
		items = append(items, label+strings.Join(best, "; ")+".")
	}

	// Differences against the baseline with intervals.
	noisy := false
	for i := range rep.Runs {
		c, ok := rep.valCI(i)
		if i == b || !ok || !c.hasDiff {
			continue
		}
		distinct := c.dlo > 0 || c.dhi < 0
		verdict := l.s("within noise (the interval contains 0)", "노이즈 범위 (구간이 0을 포함)")
		if distinct {
			verdict = l.s("distinguishable from noise", "노이즈와 구별됨")
		} else {
			noisy = true
		}
		items = append(items, l.f("**%s** − **%s** val AUC: %+.4f [%+.4f, %+.4f]: %s.",
			"**%s** − **%s** val AUC: %+.4f [%+.4f, %+.4f]: %s.", rep.names[i], rep.names[b], c.diff, c.dlo, c.dhi, verdict))
	}
	if noisy {
		recs = append(recs, l.s("Some val AUC differences are within noise: repeat those runs with other seeds before ranking them.",
			"일부 val AUC 차이는 노이즈 범위이다: 순위를 정하기 전에 다른 seed로 반복 실행한다."))
	}

	// Threshold: similar AUC, clearly different ACC.
	for _, i := range done {
		s := rep.sums[i]
		for _, j := range done {
			o := rep.sums[j]
			if i == j {
				continue
			}
			a, oa := s.val(), o.val()
			if finite(a.AUC) && finite(oa.AUC) && math.Abs(a.AUC-oa.AUC) < 0.01 && oa.ACC-a.ACC > 0.02 {
				items = append(items, l.f("**%s** has val AUC %s but ACC %s, below **%s** (AUC %s, ACC %s): its threshold 0.5 is off.",
					"**%s**는 val AUC %s이지만 ACC %s로 **%s** (AUC %s, ACC %s)보다 낮다: threshold 0.5가 맞지 않는다.",
					rep.names[i], f4(a.AUC), f4(a.ACC), rep.names[j], f4(oa.AUC), f4(oa.ACC)))
				recs = append(recs, l.f("Tune the decision threshold of %s on validation (`fairclip metrics --threshold`): its ranking (AUC) is as good as %s's.",
					"%s의 결정 threshold를 검증 세트에서 조정한다 (`fairclip metrics --threshold`): 순위 성능(AUC)은 %s와 같다.", rep.names[i], rep.names[j]))
				break
			}
		}
	}

	// Loss gap and regularization.
	if k := argBestOf(rep.sums, done, func(s *summary) float64 { return math.Abs(s.finalValLoss - s.finalTrainLoss) }, false); k >= 0 && len(done) > 1 {
		s := rep.sums[k]
		msg := l.f("Smallest final train/val loss gap: **%s** (%s).", "최종 train/val loss gap 최소: **%s** (%s).",
			rep.names[k], f4(s.finalValLoss-s.finalTrainLoss))
		if k != b {
			if keys := rep.changedKeys(k, []string{"loss.label_smoothing", "model.dropout", "optimizer.weight_decay"}); keys != "" {
				msg += l.f(" Regularization differs from %s in %s.", " %s 대비 정규화 차이: %s.", rep.names[b], keys)
			}
		}
		items = append(items, msg)
	}

	// Parameters that cannot have mattered.
	if inert := rep.inertParams(); len(inert) > 0 {
		items = append(items, l.s("Parameters that cannot have mattered: ", "결과에 영향을 줄 수 없는 파라미터: ")+strings.Join(inert, "; ")+".")
		recs = append(recs, l.s("Do not tune `model.fusion_num_heads` while the fusion attends over one token per side; add tokens (e.g. patch tokens) first.",
			"Fusion이 양쪽 1개 토큰만 attend하는 동안에는 `model.fusion_num_heads`를 튜닝하지 않는다; 먼저 토큰 수(예: patch token)를 늘린다."))
	}

	if len(items) == 0 {
		d.p(l.s("No finding: the runs have no epochs to analyse.", "발견 사항 없음: 분석할 epoch가 없다."))
	}
	d.list(false, items)

	d.h2(l.s("6. Recommendations", "6. 향후 권장 사항"))
	if len(recs) == 0 {
		d.p(l.s("None follow from these runs.", "이 실행들에서 도출되는 권장 사항 없음."))
	}
	d.list(true, recs)
}

func orNone(s string) string {
	if s == "" {
		return na
	}
	return s
}

// lambdaOf is the mean logged lambda_fair, else the configured one.
func lambdaOf(s *summary) float64 {
	if finite(s.meanLambda) {
		return s.meanLambda
	}
	return s.lambdaCfg
}

// completed lists the runs that completed, or every run when none did.
func (rep *Report) completed() []int {
	var out, all []int
	for i, r := range rep.Runs {
		all = append(all, i)
		if r.Status() == "completed" {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return all
	}
	return out
}

// argBest returns the index of the best defined value, -1 if none.
func argBest(sums []*summary, get func(s *summary) float64, higher bool) int {
	all := make([]int, len(sums))
	for i := range all {
		all[i] = i
	}
	return argBestOf(sums, all, get, higher)
}

// argBestOf is argBest over the runs in idx.
func argBestOf(sums []*summary, idx []int, get func(s *summary) float64, higher bool) int {
	k := -1
	for _, i := range idx {
		v := get(sums[i])
		if !finite(v) {
			continue
		}
		if k < 0 || (higher && v > get(sums[k])) || (!higher && v < get(sums[k])) {
			k = i
		}
	}
	return k
}

// changedKeys lists "key a → b" for the given keys whose value in run i differs from
// the baseline's config.
func (rep *Report) changedKeys(i int, keys []string) string {
	a, b := rep.Runs[rep.baseline], rep.Runs[i]
	if !a.HasConfig || !b.HasConfig {
		return ""
	}
	va, vb := flatMap(a.Config), flatMap(b.Config)
	var parts []string
	for _, k := range keys {
		if va[k] != vb[k] {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, va[k], vb[k]))
		}
	}
	return strings.Join(parts, ", ")
}

func flatMap(c config.Config) map[string]string {
	m := map[string]string{}
	for _, f := range config.Flatten(c) {
		m[f.Key] = fmt.Sprint(f.Value)
	}
	return m
}

// inertParams lists configuration keys that cannot have changed the results of these
// runs, with the reason.
func (rep *Report) inertParams() []string {
	l := rep.l
	var cfgs []config.Config
	var names []string
	heads := map[int]bool{}
	inertWarning := false
	for i, r := range rep.Runs {
		for _, w := range r.Warnings {
			inertWarning = inertWarning || w.Kind == runs.WarnAttentionHeadsInert
		}
		if r.HasConfig {
			cfgs = append(cfgs, r.Config)
			names = append(names, rep.names[i])
			heads[r.Config.Model.FusionNumHeads] = true
		}
	}
	var out []string
	if len(heads) > 0 || inertWarning {
		var hs []string
		for h := range heads {
			hs = append(hs, fmt.Sprint(h))
		}
		out = append(out, l.f("`model.fusion_num_heads` (%s): the fusion attends from one query token to one key token, so each head's softmax is 1 and the output is out_proj(v_proj(s1)) for any head count",
			"`model.fusion_num_heads` (%s): fusion은 query 토큰 1개가 key 토큰 1개에 attend하므로 각 head의 softmax가 1이고, head 수와 무관하게 출력은 out_proj(v_proj(s1))이다",
			strings.Join(sortedStrings(hs), ", ")))
	}
	all := func(pred func(c config.Config) bool) bool {
		for _, c := range cfgs {
			if !pred(c) {
				return false
			}
		}
		return len(cfgs) > 0
	}
	for _, row := range config.Diff(cfgs, names) {
		var why string
		switch {
		case (row.Key == "scheduler.T_0" || row.Key == "scheduler.T_mult") && all(func(c config.Config) bool { return c.Scheduler.Name != "CosineAnnealingWarmRestarts" }):
			why = l.s("only CosineAnnealingWarmRestarts reads it", "CosineAnnealingWarmRestarts에서만 사용")
		case row.Key == "scheduler.warmup_epochs" && all(func(c config.Config) bool { return c.Scheduler.Name == "CosineAnnealingWarmRestarts" }):
			why = l.s("CosineAnnealingWarmRestarts has no warmup", "CosineAnnealingWarmRestarts에는 warmup이 없음")
		case strings.HasPrefix(row.Key, "loss.focal_") && all(func(c config.Config) bool { return c.Loss.Type != "focal" }):
			why = l.s("the loss is not focal", "손실이 focal이 아님")
		case strings.HasPrefix(row.Key, "loss_weighting.init_log_var") && all(func(c config.Config) bool { return c.LossWeighting.Type != "dynamic" }):
			why = l.s("loss weighting is fixed", "loss weighting이 fixed")
		case strings.HasPrefix(row.Key, "fairness_loss.") && all(func(c config.Config) bool {
			return c.LossWeighting.Type != "dynamic" && c.LossWeighting.LambdaFair == 0
		}):
			why = l.s("lambda_fair is 0", "lambda_fair가 0")
		case row.Key == "training.num_workers" || row.Key == "logging.print_freq" || row.Key == "logging.log_dir":
			why = l.s("does not enter the computation", "계산에 관여하지 않음")
		}
		if why != "" {
			out = append(out, fmt.Sprintf("`%s` (%s): %s", row.Key, strings.Join(row.Values, " / "), why))
		}
	}
	return out
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
