package data

import "image"

// ycbcrToRGBLibjpeg converts a decoded JPEG the way libjpeg (behind PIL and
// OpenCV) does by default: "fancy" triangular upsampling of subsampled chroma
// and libjpeg's fixed-point YCbCr->RGB tables. Go's image/color replicates
// chroma samples instead, which is up to ~10 levels off on coloured edges.
// It returns nil for subsampling ratios other than 4:4:4, 4:2:2 and 4:2:0.
func ycbcrToRGBLibjpeg(src *image.YCbCr) *RGB {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if b.Min.X != 0 || b.Min.Y != 0 {
		return nil
	}
	var cb, cr []uint8 // full-resolution chroma planes, w*h
	switch src.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		cb, cr = make([]uint8, w*h), make([]uint8, w*h)
		for y := 0; y < h; y++ {
			copy(cb[y*w:(y+1)*w], src.Cb[y*src.CStride:])
			copy(cr[y*w:(y+1)*w], src.Cr[y*src.CStride:])
		}
	case image.YCbCrSubsampleRatio422:
		cb = upsampleH2V1(src.Cb, src.CStride, (w+1)/2, h, w)
		cr = upsampleH2V1(src.Cr, src.CStride, (w+1)/2, h, w)
	case image.YCbCrSubsampleRatio420:
		cb = upsampleH2V2(src.Cb, src.CStride, (w+1)/2, (h+1)/2, w, h)
		cr = upsampleH2V2(src.Cr, src.CStride, (w+1)/2, (h+1)/2, w, h)
	default:
		return nil
	}
	out := NewRGB(w, h)
	for y := 0; y < h; y++ {
		yrow := src.Y[y*src.YStride:]
		dst := out.Pix[3*y*w:]
		for x := 0; x < w; x++ {
			yy := int32(yrow[x])
			u := int32(cb[y*w+x]) - 128
			v := int32(cr[y*w+x]) - 128
			const half = 1 << 15
			r := yy + (91881*v+half)>>16
			g := yy + (-22554*u-46802*v+half)>>16
			bb := yy + (116130*u+half)>>16
			dst[3*x], dst[3*x+1], dst[3*x+2] = sat8(r), sat8(g), sat8(bb)
		}
	}
	return out
}

func sat8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// upsampleH2V1 is libjpeg's h2v1_fancy_upsample: each output sample is
// 3/4 of the nearer input sample plus 1/4 of the further one.
func upsampleH2V1(in []uint8, stride, cw, h, w int) []uint8 {
	out := make([]uint8, w*h)
	row := make([]uint8, 2*cw)
	for y := 0; y < h; y++ {
		upsampleRowH2(func(i int) int32 { return 4 * int32(in[y*stride+i]) }, cw, row, 1)
		copy(out[y*w:(y+1)*w], row)
	}
	return out
}

// upsampleH2V2 is libjpeg's h2v2_fancy_upsample: a vertical 3:1 blend with
// the nearer neighbouring chroma row (edge rows replicated), then the same
// horizontally, with libjpeg's alternating rounding biases.
func upsampleH2V2(in []uint8, stride, cw, ch, w, h int) []uint8 {
	out := make([]uint8, w*h)
	row := make([]uint8, 2*cw)
	for y := 0; y < h; y++ {
		cy := y / 2
		ny := cy - 1 // upper output row of a pair blends with the row above
		if y%2 == 1 {
			ny = cy + 1
		}
		ny = clampInt(ny, 0, ch-1)
		r0, r1 := in[cy*stride:], in[ny*stride:]
		upsampleRowH2(func(i int) int32 { return 3*int32(r0[i]) + int32(r1[i]) }, cw, row, 2)
		copy(out[y*w:(y+1)*w], row)
	}
	return out
}

// upsampleRowH2 doubles a row horizontally. For h2v1 (shift 1) colsum(i) is
// 4*sample and libjpeg computes (3*near + far + 1 or 2) >> 2, copying the
// edge samples; for h2v2 (shift 2) colsum(i) is the vertical 3:1 blend and
// libjpeg computes (3*near + far + 8 or 7) >> 4.
func upsampleRowH2(colsum func(i int) int32, cw int, out []uint8, shift int) {
	if shift == 1 {
		// h2v1 on raw samples: first/last outputs copy the edge sample.
		if cw == 1 {
			v := uint8(colsum(0) / 4)
			out[0], out[1] = v, v
			return
		}
		for i := 0; i < cw; i++ {
			v := colsum(i) / 4 * 3
			if i == 0 {
				out[0] = uint8(colsum(0) / 4)
			} else {
				out[2*i] = uint8((v + colsum(i-1)/4 + 1) >> 2)
			}
			if i == cw-1 {
				out[2*i+1] = uint8(colsum(i) / 4)
			} else {
				out[2*i+1] = uint8((v + colsum(i+1)/4 + 2) >> 2)
			}
		}
		return
	}
	if cw == 1 {
		s := colsum(0)
		out[0], out[1] = uint8((s*4+8)>>4), uint8((s*4+7)>>4)
		return
	}
	for i := 0; i < cw; i++ {
		this := colsum(i)
		if i == 0 {
			out[0] = uint8((this*4 + 8) >> 4)
		} else {
			out[2*i] = uint8((this*3 + colsum(i-1) + 8) >> 4)
		}
		if i == cw-1 {
			out[2*i+1] = uint8((this*4 + 7) >> 4)
		} else {
			out[2*i+1] = uint8((this*3 + colsum(i+1) + 7) >> 4)
		}
	}
}
