package data

import "math"

// OpenCV's 8-bit bilinear resize keeps weights as int16 with 11 fractional
// bits (INTER_RESIZE_COEF_BITS in imgproc/src/resize.cpp).
const (
	cvCoefBits  = 11
	cvCoefScale = 1 << cvCoefBits
)

// cvLinearTaps returns, per output index, the two source indices and their
// fixed-point weights as cv::resize(INTER_LINEAR) computes them: half-pixel
// centres, the fraction computed in float32 and rounded half to even. At the
// left/right border the fraction is reset to 0 (the x rule); clampOnly keeps
// the fraction and only clamps indices (the y rule, where rows are clamped).
func cvLinearTaps(inSize, outSize int, clampOnly bool) (i0, i1 []int, w0, w1 []int32) {
	scale := 1 / (float64(outSize) / float64(inSize))
	i0, i1 = make([]int, outSize), make([]int, outSize)
	w0, w1 = make([]int32, outSize), make([]int32, outSize)
	for d := 0; d < outSize; d++ {
		f := float32((float64(d)+0.5)*scale - 0.5)
		s := int(math.Floor(float64(f)))
		f -= float32(s)
		if !clampOnly {
			if s < 0 {
				f, s = 0, 0
			}
			if s >= inSize-1 {
				f, s = 0, inSize-1
			}
		}
		a := 1 - f
		w0[d] = int32(math.RoundToEven(float64(a * cvCoefScale)))
		w1[d] = int32(math.RoundToEven(float64(f * cvCoefScale)))
		i0[d] = clampInt(s, 0, inSize-1)
		i1[d] = clampInt(s+1, 0, inSize-1)
	}
	return i0, i1, w0, w1
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// ResizeLinearCV resizes like cv2.resize(img, (w, h),
// interpolation=cv2.INTER_LINEAR) on a uint8 RGB image, including OpenCV's
// fixed-point rounding, its copy for an unchanged size, and its switch to
// INTER_AREA for an exact 2x downscale in both directions.
func ResizeLinearCV(src *RGB, w, h int) *RGB {
	if w == src.W && h == src.H {
		return src.Clone()
	}
	if src.W == 2*w && src.H == 2*h {
		return halveArea(src)
	}
	xi0, xi1, xw0, xw1 := cvLinearTaps(src.W, w, false)
	yi0, yi1, yw0, yw1 := cvLinearTaps(src.H, h, true)
	// Horizontal pass for every source row (int, scaled by 2^11).
	rows := make([]int32, 3*w*src.H)
	for y := 0; y < src.H; y++ {
		in := src.Pix[3*y*src.W:]
		out := rows[3*y*w : 3*(y+1)*w]
		for x := 0; x < w; x++ {
			a, b := 3*xi0[x], 3*xi1[x]
			for c := 0; c < 3; c++ {
				out[3*x+c] = int32(in[a+c])*xw0[x] + int32(in[b+c])*xw1[x]
			}
		}
	}
	// Vertical pass: VResizeLinear<uchar, int, short>'s exact integer recipe.
	dst := NewRGB(w, h)
	for y := 0; y < h; y++ {
		s0 := rows[3*yi0[y]*w : 3*(yi0[y]+1)*w]
		s1 := rows[3*yi1[y]*w : 3*(yi1[y]+1)*w]
		b0, b1 := yw0[y], yw1[y]
		out := dst.Pix[3*y*w : 3*(y+1)*w]
		for i := range out {
			v := ((b0*(s0[i]>>4))>>16 + (b1*(s1[i]>>4))>>16 + 2) >> 2
			out[i] = uint8(clampInt(int(v), 0, 255))
		}
	}
	return dst
}

// halveArea is OpenCV's fast INTER_AREA for an exact 2x downscale: the
// rounded mean of each 2x2 block.
func halveArea(src *RGB) *RGB {
	w, h := src.W/2, src.H/2
	dst := NewRGB(w, h)
	for y := 0; y < h; y++ {
		r0 := src.Pix[3*2*y*src.W:]
		r1 := src.Pix[3*(2*y+1)*src.W:]
		out := dst.Pix[3*y*w:]
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				a, b := 3*2*x+c, 3*(2*x+1)+c
				out[3*x+c] = uint8((int(r0[a]) + int(r0[b]) + int(r1[a]) + int(r1[b]) + 2) >> 2)
			}
		}
	}
	return dst
}

// interpolateBilinearCHW is torch.nn.functional.interpolate(x, (oh, ow),
// mode='bilinear', align_corners=False) on a float32 CHW tensor.
func interpolateBilinearCHW(x []float32, c, ih, iw, oh, ow int) []float32 {
	yi0, yi1, yl0, yl1 := torchLinearTaps(ih, oh)
	xi0, xi1, xl0, xl1 := torchLinearTaps(iw, ow)
	out := make([]float32, c*oh*ow)
	for ch := 0; ch < c; ch++ {
		in := x[ch*ih*iw : (ch+1)*ih*iw]
		dst := out[ch*oh*ow : (ch+1)*oh*ow]
		for y := 0; y < oh; y++ {
			r0, r1 := in[yi0[y]*iw:], in[yi1[y]*iw:]
			for xx := 0; xx < ow; xx++ {
				a, b := xi0[xx], xi1[xx]
				dst[y*ow+xx] = yl0[y]*(xl0[xx]*r0[a]+xl1[xx]*r0[b]) + yl1[y]*(xl0[xx]*r1[a]+xl1[xx]*r1[b])
			}
		}
	}
	return out
}

// torchLinearTaps follows ATen's area_pixel_compute_source_index for linear
// modes without align_corners: src = scale*(dst+0.5) - 0.5 clamped at 0, in
// float32.
func torchLinearTaps(inSize, outSize int) (i0, i1 []int, l0, l1 []float32) {
	scale := float32(inSize) / float32(outSize)
	i0, i1 = make([]int, outSize), make([]int, outSize)
	l0, l1 = make([]float32, outSize), make([]float32, outSize)
	for d := 0; d < outSize; d++ {
		src := scale*(float32(d)+0.5) - 0.5
		if src < 0 {
			src = 0
		}
		s := int(src)
		step := 0
		if s < inSize-1 {
			step = 1
		}
		lambda := src - float32(s)
		i0[d], i1[d] = s, s+step
		l0[d], l1[d] = 1-lambda, lambda
	}
	return i0, i1, l0, l1
}
