package data

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pipelineTestdata = "testdata/pipeline"

type pipelineManifest struct {
	Preprocess []struct {
		Image           string    `json:"image"`
		Mode            string    `json:"mode"`
		Resolution      int       `json:"resolution"`
		ModelResolution int       `json:"model_resolution"`
		Mean            []float64 `json:"mean"`
		Std             []float64 `json:"std"`
		Expected        string    `json:"expected"`
		Resized         string    `json:"resized"`
	} `json:"preprocess"`
	Decode []struct {
		Image    string `json:"image"`
		Expected string `json:"expected"`
		Width    int    `json:"width"`
		Height   int    `json:"height"`
		Exact    bool   `json:"exact"`
	} `json:"decode"`
}

func readManifest(t *testing.T) pipelineManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pipelineTestdata, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m pipelineManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if len(m.Preprocess) == 0 || len(m.Decode) == 0 {
		t.Fatal("manifest.json lists no cases")
	}
	return m
}

func readTestBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pipelineTestdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readTestF32(t *testing.T, name string) []float32 {
	t.Helper()
	b := readTestBytes(t, name)
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func decodeTestImage(t *testing.T, name string) *RGB {
	t.Helper()
	img, err := DecodeImage(filepath.Join(pipelineTestdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return img.(*RGB)
}

// TestPreprocessParity compares both modes with the PIL/torchvision and
// OpenCV/torch outputs of testdata/gen/pipeline_preprocess.py: every value
// within one uint8 level (1/255 before normalization).
func TestPreprocessParity(t *testing.T) {
	m := readManifest(t)
	for _, c := range m.Preprocess {
		t.Run(c.Mode+"/"+strings.TrimSuffix(c.Expected, filepath.Ext(c.Expected)), func(t *testing.T) {
			img := decodeTestImage(t, c.Image)
			opts := PreprocessOptions{Mode: c.Mode, Resolution: c.Resolution, ModelResolution: c.ModelResolution, Mean: c.Mean, Std: c.Std}
			got, err := Preprocess(img, opts)
			if err != nil {
				t.Fatal(err)
			}
			n := c.ModelResolution
			var want []float32
			if c.Mode == PreprocessCLIP {
				px := readTestBytes(t, c.Expected)
				want = make([]float32, len(px))
				for i, v := range px {
					ch := i / (n * n)
					want[i] = (float32(v)/255 - float32(c.Mean[ch])) / float32(c.Std[ch])
				}
			} else {
				want = readTestF32(t, c.Expected)
			}
			if len(got) != 3*n*n || len(want) != len(got) {
				t.Fatalf("len(got) = %d, len(want) = %d, want %d", len(got), len(want), 3*n*n)
			}
			worst, at, off := 0.0, 0, 0
			for i := range got {
				// Compare in pixel levels: undo the per-channel std.
				d := math.Abs(float64(got[i]-want[i])) * c.Std[i/(n*n)] * 255
				if d > worst {
					worst, at = d, i
				}
				if d > 1e-3 {
					off++
				}
			}
			if worst > 1+1e-3 {
				t.Errorf("max difference %.3f uint8 levels at %d (got %v, want %v)", worst, at, got[at], want[at])
			}
			t.Logf("max difference %.4f levels; %d of %d values differ", worst, off, len(got))
		})
	}
}

// TestResizeLinearCVExact checks the uint8 stage of reference-stage2 against
// cv2.resize(INTER_LINEAR) bit for bit.
func TestResizeLinearCVExact(t *testing.T) {
	m := readManifest(t)
	checked := 0
	for _, c := range m.Preprocess {
		if c.Resized == "" {
			continue
		}
		checked++
		got := ResizeLinearCV(decodeTestImage(t, c.Image), c.Resolution, c.Resolution)
		want := readTestBytes(t, c.Resized)
		if len(want) != len(got.Pix) {
			t.Fatalf("%s: %d bytes, want %d", c.Resized, len(got.Pix), len(want))
		}
		diff := 0
		for i := range want {
			if want[i] != got.Pix[i] {
				diff++
			}
		}
		if diff != 0 {
			t.Errorf("%s: %d of %d bytes differ from OpenCV", c.Resized, diff, len(want))
		}
	}
	if checked == 0 {
		t.Fatal("no cv2 intermediate outputs in the manifest")
	}
}

func TestDecodeImage(t *testing.T) {
	m := readManifest(t)
	for _, c := range m.Decode {
		t.Run(c.Image, func(t *testing.T) {
			got := decodeTestImage(t, c.Image)
			if got.W != c.Width || got.H != c.Height {
				t.Fatalf("size %dx%d, want %dx%d", got.W, got.H, c.Width, c.Height)
			}
			want := readTestBytes(t, c.Expected)
			sum, worst := 0, 0
			for i := range want {
				d := int(got.Pix[i]) - int(want[i])
				if d < 0 {
					d = -d
				}
				sum += d
				worst = max(worst, d)
			}
			mean := float64(sum) / float64(len(want))
			t.Logf("vs PIL: mean %.3f, max %d levels", mean, worst)
			if c.Exact && worst != 0 {
				t.Errorf("differs from PIL: max %d levels", worst)
			}
			// JPEG: chroma upsampling and colour conversion follow libjpeg;
			// only the IDCT rounding of Go's decoder differs.
			if !c.Exact && (mean > 0.25 || worst > 3) {
				t.Errorf("mean difference from PIL %.3f levels (max %d), want <= 0.25 (max <= 3)", mean, worst)
			}
		})
	}
}

func TestDecodeImageErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.png")
	if err := os.WriteFile(garbage, []byte("not an image at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	png := readTestBytes(t, "rgb_37x23.png")
	truncated := filepath.Join(dir, "truncated.png")
	if err := os.WriteFile(truncated, png[:len(png)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.jpg"), garbage, truncated} {
		_, err := DecodeImage(path)
		if err == nil {
			t.Errorf("%s: no error", path)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name %s", err, path)
		}
		if !errorsIs(err, ErrBadImage) {
			t.Errorf("error %q does not match ErrBadImage", err)
		}
	}
}

func TestPreprocessOptionsErrors(t *testing.T) {
	img := NewRGB(4, 4)
	for _, o := range []PreprocessOptions{
		{Mode: "bicubic", ModelResolution: 8},
		{Mode: PreprocessCLIP},
		{Mode: PreprocessCLIP, ModelResolution: 8, Mean: []float64{0.5}},
		{Mode: PreprocessReferenceStage2, ModelResolution: 8, Std: []float64{1, 0, 1}},
		{Mode: PreprocessReferenceStage2, Resolution: -1, ModelResolution: 8},
	} {
		if _, err := Preprocess(img, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestRoundHalfEven(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want int
	}{{0, 0}, {0.5, 0}, {1.5, 2}, {2.5, 2}, {3.5, 4}, {6.5, 6}, {7.4, 7}, {7.6, 8}} {
		if got := roundHalfEven(c.in); got != c.want {
			t.Errorf("roundHalfEven(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
