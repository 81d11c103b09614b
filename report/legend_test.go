package report

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestPlotLegendsOffTheData draws every plot of the report for the Stage 2 and Stage 1
// hand-made runs and checks that no legend changes a pixel of a plot's data area, and
// that each PNG decodes with the legend column beside the plotting area.
func TestPlotLegendsOffTheData(t *testing.T) {
	dir := t.TempDir()
	dirs := append(testRuns()[:3], stage1TestRuns()...)
	rep, err := Write(dirs, filepath.Join(dir, "report.md"), false, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.drawn) < 6 {
		t.Fatalf("the report drew %d plots, want the epoch series, gate, ROC, subgroup and Stage 1 plots", len(rep.drawn))
	}
	for _, d := range rep.drawn {
		t.Run(d.name, func(t *testing.T) {
			n, err := LegendOverData(d.p, d.w, d.h)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("the legend covers %d pixels of the data area", n)
			}
			f, err := os.Open(filepath.Join(dir, "report_plots", unsafeName.ReplaceAllString(d.name, "_")+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if px := int(d.w.Points() * 96 / 72); img.Bounds().Dx() <= px {
				t.Errorf("image %d px wide, want more than the plotting area's %d (legend column)", img.Bounds().Dx(), px)
			}
		})
	}
}

// TestLegendOverDataDetectsCover checks the check itself: gonum's default placement (the
// legend inside the plotting area, top right) over data filling the area is detected.
func TestLegendOverDataDetectsCover(t *testing.T) {
	p := plot.New()
	var xys plotter.XYs
	for i := range 50 {
		xys = append(xys, plotter.XY{X: float64(i), Y: float64(i % 7)})
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		t.Fatal(err)
	}
	line.Width = vg.Points(20) // paints most of the area
	p.Add(line)
	p.Legend.Add("a long legend entry", line)
	n, err := LegendOverData(p, 10*vg.Centimeter, 6*vg.Centimeter)
	if err != nil || n != 0 {
		t.Errorf("legend beside the plot: %d pixels over data, %v", n, err)
	}
	// The same plot drawn by gonum alone (the report's rendering before the legend column)
	// puts the legend inside the plotting area: the check sees it.
	gonum := func() (*vgimg.Canvas, vg.Rectangle) {
		c := vgimg.New(10*vg.Centimeter, 6*vg.Centimeter)
		p.Draw(draw.New(c))
		return c, p.DataCanvas(draw.New(c)).Rectangle
	}
	with, data := gonum()
	p.Legend = plot.NewLegend()
	without, _ := gonum()
	if n, err := pixelsChanged(with, without, data); err != nil || n == 0 {
		t.Errorf("legend inside the plotting area: %d pixels over data (%v), want > 0", n, err)
	}
}
