package data

import (
	"bytes"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// testRGB returns a deterministic textured image.
func testRGB(w, h int, seed uint64) *RGB {
	r := rand.New(rand.NewPCG(seed, 1))
	m := NewRGB(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := 3 * (y*w + x)
			m.Pix[i] = uint8((x*255)/max(w-1, 1)) ^ uint8(r.IntN(16))
			m.Pix[i+1] = uint8((y*255)/max(h-1, 1)) ^ uint8(r.IntN(16))
			m.Pix[i+2] = uint8(r.IntN(256))
		}
	}
	return m
}

func meanAbsDiff(a, b *RGB) float64 {
	s := 0.0
	for i := range a.Pix {
		s += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
	}
	return s / float64(len(a.Pix))
}

func TestAugmenterDeterministic(t *testing.T) {
	img := testRGB(40, 32, 1)
	a := Augmenter{Seed: 7, Resolution: 32}
	distinct := 0
	for view := 1; view <= 8; view++ {
		x := a.Apply(img, 3, view).(*RGB)
		y := Augmenter{Seed: 7, Resolution: 32}.Apply(img.Clone(), 3, view).(*RGB)
		if !bytes.Equal(x.Pix, y.Pix) {
			t.Fatalf("view %d: two applications differ", view)
		}
		if x.W != 32 || x.H != 32 {
			t.Fatalf("view %d: size %dx%d, want 32x32", view, x.W, x.H)
		}
		other := Augmenter{Seed: 8, Resolution: 32}.Apply(img, 3, view).(*RGB)
		if !bytes.Equal(x.Pix, other.Pix) {
			distinct++
		}
	}
	if distinct < 6 {
		t.Errorf("seed 7 and 8 gave the same pixels for %d of 8 views", 8-distinct)
	}
	if a.Draw(3, 1) == a.Draw(4, 1) || a.Draw(3, 1) == a.Draw(3, 2) {
		t.Error("different (sample, view) drew identical parameters")
	}
}

func TestAugmenterViewZeroIsIdentity(t *testing.T) {
	img := testRGB(33, 21, 2)
	orig := img.Clone()
	got := Augmenter{Seed: 1, Resolution: 16}.Apply(img, 5, 0)
	if got != img || !bytes.Equal(img.Pix, orig.Pix) {
		t.Fatal("view 0 is not the input image unchanged")
	}
	// Other views never modify their input either.
	for v := 1; v < 10; v++ {
		Augmenter{Seed: 1, Resolution: 16}.Apply(img, 5, v)
	}
	if !bytes.Equal(img.Pix, orig.Pix) {
		t.Fatal("Apply modified its input")
	}
}

// noop is a parameter set that changes nothing on a size x size image.
var noop = AugmentParams{Resize: ResizeIsotropicLinear, Scale: 1, Contrast: 1}

func TestAugmentNoopParams(t *testing.T) {
	img := testRGB(24, 24, 3)
	if got := noop.Apply(img, 24); !bytes.Equal(got.Pix, img.Pix) || got == img {
		t.Fatal("no-op parameters changed the image or returned the input itself")
	}
}

