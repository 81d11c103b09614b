package serve

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/detect"
)

// The drawn result image's longest side is kept within [overlayMinSide, overlayMaxSide]:
// larger uploads are scaled down, small ones (face crops) up so that the labels read.
const (
	overlayMinSide = 480
	overlayMaxSide = 1024
)

var (
	fakeColor = color.RGBA{220, 38, 38, 255}
	realColor = color.RGBA{22, 163, 74, 255}
)

// overlayPNG draws the scored faces of an image upload on a copy of it: a box per face
// (red fake, green real) labelled with its probability. It decodes through the data
// package's image pipeline (the same decoder and pixel limit as training). nil when the
// image cannot be decoded again.
func overlayPNG(path string, res detect.FileResult) []byte {
	src, err := data.DecodeImage(path)
	if err != nil {
		return nil
	}
	b := src.Bounds()
	scale := 1.0
	switch side := max(b.Dx(), b.Dy()); {
	case side > overlayMaxSide:
		scale = float64(overlayMaxSide) / float64(side)
	case side < overlayMinSide:
		scale = float64(overlayMinSide / side) // a whole factor keeps pixels square
	}
	w, h := max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	switch {
	case scale == 1:
		xdraw.Draw(dst, dst.Bounds(), src, b.Min, xdraw.Src)
	case scale > 1:
		xdraw.NearestNeighbor.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	default:
		xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	}
	thick := max(2, min(w, h)/150)
	for _, f := range res.Faces {
		c := realColor
		if f.Label == detect.LabelFake {
			c = fakeColor
		}
		r := image.Rect(int(float64(f.Box.X)*scale), int(float64(f.Box.Y)*scale),
			int(float64(f.Box.X+f.Box.W)*scale), int(float64(f.Box.Y+f.Box.H)*scale))
		strokeRect(dst, r, thick, c)
		label(dst, r, fmt.Sprintf("%s %.3f", f.Label, f.Prob), c)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return nil
	}
	return buf.Bytes()
}

// strokeRect draws the outline of r, t pixels thick, clipped to the image.
func strokeRect(m *image.RGBA, r image.Rectangle, t int, c color.RGBA) {
	fill := func(x0, y0, x1, y1 int) {
		xdraw.Draw(m, image.Rect(x0, y0, x1, y1).Intersect(m.Bounds()), image.NewUniform(c), image.Point{}, xdraw.Src)
	}
	fill(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+t)
	fill(r.Min.X, r.Max.Y-t, r.Max.X, r.Max.Y)
	fill(r.Min.X, r.Min.Y, r.Min.X+t, r.Max.Y)
	fill(r.Max.X-t, r.Min.Y, r.Max.X, r.Max.Y)
}

// label writes text on a filled tag above r (inside it when r touches the top).
func label(m *image.RGBA, r image.Rectangle, text string, c color.RGBA) {
	face := basicfont.Face7x13
	tw := font.MeasureString(face, text).Ceil() + 6
	th := 15
	y0 := r.Min.Y - th
	if y0 < 0 {
		y0 = r.Min.Y
	}
	tag := image.Rect(r.Min.X, y0, r.Min.X+tw, y0+th).Intersect(m.Bounds())
	xdraw.Draw(m, tag, image.NewUniform(c), image.Point{}, xdraw.Src)
	d := font.Drawer{Dst: m, Src: image.NewUniform(color.White), Face: face,
		Dot: fixed.P(r.Min.X+3, y0+th-3)}
	d.DrawString(text)
}
