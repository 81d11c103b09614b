package clip

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/safetensors"
)

// openAIShapes returns the OpenAI-layout shapes of arch under prefix.
func openAIShapes(arch Arch, prefix string) map[string][]int {
	out := map[string][]int{}
	for _, s := range arch.tensorSpecs() {
		out[prefix+s.name] = s.shape
	}
	return out
}

// hfShapes returns the HuggingFace-layout shapes of arch (full CLIPModel names).
func hfShapes(arch Arch) map[string][]int {
	out := map[string][]int{}
	for _, src := range sources(LayoutHuggingFace, "vision_model.", arch) {
		for _, n := range src.names {
			out[n] = src.shape
		}
	}
	out["vision_model.embeddings.position_ids"] = []int{1, arch.Tokens()}
	out["text_model.embeddings.token_embedding.weight"] = []int{49408, 512}
	return out
}

func TestInferArchPublishedModels(t *testing.T) {
	for _, arch := range []Arch{ArchViTB32, ArchViTB16, ArchViTL14, ArchViTL14At336} {
		for _, layoutName := range []string{"openai", "openai-nested", "huggingface"} {
			t.Run(arch.Name()+"/"+layoutName, func(t *testing.T) {
				var shapes map[string][]int
				switch layoutName {
				case "openai":
					shapes = openAIShapes(arch, "visual.")
				case "openai-nested":
					shapes = openAIShapes(arch, "model_state_dict.clip.visual.")
				default:
					shapes = hfShapes(arch)
				}
				got, _, _, err := InferArch(shapes, 0)
				if err != nil {
					t.Fatal(err)
				}
				if got != arch {
					t.Errorf("inferred %+v, want %+v", got, arch)
				}
			})
		}
	}
}

