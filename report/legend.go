package report

import (
	"fmt"
	stdimage "image"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// legendGap separates the plotting area from the legend column.
const legendGap = 4 * vg.Millimeter

// WritePlotPNG writes p as a PNG whose plotting area is w x h, with p's legend (if any)
// in a column to the right of it, so that a legend never covers data. Every plot of the
// report and of sweeps is written this way.
func WritePlotPNG(out io.Writer, p *plot.Plot, w, h vg.Length) error {
	c, _ := renderPlot(p, w, h, true)
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(out)
	return err
}

// renderPlot draws p on a canvas w wide plus the legend column, returning the canvas and
// the data area. Without withLegend the column is left empty (same layout).
func renderPlot(p *plot.Plot, w, h vg.Length, withLegend bool) (*vgimg.Canvas, vg.Rectangle) {
	leg := p.Legend
	probe := draw.New(vgimg.New(w, h))
	box := leg.Rectangle(probe)
	lw := vg.Length(0)
	if box.Max.X > box.Min.X {
		lw = box.Max.X - box.Min.X + 2*legendGap
	}
	c := vgimg.New(w+lw, h)
	dc := draw.New(c)
	p.Legend = plot.NewLegend() // nothing inside the plotting area
	defer func() { p.Legend = leg }()
	area := draw.Crop(dc, 0, -lw, 0, 0)
	p.Draw(area)
	data := p.DataCanvas(area).Rectangle
	if withLegend && lw > 0 {
		col := leg
		col.Top, col.Left, col.XOffs, col.YOffs = true, true, 0, 0
		// The column spans the data area's height, starting at its top.
		col.Draw(draw.Canvas{Canvas: dc, Rectangle: vg.Rectangle{
			Min: vg.Point{X: w + legendGap, Y: data.Min.Y},
			Max: vg.Point{X: w + lw - legendGap, Y: data.Max.Y},
		}})
	}
	return c, data
}

// LegendOverData renders p as WritePlotPNG does, once with and once without its legend,
// and returns the number of pixels inside the data area that the legend changes: 0 when
// the legend stays off the data.
func LegendOverData(p *plot.Plot, w, h vg.Length) (int, error) {
	with, data := renderPlot(p, w, h, true)
	without, _ := renderPlot(p, w, h, false)
	return pixelsChanged(with, without, data)
}

// pixelsChanged counts the pixels inside data (vg coordinates) that differ between two
// renderings of the same size.
func pixelsChanged(with, without *vgimg.Canvas, data vg.Rectangle) (int, error) {
	a, b := with.Image(), without.Image()
	if a.Bounds() != b.Bounds() {
		return 0, fmt.Errorf("legend changes the image size: %v vs %v", a.Bounds(), b.Bounds())
	}
	// vg points (origin bottom left) to pixels (origin top left).
	scale := with.DPI() / vg.Inch.Points()
	hpx := a.Bounds().Dy()
	r := stdimage.Rect(int(data.Min.X.Points()*scale), hpx-int(data.Max.Y.Points()*scale),
		int(data.Max.X.Points()*scale)+1, hpx-int(data.Min.Y.Points()*scale)+1).Intersect(a.Bounds())
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n, nil
}
