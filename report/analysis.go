package report

import (
	"fmt"
	"strings"
)

func rangeText(lo, hi float64, format func(float64) string) string {
	if !finite(lo) {
		return na
	}
	if format(lo) == format(hi) {
		return format(lo)
	}
	return format(lo) + "–" + format(hi)
}

func (rep *Report) analysis() {
	l, d := rep.l, &rep.doc
	d.h2(l.s("4. Analysis", "4. 핵심 발견 및 분석"))

	d.h3(l.s("4.1 Fusion gate", "4.1 Gate 메커니즘"))
	d.p("`fused = g*s1 + (1-g)*cross_attn`: " + l.s("g is the Stage 1 feature's weight, 1-g the cross-attention's.", "g는 Stage 1 특징의 가중치, 1-g는 Cross-Attention의 가중치."))
	t := table{header: []string{l.s("run", "실험"), "gate_init_bias", l.s("gate mean over epochs", "epoch별 gate 평균 범위"),
		l.s("gate mean at best epoch (p5–p95)", "best epoch gate 평균 (p5–p95)"), l.s("cross-attention share over epochs", "Cross-Attn 기여도 범위"), l.s("saturated", "포화")}}
	for i, s := range rep.sums {
		atBest := f4(s.gateAtBest)
		if s.hasBest && finite(s.bestEp.Gate.P5) {
			atBest += " (" + f4(s.bestEp.Gate.P5) + "–" + f4(s.bestEp.Gate.P95) + ")"
		}
		sat := na
		if finite(s.gateAtBest) {
			sat = l.s("no", "아니오")
			if s.saturated() {
				sat = l.s("**yes**", "**예**")
			}
		}
		t.rows = append(t.rows, []string{rep.names[i], bias(s.gateInitBias), rangeText(s.gateLo, s.gateHi, f4), atBest,
			rangeText(s.crossLo, s.crossHi, pct0), sat})
	}
	d.table(t)
	d.p(l.s("Saturated: the mean gate at the best epoch is within 0.05 of 0 or 1, so one branch gets under 5% of the weight.",
		"포화: best epoch의 gate 평균이 0 또는 1에서 0.05 이내, 즉 한 쪽 경로의 가중치가 5% 미만."))
	rep.attentionTable()

	d.h3(l.s("4.2 Sinkhorn blur and the fairness loss", "4.2 Sinkhorn Blur와 Fairness Loss의 상호작용"))
	t = table{header: []string{l.s("run", "실험"), "sinkhorn_blur", l.s("mean raw fair loss", "Fair Loss 크기 (평균)"), "lambda_fair",
		"lambda × L_fair", l.s("effective share of total loss", "실질 기여도 (총 손실 대비)"), l.s("undefined batches", "미정의 배치")}}
	for i, s := range rep.sums {
		lambda := s.meanLambda
		if !finite(lambda) {
			lambda = s.lambdaCfg
		}
		undefined := na
		if len(rep.Runs[i].Epochs) > 0 {
			undefined = fmt.Sprint(s.undefinedFairBatches)
		}
		t.rows = append(t.rows, []string{rep.names[i], sci(s.blur), f4(s.meanFair), sci(lambda), f4(s.meanWeightedFair), pct(s.meanEff), undefined})
	}
	d.table(t)
	d.p(l.s("Means over epochs of the per-epoch training means; the effective share is the mean of lambda*L_fair/L_total.",
		"epoch별 학습 평균의 epoch 평균; 실질 기여도는 lambda*L_fair/L_total의 평균."))

	d.h3(l.s("4.3 Degenerate phase (all validation predictions one class)", "4.3 Degenerate Phase (전체 동일 클래스 예측) 분석"))
	t = table{header: []string{l.s("run", "실험"), l.s("epochs", "구간"), l.s("length", "길이"), l.s("majority share", "다수 클래스 비율"), l.s("val ACC in phase", "구간 내 Val ACC")}}
	for i, s := range rep.sums {
		length := na
		if len(rep.Runs[i].Epochs) > 0 {
			length = l.epochs(len(s.degenerate))
		}
		rng := na
		if len(s.degenerate) > 0 {
			rng = "Ep " + epochRange(s.degenerate)
		} else if len(rep.Runs[i].Epochs) > 0 {
			rng = l.s("none", "없음")
		}
		t.rows = append(t.rows, []string{rep.names[i], rng, length, f4(s.majorityShare), f4(s.degenerateAcc)})
	}
	d.table(t)

	d.h3(l.s("4.4 Train/validation loss gap", "4.4 Train/Validation Loss Gap"))
	t = table{header: []string{l.s("run", "실험"), l.s("final train loss", "최종 train loss"), l.s("final val loss", "최종 val loss"),
		l.s("gap (val − train)", "gap (val − train)"), l.s("gap at best epoch", "best epoch gap")}}
	for i, s := range rep.sums {
		gapBest := na
		if s.hasBest {
			gapBest = f4(s.bestEp.ValLoss - s.bestEp.TrainLoss)
		}
		t.rows = append(t.rows, []string{rep.names[i], f4(s.finalTrainLoss), f4(s.finalValLoss), f4(s.finalValLoss - s.finalTrainLoss), gapBest})
	}
	d.table(t)
	d.p(l.s("Training loss includes label smoothing and the weighted fairness term, validation loss is the classification loss: compare gaps between runs rather than their sign.",
		"train loss에는 label smoothing과 가중 fairness 항이 포함되고 val loss는 분류 손실이므로, 부호보다 실행 간 gap 차이를 비교한다."))

	d.h3(l.s("4.5 Warnings and data problems", "4.5 경고 및 데이터 문제"))
	var items []string
	for i, r := range rep.Runs {
		// One line per warning kind: its epochs as ranges and the latest message.
		var kinds []string
		epochs := map[string][]int{}
		last := map[string]string{}
		for _, w := range r.Warnings {
			if _, seen := last[w.Kind]; !seen {
				kinds = append(kinds, w.Kind)
			}
			last[w.Kind] = w.Message
			if w.Epoch > 0 {
				epochs[w.Kind] = append(epochs[w.Kind], w.Epoch)
			}
		}
		for _, k := range kinds {
			ep := l.s("run", "전체")
			if eps := epochs[k]; len(eps) > 0 {
				ep = "Ep" + epochRanges(eps)
				if len(eps) > 1 {
					ep += l.f(" (%d epochs; latest message)", " (%d epochs; 마지막 메시지)", len(eps))
				}
			}
			items = append(items, fmt.Sprintf("**%s** %s `%s`: %s", rep.names[i], ep, k, last[k]))
		}
		if r.BadSamples > 0 {
			items = append(items, l.f("**%s**: %d bad samples (bad_sample events)", "**%s**: 잘못된 샘플 %d개 (bad_sample 이벤트)", rep.names[i], r.BadSamples))
		}
		if r.FairUndefined > 0 {
			items = append(items, l.f("**%s**: %d training batches with an undefined fairness term (fair_undefined events)",
				"**%s**: fairness 항이 정의되지 않은 학습 배치 %d개 (fair_undefined 이벤트)", rep.names[i], r.FairUndefined))
		}
	}
	if len(items) == 0 {
		d.p(l.s("None recorded.", "기록된 항목 없음."))
	}
	d.list(false, items)
}

// epochRanges renders ascending epochs as "1-5, 8, 10-11".
func epochRanges(eps []int) string {
	var parts []string
	for i := 0; i < len(eps); {
		j := i
		for j+1 < len(eps) && eps[j+1] == eps[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", eps[i], eps[j]))
		} else {
			parts = append(parts, fmt.Sprint(eps[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
