package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
)

// stage1Runs are the indexes of the Stage 1 runs.
func (rep *Report) stage1Runs() []int {
	var out []int
	for i, r := range rep.Runs {
		if r.IsStage1() {
			out = append(out, i)
		}
	}
	return out
}

// allStage1 reports whether every run is a Stage 1 run: the report then has the
// Stage 1 layout instead of the Stage 2 one.
func (rep *Report) allStage1() bool { return len(rep.stage1Runs()) == len(rep.Runs) }

// buildStage1 is the layout of a report on Stage 1 runs only: overview, configuration
// differences, Stage 1 results, plots, files.
func (rep *Report) buildStage1() {
	rep.doc.title = rep.l.f("Stage 1 report: %s", "Stage 1 보고서: %s", strings.Join(rep.names, ", "))
	rep.runList()
	rep.stage1Setup()
	rep.stage1MetricDefinitions()
	rep.configs()
	rep.doc.h2(rep.l.s("3. Stage 1 results", "3. Stage 1 결과"))
	rep.stage1Results("3.1", "3.2", "3.3", "3.4")
	plotsNum, filesNum := "4", "5"
	if rep.opts.PlotDir == "" {
		filesNum = "4"
	} else {
		rep.doc.h2(rep.l.f("%s. Plots", "%s. 그래프", plotsNum))
		rep.stage1Plots()
		if len(rep.Warnings) > 0 {
			rep.doc.list(false, rep.Warnings)
		}
	}
	rep.filesSection(filesNum)
}

// stage1Setup is section 1.2 of a Stage 1 report.
func (rep *Report) stage1Setup() {
	l, d := rep.l, &rep.doc
	d.h3(l.s("1.2 Setup", "1.2 실험 환경"))
	cfg := func(get func(c config.Config) string) func(r *Run) string {
		return func(r *Run) string {
			if !r.HasConfig {
				return ""
			}
			return get(r.Config)
		}
	}
	items := []string{
		l.s("**Model**: ", "**모델**: ") + rep.perRun(cfg(func(c config.Config) string {
			return l.f("CLIP %s (frozen) + Stage 1 adapter A1 (%d -> %d -> %d -> %d, residual) + gradient-reversal race (4) and gender (2) heads",
				"CLIP %s (Frozen) + Stage 1 Adapter A1 (%d -> %d -> %d -> %d, residual) + Gradient Reversal race (4)/gender (2) head",
				c.Model.ClipName, c.Model.FeatureDim, c.Model.Stage1HiddenDim, c.Model.Stage1HiddenDim, c.Model.FeatureDim)
		})),
		rep.paramsItem(),
		l.s("**Losses**: ", "**손실 가중치**: ") + rep.perRun(cfg(func(c config.Config) string {
			s := c.Stage1
			return fmt.Sprintf("race %s, gender %s, similarity %s, fairness %s, pairwise %s",
				sci(s.LambdaRace), sci(s.LambdaGender), sci(s.LambdaSimilarity), sci(s.LambdaFairness), sci(s.LambdaPairwise))
		})),
		l.s("**Gradient reversal**: ", "**Gradient Reversal**: ") + rep.perRun(cfg(func(c config.Config) string {
			g := c.Stage1.GRL
			return fmt.Sprintf("%s, %s -> %s, gamma %s", g.Schedule, sci(g.InitialLambda), sci(g.MaxLambda), sci(g.Gamma))
		})),
		l.s("**Training data**: ", "**학습 데이터**: ") + rep.perRun(cfg(func(c config.Config) string {
			var names []string
			for _, a := range c.Stage1.AttributeDatasets {
				names = append(names, a.Name)
			}
			return strings.Join(names, ", ")
		})) + rep.perRun(func(r *Run) string {
			if r.Start == nil || r.Start.Plan.TrainSamples == 0 {
				return ""
			}
			return l.f(" (%d samples, %d batches per epoch)", " (%d 샘플, epoch당 %d 배치)", r.Start.Plan.TrainSamples, r.Start.Plan.BatchesPerEpoch)
		}),
		l.s("**Validation data**: ", "**검증 데이터**: ") + rep.perRun(cfg(func(c config.Config) string {
			return strings.Join(c.Dataset.ValidationDataset, ", ")
		})) + rep.perRun(func(r *Run) string {
			if r.Start == nil || r.Start.Plan.ValSamples == 0 {
				return ""
			}
			return l.f(" (%d samples)", " (%d 샘플)", r.Start.Plan.ValSamples)
		}),
		rep.backendItem(),
		rep.totalTimeItem(),
	}
	d.list(false, items)
}

