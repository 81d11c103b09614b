package report

import (
	"fmt"
	"strings"

	"github.com/fairclip/fairclip/config"
)

// problemText renders a run problem in the report's language.
func (l lang) problemText(p Problem) string {
	a := p.Args
	switch p.Key {
	case "missing_dir":
		return l.f("run folder %s does not exist", "실행 폴더 %s 없음", a...)
	case "no_config":
		return l.s("no config.yaml: hyperparameters unknown", "config.yaml 없음: 하이퍼파라미터 알 수 없음")
	case "bad_config":
		return l.f("config.yaml unreadable: %s", "config.yaml 읽기 실패: %s", a...)
	case "no_info":
		return l.s("no run.json", "run.json 없음")
	case "corrupt_events":
		return l.f("%s has corrupt lines %s (skipped)", "%s 손상된 줄 %s (건너뜀)", a...)
	case "no_events":
		return l.s("no events.jsonl: no results", "events.jsonl 없음: 결과 없음")
	case "truncated_events":
		return l.s("events.jsonl ends in a truncated line (the run was killed while writing)",
			"events.jsonl 마지막 줄이 잘림 (기록 중 강제 종료)")
	case "no_start":
		return l.s("no run_start event", "run_start 이벤트 없음")
	case "no_end":
		return l.f("no run_end event: the run crashed, was killed or is still running (%d of %d epochs done)",
			"run_end 이벤트 없음: 실행이 중단되었거나 아직 진행 중 (%[2]d epoch 중 %[1]d 완료)", a...)
	case "ended":
		if s, _ := a[1].(string); s != "" {
			return l.f("run ended with status %s: %s", "실행이 %s 상태로 종료: %s", a...)
		}
		return l.f("run ended with status %s", "실행이 %s 상태로 종료", a[0])
	case "no_epochs":
		return l.s("no finished epoch", "완료된 epoch 없음")
	case "no_tests":
		return l.f("no test results for the best epoch (%d) yet", "best epoch (%d)의 테스트 결과 아직 없음", a...)
	}
	return p.Key
}

func (l lang) status(s string) string {
	switch s {
	case "completed":
		return l.s("completed", "완료")
	case "failed":
		return l.s("**failed**", "**실패**")
	case "stopped_nonfinite":
		return l.s("**stopped (non-finite loss)**", "**중단 (비유한 손실)**")
	case "incomplete":
		return l.s("**incomplete**", "**미완료**")
	case "missing":
		return l.s("**missing**", "**없음**")
	}
	return s
}

func (rep *Report) overview() {
	rep.runList()
	rep.setup()
	rep.metricDefinitions()
}

// runList is section 1.1: the runs and what is missing.
func (rep *Report) runList() {
	l, d := rep.l, &rep.doc
	d.h2(l.s("1. Overview", "1. 실험 개요"))
	d.h3(l.s("1.1 Runs", "1.1 실행 목록"))
	t := table{header: []string{l.s("run", "실행"), l.s("folder", "폴더"), l.s("status", "상태"),
		l.s("epochs", "epochs"), l.s("best epoch", "best epoch"), l.s("time", "시간")}}
	var problems []string
	for i, r := range rep.Runs {
		s := rep.sums[i]
		name := rep.names[i]
		if i == rep.baseline {
			name += l.s(" (baseline)", " (기준)")
		}
		epochs := fmt.Sprintf("%d/%d", r.EpochsDone(), r.PlannedEpochs())
		best := na
		if _, ok := r.Stage1Epoch(s.best); s.hasBest || ok {
			best = fmt.Sprint(s.best)
		}
		t.rows = append(t.rows, []string{name, "`" + r.Dir + "`", l.status(r.Status()), epochs, best, rep.timeCell(i)})
		for _, p := range r.Problems {
			problems = append(problems, fmt.Sprintf("**%s**: %s", rep.names[i], l.problemText(p)))
		}
	}
	d.table(t)
	if len(problems) > 0 {
		d.p(l.s("Missing or partial results (shown as — in the tables):", "누락되거나 불완전한 결과 (표에서 —로 표시):"))
		d.list(false, problems)
	}
}