func TestAugmentOps(t *testing.T) {
	img := testRGB(24, 24, 4)
	with := func(f func(*AugmentParams)) *RGB {
		p := noop
		f(&p)
		return p.Apply(img, 24)
	}
	t.Run("flip", func(t *testing.T) {
		got := with(func(p *AugmentParams) { p.Flip = true })
		for y := 0; y < 24; y++ {
			for x := 0; x < 24; x++ {
				if got.At(x, y) != img.At(23-x, y) {
					t.Fatalf("(%d,%d) is not the mirror pixel", x, y)
				}
			}
		}
	})
	t.Run("jpeg", func(t *testing.T) {
		// A smooth image: JPEG's 4:2:0 chroma would wipe out pixel noise
		// at any quality.
		smooth := NewRGB(32, 32)
		for i := range smooth.Pix {
			x, y, c := (i/3)%32, (i/3)/32, i%3
			smooth.Pix[i] = uint8(128 + 100*math.Sin(float64(x+2*c)/5)*math.Cos(float64(y)/7))
		}
		q := func(quality int) *RGB {
			p := noop
			p.JPEG, p.JPEGQuality = true, quality
			return p.Apply(smooth, 32)
		}
		dlo, dhi := meanAbsDiff(q(40), smooth), meanAbsDiff(q(100), smooth)
		if !(dlo > dhi && dhi > 0 && dhi < 4) {
			t.Errorf("mean change at quality 40 = %.2f, at 100 = %.2f; want 40 > 100 > 0 and 100 < 4", dlo, dhi)
		}
	})
	t.Run("noise", func(t *testing.T) {
		flat := NewRGB(64, 64)
		for i := range flat.Pix {
			flat.Pix[i] = 128
		}
		p := noop
		p.Noise, p.NoiseStd, p.NoiseSeed = true, 20, 99
		got := p.Apply(flat, 64)
		var s, s2 float64
		for i := 0; i < len(got.Pix); i += 3 {
			if got.Pix[i] != got.Pix[i+1] || got.Pix[i] != got.Pix[i+2] {
				t.Fatal("noise differs between channels (want per_channel=False)")
			}
			d := float64(got.Pix[i]) - 128
			s += d
			s2 += d * d
		}
		n := float64(len(got.Pix) / 3)
		mean, std := s/n, math.Sqrt(s2/n-(s/n)*(s/n))
		if math.Abs(mean) > 1.5 || math.Abs(std-20) > 1.5 {
			t.Errorf("noise mean %.2f std %.2f, want 0 and 20", mean, std)
		}
	})
	t.Run("brightness-contrast", func(t *testing.T) {
		got := with(func(p *AugmentParams) { p.Color, p.Brightness, p.Contrast = ColorBrightnessContrast, 0.1, 1.2 })
		for i, v := range img.Pix {
			want := round8(float64(v)*1.2 + 25.5)
			if got.Pix[i] != want {
				t.Fatalf("byte %d: %d -> %d, want %d", i, v, got.Pix[i], want)
			}
		}
	})
	t.Run("hsv", func(t *testing.T) {
		same := with(func(p *AugmentParams) { p.Color = ColorHueSaturationValue })
		if d := meanAbsDiff(same, img); d > 0.01 {
			t.Errorf("zero HSV shifts change the image by %.3f levels", d)
		}
		red := NewRGB(1, 1)
		red.Pix[0] = 255
		// +60 OpenCV hue units = +120 degrees: red becomes green.
		p := AugmentParams{Resize: ResizeIsotropicLinear, Scale: 1, Contrast: 1, Color: ColorHueSaturationValue, HueShift: 60}
		if got := p.Apply(red, 1); got.Pix[0] != 0 || got.Pix[1] != 255 || got.Pix[2] != 0 {
			t.Errorf("red shifted by 120 degrees = %v, want green", got.Pix)
		}
		grey := with(func(p *AugmentParams) { p.Color, p.SatShift = ColorHueSaturationValue, -255 })
		for i := 0; i < len(grey.Pix); i += 3 {
			if grey.Pix[i] != grey.Pix[i+1] || grey.Pix[i] != grey.Pix[i+2] {
				t.Fatal("saturation -255 left colour")
			}
		}
	})
	t.Run("shift-scale-rotate", func(t *testing.T) {
		ident := with(func(p *AugmentParams) { p.ShiftScale = true })
		if !bytes.Equal(ident.Pix, img.Pix) {
			t.Error("angle 0, scale 1, shift 0 is not the identity")
		}
		// A shift of 0.25*24 = 6 pixels to the right, black border on the left.
		got := with(func(p *AugmentParams) { p.ShiftScale, p.ShiftX = true, 0.25 })
		for y := 0; y < 24; y++ {
			for x := 0; x < 24; x++ {
				want := img.At(x-6, y)
				if x < 6 {
					want = NewRGB(1, 1).At(0, 0)
				}
				if got.At(x, y) != want {
					t.Fatalf("(%d,%d) = %v, want %v", x, y, got.At(x, y), want)
				}
			}
		}
		// Rotating by 90 degrees counter-clockwise moves the top-right corner top-left.
		rot := with(func(p *AugmentParams) { p.ShiftScale, p.AngleDeg = true, 90 })
		if rot.At(0, 0) != img.At(23, 0) || rot.At(0, 23) != img.At(0, 0) {
			t.Errorf("rotation by 90 degrees maps corners wrongly")
		}
	})
	t.Run("resize-choices", func(t *testing.T) {
		wide := testRGB(50, 30, 5)
		for _, c := range []int{ResizeIsotropicCubic, ResizeIsotropicLinear, ResizeRandomCrop} {
			p := noop
			p.Resize = c
			if got := p.Apply(wide, 40); got.W != 40 || got.H != 40 {
				t.Errorf("choice %d: %dx%d, want 40x40", c, got.W, got.H)
			}
		}
		// A crop of a larger image is an exact window of it.
		p := noop
		p.Resize, p.CropX, p.CropY = ResizeRandomCrop, 0.5, 0.99
		got := p.Apply(wide, 20)
		x0, y0 := 15, 10 // int(0.5*31), int(0.99*11)
		for y := 0; y < 20; y++ {
			for x := 0; x < 20; x++ {
				if got.At(x, y) != wide.At(x0+x, y0+y) {
					t.Fatalf("crop pixel (%d,%d) is not source (%d,%d)", x, y, x0+x, y0+y)
				}
			}
		}
		// Isotropic resize keeps the aspect ratio before the final square resize.
		if m := isotropicResize(wide, 25, interpArea, interpCubic); m.W != 25 || m.H != 15 {
			t.Errorf("isotropic 50x30 -> 25: %dx%d, want 25x15", m.W, m.H)
		}
		if m := isotropicResize(wide, 100, interpArea, interpCubic); m.W != 100 || m.H != 60 {
			t.Errorf("isotropic 50x30 -> 100: %dx%d, want 100x60", m.W, m.H)
		}
	})
}