// stage1MetricDefinitions is section 1.3 of a Stage 1 report.
func (rep *Report) stage1MetricDefinitions() {
	l, d := rep.l, &rep.doc
	d.h3(l.s("1.3 Metrics", "1.3 평가 지표"))
	d.table(table{
		header: []string{l.s("metric", "지표"), l.s("meaning", "설명")},
		rows: [][]string{
			{l.s("cosine to CLIP", "CLIP 코사인 유사도"), l.s("mean cosine(adapted, CLIP) on validation: how much of the CLIP feature A1 keeps (higher is better)",
				"검증 세트의 평균 cosine(adapted, CLIP): A1이 CLIP 특징을 얼마나 보존하는지 (높을수록 좋음)")},
			{l.s("race / gender probe", "race / gender probe"), l.s("balanced accuracy of a logistic probe trained on half the validation rows, scored on the other half; raw CLIP = before, adapted = after; chance 0.25 / 0.50 (lower is fairer)",
				"검증 세트 절반으로 학습하고 나머지 절반으로 평가한 로지스틱 probe의 balanced accuracy; raw CLIP = 이전, adapted = 이후; 우연 수준 0.25 / 0.50 (낮을수록 공정)")},
			{l.s("Sinkhorn global / pairwise", "Sinkhorn global / pairwise"), l.s("Sinkhorn divergence of each subgroup to the whole (global) and between subgroups (pairwise), up to 32 validation rows per subgroup, before (raw CLIP) and after (adapted) (lower is fairer)",
				"각 서브그룹과 전체 (global), 서브그룹 쌍 (pairwise) 사이의 Sinkhorn divergence, 서브그룹당 최대 32개 검증 샘플, 이전 (raw CLIP)과 이후 (adapted) (낮을수록 공정)")},
			{l.s("selection score", "선택 점수"), l.s("w_cosine·cos + w_race_acc·race head acc + w_gender_acc·gender head acc (`stage1.best_model_selection`, the original's rule for the best epoch)",
				"w_cosine·cos + w_race_acc·race head acc + w_gender_acc·gender head acc (`stage1.best_model_selection`, 원본의 best epoch 규칙)")},
			{l.s("head accuracy", "head 정확도"), l.s("accuracy of the adversarial race/gender heads behind the gradient reversal on validation",
				"Gradient Reversal 뒤 적대적 race/gender head의 검증 정확도")},
		},
	})
}

// stage1Best returns run i's stage1_epoch event at its best epoch.
func (rep *Report) stage1Best(i int) (runs.Stage1EpochEvent, bool) {
	return rep.Runs[i].Stage1Epoch(rep.sums[i].best)
}

// beforeAfter prints "before → after (±delta)".
func beforeAfter(before, after float64) string {
	if !finite(after) {
		return na
	}
	if !finite(before) {
		return f4(after)
	}
	return fmt.Sprintf("%s → %s (%+.4f)", f4(before), f4(after), after-before)
}

