package report

import (
	"fmt"

	"github.com/fairclip/fairclip/runs"
)

// epochHeader is "name (Ep E)" for result tables.
func (rep *Report) epochHeader(i int) string {
	if s := rep.sums[i]; s.hasBest {
		return fmt.Sprintf("%s (Ep%d)", rep.names[i], s.best)
	}
	return rep.names[i]
}

func (rep *Report) headers(first string, tail ...string) []string {
	h := []string{first}
	for i := range rep.Runs {
		h = append(h, rep.epochHeader(i))
	}
	return append(h, tail...)
}

// metricRow builds a row of one value per run, bolding the best when higher says
// which direction is better (nil: no bolding).
func (rep *Report) metricRow(label string, get func(s *summary) float64, format func(float64) string, higher *bool) []string {
	vals := make([]float64, len(rep.sums))
	cells := make([]string, len(rep.sums))
	for i, s := range rep.sums {
		vals[i] = get(s)
		cells[i] = format(vals[i])
	}
	if higher != nil {
		boldBest(cells, vals, *higher)
	}
	return append([]string{label}, cells...)
}

var (
	higherBetter = func() *bool { b := true; return &b }()
	lowerBetter  = func() *bool { b := false; return &b }()
)

type fairMetric struct {
	name string
	get  func(runs.Metrics) float64
}

func fairMetrics() []fairMetric {
	return []fairMetric{
		{"F_FPR", func(m runs.Metrics) float64 { return m.FFPR }},
		{"F_OAE", func(m runs.Metrics) float64 { return m.FOAE }},
		{"F_DP", func(m runs.Metrics) float64 { return m.FDP }},
		{"F_MEO", func(m runs.Metrics) float64 { return m.FMEO }},
	}
}

func (rep *Report) convention() string {
	conv := rep.perRun(func(r *Run) string {
		if !r.HasConfig {
			return ""
		}
		return r.Config.Evaluation.FairnessConvention
	})
	return conv
}

func (rep *Report) results() {
	l, d := rep.l, &rep.doc
	d.h2(l.s("3. Results", "3. 실험 결과"))

	d.h3(l.s("3.1 Core metrics (best epoch by validation AUC)", "3.1 핵심 성능 지표 비교 (Val AUC 기준 best epoch)"))
	t := table{header: append([]string{l.s("metric", "지표")}, rep.names...)}
	auc := rep.metricRow("**Best Val AUC**", func(s *summary) float64 { return s.val().AUC }, f4, higherBetter)
	for i, s := range rep.sums {
		if s.hasBest && auc[i+1] != na {
			auc[i+1] += fmt.Sprintf(" (Ep%d)", s.best)
		}
	}
	t.rows = append(t.rows, auc,
		rep.metricRow("Best Val ACC", func(s *summary) float64 { return s.val().ACC }, f4, higherBetter),
		rep.metricRow("Best Val EER", func(s *summary) float64 { return s.val().EER }, f4, lowerBetter),
		rep.metricRow("Best Val AP", func(s *summary) float64 { return s.val().AP }, f4, higherBetter),
		rep.metricRow(l.s("Train loss (final)", "Train Loss (final)"), func(s *summary) float64 { return s.finalTrainLoss }, f4, nil),
	)
	deg := []string{l.s("Degenerate phase", "Degenerate Phase")}
	tim := []string{l.s("Training time", "학습 시간")}
	for i, s := range rep.sums {
		cell := na
		if len(rep.Runs[i].Epochs) > 0 {
			cell = l.s("none", "없음")
			if len(s.degenerate) > 0 {
				cell = "Ep " + epochRange(s.degenerate)
			}
		}
		deg = append(deg, cell)
		tim = append(tim, rep.timeCell(i))
	}
	t.rows = append(t.rows, deg, tim)
	d.table(t)

	d.h3(l.s("3.2 Cross-dataset generalization (test AUC of the best model)", "3.2 Cross-Dataset 일반화 성능 (Best Model 기준 Test AUC)"))
	if len(rep.datasets) == 0 {
		d.p(l.s("No test datasets configured and no test results.", "테스트 데이터셋 설정과 테스트 결과가 없다."))
	} else {
		t := table{header: rep.headers(l.s("dataset", "데이터셋"))}
		for _, ds := range rep.datasets {
			t.rows = append(t.rows, rep.metricRow(ds, func(s *summary) float64 {
				return s.testMetric(ds, func(m runs.Metrics) float64 { return m.AUC })
			}, f4, higherBetter))
		}
		t.rows = append(t.rows, rep.metricRow(l.s("**Mean**", "**평균**"), func(s *summary) float64 { return s.meanTestAUC(rep.datasets) }, f4, higherBetter))
		d.table(t)
		d.p(l.s("The mean is shown only for runs with every test dataset.", "평균은 모든 테스트 데이터셋 결과가 있는 실행에만 표시한다."))
	}

	conv := rep.convention()
	dir := l.s("↓ lower is better", "↓ 낮을수록 공정")
	d.h3(l.s("3.3 Validation fairness (best epoch)", "3.3 Validation Fairness 지표 (Best Epoch 기준)"))
	t = table{header: rep.headers(l.s("metric", "지표"), l.s("direction", "방향"))}
	for _, fm := range fairMetrics() {
		row := rep.metricRow(fm.name, func(s *summary) float64 { return fm.get(s.val()) }, pct, lowerBetter)
		t.rows = append(t.rows, append(row, dir))
	}
	d.table(t)
	d.p(l.f("Convention `%s`; best value per row in bold.", "규약 `%s`; 행별 최선 값은 굵게 표시.", conv))

	d.h3(l.s("3.4 Test fairness (best model)", "3.4 Test Fairness 지표 (Best Model 기준)"))
	if len(rep.datasets) == 0 {
		d.p(na)
	}
	for _, ds := range rep.datasets {
		d.p("**" + ds + "**")
		t := table{header: rep.headers(l.s("metric", "지표"), l.s("direction", "방향"))}
		for _, fm := range fairMetrics() {
			row := rep.metricRow(fm.name, func(s *summary) float64 { return s.testMetric(ds, fm.get) }, pct, lowerBetter)
			t.rows = append(t.rows, append(row, dir))
		}
		d.table(t)
	}
	d.p(l.f("Convention `%s`; best value per row in bold.", "규약 `%s`; 행별 최선 값은 굵게 표시.", conv))
}
