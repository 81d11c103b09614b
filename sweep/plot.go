package sweep

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/report"
	"io"
)

// LabelParam is a trial parameter that PlotPareto adds to the trial's "#id" label
// (for trials that were not sampled from a space, e.g. the quickstart's lambda series).
const LabelParam = "_label"

// PlotPareto writes a PNG scatter of every completed trial on objectives i and j, with
// the Pareto front (over all objectives) highlighted and labelled by trial id.
func PlotPareto(path string, s *Status, i, j int) error {
	if i >= len(s.Objectives) || j >= len(s.Objectives) {
		return fmt.Errorf("pareto plot: objectives %d,%d out of range (%d objectives)", i, j, len(s.Objectives))
	}
	done := completedTrials(s.Trials, len(s.Objectives))
	front := ParetoFront(s.Trials, s.Objectives)
	onFront := map[int]bool{}
	for _, t := range front {
		onFront[t.ID] = true
	}
	var all, best plotter.XYs
	var labels []string
	var allLabels plotter.XYLabels // dominated trials that carry a LabelParam
	for _, t := range done {
		pt := plotter.XY{X: t.Values[i], Y: t.Values[j]}
		if math.IsNaN(pt.X) || math.IsNaN(pt.Y) {
			continue
		}
		if onFront[t.ID] {
			best = append(best, pt)
			label := fmt.Sprintf("#%d", t.ID)
			if extra, ok := t.Params[LabelParam].(string); ok && extra != "" {
				label += " " + extra
			}
			labels = append(labels, label)
		} else {
			all = append(all, pt)
			if extra, ok := t.Params[LabelParam].(string); ok && extra != "" {
				allLabels.XYs = append(allLabels.XYs, pt)
				allLabels.Labels = append(allLabels.Labels, fmt.Sprintf("#%d %s", t.ID, extra))
			}
		}
	}
	p := plot.New()
	p.Title.Text = "Sweep trials: Pareto front"
	dirWord := func(o Objective) string {
		if o.Direction == Minimize {
			return o.Name + " (lower is better)"
		}
		return o.Name + " (higher is better)"
	}
	p.X.Label.Text = dirWord(s.Objectives[i])
	p.Y.Label.Text = dirWord(s.Objectives[j])
	p.Add(plotter.NewGrid())
	if len(all) > 0 {
		sc, err := plotter.NewScatter(all)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = color.RGBA{150, 150, 150, 255}
		sc.GlyphStyle.Radius = vg.Points(3)
		p.Add(sc)
		p.Legend.Add("dominated", sc)
		if len(allLabels.XYs) > 0 {
			lb, err := plotter.NewLabels(allLabels)
			if err != nil {
				return err
			}
			p.Add(lb)
		}
	}
	if len(best) > 0 {
		sc, err := plotter.NewScatter(best)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = color.RGBA{200, 30, 30, 255}
		sc.GlyphStyle.Radius = vg.Points(4)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		p.Legend.Add("Pareto front", sc)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: best, Labels: labels})
		if err != nil {
			return err
		}
		p.Add(lb)
	}
	// The legend goes beside the plotting area (report.WritePlotPNG), never over points.
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		return report.WritePlotPNG(w, p, paretoWidth, paretoHeight)
	})
}

// The Pareto plot's plotting area.
const paretoWidth, paretoHeight = 7 * vg.Inch, 5 * vg.Inch
