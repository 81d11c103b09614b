package data

import (
	"fmt"
	"image"
	"math/rand/v2"
)

// The reference's training augmentation (CLIP_stage2/dataset/fairness_dataset.py,
// an albumentations Compose), in its order and with its probabilities:
//
//	ImageCompression(quality 40..100)                          p 0.1
//	HorizontalFlip                                             p 0.5
//	GaussNoise (albumentations 2.x defaults)                   p 0.2
//	OneOf(IsotropicResize AREA/CUBIC, IsotropicResize AREA/LINEAR,
//	      CustomRandomCrop), weights 1 : 1 : 0.5 (their p)      always
//	Resize(size, size) INTER_LINEAR                            always
//	OneOf(RandomBrightnessContrast, HueSaturationValue)        p 0.3
//	ShiftScaleRotate(0.1, 0.1, 10 deg, BORDER_CONSTANT 0)      p 0.3
const (
	ProbJPEG        = 0.1
	ProbFlip        = 0.5
	ProbNoise       = 0.2
	ProbColor       = 0.3
	ProbShiftScale  = 0.3
	JPEGQualityMin  = 40
	JPEGQualityMax  = 100
	noiseStdMin     = 0.2 // GaussNoise std_range, as a fraction of 255
	noiseStdMax     = 0.44
	brightnessLimit = 0.2 // RandomBrightnessContrast defaults
	contrastLimit   = 0.2
	hueShiftLimit   = 20 // HueSaturationValue defaults (OpenCV uint8 HSV units)
	satShiftLimit   = 30
	valShiftLimit   = 20
	shiftLimit      = 0.1
	scaleLimit      = 0.1
	rotateLimitDeg  = 10
	augmentDomain   = 0x61756700 // separates augmentation seeds from other Hash64 users
)

// Resize choices of the OneOf block, with the reference's weights 1 : 1 : 0.5.
const (
	ResizeIsotropicCubic  = 0 // longest side to size: INTER_AREA down, INTER_CUBIC up
	ResizeIsotropicLinear = 1 // longest side to size: INTER_AREA down, INTER_LINEAR up
	ResizeRandomCrop      = 2 // size x size random crop (isotropic linear resize if smaller)
)

// Colour choices.
const (
	ColorNone               = 0
	ColorBrightnessContrast = 1
	ColorHueSaturationValue = 2
)

// Augmenter applies the reference's training augmentations. View v of sample
// i is drawn from the seed (Seed, i, v) alone, so a feature store of K views
// and on-the-fly augmentation produce the same pixels; view 0 is the
// unaugmented image.
type Augmenter struct {
	Seed int64
	// Resolution is the square output size (dataset.resolution); 0 means the
	// input's longer side.
	Resolution int
}

// AugmentParams is one draw of every random choice of the pipeline.
type AugmentParams struct {
	JPEG        bool
	JPEGQuality int
	Flip        bool
	Noise       bool
	NoiseStd    float64 // in uint8 levels
	NoiseSeed   uint64
	Resize      int     // ResizeIsotropicCubic, ResizeIsotropicLinear or ResizeRandomCrop
	CropX       float64 // crop offset as a fraction in [0, 1) of the free range
	CropY       float64
	Color       int     // ColorNone, ColorBrightnessContrast or ColorHueSaturationValue
	Brightness  float64 // added, as a fraction of 255
	Contrast    float64 // multiplier
	HueShift    float64 // OpenCV hue units (degrees / 2)
	SatShift    float64
	ValShift    float64
	ShiftScale  bool
	AngleDeg    float64 // counter-clockwise
	Scale       float64
	ShiftX      float64 // fractions of width and height
	ShiftY      float64
}

// Draw returns the parameters of view of sample. Every field is drawn in a
// fixed order whatever the outcomes, so parameters do not depend on the image.
func (a Augmenter) Draw(sample, view int) AugmentParams {
	r := NewRand(a.Seed, augmentDomain, int64(sample), int64(view))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	var p AugmentParams
	p.JPEG = r.Float64() < ProbJPEG
	p.JPEGQuality = JPEGQualityMin + r.IntN(JPEGQualityMax-JPEGQualityMin+1)
	p.Flip = r.Float64() < ProbFlip
	p.Noise = r.Float64() < ProbNoise
	p.NoiseStd = 255 * u(noiseStdMin, noiseStdMax)
	p.NoiseSeed = r.Uint64()
	switch w := r.Float64() * 2.5; {
	case w < 1:
		p.Resize = ResizeIsotropicCubic
	case w < 2:
		p.Resize = ResizeIsotropicLinear
	default:
		p.Resize = ResizeRandomCrop
	}
	p.CropX, p.CropY = r.Float64(), r.Float64()
	color := r.Float64() < ProbColor
	bc := r.Float64() < 0.5
	p.Brightness = u(-brightnessLimit, brightnessLimit)
	p.Contrast = 1 + u(-contrastLimit, contrastLimit)
	p.HueShift = u(-hueShiftLimit, hueShiftLimit)
	p.SatShift = u(-satShiftLimit, satShiftLimit)
	p.ValShift = u(-valShiftLimit, valShiftLimit)
	switch {
	case !color:
		p.Color = ColorNone
	case bc:
		p.Color = ColorBrightnessContrast
	default:
		p.Color = ColorHueSaturationValue
	}
	p.ShiftScale = r.Float64() < ProbShiftScale
	p.AngleDeg = u(-rotateLimitDeg, rotateLimitDeg)
	p.Scale = 1 + u(-scaleLimit, scaleLimit)
	p.ShiftX = u(-shiftLimit, shiftLimit)
	p.ShiftY = u(-shiftLimit, shiftLimit)
	return p
}

// Apply returns view of sample augmented; view 0 returns img itself.
func (a Augmenter) Apply(img image.Image, sample, view int) image.Image {
	if view == 0 {
		return img
	}
	src := ToRGB(img)
	size := a.Resolution
	if size <= 0 {
		size = max(src.W, src.H)
	}
	return a.Draw(sample, view).Apply(src, size)
}

// Apply runs the pipeline with these parameters on src and returns a new
// size x size image (src is not modified).
func (p AugmentParams) Apply(src *RGB, size int) *RGB {
	m := src
	if p.JPEG {
		m = jpegRoundTrip(m, p.JPEGQuality)
	}
	if p.Flip {
		m = flipHorizontal(m)
	}
	if p.Noise {
		m = addGaussianNoise(m, p.NoiseStd, rand.New(rand.NewPCG(p.NoiseSeed, splitmix64(p.NoiseSeed))))
	}
	switch p.Resize {
	case ResizeIsotropicCubic:
		m = isotropicResize(m, size, interpArea, interpCubic)
	case ResizeIsotropicLinear:
		m = isotropicResize(m, size, interpArea, interpLinear)
	case ResizeRandomCrop:
		m = randomCrop(m, size, p.CropX, p.CropY)
	default:
		panic(fmt.Sprintf("augment: resize choice %d", p.Resize))
	}
	if m.W != size || m.H != size {
		m = ResizeLinearCV(m, size, size)
	}
	switch p.Color {
	case ColorBrightnessContrast:
		m = brightnessContrast(m, p.Brightness, p.Contrast)
	case ColorHueSaturationValue:
		m = hueSaturationValue(m, p.HueShift, p.SatShift, p.ValShift)
	}
	if p.ShiftScale {
		m = shiftScaleRotate(m, p.AngleDeg, p.Scale, p.ShiftX, p.ShiftY)
	}
	if m == src {
		return src.Clone()
	}
	return m
}