func TestInferArchErrors(t *testing.T) {
	tiny := openAIShapes(tinyArch, "visual.")
	twoTowers := openAIShapes(tinyArch, "a.")
	for k, v := range openAIShapes(tinyArch, "b.") {
		twoTowers[k] = v
	}
	with := func(name string, shape []int) map[string][]int {
		m := openAIShapes(tinyArch, "visual.")
		m[name] = shape
		return m
	}
	tests := []struct {
		name   string
		shapes map[string][]int
		want   string
	}{
		{"heads not inferable", tiny, "multiple of 64"},
		{"positional not square", with("visual.positional_embedding", []int{16, 32}), `"visual.positional_embedding": shape [16 32]`},
		{"positional scalar", with("visual.positional_embedding", []int{}), `"visual.positional_embedding": shape []`},
		{"conv not square", with("visual.conv1.weight", []int{32, 3, 8, 4}), `"visual.conv1.weight": expected shape [-1 3 -1 -1], found [32 3 8 4]`},
		{"no vision tower", map[string][]int{"text.weight": {3}}, "no CLIP vision weights"},
		{"two towers", twoTowers, "several CLIP vision towers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := InferArch(tc.shapes, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
}

// TestLoadRejectsBadFiles checks that truncated files and mis-shaped or missing tensors
// fail with the offending tensor named.
func TestLoadRejectsBadFiles(t *testing.T) {
	src, err := safetensors.ReadFile("testdata/tiny_openai.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	hf, err := safetensors.ReadFile("testdata/tiny_hf.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rewrite := func(name string, f *safetensors.File, edit func(map[string]safetensors.Tensor) []string) string {
		ts := map[string]safetensors.Tensor{}
		for k, v := range f.Tensors {
			ts[k] = v
		}
		names := edit(ts)
		if names == nil {
			names = f.Order
		}
		var kept []string
		for _, n := range names {
			if _, ok := ts[n]; ok {
				kept = append(kept, n)
			}
		}
		p := filepath.Join(dir, name)
		if err := safetensors.WriteFile(p, kept, ts, f.Metadata); err != nil {
			t.Fatal(err)
		}
		return p
	}
	raw, err := os.ReadFile("testdata/tiny_openai.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.safetensors")
	if err := os.WriteFile(truncated, raw[:len(raw)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	rawPt, err := os.ReadFile("testdata/tiny.pt")
	if err != nil {
		t.Fatal(err)
	}
	truncatedPt := filepath.Join(dir, "truncated.pt")
	if err := os.WriteFile(truncatedPt, rawPt[:len(rawPt)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		path      string
		heads     int
		wants     []string
		shapeErr  bool
		missingEr bool
	}{
		{"truncated safetensors", truncated, 0, []string{"truncated.safetensors", `tensor "token_embedding.weight"`, "truncated"}, false, false},
		{"truncated pt", truncatedPt, 4, []string{"truncated.pt", "convert"}, false, false},
		{"wrong shape", rewrite("shape.safetensors", src, func(ts map[string]safetensors.Tensor) []string {
			ts["visual.transformer.resblocks.1.mlp.c_fc.weight"] = safetensors.Tensor{Shape: []int{64, 32}, F32: make([]float32, 64*32)}
			return nil
		}), 0, []string{`"visual.transformer.resblocks.1.mlp.c_fc.weight"`, "[128 32]", "[64 32]", "shape.safetensors"}, true, false},
		{"wrong hf q shape", rewrite("hfq.safetensors", hf, func(ts map[string]safetensors.Tensor) []string {
			ts["vision_model.encoder.layers.2.self_attn.k_proj.weight"] = safetensors.Tensor{Shape: []int{32, 31}, F32: make([]float32, 32*31)}
			return nil
		}), 4, []string{`"vision_model.encoder.layers.2.self_attn.k_proj.weight"`, "[32 32]", "[32 31]"}, true, false},
		{"missing", rewrite("missing.safetensors", src, func(ts map[string]safetensors.Tensor) []string {
			delete(ts, "visual.ln_post.bias")
			return nil
		}), 0, []string{`"visual.ln_post.bias"`, "missing", "[32]"}, false, true},
		{"missing hf projection", rewrite("noproj.safetensors", hf, func(ts map[string]safetensors.Tensor) []string {
			delete(ts, "visual_projection.weight")
			return nil
		}), 4, []string{`"visual_projection.weight"`, "missing"}, false, true},
		{"integer weights", rewrite("int.safetensors", src, func(ts map[string]safetensors.Tensor) []string {
			ts["visual.ln_pre.bias"] = safetensors.Tensor{DType: "I64", Shape: []int{32}, I64: make([]int64, 32)}
			return nil
		}), 0, []string{`"visual.ln_pre.bias"`, "I64"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path, LoadOptions{Heads: tc.heads})
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			var se *ShapeError
			if errors.As(err, &se) != tc.shapeErr {
				t.Errorf("errors.As(ShapeError) = %v, want %v (%v)", !tc.shapeErr, tc.shapeErr, err)
			}
			var me *MissingError
			if errors.As(err, &me) != tc.missingEr {
				t.Errorf("errors.As(MissingError) = %v, want %v (%v)", !tc.missingEr, tc.missingEr, err)
			}
		})
	}
}

func TestRandomWeightsSaveLoad(t *testing.T) {
	w, err := RandomWeights(tinyArch, 5)
	if err != nil {
		t.Fatal(err)
	}
	again, err := RandomWeights(tinyArch, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Tensors, again.Tensors) {
		t.Error("RandomWeights is not deterministic for a fixed seed")
	}
	other, err := RandomWeights(tinyArch, 6)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(w.Tensors["proj"], other.Tensors["proj"]) {
		t.Error("different seeds gave the same weights")
	}
	if got, want := len(w.Tensors), len(tinyArch.tensorSpecs()); got != want {
		t.Errorf("%d tensors, want %d", got, want)
	}
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := w.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Arch != tinyArch {
		t.Errorf("reloaded arch %+v, want %+v", back.Arch, tinyArch)
	}
	if !reflect.DeepEqual(back.Tensors, w.Tensors) {
		t.Error("reloaded tensors differ")
	}
	if _, err := RandomWeights(Arch{Width: 30, Layers: 1, Heads: 4, Patch: 8, Resolution: 32, OutputDim: 4}, 1); err == nil {
		t.Error("RandomWeights accepted width 30 with 4 heads")
	}
}

func TestArchNumbers(t *testing.T) {
	tests := []struct {
		arch           Arch
		name           string
		tokens, params int
	}{
		// Parameter counts of gen.py's VisionTransformer built at these sizes in PyTorch.
		{ArchViTB32, "ViT-B/32", 50, 87849216},
		{ArchViTB16, "ViT-B/16", 197, 86192640},
		{ArchViTL14, "ViT-L/14", 257, 303966208},
		{ArchViTL14At336, "ViT-L/14@336px", 577, 304293888},
	}
	for _, tc := range tests {
		if got := tc.arch.Name(); got != tc.name {
			t.Errorf("Name() = %q, want %q", got, tc.name)
		}
		if got := tc.arch.Tokens(); got != tc.tokens {
			t.Errorf("%s: Tokens() = %d, want %d", tc.name, got, tc.tokens)
		}
		if got := tc.arch.NumParams(); got != tc.params {
			t.Errorf("%s: NumParams() = %d, want %d", tc.name, got, tc.params)
		}
	}
}

// TestLoadPrefixes checks vision-only files without the "visual." prefix and nested
// prefixes (e.g. a training checkpoint's "model_state_dict.clip.visual.").
func TestLoadPrefixes(t *testing.T) {
	src, err := safetensors.ReadFile("testdata/tiny_openai.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Load("testdata/tiny_openai.safetensors", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "model_state_dict.clip.visual."} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			ts := map[string]safetensors.Tensor{}
			var names []string
			for _, n := range src.Order {
				if rest, ok := strings.CutPrefix(n, "visual."); ok {
					names = append(names, prefix+rest)
					ts[prefix+rest] = src.Tensors[n]
				} else if prefix != "" { // text tensors stay at the top level
					names = append(names, n)
					ts[n] = src.Tensors[n]
				}
			}
			p := filepath.Join(t.TempDir(), "w.safetensors")
			if err := safetensors.WriteFile(p, names, ts, src.Metadata); err != nil {
				t.Fatal(err)
			}
			w, err := Load(p, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if w.Prefix != prefix || w.Arch != tinyArch {
				t.Errorf("prefix %q arch %+v, want %q %+v", w.Prefix, w.Arch, prefix, tinyArch)
			}
			if !reflect.DeepEqual(w.Tensors, ref.Tensors) {
				t.Error("tensors differ from the visual.-prefixed file's")
			}
		})
	}
}
