package sweep

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestParetoLegendBesidePlot checks that the Pareto plot's legend is drawn in a column
// right of the plotting area (report.WritePlotPNG), not over the trials' points.
func TestParetoLegendBesidePlot(t *testing.T) {
	dir := t.TempDir()
	s := writeSpace(t, dir, e2eSpace)
	out := filepath.Join(dir, "sw")
	if _, err := Run(context.Background(), s, Options{SweepDir: out, Parallel: 2, Command: fakeCommand(t),
		Poll: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	st, err := LoadStatus(out)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pareto.png")
	if err := PlotPareto(path, st, 0, 1); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	area := int(paretoWidth.Points() * 96 / 72) // the plotting area, in pixels at 96 dpi
	b := img.Bounds()
	if b.Dx() <= area {
		t.Fatalf("image %d px wide: no legend column beside the %d px plotting area", b.Dx(), area)
	}
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := area; x < b.Max.X; x++ {
			if r, g, bl, a := img.At(x, y).RGBA(); a != 0 && (r != 0xffff || g != 0xffff || bl != 0xffff) {
				ink++
			}
		}
	}
	if ink == 0 {
		t.Errorf("the column right of the plotting area is empty: where is the legend?")
	}
}
