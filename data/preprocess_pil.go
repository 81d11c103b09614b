package data

import "math"

// PIL's 8-bit resampling keeps coefficients in fixed point with this many
// fractional bits (libImaging/Resample.c: 32 - 8 - 2).
const pilPrecisionBits = 32 - 8 - 2

// pilBicubic is PIL's bicubic kernel (a = -0.5), support 2.
func pilBicubic(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return ((a+2)*x-(a+3))*x*x + 1
	}
	if x < 2 {
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}

// pilCoeffs computes, for each output index, the first input index and the
// fixed-point weights PIL uses to resample inSize samples to outSize. When
// downscaling the kernel support is stretched by the scale factor, which is
// PIL's antialiasing.
func pilCoeffs(inSize, outSize int) (first []int, weights [][]int32) {
	const support0 = 2.0
	scale := float64(inSize) / float64(outSize)
	filterScale := math.Max(scale, 1)
	support := support0 * filterScale
	first = make([]int, outSize)
	weights = make([][]int32, outSize)
	k := make([]float64, int(math.Ceil(support))*2+1)
	for xx := 0; xx < outSize; xx++ {
		center := (float64(xx) + 0.5) * scale
		xmin := int(center - support + 0.5)
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		xmax -= xmin
		ww := 0.0
		for x := 0; x < xmax; x++ {
			w := pilBicubic((float64(x+xmin) - center + 0.5) / filterScale)
			k[x] = w
			ww += w
		}
		fixed := make([]int32, xmax)
		for x := 0; x < xmax; x++ {
			w := k[x]
			if ww != 0 {
				w /= ww
			}
			// normalize_coeffs_8bpc: round half away from zero.
			if w < 0 {
				fixed[x] = int32(-0.5 + w*(1<<pilPrecisionBits))
			} else {
				fixed[x] = int32(0.5 + w*(1<<pilPrecisionBits))
			}
		}
		first[xx] = xmin
		weights[xx] = fixed
	}
	return first, weights
}

// clip8 is PIL's clip8: the fixed-point accumulator shifted down and clamped.
func clip8(v int32) uint8 {
	v >>= pilPrecisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// ResizeBicubicPIL resizes like PIL's Image.resize((w, h), BICUBIC) on an RGB
// image: a horizontal then a vertical pass, each rounding to uint8, with PIL's
// fixed-point coefficients, so the result matches PIL's pixels.
func ResizeBicubicPIL(src *RGB, w, h int) *RGB {
	cur := src
	if w != src.W {
		first, weights := pilCoeffs(src.W, w)
		tmp := NewRGB(w, src.H)
		for y := 0; y < src.H; y++ {
			in := src.Pix[3*y*src.W : 3*(y+1)*src.W]
			out := tmp.Pix[3*y*w : 3*(y+1)*w]
			for x := 0; x < w; x++ {
				x0, k := first[x], weights[x]
				r, g, b := int32(1<<(pilPrecisionBits-1)), int32(1<<(pilPrecisionBits-1)), int32(1<<(pilPrecisionBits-1))
				for i, kw := range k {
					p := in[3*(x0+i):]
					r += int32(p[0]) * kw
					g += int32(p[1]) * kw
					b += int32(p[2]) * kw
				}
				out[3*x], out[3*x+1], out[3*x+2] = clip8(r), clip8(g), clip8(b)
			}
		}
		cur = tmp
	}
	if h != cur.H {
		first, weights := pilCoeffs(cur.H, h)
		tmp := NewRGB(cur.W, h)
		rowLen := 3 * cur.W
		for y := 0; y < h; y++ {
			y0, k := first[y], weights[y]
			out := tmp.Pix[y*rowLen : (y+1)*rowLen]
			for i := 0; i < rowLen; i++ {
				acc := int32(1 << (pilPrecisionBits - 1))
				for j, kw := range k {
					acc += int32(cur.Pix[(y0+j)*rowLen+i]) * kw
				}
				out[i] = clip8(acc)
			}
		}
		cur = tmp
	}
	if cur == src {
		return src.Clone()
	}
	return cur
}
