package data

import (
	"fmt"
	"image"
)

// Preprocessing modes.
const (
	// PreprocessCLIP is OpenAI CLIP's transform: PIL bicubic resize of the
	// short side to the model resolution (antialiased when downscaling), center
	// crop with Python round-half-to-even offsets, /255, CLIP mean/std.
	PreprocessCLIP = "clip"
	// PreprocessReferenceStage2 is the reference Stage 2 pipeline: OpenCV
	// cv2.resize(INTER_LINEAR) to dataset.resolution (a square, aspect ratio
	// not kept), /255, mean/std from the config, then torch
	// F.interpolate(mode='bilinear', align_corners=False) to the model
	// resolution inside the model.
	PreprocessReferenceStage2 = "reference-stage2"
)

// Default normalization constants.
var (
	CLIPMean     = []float64{0.48145466, 0.4578275, 0.40821073}
	CLIPStd      = []float64{0.26862954, 0.26130258, 0.27577711}
	ImageNetMean = []float64{0.485, 0.456, 0.406}
	ImageNetStd  = []float64{0.229, 0.224, 0.225}
)

// PreprocessOptions selects and parameterizes a preprocessing mode.
type PreprocessOptions struct {
	// Mode is PreprocessCLIP or PreprocessReferenceStage2.
	Mode string
	// Resolution is dataset.resolution, the square size images are first
	// resized to (reference-stage2 only; 0 means 256, the reference default).
	Resolution int
	// ModelResolution is the ViT input size (224 for ViT-L/14).
	ModelResolution int
	// Mean and Std per RGB channel; nil means the mode's default (CLIP's for
	// clip, ImageNet's for reference-stage2, as the Stage 2 configs use).
	Mean, Std []float64
}

// Validate checks the options and fills in defaults, returning the result.
func (o PreprocessOptions) Validate() (PreprocessOptions, error) {
	switch o.Mode {
	case PreprocessCLIP:
		if o.Mean == nil {
			o.Mean = CLIPMean
		}
		if o.Std == nil {
			o.Std = CLIPStd
		}
	case PreprocessReferenceStage2:
		if o.Resolution == 0 {
			o.Resolution = 256
		}
		if o.Resolution < 0 {
			return o, fmt.Errorf("preprocess %s: resolution %d must be positive", o.Mode, o.Resolution)
		}
		if o.Mean == nil {
			o.Mean = ImageNetMean
		}
		if o.Std == nil {
			o.Std = ImageNetStd
		}
	default:
		return o, fmt.Errorf("preprocess: unknown mode %q (want %q or %q)", o.Mode, PreprocessCLIP, PreprocessReferenceStage2)
	}
	if o.ModelResolution <= 0 {
		return o, fmt.Errorf("preprocess %s: model resolution %d must be positive", o.Mode, o.ModelResolution)
	}
	if len(o.Mean) != 3 || len(o.Std) != 3 {
		return o, fmt.Errorf("preprocess %s: mean and std need 3 values each, got %d and %d", o.Mode, len(o.Mean), len(o.Std))
	}
	for c, s := range o.Std {
		if !(s > 0) {
			return o, fmt.Errorf("preprocess %s: std[%d] = %v must be positive", o.Mode, c, s)
		}
	}
	return o, nil
}

// Preprocess turns an image into the model's input: a CHW float32 slice of
// 3*ModelResolution*ModelResolution normalized values.
func Preprocess(img image.Image, opts PreprocessOptions) ([]float32, error) {
	o, err := opts.Validate()
	if err != nil {
		return nil, err
	}
	src := ToRGB(img)
	if src.W == 0 || src.H == 0 {
		return nil, fmt.Errorf("preprocess %s: empty %dx%d image", o.Mode, src.W, src.H)
	}
	n := o.ModelResolution
	switch o.Mode {
	case PreprocessCLIP:
		return normalizeRGB(clipResizeCrop(src, n), o.Mean, o.Std), nil
	default:
		sq := ResizeLinearCV(src, o.Resolution, o.Resolution)
		x := normalizeRGB(sq, o.Mean, o.Std)
		if n == o.Resolution {
			return x, nil
		}
		return interpolateBilinearCHW(x, 3, o.Resolution, o.Resolution, n, n), nil
	}
}

// clipResizeCrop is torchvision's Resize(n, BICUBIC) + CenterCrop(n) on a PIL
// image: the short side becomes n, the long side int(n*long/short).
func clipResizeCrop(src *RGB, n int) *RGB {
	w, h := src.W, src.H
	nw, nh := n, n
	if w <= h {
		nh = int(float64(n) * float64(h) / float64(w))
	} else {
		nw = int(float64(n) * float64(w) / float64(h))
	}
	r := ResizeBicubicPIL(src, nw, nh)
	top := roundHalfEven(float64(nh-n) / 2)
	left := roundHalfEven(float64(nw-n) / 2)
	return crop(r, left, top, n, n)
}

// roundHalfEven is Python 3's round() for the halves CenterCrop produces.
func roundHalfEven(v float64) int {
	f := int(v)
	d := v - float64(f)
	switch {
	case d > 0.5, d == 0.5 && f%2 != 0:
		return f + 1
	}
	return f
}

// crop copies the w x h window at (x0, y0); the window must lie inside src.
func crop(src *RGB, x0, y0, w, h int) *RGB {
	out := NewRGB(w, h)
	for y := 0; y < h; y++ {
		copy(out.Pix[3*y*w:3*(y+1)*w], src.Pix[3*((y0+y)*src.W+x0):])
	}
	return out
}

// normalizeRGB is ToTensor + Normalize: CHW float32 of (v/255 - mean) / std,
// computed in float32 as torch does.
func normalizeRGB(m *RGB, mean, std []float64) []float32 {
	hw := m.W * m.H
	out := make([]float32, 3*hw)
	for c := 0; c < 3; c++ {
		mu, sd := float32(mean[c]), float32(std[c])
		dst := out[c*hw : (c+1)*hw]
		for i := range dst {
			dst[i] = (float32(m.Pix[3*i+c])/255 - mu) / sd
		}
	}
	return out
}
