package data

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"io"
	"os"

	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// MaxImagePixels bounds width*height of a decoded image, so that a corrupt or
// hostile header cannot make the loader allocate gigabytes.
const MaxImagePixels = 1 << 27

// ErrBadImage marks an image that cannot be read or decoded. Only errors that
// match it (errors.Is) are eligible for the `on_bad_image: skip` policy; any
// other error (bad options, a bug) always stops the loader.
var ErrBadImage = errors.New("bad image")

// ImageError is the error DecodeImage returns: the file at fault and the cause.
type ImageError struct {
	Path string
	Err  error
}

func (e *ImageError) Error() string { return fmt.Sprintf("image %s: %v", e.Path, e.Err) }

// Unwrap returns the cause (for example a *fs.PathError).
func (e *ImageError) Unwrap() error { return e.Err }

// Is reports ErrBadImage so that callers can test errors.Is(err, ErrBadImage).
func (e *ImageError) Is(target error) bool { return target == ErrBadImage }

// RGB is an 8-bit RGB image stored row-major, 3 bytes per pixel, with its
// origin at (0, 0). It is the pipeline's working format: DecodeImage returns
// one, and the augmenter and preprocessors read and write it without
// conversions.
type RGB struct {
	W, H int
	Pix  []uint8 // len 3*W*H, pixel (x, y) at 3*(y*W+x)
}

// NewRGB returns a black w x h image.
func NewRGB(w, h int) *RGB { return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)} }

// ColorModel implements image.Image.
func (m *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds implements image.Image.
func (m *RGB) Bounds() image.Rectangle { return image.Rect(0, 0, m.W, m.H) }

// At implements image.Image.
func (m *RGB) At(x, y int) color.Color {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return color.RGBA{}
	}
	i := 3 * (y*m.W + x)
	return color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], 0xff}
}

// Clone returns a deep copy of m.
func (m *RGB) Clone() *RGB {
	return &RGB{W: m.W, H: m.H, Pix: append([]uint8(nil), m.Pix...)}
}

// DecodeImage reads a JPEG, PNG or WebP file (recognized by content, not by
// extension) and returns it as *RGB. Grayscale is replicated to three
// channels; an alpha channel is dropped without compositing, as PIL's
// convert('RGB') and cv2.imread do. Every error is an *ImageError naming path
// and matches ErrBadImage.
func DecodeImage(path string) (image.Image, error) {
	m, err := decodeFile(path)
	if err != nil {
		return nil, &ImageError{Path: path, Err: err}
	}
	return m, nil
}

func decodeFile(path string) (*RGB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeSeeker(f)
}

// decodeSeeker decodes a JPEG, PNG or WebP read from f, header first.
func decodeSeeker(f io.ReadSeeker) (*RGB, error) {
	r := bufio.NewReader(f)
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%s of %dx%d pixels: outside 1..%d pixels", format, cfg.Width, cfg.Height, MaxImagePixels)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	r.Reset(f)
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", format, err)
	}
	return ToRGB(img), nil
}

// ToRGB converts any image to *RGB (returning m itself when it already is
// one), dropping alpha without compositing: non-premultiplied colour is kept
// as stored, premultiplied colour is un-premultiplied first.
func ToRGB(m image.Image) *RGB {
	if rgb, ok := m.(*RGB); ok {
		return rgb
	}
	b := m.Bounds()
	out := NewRGB(b.Dx(), b.Dy())
	switch src := m.(type) {
	case *image.NRGBA:
		for y := 0; y < out.H; y++ {
			row := src.Pix[(y)*src.Stride:]
			dst := out.Pix[3*y*out.W:]
			for x := 0; x < out.W; x++ {
				dst[3*x], dst[3*x+1], dst[3*x+2] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	case *image.RGBA:
		for y := 0; y < out.H; y++ {
			row := src.Pix[y*src.Stride:]
			dst := out.Pix[3*y*out.W:]
			for x := 0; x < out.W; x++ {
				p := row[4*x : 4*x+4]
				if p[3] == 0xff {
					dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
					continue
				}
				c := color.NRGBAModel.Convert(color.RGBA{p[0], p[1], p[2], p[3]}).(color.NRGBA)
				dst[3*x], dst[3*x+1], dst[3*x+2] = c.R, c.G, c.B
			}
		}
	case *image.Gray:
		for y := 0; y < out.H; y++ {
			row := src.Pix[y*src.Stride:]
			dst := out.Pix[3*y*out.W:]
			for x := 0; x < out.W; x++ {
				v := row[x]
				dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
			}
		}
	case *image.YCbCr:
		if fancy := ycbcrToRGBLibjpeg(src); fancy != nil {
			return fancy
		}
		for y := 0; y < out.H; y++ {
			dst := out.Pix[3*y*out.W:]
			for x := 0; x < out.W; x++ {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				dst[3*x], dst[3*x+1], dst[3*x+2] = color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
			}
		}
	case *image.Paletted:
		pal := make([][3]uint8, len(src.Palette))
		for i, c := range src.Palette {
			pal[i] = nrgb(c)
		}
		for y := 0; y < out.H; y++ {
			row := src.Pix[y*src.Stride:]
			dst := out.Pix[3*y*out.W:]
			for x := 0; x < out.W; x++ {
				var p [3]uint8
				if int(row[x]) < len(pal) {
					p = pal[row[x]]
				}
				dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
			}
		}
	default:
		for y := 0; y < out.H; y++ {
			dst := out.Pix[3*y*out.W:]
			for x := 0; x < out.W; x++ {
				p := nrgb(m.At(b.Min.X+x, b.Min.Y+y))
				dst[3*x], dst[3*x+1], dst[3*x+2] = p[0], p[1], p[2]
			}
		}
	}
	return out
}

// nrgb returns the non-premultiplied 8-bit colour of c (the high byte of
// 16-bit samples, as PIL and OpenCV keep for 16-bit PNGs).
func nrgb(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.Gray:
		return [3]uint8{c.Y, c.Y, c.Y}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}
