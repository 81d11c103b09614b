package data

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// jpegRoundTrip re-compresses m as a baseline 4:2:0 JPEG of the given quality
// and decodes it again (albumentations ImageCompression).
func jpegRoundTrip(m *RGB, quality int) *RGB {
	rgba := image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	for i, j := 0, 0; i < len(m.Pix); i, j = i+3, j+4 {
		rgba.Pix[j], rgba.Pix[j+1], rgba.Pix[j+2], rgba.Pix[j+3] = m.Pix[i], m.Pix[i+1], m.Pix[i+2], 0xff
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: quality}); err != nil {
		return m.Clone() // cannot happen for an in-memory RGBA image
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		return m.Clone()
	}
	return ToRGB(out)
}

// flipHorizontal mirrors m left to right.
func flipHorizontal(m *RGB) *RGB {
	out := NewRGB(m.W, m.H)
	for y := 0; y < m.H; y++ {
		in := m.Pix[3*y*m.W : 3*(y+1)*m.W]
		dst := out.Pix[3*y*m.W : 3*(y+1)*m.W]
		for x := 0; x < m.W; x++ {
			copy(dst[3*(m.W-1-x):3*(m.W-x)], in[3*x:3*x+3])
		}
	}
	return out
}

// addGaussianNoise adds zero-mean noise of standard deviation std (uint8
// levels), the same value on the three channels of a pixel (GaussNoise's
// per_channel=False default), rounding and clipping to uint8.
func addGaussianNoise(m *RGB, std float64, r *rand.Rand) *RGB {
	out := NewRGB(m.W, m.H)
	for i := 0; i < len(m.Pix); i += 3 {
		n := r.NormFloat64() * std
		for c := 0; c < 3; c++ {
			out.Pix[i+c] = round8(float64(m.Pix[i+c]) + n)
		}
	}
	return out
}

// round8 rounds to the nearest integer and clamps to 0..255.
func round8(v float64) uint8 {
	v = math.Round(v)
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// brightnessContrast is RandomBrightnessContrast with brightness_by_max:
// v*contrast + brightness*255, clipped.
func brightnessContrast(m *RGB, brightness, contrast float64) *RGB {
	var lut [256]uint8
	for v := range lut {
		lut[v] = round8(float64(v)*contrast + brightness*255)
	}
	return applyLUT(m, &lut, &lut, &lut)
}

func applyLUT(m *RGB, r, g, b *[256]uint8) *RGB {
	out := NewRGB(m.W, m.H)
	for i := 0; i < len(m.Pix); i += 3 {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = r[m.Pix[i]], g[m.Pix[i+1]], b[m.Pix[i+2]]
	}
	return out
}

// hueSaturationValue is HueSaturationValue on uint8 images: convert to
// OpenCV's 8-bit HSV (H in 0..179), shift hue modulo 180, add to saturation
// and value with clipping, convert back.
func hueSaturationValue(m *RGB, hue, sat, val float64) *RGB {
	out := NewRGB(m.W, m.H)
	for i := 0; i < len(m.Pix); i += 3 {
		h, s, v := rgbToHSV8(m.Pix[i], m.Pix[i+1], m.Pix[i+2])
		h = math.Mod(h+hue, 180)
		if h < 0 {
			h += 180
		}
		s = math.Min(255, math.Max(0, s+sat))
		v = math.Min(255, math.Max(0, v+val))
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = hsv8ToRGB(h, s, v)
	}
	return out
}

// rgbToHSV8 returns hue in 0..180 (degrees/2), saturation and value in 0..255.
func rgbToHSV8(r8, g8, b8 uint8) (h, s, v float64) {
	r, g, b := float64(r8), float64(g8), float64(b8)
	v = math.Max(r, math.Max(g, b))
	mn := math.Min(r, math.Min(g, b))
	d := v - mn
	if v > 0 {
		s = 255 * d / v
	}
	if d == 0 {
		return 0, s, v
	}
	switch v {
	case r:
		h = 60 * (g - b) / d
	case g:
		h = 120 + 60*(b-r)/d
	default:
		h = 240 + 60*(r-g)/d
	}
	if h < 0 {
		h += 360
	}
	return h / 2, s, v
}

func hsv8ToRGB(h, s, v float64) (uint8, uint8, uint8) {
	hd := math.Mod(h*2, 360) / 60
	sf := s / 255
	c := v * sf
	x := c * (1 - math.Abs(math.Mod(hd, 2)-1))
	var r, g, b float64
	switch int(hd) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	mn := v - c
	return round8(r + mn), round8(g + mn), round8(b + mn)
}

// shiftScaleRotate is ShiftScaleRotate: cv2.getRotationMatrix2D about the
// image centre (angle counter-clockwise, isotropic scale), plus a shift of
// (dx*W, dy*H), applied with bilinear sampling and black outside the image.
func shiftScaleRotate(m *RGB, angleDeg, scale, dx, dy float64) *RGB {
	w, h := float64(m.W), float64(m.H)
	cx, cy := w/2-0.5, h/2-0.5
	rad := angleDeg * math.Pi / 180
	a, b := scale*math.Cos(rad), scale*math.Sin(rad)
	// Forward map: dst = M * src.
	m00, m01, m02 := a, b, (1-a)*cx-b*cy+dx*w
	m10, m11, m12 := -b, a, b*cx+(1-a)*cy+dy*h
	det := m00*m11 - m01*m10
	i00, i01 := m11/det, -m01/det
	i10, i11 := -m10/det, m00/det
	out := NewRGB(m.W, m.H)
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			tx, ty := float64(x)-m02, float64(y)-m12
			sx, sy := i00*tx+i01*ty, i10*tx+i11*ty
			samplePixel(m, sx, sy, out.Pix[3*(y*m.W+x):])
		}
	}
	return out
}

// samplePixel writes the bilinear sample of m at (sx, sy) to dst[0:3],
// treating pixels outside m as black (BORDER_CONSTANT 0).
func samplePixel(m *RGB, sx, sy float64, dst []uint8) {
	x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
	fx, fy := sx-float64(x0), sy-float64(y0)
	var acc [3]float64
	for j := 0; j < 2; j++ {
		yy := y0 + j
		wy := 1 - fy
		if j == 1 {
			wy = fy
		}
		if yy < 0 || yy >= m.H || wy == 0 {
			continue
		}
		for i := 0; i < 2; i++ {
			xx := x0 + i
			wx := 1 - fx
			if i == 1 {
				wx = fx
			}
			if xx < 0 || xx >= m.W || wx == 0 {
				continue
			}
			p := m.Pix[3*(yy*m.W+xx):]
			for c := 0; c < 3; c++ {
				acc[c] += wx * wy * float64(p[c])
			}
		}
	}
	dst[0], dst[1], dst[2] = round8(acc[0]), round8(acc[1]), round8(acc[2])
}