// TestAugmentProbabilities checks each operation's frequency over many draws
// against the reference's probability, within 4 standard deviations.
func TestAugmentProbabilities(t *testing.T) {
	const n = 40000
	a := Augmenter{Seed: 11}
	counts := map[string]float64{}
	qmin, qmax := 1000, -1
	for i := 0; i < n; i++ {
		p := a.Draw(i, 1+i%5)
		if p.JPEG {
			counts["jpeg"]++
		}
		if p.Flip {
			counts["flip"]++
		}
		if p.Noise {
			counts["noise"]++
		}
		if p.ShiftScale {
			counts["ssr"]++
		}
		switch p.Color {
		case ColorBrightnessContrast:
			counts["bc"]++
		case ColorHueSaturationValue:
			counts["hsv"]++
		}
		counts[[]string{"iso-cubic", "iso-linear", "crop"}[p.Resize]]++
		qmin, qmax = min(qmin, p.JPEGQuality), max(qmax, p.JPEGQuality)
		if math.Abs(p.AngleDeg) > 10 || math.Abs(p.Scale-1) > 0.1 || math.Abs(p.ShiftX) > 0.1 || math.Abs(p.ShiftY) > 0.1 {
			t.Fatalf("draw %d: shift-scale-rotate out of range: %+v", i, p)
		}
		if p.NoiseStd < 0.2*255 || p.NoiseStd > 0.44*255 {
			t.Fatalf("draw %d: noise std %v out of range", i, p.NoiseStd)
		}
	}
	for name, want := range map[string]float64{
		"jpeg": 0.1, "flip": 0.5, "noise": 0.2, "ssr": 0.3, "bc": 0.15, "hsv": 0.15,
		"iso-cubic": 0.4, "iso-linear": 0.4, "crop": 0.2,
	} {
		got := counts[name] / n
		if tol := 4 * math.Sqrt(want*(1-want)/n); math.Abs(got-want) > tol {
			t.Errorf("%s: frequency %.4f, want %.2f +- %.4f", name, got, want, tol)
		}
	}
	if qmin != JPEGQualityMin || qmax != JPEGQualityMax {
		t.Errorf("JPEG quality range [%d, %d], want [40, 100]", qmin, qmax)
	}
}

func rgbToNRGBA(m *RGB) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i, j := 0, 0; i < len(m.Pix); i, j = i+3, j+4 {
		copy(out.Pix[j:j+3], m.Pix[i:i+3])
		out.Pix[j+3] = 0xff
	}
	return out
}
