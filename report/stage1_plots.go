package report

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/fairclip/fairclip/runs"
)

// stage1Plots draws, when plots are on and there are Stage 1 runs, the probe accuracy
// per epoch (adapted, with raw CLIP as the reference) and the cosine to CLIP per epoch.
func (rep *Report) stage1Plots() {
	l := rep.l
	if rep.opts.PlotDir == "" || len(rep.stage1Runs()) == 0 {
		return
	}
	const w, h = 16 * vg.Centimeter, 10 * vg.Centimeter
	if p, ok := rep.probePlot(); ok {
		rep.savePlot(p, "stage1_probes", l.s("race (solid) and gender (dashed) probe accuracy per epoch on the adapted features; dotted: raw CLIP",
			"epoch별 adapted 특징의 race (실선)/gender (파선) probe 정확도; 점선: raw CLIP"), w, h)
	}
	if p, ok := rep.stage1Series("Stage 1: cosine to CLIP per epoch", "mean cosine(adapted, CLIP)",
		func(e runs.Stage1EpochEvent) float64 { return e.ValCosine }); ok {
		rep.savePlot(p, "stage1_cosine", l.s("mean cosine similarity to CLIP per epoch", "epoch별 CLIP 평균 코사인 유사도"), w, h)
	}
}

// stage1Series plots one line per Stage 1 run of get against the epoch.
func (rep *Report) stage1Series(title, ylabel string, get func(e runs.Stage1EpochEvent) float64) (*plot.Plot, bool) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, "epoch", ylabel
	any := false
	for _, i := range rep.stage1Runs() {
		xys := stage1XYs(rep.Runs[i].Stage1, get)
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			continue
		}
		line.Color, points.Color, points.Shape = plotutil.Color(i), plotutil.Color(i), plotutil.Shape(i)
		p.Add(line, points)
		p.Legend.Add(rep.names[i], line, points)
		any = true
	}
	p.Add(plotter.NewGrid())
	return p, any
}

func stage1XYs(evs []runs.Stage1EpochEvent, get func(e runs.Stage1EpochEvent) float64) plotter.XYs {
	var xys plotter.XYs
	for _, e := range evs {
		if v := get(e); finite(v) {
			xys = append(xys, plotter.XY{X: float64(e.Epoch), Y: v})
		}
	}
	return xys
}

// probePlot draws each Stage 1 run's race and gender probe accuracies per epoch, and
// the raw CLIP probes as dotted horizontal lines over the same epochs.
func (rep *Report) probePlot() (*plot.Plot, bool) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = "Stage 1: probe accuracy per epoch (lower is fairer)", "epoch", "balanced accuracy"
	any := false
	dashed := []vg.Length{vg.Points(4), vg.Points(3)}
	dotted := []vg.Length{vg.Points(1), vg.Points(2)}
	for _, i := range rep.stage1Runs() {
		evs := rep.Runs[i].Stage1
		c := plotutil.Color(i)
		for _, s := range []struct {
			attr       string
			after, raw func(e runs.Stage1EpochEvent) float64
			dashes     []vg.Length
		}{
			{"race", func(e runs.Stage1EpochEvent) float64 { return e.ProbeRaceAcc }, func(e runs.Stage1EpochEvent) float64 { return e.ProbeRaceAccCLIP }, nil},
			{"gender", func(e runs.Stage1EpochEvent) float64 { return e.ProbeGenderAcc }, func(e runs.Stage1EpochEvent) float64 { return e.ProbeGenderAccCLIP }, dashed},
		} {
			xys := stage1XYs(evs, s.after)
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				continue
			}
			line.Color, line.Dashes, points.Color, points.Shape = c, s.dashes, c, plotutil.Shape(i)
			p.Add(line, points)
			p.Legend.Add(rep.names[i]+" "+s.attr, line, points)
			any = true
			if raw := stage1XYs(evs, s.raw); len(raw) > 0 {
				ref := plotter.XYs{{X: raw[0].X, Y: raw[0].Y}, {X: raw[len(raw)-1].X, Y: raw[0].Y}}
				if rl, err := plotter.NewLine(ref); err == nil {
					rl.Color, rl.Dashes = c, dotted
					p.Add(rl)
				}
			}
		}
	}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	return p, any
}
