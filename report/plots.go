package report

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"regexp"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
)

// Plot text is English in both languages: the embedded plot fonts have no Hangul.

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// drawnPlot is a plot the report wrote (kept for the layout tests).
type drawnPlot struct {
	name string
	p    *plot.Plot
	w, h vg.Length
}

// savePlot writes p as PNG (legend beside the plotting area) into the plot folder and
// links it in the document.
func (rep *Report) savePlot(p *plot.Plot, name, alt string, w, h vg.Length) {
	path := filepath.Join(rep.opts.PlotDir, unsafeName.ReplaceAllString(name, "_")+".png")
	rep.drawn = append(rep.drawn, drawnPlot{name: name, p: p, w: w, h: h})
	err := atomicfile.Write(path, 0o644, func(out io.Writer) error { return WritePlotPNG(out, p, w, h) })
	if err != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("plot %s: %v", path, err))
		return
	}
	link := path
	if rel, err := filepath.Rel(rep.opts.OutDir, path); err == nil {
		link = rel
	}
	rep.doc.image(alt, filepath.ToSlash(link))
}

// epochSeries plots one line per run of get(epoch event) against the epoch.
func (rep *Report) epochSeries(title, ylabel string, get func(e runs.EpochEvent) float64) (*plot.Plot, bool) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, "epoch", ylabel
	any := false
	for i, r := range rep.Runs {
		var xys plotter.XYs
		for _, e := range r.Epochs {
			if v := get(e); finite(v) {
				xys = append(xys, plotter.XY{X: float64(e.Epoch), Y: v})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			continue
		}
		line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		p.Add(line, points)
		p.Legend.Add(rep.names[i], line, points)
		any = true
	}
	p.Add(plotter.NewGrid())
	return p, any
}

func (rep *Report) plots() {
	l, d := rep.l, &rep.doc
	if rep.opts.PlotDir == "" {
		return
	}
	d.h2(l.s("7. Plots", "7. 그래프"))
	const w, h = 16 * vg.Centimeter, 10 * vg.Centimeter
	series := []struct {
		name, title, ylabel, alt string
		get                      func(e runs.EpochEvent) float64
	}{
		{"train_loss", "Training loss per epoch", "mean train loss", l.s("training loss per epoch", "epoch별 train loss"), func(e runs.EpochEvent) float64 { return e.TrainLoss }},
		{"val_auc", "Validation AUC per epoch", "val AUC", l.s("validation AUC per epoch", "epoch별 Val AUC"), func(e runs.EpochEvent) float64 { return e.Val.AUC }},
		{"fair_contribution", "Effective fairness contribution per epoch", "lambda*L_fair/L_total", l.s("effective fairness contribution per epoch", "epoch별 실질 fairness 기여도"), func(e runs.EpochEvent) float64 { return e.EffectiveFairContribution }},
	}
	for _, s := range series {
		if p, ok := rep.epochSeries(s.title, s.ylabel, s.get); ok {
			rep.savePlot(p, s.name, s.alt, w, h)
		}
	}
	if p, ok := rep.gatePlot(); ok {
		rep.savePlot(p, "gate", l.s("gate mean (solid) and p5/p95 (dashed) per epoch", "epoch별 gate 평균(실선)과 p5/p95(점선)"), w, h)
	}
	for _, ds := range rep.datasets {
		if p, ok := rep.rocPlot(ds); ok {
			rep.savePlot(p, "roc_"+ds, l.f("ROC curves on %s (best epoch)", "%s ROC 곡선 (best epoch)", ds), 12*vg.Centimeter, 12*vg.Centimeter)
		}
	}
	if p, ok := rep.subgroupPlot(); ok {
		rep.savePlot(p, "subgroups", l.s("per-subgroup FPR and TPR of the best run (validation, best epoch)", "최선 실행의 서브그룹별 FPR/TPR (validation, best epoch)"), w, h)
	}
	rep.stage1Plots()
	if len(rep.Warnings) > 0 {
		d.list(false, rep.Warnings)
	}
}

func (rep *Report) gatePlot() (*plot.Plot, bool) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = "Fusion gate per epoch", "epoch", "gate g (Stage 1 weight)"
	any := false
	for i, r := range rep.Runs {
		var mean, lo, hi plotter.XYs
		for _, e := range r.Epochs {
			x := float64(e.Epoch)
			if finite(e.Gate.Mean) {
				mean = append(mean, plotter.XY{X: x, Y: e.Gate.Mean})
			}
			if finite(e.Gate.P5) && finite(e.Gate.P95) {
				lo = append(lo, plotter.XY{X: x, Y: e.Gate.P5})
				hi = append(hi, plotter.XY{X: x, Y: e.Gate.P95})
			}
		}
		if len(mean) == 0 {
			continue
		}
		any = true
		c := plotutil.Color(i)
		if line, err := plotter.NewLine(mean); err == nil {
			line.Color, line.Width = c, vg.Points(1.5)
			p.Add(line)
			p.Legend.Add(rep.names[i], line)
		}
		for _, band := range []plotter.XYs{lo, hi} {
			if len(band) == 0 {
				continue
			}
			if line, err := plotter.NewLine(band); err == nil {
				line.Color, line.Dashes = c, []vg.Length{vg.Points(3), vg.Points(3)}
				p.Add(line)
			}
		}
	}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	return p, any
}