// setup is section 1.2 of a Stage 2 report.
func (rep *Report) setup() {
	l, d := rep.l, &rep.doc
	d.h3(l.s("1.2 Setup", "1.2 실험 환경"))
	var items []string
	items = append(items, l.s("**Model**: ", "**모델**: ")+rep.perRun(func(r *Run) string {
		if !r.HasConfig {
			return ""
		}
		return l.f("CLIP %s (frozen) + Stage 1 adapter (frozen) + Stage 2 adapter + cross-attention fusion (%d heads) + classifier",
			"CLIP %s (Frozen) + Stage 1 Adapter (Frozen) + Stage 2 Adapter + Cross-Attention Fusion (%d heads) + Binary Classifier",
			r.Config.Model.ClipName, r.Config.Model.FusionNumHeads)
	}))
	items = append(items, rep.paramsItem())
	cfgList := func(get func(c config.Config) []string) func(r *Run) string {
		return func(r *Run) string {
			if !r.HasConfig {
				return ""
			}
			return strings.Join(get(r.Config), ", ")
		}
	}
	items = append(items,
		l.s("**Training data**: ", "**학습 데이터**: ")+rep.perRun(cfgList(func(c config.Config) []string { return c.Dataset.TrainDataset }))+
			rep.perRun(func(r *Run) string {
				if r.Start == nil || r.Start.Plan.TrainSamples == 0 {
					return ""
				}
				return l.f(" (%d samples, %d batches per epoch)", " (%d 샘플, epoch당 %d 배치)", r.Start.Plan.TrainSamples, r.Start.Plan.BatchesPerEpoch)
			}),
		l.s("**Validation data**: ", "**검증 데이터**: ")+rep.perRun(cfgList(func(c config.Config) []string { return c.Dataset.ValidationDataset }))+
			rep.perRun(func(r *Run) string {
				if r.Start == nil || r.Start.Plan.ValSamples == 0 {
					return ""
				}
				return l.f(" (%d samples)", " (%d 샘플)", r.Start.Plan.ValSamples)
			}),
		l.s("**Test data**: ", "**테스트 데이터**: ")+rep.perRun(cfgList(func(c config.Config) []string { return c.Evaluation.TestDatasets })),
		rep.backendItem(),
		l.s("**Fairness convention**: ", "**공정성 지표 규약**: ")+rep.perRun(func(r *Run) string {
			if !r.HasConfig {
				return ""
			}
			return "`" + r.Config.Evaluation.FairnessConvention + "`"
		}),
	)
	items = append(items, rep.totalTimeItem())
	d.list(false, items)
}

// paramsItem is the setup line with the parameter counts of run_start.
func (rep *Report) paramsItem() string {
	l := rep.l
	return l.s("**Parameters**: ", "**파라미터**: ") + rep.perRun(func(r *Run) string {
		if r.Start == nil || r.Start.Params.Total == 0 {
			return ""
		}
		p := r.Start.Params
		return l.f("total %s; trainable %s (%.2f%%), frozen %s (%.2f%%)", "총 %s; 학습 %s (%.2f%%), 고정 %s (%.2f%%)",
			count(p.Total), count(p.Trainable), 100*float64(p.Trainable)/float64(p.Total),
			count(p.Frozen), 100*float64(p.Frozen)/float64(p.Total))
	})
}

// backendItem is the setup line with the backend (and device) of each run.
func (rep *Report) backendItem() string {
	return rep.l.s("**Backend**: ", "**백엔드**: ") + rep.perRun(func(r *Run) string {
		b := ""
		switch {
		case r.Start != nil && r.Start.Backend != "":
			b = r.Start.Backend
		case r.HasInfo:
			b = r.Info.Backend
		}
		if r.HasInfo && r.Info.Device != "" {
			b += " (" + r.Info.Device + ")"
		}
		return b
	})
}

// totalTimeItem is the setup line with the time per run and in total.
func (rep *Report) totalTimeItem() string {
	total, partial := 0.0, false
	var parts []string
	for i := range rep.Runs {
		s, p := rep.sums[i].seconds, rep.sums[i].secondsPartial
		total += s
		partial = partial || p
		parts = append(parts, rep.names[i]+": "+rep.timeCell(i))
	}
	totalText := duration(total)
	if partial {
		totalText = "≥ " + totalText
	}
	return rep.l.f("**Total time**: %s (%s)", "**총 실험 시간**: %s (%s)", totalText, strings.Join(parts, " + "))
}

