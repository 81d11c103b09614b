package data

import "math"

// Interpolations of IsotropicResize.
const (
	interpLinear = iota
	interpCubic
	interpArea
)

// isotropicResize scales m so that its longer side is size, keeping the
// aspect ratio (the other side truncated as int(side*scale)) with the
// interpolation down when shrinking and up when growing; unchanged when the
// longer side already is size.
func isotropicResize(m *RGB, size, down, up int) *RGB {
	if max(m.W, m.H) == size {
		return m
	}
	var w, h int
	var scale float64
	if m.W > m.H {
		scale = float64(size) / float64(m.W)
		w, h = size, int(float64(m.H)*scale)
	} else {
		scale = float64(size) / float64(m.H)
		w, h = int(float64(m.W)*scale), size
	}
	w, h = max(w, 1), max(h, 1)
	interp := up
	if scale <= 1 {
		interp = down
	}
	switch interp {
	case interpArea:
		return resizeArea(m, w, h)
	case interpCubic:
		return resizeCubic(m, w, h)
	default:
		return ResizeLinearCV(m, w, h)
	}
}

// randomCrop is the reference's CustomRandomCrop: a size x size crop at a
// random offset (fractions fx, fy of the free range, as albumentations'
// RandomCrop draws them), or an isotropic linear resize when m is smaller
// than size in either direction.
func randomCrop(m *RGB, size int, fx, fy float64) *RGB {
	if m.W < size || m.H < size {
		return isotropicResize(m, size, interpLinear, interpLinear)
	}
	x0 := int(fx * float64(m.W-size+1))
	y0 := int(fy * float64(m.H-size+1))
	return crop(m, min(x0, m.W-size), min(y0, m.H-size), size, size)
}

// resizeArea is INTER_AREA for shrinking: each output pixel is the mean of
// the source area it covers, partial pixels weighted by coverage.
func resizeArea(m *RGB, w, h int) *RGB {
	xs := areaWeights(m.W, w)
	ys := areaWeights(m.H, h)
	return resizeSeparable(m, w, h, xs, ys)
}

// tap is one source index and its weight.
type tap struct {
	i int
	w float64
}

func areaWeights(in, out int) [][]tap {
	scale := float64(in) / float64(out)
	taps := make([][]tap, out)
	for d := 0; d < out; d++ {
		lo, hi := float64(d)*scale, float64(d+1)*scale
		for s := int(lo); s < in && float64(s) < hi; s++ {
			cover := math.Min(hi, float64(s+1)) - math.Max(lo, float64(s))
			if cover > 1e-12 {
				taps[d] = append(taps[d], tap{s, cover / scale})
			}
		}
	}
	return taps
}

// resizeCubic is INTER_CUBIC: OpenCV's cubic kernel (a = -0.75) on
// half-pixel centres with replicated borders, no antialiasing.
func resizeCubic(m *RGB, w, h int) *RGB {
	return resizeSeparable(m, w, h, cubicWeights(m.W, w), cubicWeights(m.H, h))
}

func cubicWeights(in, out int) [][]tap {
	const a = -0.75
	k := func(x float64) float64 {
		x = math.Abs(x)
		if x < 1 {
			return ((a+2)*x-(a+3))*x*x + 1
		}
		if x < 2 {
			return ((a*x-5*a)*x+8*a)*x - 4*a
		}
		return 0
	}
	scale := float64(in) / float64(out)
	taps := make([][]tap, out)
	for d := 0; d < out; d++ {
		f := (float64(d)+0.5)*scale - 0.5
		s := int(math.Floor(f))
		f -= float64(s)
		for j := -1; j <= 2; j++ {
			taps[d] = append(taps[d], tap{clampInt(s+j, 0, in-1), k(float64(j) - f)})
		}
	}
	return taps
}

// resizeSeparable applies horizontal then vertical taps in float64 and rounds
// once at the end.
func resizeSeparable(m *RGB, w, h int, xs, ys [][]tap) *RGB {
	tmp := make([]float64, 3*w*m.H)
	for y := 0; y < m.H; y++ {
		in := m.Pix[3*y*m.W:]
		row := tmp[3*y*w : 3*(y+1)*w]
		for x, ts := range xs {
			for _, t := range ts {
				for c := 0; c < 3; c++ {
					row[3*x+c] += t.w * float64(in[3*t.i+c])
				}
			}
		}
	}
	out := NewRGB(w, h)
	acc := make([]float64, 3*w)
	for y, ts := range ys {
		clear(acc)
		for _, t := range ts {
			row := tmp[3*t.i*w : 3*(t.i+1)*w]
			for i, v := range row {
				acc[i] += t.w * v
			}
		}
		dst := out.Pix[3*y*w : 3*(y+1)*w]
		for i, v := range acc {
			dst[i] = round8(v)
		}
	}
	return out
}
