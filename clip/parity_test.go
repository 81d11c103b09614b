package clip

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/safetensors"
)

// tinyArch is the architecture of testdata/gen/gen.py's model.
var tinyArch = Arch{Width: 32, Layers: 3, Heads: 4, Patch: 8, Resolution: 32, OutputDim: 24}

func readExpected(t *testing.T) *safetensors.File {
	t.Helper()
	f, err := safetensors.ReadFile("testdata/expected.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func assertClose(t *testing.T, what string, got []float32, want safetensors.Tensor, tol float64) {
	t.Helper()
	if len(got) != len(want.F32) {
		t.Fatalf("%s: %d values, want %d (shape %v)", what, len(got), len(want.F32), want.Shape)
	}
	worst, at := 0.0, 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want.F32[i])); d > worst || math.IsNaN(d) {
			worst, at = d, i
		}
	}
	t.Logf("%s: max |diff| %.2g", what, worst)
	if worst > tol || math.IsNaN(worst) {
		t.Errorf("%s: max |diff| %.3g at %d (got %v, want %v), tolerance %g", what, worst, at, got[at], want.F32[at], tol)
	}
}

// TestParityWithPyTorch runs the tiny ViT from every weight file and compares each layer's
// residual stream, the pooled output and the embedding with PyTorch's (gen.py).
func TestParityWithPyTorch(t *testing.T) {
	for _, spec := range backend.Builtin() {
		t.Run(spec, func(t *testing.T) { parityWithPyTorch(t, spec) })
	}
}

func parityWithPyTorch(t *testing.T, spec string) {
	exp := readExpected(t)
	b, err := backend.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	pixels := exp.Tensors["pixel_values"]
	n := pixels.Shape[0]
	layers := []int{0, 1, 2, 3}
	tests := []struct {
		file, layout string
		heads        int // LoadOptions.Heads; the OpenAI safetensors carry clip.heads metadata
		embedding    string
		tol          float64
	}{
		{"tiny_openai.safetensors", LayoutOpenAI, 0, "embedding", 1e-4},
		{"tiny_hf.safetensors", LayoutHuggingFace, 4, "embedding", 1e-4},
		{"tiny.pt", LayoutOpenAI, 4, "embedding", 1e-4},
		{"tiny_openai_f16.safetensors", LayoutOpenAI, 0, "embedding_f16", 1e-4},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			w, err := Load(filepath.Join("testdata", tc.file), LoadOptions{Heads: tc.heads})
			if err != nil {
				t.Fatal(err)
			}
			if w.Arch != tinyArch {
				t.Errorf("inferred %+v, want %+v", w.Arch, tinyArch)
			}
			if w.Layout != tc.layout {
				t.Errorf("layout %q, want %q", w.Layout, tc.layout)
			}
			// Batch size 1 also checks that batches are split and joined in order.
			m, err := NewModel(b, w, ModelOptions{Layers: layers, BatchSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			res, err := m.Embed(pixels.F32, n)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "embedding", res.Embedding, exp.Tensors[tc.embedding], tc.tol)
			if tc.embedding != "embedding" {
				return // the float16 model's states were not recorded
			}
			assertClose(t, "pooled", res.Pooled, exp.Tensors["pooled"], tc.tol)
			for i, l := range layers {
				assertClose(t, "state."+strconv.Itoa(l), res.States[i], exp.Tensors["state."+strconv.Itoa(l)], tc.tol)
			}
		})
	}
}

// TestBatchSizesAgree checks that one batch of 2 and two batches of 1 give the same output.
func TestBatchSizesAgree(t *testing.T) {
	for _, spec := range backend.Builtin() {
		t.Run(spec, func(t *testing.T) { batchSizesAgree(t, spec) })
	}
}

func batchSizesAgree(t *testing.T, spec string) {
	exp := readExpected(t)
	b, err := backend.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Load("testdata/tiny_openai.safetensors", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(b, w, ModelOptions{BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	pixels := exp.Tensors["pixel_values"]
	res, err := m.Embed(pixels.F32, 2)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "embedding", res.Embedding, exp.Tensors["embedding"], 1e-4)
	if _, err := m.Embed(pixels.F32[:10], 1); err == nil {
		t.Error("Embed accepted a wrong number of pixel values")
	}
}
