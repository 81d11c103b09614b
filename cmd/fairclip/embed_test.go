package main

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/clip"
	"github.com/fairclip/fairclip/safetensors"
)

// The tiny ViT and its PyTorch outputs from clip/testdata/gen/gen.py.
const (
	tinyWeights  = "../../clip/testdata/tiny_openai.safetensors"
	tinyExpected = "../../clip/testdata/expected.safetensors"
)

func TestEmbedTensorMatchesPyTorch(t *testing.T) {
	exp, err := safetensors.ReadFile(tinyExpected)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "embed", "--weights", tinyWeights, "--tensor", tinyExpected)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	want := exp.Tensors["embedding"]
	if len(lines) != want.Shape[0] {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), want.Shape[0], stdout)
	}
	d := want.Shape[1]
	for i, line := range lines {
		name, vals, ok := strings.Cut(line, "\t")
		if !ok || name != "pixel_values["+strconv.Itoa(i)+"]" {
			t.Fatalf("line %d = %q", i, line)
		}
		fields := strings.Fields(vals)
		if len(fields) != d {
			t.Fatalf("line %d has %d values, want %d", i, len(fields), d)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			if w := float64(want.F32[i*d+j]); math.Abs(v-w) > 1e-4 {
				t.Errorf("image %d dim %d = %v, want %v", i, j, v, w)
			}
		}
	}
}

// writePNGs writes n small gradient images of odd sizes.
func writePNGs(t *testing.T, dir string, n int) []string {
	t.Helper()
	var paths []string
	for i := 0; i < n; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 37+i*5, 29+i*3))
		for y := 0; y < img.Rect.Dy(); y++ {
			for x := 0; x < img.Rect.Dx(); x++ {
				img.Set(x, y, color.RGBA{uint8(7 * x), uint8(11 * y), uint8(40 * i), 255})
			}
		}
		p := filepath.Join(dir, "img"+strconv.Itoa(i)+".png")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, p)
	}
	return paths
}

func TestEmbedImagesJSONAndOut(t *testing.T) {
	dir := t.TempDir()
	imgs := writePNGs(t, dir, 3)
	args := append([]string{"embed", "--weights", tinyWeights, "--layers", "1,3", "--batch", "2", "--json"}, imgs...)
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Arch struct {
			Name      string
			OutputDim int `json:"output_dim"`
		} `json:"arch"`
		Images []struct {
			Path        string               `json:"path"`
			Embedding   []float64            `json:"embedding"`
			ClassTokens map[string][]float64 `json:"layer_class_tokens"`
		} `json:"images"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stdout)
	}
	if doc.Arch.OutputDim != 24 || len(doc.Images) != 3 {
		t.Fatalf("arch %+v, %d images", doc.Arch, len(doc.Images))
	}
	for i, im := range doc.Images {
		if im.Path != imgs[i] || len(im.Embedding) != 24 || len(im.ClassTokens["1"]) != 32 || len(im.ClassTokens["3"]) != 32 {
			t.Errorf("image %d: path %q, %d dims, class tokens %d/%d", i, im.Path, len(im.Embedding), len(im.ClassTokens["1"]), len(im.ClassTokens["3"]))
		}
	}
	if doc.Images[0].Embedding[0] == doc.Images[1].Embedding[0] {
		t.Error("different images gave the same embedding")
	}

	out := filepath.Join(dir, "emb.safetensors")
	code, stdout, stderr = runCLI(t, append([]string{"embed", "--weights", tinyWeights, "--layers", "3", "--out", out}, imgs...)...)
	if code != 0 || !strings.Contains(stdout, "wrote 3 embeddings") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	f, err := safetensors.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string][]int{"embedding": {3, 24}, "pooled": {3, 32}, "layer.3": {3, 17, 32}}
	for name, want := range shapes {
		if got := f.Tensors[name].Shape; !equalInts(got, want) {
			t.Errorf("%s shape %v, want %v", name, got, want)
		}
	}
	for i, v := range doc.Images[2].Embedding {
		if got := float64(f.Tensors["embedding"].F32[2*24+i]); math.Abs(got-v) > 1e-6 {
			t.Fatalf("--out and --json disagree at dim %d: %v vs %v (batch 8 vs 2)", i, got, v)
		}
	}
	var names []string
	if err := json.Unmarshal([]byte(f.Metadata["inputs"]), &names); err != nil || len(names) != 3 {
		t.Errorf("metadata inputs = %q", f.Metadata["inputs"])
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEmbedBadInput(t *testing.T) {
	dir := t.TempDir()
	imgs := writePNGs(t, dir, 1)
	random := filepath.Join(dir, "b16.safetensors")
	w, err := clip.RandomWeights(clip.Arch{Width: 64, Layers: 1, Heads: 1, Patch: 16, Resolution: 64, OutputDim: 8}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Save(random); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no weights", []string{"embed", imgs[0]}, "--weights"},
		{"no inputs", []string{"embed", "--weights", tinyWeights}, "image files or a pixel tensor"},
		{"missing image", []string{"embed", "--weights", tinyWeights, filepath.Join(dir, "nope.png")}, "nope.png"},
		{"missing weights", []string{"embed", "--weights", filepath.Join(dir, "none.safetensors"), imgs[0]}, "none.safetensors"},
		{"layer out of range", []string{"embed", "--weights", tinyWeights, "--layers", "4", imgs[0]}, "layer 4"},
		{"bad layers", []string{"embed", "--weights", tinyWeights, "--layers", "a", imgs[0]}, "not a layer number"},
		{"bad preprocess", []string{"embed", "--weights", tinyWeights, "--preprocess", "x", imgs[0]}, "unknown mode"},
		{"tensor resolution", []string{"embed", "--weights", random, "--tensor", tinyExpected}, "pixel_values"},
		{"json and out", []string{"embed", "--weights", tinyWeights, "--json", "--out", "x", imgs[0]}, "at most one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tc.want)
			}
		})
	}
}
