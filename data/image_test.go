package data

import (
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"
)

func TestToRGB(t *testing.T) {
	r := image.Rect(0, 0, 2, 1)
	gray16 := image.NewGray16(r)
	gray16.SetGray16(0, 0, color.Gray16{Y: 0xabcd})
	rgba := image.NewRGBA(r)
	rgba.SetRGBA(0, 0, color.RGBA{50, 100, 0, 128}) // premultiplied, half transparent
	rgba.SetRGBA(1, 0, color.RGBA{1, 2, 3, 255})
	nrgba := image.NewNRGBA(r)
	nrgba.SetNRGBA(0, 0, color.NRGBA{10, 20, 30, 0}) // fully transparent: colour kept
	cmyk := image.NewCMYK(r)
	cmyk.SetCMYK(0, 0, color.CMYK{0, 255, 255, 0}) // red
	pal := image.NewPaletted(r, color.Palette{color.NRGBA{9, 8, 7, 0}, color.Gray{200}})
	pal.SetColorIndex(1, 0, 1)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	ycc.Y[0], ycc.Cb[0], ycc.Cr[0] = 128, 128, 128
	for _, c := range []struct {
		name string
		img  image.Image
		want [6]uint8
	}{
		{"gray16", gray16, [6]uint8{0xab, 0xab, 0xab, 0, 0, 0}},
		{"rgba-premultiplied", rgba, [6]uint8{99, 199, 0, 1, 2, 3}}, // 255*50/128 truncated, as PIL's RGBa->RGB
		{"nrgba-alpha-dropped", nrgba, [6]uint8{10, 20, 30, 0, 0, 0}},
		{"cmyk", cmyk, [6]uint8{255, 0, 0, 255, 255, 255}},
		{"paletted", pal, [6]uint8{9, 8, 7, 200, 200, 200}},
		{"ycbcr-grey", ycc, [6]uint8{128, 128, 128, 0, 135, 0}},
	} {
		got := ToRGB(c.img)
		if got.W != 2 || got.H != 1 || [6]uint8(got.Pix) != c.want {
			t.Errorf("%s: %dx%d %v, want 2x1 %v", c.name, got.W, got.H, got.Pix, c.want)
		}
	}
}

// FuzzDecodeImage feeds arbitrary bytes to the decoder: it must never panic,
// and every failure must name the file and match ErrBadImage.
func FuzzDecodeImage(f *testing.F) {
	for _, name := range []string{"rgb_37x23.png", "rgb_37x23.webp", "smooth_52x40.jpg", "pal_33x47.png"} {
		b, err := os.ReadFile(filepath.Join(pipelineTestdata, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "input")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := DecodeImage(path)
		if err != nil {
			if !errors.Is(err, ErrBadImage) {
				t.Fatalf("error %v does not match ErrBadImage", err)
			}
			return
		}
		m := img.(*RGB)
		if len(m.Pix) != 3*m.W*m.H || m.W*m.H > MaxImagePixels {
			t.Fatalf("decoded %dx%d with %d bytes", m.W, m.H, len(m.Pix))
		}
	})
}
