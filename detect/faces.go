package detect

import (
	_ "embed"
	"fmt"
	"math"
	"os"
	"sort"

	pigo "github.com/esimov/pigo/core"

	"github.com/fairclip/fairclip/data"
)

// facefinderCascade is pico's frontal-face cascade as shipped by pigo (see
// cascade/NOTICE for its origin and terms).
//
//go:embed cascade/facefinder
var facefinderCascade []byte

// Face detector settings: pigo's documented defaults for still images (shift
// 0.1, IoU 0.2) with finer scale steps (1.05), and small images searched at a
// short side of 128 pixels. On the synthetic tiny-scale faces (64x64) these
// found 84% of faces (1.1 steps at 192 pixels: 68%, and 2-3x slower).
const (
	shiftFactor  = 0.1
	scaleFactor  = 1.05
	iouThreshold = 0.2
	minQuality   = 0.0
	detectSide   = 128
	// maxDetectSide bounds the searched image's short side: a face of 10% of it
	// is still 100 pixels there.
	maxDetectSide = 1000
)

// faceFinder finds upright frontal faces. It is safe for concurrent use (the
// cascade is read-only).
type faceFinder struct {
	cascade *pigo.Pigo
	minSize int
}

// newFaceFinder unpacks the cascade file at path ("" : the embedded facefinder).
func newFaceFinder(path string, minSize int) (*faceFinder, error) {
	b, name := facefinderCascade, "embedded facefinder"
	if path != "" {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("face cascade: %w", err)
		}
		name = path
	}
	p, err := unpackCascade(b)
	if err != nil {
		return nil, fmt.Errorf("face cascade %s: %w", name, err)
	}
	return &faceFinder{cascade: p, minSize: minSize}, nil
}

// unpackCascade guards against cascades that make pigo's parser panic.
func unpackCascade(b []byte) (p *pigo.Pigo, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("not a pico cascade (%v)", r)
		}
	}()
	return pigo.NewPigo().Unpack(b)
}

// detection is a face found in an image: its box and the detector's quality.
type detection struct {
	box     Box
	quality float64
}

// find returns the faces of img, largest first.
func (f *faceFinder) find(orig *data.RGB) []detection {
	// The cascade misses faces in small images: search images with a short side
	// under detectSide at that size, and large ones (over maxDetectSide) at that
	// size, which keeps the search cost bounded; boxes are mapped back.
	img, k := orig, 1.0
	if s := min(orig.W, orig.H); s < detectSide || s > maxDetectSide {
		k = float64(min(max(s, detectSide), maxDetectSide)) / float64(s)
		img = data.ResizeLinearCV(orig, max(1, int(math.Round(float64(orig.W)*k))), max(1, int(math.Round(float64(orig.H)*k))))
	}
	gray := make([]uint8, img.W*img.H)
	for i := range gray {
		p := img.Pix[3*i : 3*i+3]
		// ITU-R BT.601 luma, the weights pigo's own conversion uses.
		gray[i] = uint8(math.Round(0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])))
	}
	short := min(img.W, img.H)
	minSize := int(math.Round(float64(f.minSize) * k))
	if f.minSize <= 0 {
		minSize = max(20, short/10)
	}
	params := pigo.CascadeParams{
		MinSize: min(minSize, short), MaxSize: short, ShiftFactor: shiftFactor, ScaleFactor: scaleFactor,
		ImageParams: pigo.ImageParams{Pixels: gray, Rows: img.H, Cols: img.W, Dim: img.W},
	}
	dets := f.cascade.ClusterDetections(f.cascade.RunCascade(params, 0), iouThreshold)
	var out []detection
	for _, d := range dets {
		if float64(d.Q) < minQuality {
			continue
		}
		side := float64(d.Scale) / k
		b := Box{X: int(math.Round(float64(d.Col)/k - side/2)), Y: int(math.Round(float64(d.Row)/k - side/2)),
			W: int(math.Round(side)), H: int(math.Round(side))}
		out = append(out, detection{box: clipBox(b, orig.W, orig.H), quality: float64(d.Q)})
	}
	// pigo's clustering can leave two boxes on one face: keep the better of any
	// two boxes that overlap by more than half of the smaller one.
	sort.SliceStable(out, func(i, j int) bool { return out[i].quality > out[j].quality })
	var kept []detection
	for _, c := range out {
		dup := false
		for _, k := range kept {
			if overlap(c.box, k.box) > 0.5 {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, c)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		return kept[i].box.W*kept[i].box.H > kept[j].box.W*kept[j].box.H
	})
	return kept
}

// overlap is the intersection of a and b over the smaller one's area.
func overlap(a, b Box) float64 {
	w := min(a.X+a.W, b.X+b.W) - max(a.X, b.X)
	h := min(a.Y+a.H, b.Y+b.H) - max(a.Y, b.Y)
	small := min(a.W*a.H, b.W*b.H)
	if w <= 0 || h <= 0 || small <= 0 {
		return 0
	}
	return float64(w*h) / float64(small)
}

// clipBox intersects b with the w x h image.
func clipBox(b Box, w, h int) Box {
	x0, y0 := max(b.X, 0), max(b.Y, 0)
	x1, y1 := min(b.X+b.W, w), min(b.Y+b.H, h)
	return Box{X: x0, Y: y0, W: max(x1-x0, 0), H: max(y1-y0, 0)}
}

// cropBox is the package's crop rule: the square of side CropScale*max(W, H)
// centred on the face box, shifted to lie inside the w x h image, and shrunk to
// min(w, h) when larger.
func cropBox(face Box, w, h int) Box {
	side := int(math.Round(CropScale * float64(max(face.W, face.H))))
	side = max(1, min(side, w, h))
	cx2, cy2 := 2*face.X+face.W, 2*face.Y+face.H // twice the centre, to stay in integers
	x := (cx2 - side) / 2
	y := (cy2 - side) / 2
	x = min(max(x, 0), w-side)
	y = min(max(y, 0), h-side)
	return Box{X: x, Y: y, W: side, H: side}
}

// crop copies b out of img.
func crop(img *data.RGB, b Box) *data.RGB {
	if b.X == 0 && b.Y == 0 && b.W == img.W && b.H == img.H {
		return img
	}
	out := data.NewRGB(b.W, b.H)
	for y := range b.H {
		src := img.Pix[3*((b.Y+y)*img.W+b.X):]
		copy(out.Pix[3*y*b.W:3*(y+1)*b.W], src[:3*b.W])
	}
	return out
}