func (rep *Report) rocPlot(ds string) (*plot.Plot, bool) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = "ROC: "+ds, "false positive rate", "true positive rate"
	any := false
	for i := range rep.Runs {
		for _, set := range rep.scoreSets(i) {
			if set.key != ds {
				continue
			}
			in, err := rep.loadScores(set.path)
			if err != nil {
				continue
			}
			fpr, tpr, _ := metrics.ROC(in.Scores, in.Labels)
			var xys plotter.XYs
			for k := range fpr {
				if finite(fpr[k]) && finite(tpr[k]) {
					xys = append(xys, plotter.XY{X: fpr[k], Y: tpr[k]})
				}
			}
			if len(xys) < 2 {
				continue
			}
			if line, err := plotter.NewLine(xys); err == nil {
				line.Color = plotutil.Color(i)
				p.Add(line)
				p.Legend.Add(fmt.Sprintf("%s (ep %d)", rep.names[i], rep.sums[i].best), line)
				any = true
			}
		}
	}
	diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	diag.Color, diag.Dashes = color.Gray{Y: 160}, []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(diag, plotter.NewGrid())
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	return p, any
}

// subgroupPlot draws FPR and TPR per subgroup of the run with the best validation AUC.
func (rep *Report) subgroupPlot() (*plot.Plot, bool) {
	k := argBest(rep.sums, func(s *summary) float64 { return s.val().AUC }, true)
	if k < 0 {
		return nil, false
	}
	sets := rep.scoreSets(k)
	if len(sets) == 0 {
		return nil, false
	}
	in, err := rep.loadScores(sets[0].path)
	if err != nil {
		return nil, false
	}
	res, err := metrics.Evaluate(in, metrics.Options{Convention: rep.runConvention(k)})
	if err != nil {
		return nil, false
	}
	groups := res.Fairness.Intersectional.Groups
	var names []string
	for n := range groups {
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, false
	}
	sort.Slice(names, func(a, b int) bool { return groupOrder(names[a]) < groupOrder(names[b]) })
	fpr, tpr := make(plotter.Values, len(names)), make(plotter.Values, len(names))
	for j, n := range names {
		fpr[j], tpr[j] = zeroIfNaN(groups[n].FPR), zeroIfNaN(groups[n].TPR)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Per-subgroup rates: %s, %s, epoch %d", rep.names[k], sets[0].label, rep.sums[k].best)
	p.Y.Label.Text = "rate"
	const bw = 10
	for j, vals := range []plotter.Values{fpr, tpr} {
		bars, err := plotter.NewBarChart(vals, vg.Points(bw))
		if err != nil {
			return nil, false
		}
		bars.Color = plotutil.Color(j)
		bars.Offset = vg.Points(float64(2*j-1) * bw / 2)
		p.Add(bars)
		p.Legend.Add([]string{"FPR", "TPR"}[j], bars)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 0.6
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = -0.9, -0.4
	p.Y.Min, p.Y.Max = 0, 1
	return p, true
}

func zeroIfNaN(x float64) float64 {
	if !finite(x) {
		return 0
	}
	return x
}

// groupOrder sorts subgroup names by id (male-asian first, unknown last).
func groupOrder(name string) int {
	for id := 0; id < metrics.NumSubgroups; id++ {
		if metrics.SubgroupName(id) == name {
			return id
		}
	}
	return metrics.NumSubgroups
}

func (rep *Report) files() {
	n := "8"
	if rep.opts.PlotDir == "" {
		n = "7"
	}
	rep.filesSection(n)
}

// filesSection is the numbered section listing the run folders and best checkpoints.
func (rep *Report) filesSection(n string) {
	l, d := rep.l, &rep.doc
	d.h2(l.f("%s. Files", "%s. 파일 참조", n))
	t := table{header: []string{l.s("run", "실험"), l.s("folder", "폴더"), l.s("best checkpoint", "best 체크포인트")}}
	for i, r := range rep.Runs {
		ck := na
		if b := r.Bests; len(b) > 0 && b[len(b)-1].Checkpoint != "" {
			ck = "`" + b[len(b)-1].Checkpoint + "`"
		}
		t.rows = append(t.rows, []string{rep.names[i], "`" + r.Dir + "`", ck})
	}
	d.table(t)
}