// metricDefinitions is section 1.3 of a Stage 2 report.
func (rep *Report) metricDefinitions() {
	l, d := rep.l, &rep.doc
	d.h3(l.s("1.3 Metrics", "1.3 평가 지표"))
	d.table(table{
		header: []string{l.s("category", "카테고리"), l.s("metric", "지표"), l.s("meaning", "설명")},
		rows: [][]string{
			{l.s("detection", "탐지 성능"), "AUC", l.s("area under the ROC curve (main metric, higher is better)", "Area Under ROC Curve (주요 지표, 높을수록 좋음)")},
			{l.s("detection", "탐지 성능"), "ACC", l.s("accuracy at threshold 0.5", "Accuracy (threshold 0.5)")},
			{l.s("detection", "탐지 성능"), "EER", l.s("equal error rate (lower is better)", "Equal Error Rate (낮을수록 좋음)")},
			{l.s("detection", "탐지 성능"), "AP", l.s("average precision", "Average Precision")},
			{l.s("fairness", "공정성"), "F_FPR", l.s("sum over subgroups of |FPR_g - mean FPR| (lower is fairer)", "서브그룹별 |FPR_g - 평균 FPR|의 합 (낮을수록 공정)")},
			{l.s("fairness", "공정성"), "F_OAE", l.s("range of subgroup accuracy (lower is fairer)", "서브그룹 정확도 범위 (낮을수록 공정)")},
			{l.s("fairness", "공정성"), "F_DP", l.s("range of subgroup positive/negative rate (lower is fairer)", "서브그룹 양성/음성 예측률 범위 (낮을수록 공정)")},
			{l.s("fairness", "공정성"), "F_MEO", l.s("largest range of FPR, FNR, TPR, TNR (lower is fairer)", "FPR, FNR, TPR, TNR 범위의 최댓값 (낮을수록 공정)")},
		},
	})
	d.p(l.s("Fairness metrics are printed in percent; F_FPR sums gaps and can exceed 100%. Definitions follow the convention named above (REFERENCE.md section 5).",
		"공정성 지표는 백분율로 표시한다. F_FPR은 격차의 합이므로 100%를 넘을 수 있다. 정의는 위에 명시한 규약을 따른다 (REFERENCE.md 5절)."))
}

// perRun prints one value when all runs agree, else "name: value; ..." (runs
// without a value are left out; "—" when none has one).
func (rep *Report) perRun(get func(r *Run) string) string {
	var vals []string
	distinct := map[string]bool{}
	for _, r := range rep.Runs {
		v := get(r)
		vals = append(vals, v)
		if v != "" {
			distinct[v] = true
		}
	}
	switch len(distinct) {
	case 0:
		return na
	case 1:
		for v := range distinct {
			return v
		}
	}
	var parts []string
	for i, v := range vals {
		if v != "" {
			parts = append(parts, rep.names[i]+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

func (rep *Report) timeCell(i int) string {
	s, partial := rep.sums[i].seconds, rep.sums[i].secondsPartial
	if rep.Runs[i].EpochsDone() == 0 && partial {
		return na
	}
	if partial {
		return "≥ " + duration(s)
	}
	return duration(s)
}

func (rep *Report) configs() {
	l, d := rep.l, &rep.doc
	d.h2(l.s("2. Configurations", "2. 실험별 설정 비교"))
	d.h3(l.s("2.1 Hyperparameter differences", "2.1 하이퍼파라미터 변경 이력"))
	var cfgs []config.Config
	var names []string
	var missing []string
	for i, r := range rep.Runs {
		if r.HasConfig {
			cfgs = append(cfgs, r.Config)
			names = append(names, rep.names[i])
		} else {
			missing = append(missing, rep.names[i])
		}
	}
	switch {
	case len(cfgs) < 2:
		d.p(l.s("Fewer than two runs have a config.yaml: nothing to compare.", "config.yaml이 있는 실행이 둘 미만이라 비교할 수 없다."))
	default:
		rows := config.Diff(cfgs, names)
		if len(rows) == 0 {
			d.p(l.s("The configurations are identical.", "설정이 모두 같다."))
			break
		}
		t := table{header: append([]string{l.s("parameter", "파라미터")}, names...)}
		for _, r := range rows {
			line := []string{r.Key}
			for i, v := range r.Values {
				if i < len(r.Marks) && r.Marks[i] != "" {
					mark := r.Marks[i]
					if mark == "restored" {
						mark = l.s("restored", "복원")
					}
					v += " (" + mark + ")"
				}
				line = append(line, v)
			}
			t.rows = append(t.rows, line)
		}
		d.table(t)
		d.p(l.s("Arrows compare with the first column; \"restored\" marks a value back to the first column's after an earlier change.",
			"화살표는 첫 열과의 비교, \"복원\"은 앞 열에서 바뀐 값을 첫 열의 값으로 되돌린 경우."))
	}
	if len(missing) > 0 {
		d.p(l.f("Without config.yaml (not compared): %s.", "config.yaml 없음 (비교 제외): %s.", strings.Join(missing, ", ")))
	}
}
