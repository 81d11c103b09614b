package clip

import (
	"fmt"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/safetensors"
)

// TestPatchTokensParity compares the pooled patch tokens of the tiny tower with
// PyTorch's (testdata/gen/patches.py: ln_post, projection, adaptive_avg_pool2d) for
// grids 1 to 4 over its 4 x 4 patches (3 does not divide 4: overlapping cells).
func TestPatchTokensParity(t *testing.T) {
	for _, spec := range backend.Builtin() {
		t.Run(spec, func(t *testing.T) { patchTokensParity(t, spec) })
	}
}

func patchTokensParity(t *testing.T, spec string) {
	exp := readExpected(t)
	want, err := safetensors.ReadFile("testdata/patches.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Load("testdata/tiny_openai.safetensors", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pixels := exp.Tensors["pixel_values"]
	for _, tc := range []struct {
		grid   int
		layers []int // the last layer asked for too, or not
	}{{1, nil}, {2, []int{3}}, {3, []int{1}}, {4, nil}} {
		t.Run(fmt.Sprintf("grid%d", tc.grid), func(t *testing.T) {
			m, err := NewModel(b, w, ModelOptions{Layers: tc.layers, BatchSize: 1, PatchGrid: tc.grid})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			res, err := m.Embed(pixels.F32, pixels.Shape[0])
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "embedding", res.Embedding, exp.Tensors["embedding"], 1e-4)
			assertClose(t, "tokens", res.Tokens, want.Tensors[fmt.Sprintf("tokens.g%d", tc.grid)], 1e-4)
			for i, l := range tc.layers {
				assertClose(t, "state", res.States[i], exp.Tensors[fmt.Sprintf("state.%d", l)], 1e-4)
			}
		})
	}
	if _, err := NewModel(b, w, ModelOptions{PatchGrid: 5}); err == nil {
		t.Error("a 5 x 5 token grid over 4 x 4 patches was accepted")
	}
}

// TestPoolMatrix checks adaptive pooling's cells by hand: 4 patches into 3 cells are
// patches 0-1, 1-2 and 2-3.
func TestPoolMatrix(t *testing.T) {
	m := PoolMatrix(4, 3)
	if len(m) != 9 || len(m[0]) != 17 {
		t.Fatalf("shape %d x %d, want 9 x 17", len(m), len(m[0]))
	}
	// Cell (1, 2): rows 1-2, columns 2-3, weight 1/4 each.
	for r := range 4 {
		for c := range 4 {
			want := float32(0)
			if r >= 1 && r <= 2 && c >= 2 {
				want = 0.25
			}
			if got := m[5][1+4*r+c]; got != want {
				t.Errorf("cell (1,2) patch (%d,%d): %g, want %g", r, c, got, want)
			}
		}
	}
	if m[5][0] != 0 {
		t.Error("the class token is pooled")
	}
}
