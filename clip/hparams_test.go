package clip

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/safetensors"
)

// hfVisionArch is testdata/hf_vision's architecture (testdata/gen/hf_vision.py): heads 16
// wide, where width/64 would give 1 head.
var hfVisionArch = Arch{Width: 64, Layers: 1, Heads: 4, Patch: 8, Resolution: 32, OutputDim: 24,
	Act: ActGELU, LayerNormEps: 1e-6}

// hfVisionDir copies the tiny HuggingFace model into a temporary directory with the given
// config.json (none when cfg is "") and safetensors metadata.
func hfVisionDir(t *testing.T, cfg string, meta map[string]string) string {
	t.Helper()
	f, err := safetensors.ReadFile(filepath.Join("testdata", "hf_vision", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var names []string
	for name := range f.Tensors {
		names = append(names, name)
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := safetensors.WriteFile(path, names, f.Tensors, meta); err != nil {
		t.Fatal(err)
	}
	if cfg != "" {
		if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func hfConfigText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hf_vision", ConfigFileName))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHFConfigHeads checks the head count, activation and LayerNorm epsilon read from
// config.json beside the weights or the safetensors metadata against PyTorch's outputs,
// the flag's precedence, conflicts, and the width/64 fallback with its notice.
func TestHFConfigHeads(t *testing.T) {
	exp, err := safetensors.ReadFile(filepath.Join("testdata", "hf_vision_expected.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := hfConfigText(t)
	nested := `{"projection_dim": 24, "vision_config": {"num_attention_heads": 4, "hidden_act": "gelu", "layer_norm_eps": 1e-6, "image_size": 32, "patch_size": 8}}`
	cases := []struct {
		name    string
		path    func(t *testing.T) string
		opts    LoadOptions
		arch    Arch   // the wanted architecture (zero: an error is wanted)
		match   bool   // the embeddings match PyTorch's
		notice  bool   // a notice is wanted
		wantErr string // substring of the wanted error
	}{
		{"config.json", func(*testing.T) string { return filepath.Join("testdata", "hf_vision", "model.safetensors") },
			LoadOptions{}, hfVisionArch, true, false, ""},
		{"CLIPModel config.json", func(t *testing.T) string { return hfVisionDir(t, nested, nil) },
			LoadOptions{}, hfVisionArch, true, false, ""},
		{"metadata config", func(t *testing.T) string { return hfVisionDir(t, "", map[string]string{ConfigMetadataKey: cfg}) },
			LoadOptions{}, hfVisionArch, true, false, ""},
		{"agreeing sources", func(t *testing.T) string {
			return hfVisionDir(t, cfg, map[string]string{ConfigMetadataKey: cfg, HeadsMetadataKey: "4"})
		}, LoadOptions{}, hfVisionArch, true, false, ""},
		{"no config", func(t *testing.T) string { return hfVisionDir(t, "", nil) },
			LoadOptions{Act: ActGELU, LayerNormEps: 1e-6},
			Arch{Width: 64, Layers: 1, Heads: 1, Patch: 8, Resolution: 32, OutputDim: 24, Act: ActGELU, LayerNormEps: 1e-6},
			false, true, ""},
		{"flag overrides", func(t *testing.T) string {
			return hfVisionDir(t, strings.Replace(cfg, `"num_attention_heads": 4`, `"num_attention_heads": 2`, 1), nil)
		},
			LoadOptions{Heads: 4}, hfVisionArch, true, false, ""},
		{"conflict", func(t *testing.T) string { return hfVisionDir(t, cfg, map[string]string{HeadsMetadataKey: "2"}) },
			LoadOptions{}, Arch{}, false, false, "num_attention_heads"},
		{"shape disagreement", func(t *testing.T) string {
			return hfVisionDir(t, strings.Replace(cfg, `"image_size": 32`, `"image_size": 224`, 1), nil)
		},
			LoadOptions{}, Arch{}, false, false, "image_size 224"},
		{"unsupported activation", func(t *testing.T) string { return hfVisionDir(t, strings.Replace(cfg, `"gelu"`, `"relu"`, 1), nil) },
			LoadOptions{}, Arch{}, false, false, "relu"},
	}
	b, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := Load(tc.path(t), tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Arch != tc.arch {
				t.Errorf("arch %+v, want %+v", w.Arch, tc.arch)
			}
			if (w.Notice != "") != tc.notice {
				t.Errorf("notice %q, want one: %v", w.Notice, tc.notice)
			}
			m, err := NewModel(b, w, ModelOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			res, err := m.Embed(exp.Tensors["pixel_values"].F32, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.match {
				if maxAbsDiff(res.Embedding, exp.Tensors["embedding"].F32) < 1e-3 {
					t.Errorf("with %d heads the embeddings still match PyTorch's 4-head model", w.Arch.Heads)
				}
				return
			}
			assertClose(t, "embedding", res.Embedding, exp.Tensors["embedding"], 1e-4)
			assertClose(t, "pooled", res.Pooled, exp.Tensors["pooled"], 1e-4)
		})
	}
}

func maxAbsDiff(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		d := float64(a[i] - b[i])
		if d < 0 {
			d = -d
		}
		m = max(m, d)
	}
	return m
}