// stage1Results writes the Stage 1 tables as level-3 sections numbered best,
// subgroup, epochs and notes.
func (rep *Report) stage1Results(best, subgroup, epochs, notes string) {
	l, d := rep.l, &rep.doc
	idx := rep.stage1Runs()
	names := make([]string, len(idx))
	for k, i := range idx {
		names[k] = rep.names[i]
	}
	// get returns the best-epoch value of each Stage 1 run (NaN without one).
	get := func(f func(e runs.Stage1EpochEvent) float64) []float64 {
		vals := make([]float64, len(idx))
		for k, i := range idx {
			vals[k] = math.NaN()
			if e, ok := rep.stage1Best(i); ok {
				vals[k] = f(e)
			}
		}
		return vals
	}
	row := func(label, dir string, vals []float64, cell func(k int) string, higher *bool) []string {
		cells := make([]string, len(idx))
		for k := range idx {
			cells[k] = cell(k)
		}
		if higher != nil {
			boldBest(cells, vals, *higher)
		}
		return append(append([]string{label}, cells...), dir)
	}
	plain := func(label, dir string, f func(e runs.Stage1EpochEvent) float64, higher *bool) []string {
		vals := get(f)
		return row(label, dir, vals, func(k int) string { return f4(vals[k]) }, higher)
	}
	pair := func(label string, before, after func(e runs.Stage1EpochEvent) float64) []string {
		b, a := get(before), get(after)
		return row(label, l.s("↓ lower is fairer", "↓ 낮을수록 공정"), a, func(k int) string { return beforeAfter(b[k], a[k]) }, lowerBetter)
	}

	d.h3(l.f("%s Stage 1 adapter at the best epoch", "%s Best epoch의 Stage 1 adapter", best))
	t := table{header: append(append([]string{l.s("metric", "지표")}, names...), l.s("direction", "방향"))}
	epochRow := []string{l.s("best epoch", "best epoch")}
	for _, i := range idx {
		cell := na
		if e, ok := rep.stage1Best(i); ok {
			cell = fmt.Sprint(e.Epoch)
		}
		epochRow = append(epochRow, cell)
	}
	t.rows = append(t.rows, append(epochRow, ""),
		plain(l.s("selection score", "선택 점수"), "↑", func(e runs.Stage1EpochEvent) float64 { return e.Score }, higherBetter),
		plain(l.s("cosine to CLIP", "CLIP 코사인 유사도"), l.s("↑ keeps CLIP", "↑ CLIP 보존"), func(e runs.Stage1EpochEvent) float64 { return e.ValCosine }, higherBetter),
		pair(l.s("race probe: raw CLIP → adapted", "race probe: raw CLIP → adapted"),
			func(e runs.Stage1EpochEvent) float64 { return e.ProbeRaceAccCLIP }, func(e runs.Stage1EpochEvent) float64 { return e.ProbeRaceAcc }),
		pair(l.s("gender probe: raw CLIP → adapted", "gender probe: raw CLIP → adapted"),
			func(e runs.Stage1EpochEvent) float64 { return e.ProbeGenderAccCLIP }, func(e runs.Stage1EpochEvent) float64 { return e.ProbeGenderAcc }),
		pair(l.s("Sinkhorn global: before → after", "Sinkhorn global: 이전 → 이후"),
			func(e runs.Stage1EpochEvent) float64 { return e.SinkhornGlobalBefore }, func(e runs.Stage1EpochEvent) float64 { return e.SinkhornGlobalAfter }),
		pair(l.s("Sinkhorn pairwise: before → after", "Sinkhorn pairwise: 이전 → 이후"),
			func(e runs.Stage1EpochEvent) float64 { return e.SinkhornPairwiseBefore }, func(e runs.Stage1EpochEvent) float64 { return e.SinkhornPairwiseAfter }),
		plain(l.s("race head accuracy", "race head 정확도"), "", func(e runs.Stage1EpochEvent) float64 { return e.ValRaceAcc }, nil),
		plain(l.s("gender head accuracy", "gender head 정확도"), "", func(e runs.Stage1EpochEvent) float64 { return e.ValGenderAcc }, nil),
		plain(l.s("GRL lambda", "GRL lambda"), "", func(e runs.Stage1EpochEvent) float64 { return e.LambdaGRL }, nil),
	)
	d.table(t)
	d.p(l.s("Probe chance levels: race 0.25, gender 0.50. Best value per row in bold (for before → after rows: the lowest after).",
		"Probe 우연 수준: race 0.25, gender 0.50. 행별 최선 값은 굵게 (이전 → 이후 행은 가장 낮은 이후 값)."))

	d.h3(l.f("%s Sinkhorn distance per subgroup (best epoch)", "%s 서브그룹별 Sinkhorn 거리 (best epoch)", subgroup))
	t = table{header: []string{l.s("subgroup", "서브그룹")}}
	for _, n := range names {
		t.header = append(t.header, n)
	}
	for g := 0; g < runs.NumSubgroups; g++ {
		vals := get(func(e runs.Stage1EpochEvent) float64 { return e.SinkhornSubgroupAfter[g] })
		before := get(func(e runs.Stage1EpochEvent) float64 { return e.SinkhornSubgroupBefore[g] })
		r := row(metrics.SubgroupName(g), "", vals, func(k int) string { return beforeAfter(before[k], vals[k]) }, lowerBetter)
		t.rows = append(t.rows, r[:len(r)-1])
	}
	d.table(t)
	d.p(l.s("Each subgroup's term of the global Sinkhorn loss, before (raw CLIP) → after (adapted); — when the subgroup has too few validation rows.",
		"global Sinkhorn 손실의 서브그룹별 항, 이전 (raw CLIP) → 이후 (adapted); 검증 샘플이 부족한 서브그룹은 —."))

	d.h3(l.f("%s Per epoch", "%s Epoch별 추이", epochs))
	for k, i := range idx {
		r := rep.Runs[i]
		if len(idx) > 1 {
			d.p("**" + names[k] + "**")
		}
		if len(r.Stage1) == 0 {
			d.p(l.s("No finished epoch.", "완료된 epoch 없음."))
			continue
		}
		first := r.Stage1[0]
		d.p(l.f("Raw CLIP: race probe %s, gender probe %s, Sinkhorn global %s, pairwise %s.",
			"Raw CLIP: race probe %s, gender probe %s, Sinkhorn global %s, pairwise %s.",
			f4(first.ProbeRaceAccCLIP), f4(first.ProbeGenderAccCLIP), f4(first.SinkhornGlobalBefore), f4(first.SinkhornPairwiseBefore)))
		t := table{header: []string{"epoch", "lambda_grl", "lr", l.s("cos", "cos"), l.s("race probe", "race probe"), l.s("gender probe", "gender probe"),
			"Sinkhorn global", "Sinkhorn pairwise", l.s("race head", "race head"), l.s("gender head", "gender head"), l.s("score", "점수")}}
		for _, e := range r.Stage1 {
			ep := fmt.Sprint(e.Epoch)
			if e.Epoch == rep.sums[i].best {
				ep = "**" + ep + l.s(" (best)", " (best)") + "**"
			}
			t.rows = append(t.rows, []string{ep, f4(e.LambdaGRL), sci(e.LR), f4(e.ValCosine), f4(e.ProbeRaceAcc), f4(e.ProbeGenderAcc),
				f4(e.SinkhornGlobalAfter), f4(e.SinkhornPairwiseAfter), f4(e.ValRaceAcc), f4(e.ValGenderAcc), f4(e.Score)})
		}
		d.table(t)
	}

	d.h3(l.f("%s Notes", "%s 참고 사항", notes))
	var items []string
	for k, i := range idx {
		items = append(items, rep.stage1Notes(i, names[k])...)
	}
	if len(items) == 0 {
		items = []string{l.s("Nothing to note.", "특이 사항 없음.")}
	}
	d.list(false, items)
}

// stage1Notes are findings computed from one Stage 1 run's epochs: cosine below the
// 0.9 of the quality bar, probes not below raw CLIP, and a best epoch (by the
// selection score) whose race probe is well above the run's lowest.
func (rep *Report) stage1Notes(i int, name string) []string {
	l := rep.l
	e, ok := rep.stage1Best(i)
	if !ok {
		return nil
	}
	var out []string
	if finite(e.ValCosine) && e.ValCosine < 0.9 {
		out = append(out, l.f("**%s**: cosine to CLIP %s at the best epoch is below 0.9: A1 moves the features far from CLIP.",
			"**%s**: best epoch의 CLIP 코사인 유사도 %s가 0.9 미만: A1이 특징을 CLIP에서 크게 벗어나게 한다.", name, f4(e.ValCosine)))
	}
	for _, p := range []struct {
		attr       string
		after, raw float64
	}{
		{"race", e.ProbeRaceAcc, e.ProbeRaceAccCLIP},
		{"gender", e.ProbeGenderAcc, e.ProbeGenderAccCLIP},
	} {
		if finite(p.after) && finite(p.raw) && p.after >= p.raw {
			out = append(out, l.f("**%s**: the %s probe is not below raw CLIP at the best epoch (%s vs %s): A1 does not hide %[2]s.",
				"**%s**: best epoch의 %s probe가 raw CLIP보다 낮지 않다 (%s vs %s): A1이 %[2]s 정보를 숨기지 못한다.", name, p.attr, f4(p.after), f4(p.raw)))
		}
	}
	lowEpoch, low := 0, math.NaN()
	for _, x := range rep.Runs[i].Stage1 {
		if v := x.ProbeRaceAcc; finite(v) && (!finite(low) || v < low) {
			lowEpoch, low = x.Epoch, v
		}
	}
	if finite(e.ProbeRaceAcc) && finite(low) && e.ProbeRaceAcc-low >= 0.05 {
		out = append(out, l.f("**%s**: the selection score picked epoch %d (race probe %s), but epoch %d hides race better (race probe %s, cosine %s); the score uses the adversarial heads' accuracies, not the probes.",
			"**%s**: 선택 점수는 epoch %d (race probe %s)를 골랐지만 epoch %d가 race를 더 잘 숨긴다 (race probe %s, cosine %s); 점수는 probe가 아닌 적대적 head 정확도를 쓴다.",
			name, e.Epoch, f4(e.ProbeRaceAcc), lowEpoch, f4(low), f4(rep.stage1Cos(i, lowEpoch))))
	}
	return out
}

func (rep *Report) stage1Cos(i, epoch int) float64 {
	if e, ok := rep.Runs[i].Stage1Epoch(epoch); ok {
		return e.ValCosine
	}
	return math.NaN()
}
