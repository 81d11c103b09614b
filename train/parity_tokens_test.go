package train

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// memTokenSplit is an in-memory Split with pooled patch tokens (one view).
type memTokenSplit struct {
	clip, tokens []float32
	n, d, k      int
}

func (s *memTokenSplit) Len() int           { return s.n }
func (s *memTokenSplit) Dim() int           { return s.d }
func (s *memTokenSplit) Label(i int) int    { return i % 2 }
func (s *memTokenSplit) Subgroup(i int) int { return 0 }
func (s *memTokenSplit) Video(i int) string { return strconv.Itoa(i) }
func (s *memTokenSplit) ID(i int) string    { return strconv.Itoa(i) }
func (s *memTokenSplit) Views() int         { return 1 }
func (s *memTokenSplit) Tokens() int        { return s.k }
func (s *memTokenSplit) Rows(idx, _ []int, dst []float32) error {
	for j, i := range idx {
		copy(dst[j*s.d:(j+1)*s.d], s.clip[i*s.d:(i+1)*s.d])
	}
	return nil
}
func (s *memTokenSplit) TokenRows(idx, _ []int, dst []float32) error {
	per := s.k * s.d
	for j, i := range idx {
		copy(dst[j*per:(j+1)*per], s.tokens[i*per:(i+1)*per])
	}
	return nil
}

// TestTokenParityWithPyTorch replays testdata/gen/parity_tokens.py: the head with
// cross-attention over K+1 keys (s1 of the class token and of K pooled patch tokens,
// built by engine.keys from the split's tokens), dropout off, 3 AdamW steps with
// global-norm clipping; logits, gate, per-head attention entropy, gradients, losses and
// updated weights must match PyTorch at 1e-5, with the classification loss alone and
// with the fairness loss. The keys are evaluated once in one batch and once in chunks
// of 5 in reverse order (no padding: every sample has K+1 keys), with the same logits.
func TestTokenParityWithPyTorch(t *testing.T) {
	for _, spec := range backend.Builtin() {
		t.Run(spec, func(t *testing.T) { tokenParityWithPyTorch(t, spec) })
	}
}

func tokenParityWithPyTorch(t *testing.T, spec string) {
	fx := loadParityFixture(t, "parity_tokens_init.safetensors")
	atoi, atof := fx.atoi, fx.atof
	cfg := fx.config()
	cfg.Keys, cfg.Tokens = model.KeysTokens, atoi("tokens")
	init := fx.file
	labels, groups := fx.labels, fx.groups
	n, d := len(labels), cfg.Dim
	split := &memTokenSplit{clip: init.Tensors["input.clip"].F32, tokens: init.Tensors["input.tokens"].F32, n: n, d: d, k: cfg.Tokens}
	be, err := backend.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fair bool
	}{{"cls", false}, {"fair", true}} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := safetensors.ReadFile(filepath.Join("testdata", "parity_tokens_"+tc.name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			stage1, params := fx.models(t, cfg)
			cls, weighting, fl := fx.losses(tc.fair)
			eng, err := newEngine(be, cfg, cls, weighting, stage1, params)
			if err != nil {
				t.Fatal(err)
			}
			idx, views := make([]int, n), make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			clip := make([]float32, n*d)
			s1 := make([]float32, n*d)
			if err := split.Rows(idx, views, clip); err != nil {
				t.Fatal(err)
			}
			if err := eng.stage1Rows(clip, n, s1); err != nil {
				t.Fatal(err)
			}
			keys, err := eng.keys(split, idx, views, s1)
			if err != nil {
				t.Fatal(err)
			}
			out, err := eng.evalRows(clip, keys, n)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "logits0", out.logits, want.Tensors["logits0"].F32)
			closeTo(t, "gate0", out.gate, want.Tensors["gate0"].F32)
			closeTo(t, "entropy0", out.entropy, want.Tensors["entropy0"].F32)
			chunked := chunkedLogits(t, eng, split, n, 5)
			closeTo(t, "logits0 in reversed chunks of 5", chunked, want.Tensors["logits0"].F32)

			var sizes []int
			for _, p := range params.List {
				sizes = append(sizes, p.Size())
			}
			opt := NewAdamW(0.9, 0.999, atof("eps"), atof("weight_decay"), sizes)
			losses := want.Tensors["losses"].F64
			rng, _ := rngState(0, 0, 0)
			for step := range atoi("steps") {
				r, err := eng.trainStep(clip, keys, labels, groups, rng, fl, atof("clip"), opt, atof("lr"))
				if err != nil {
					t.Fatal(err)
				}
				if step == 0 {
					coef := math.Min(atof("clip")/(r.gradNorm+1e-6), 1)
					gp := params.Clone()
					for i, g := range r.grads {
						for j, v := range g {
							gp.List[i].Data[j] = float32(float64(v) / coef)
						}
					}
					// Against the largest gradient of all: a tensor with tiny gradients
					// (the gate's last bias) still carries float32 rounding of the batch sum.
					var scale float64
					for name := range model.TorchStateDict(gp) {
						for _, v := range want.Tensors["grad."+name].F32 {
							scale = math.Max(scale, math.Abs(float64(v)))
						}
					}
					for name, g := range model.TorchStateDict(gp) {
						closeToScale(t, "grad."+name, g.Data, want.Tensors["grad."+name].F32, scale)
					}
					// The key bias shifts every score of a head by the same q·b_k, which
					// the softmax cancels: its gradient is zero up to rounding in both.
					kb := model.TorchStateDict(gp)[inProjBias].Data[d : 2*d]
					closeToScale(t, "grad.in_proj_bias (k part)", kb, make([]float32, d), scale)
					closeToScale(t, "PyTorch grad.in_proj_bias (k part)", want.Tensors["grad."+inProjBias].F32[d:2*d], make([]float32, d), scale)
				}
				got := []float64{r.clsLoss, r.fair, r.total}
				for k, name := range []string{"cls", "fair", "total"} {
					w := losses[3*step+k]
					if math.Abs(got[k]-w) > 1e-5*math.Max(math.Abs(w), 1e-3) {
						t.Errorf("step %d %s loss %.9g, PyTorch %.9g", step, name, got[k], w)
					}
				}
			}
			for name, p := range model.TorchStateDict(params) {
				if name == inProjBias {
					// Adam turns the rounding-level gradient of the key bias into steps
					// of up to lr in both: only the q and v parts are comparable.
					w := want.Tensors["final."+name].F32
					closeTo(t, "final."+name+" (q part)", p.Data[:d], w[:d])
					closeTo(t, "final."+name+" (v part)", p.Data[2*d:], w[2*d:])
					continue
				}
				if tc.fair {
					closeToAdam(t, "final."+name, p.Data, want.Tensors["final."+name].F32, want.Tensors["grad."+name].F32)
					continue
				}
				closeTo(t, "final."+name, p.Data, want.Tensors["final."+name].F32)
			}
		})
	}
}

// chunkedLogits evaluates the split's rows in chunks of size, last chunk first, and
// returns the logits in row order.
func chunkedLogits(t *testing.T, eng *engine, s Split, n, size int) []float32 {
	t.Helper()
	d := s.Dim()
	logits := make([]float32, 2*n)
	for lo := (n - 1) / size * size; lo >= 0; lo -= size {
		m := min(size, n-lo)
		idx, views := make([]int, m), make([]int, m)
		for j := range idx {
			idx[j] = lo + j
		}
		clip, s1 := make([]float32, m*d), make([]float32, m*d)
		if err := s.Rows(idx, views, clip); err != nil {
			t.Fatal(err)
		}
		if err := eng.stage1Rows(clip, m, s1); err != nil {
			t.Fatal(err)
		}
		keys, err := eng.keys(s, idx, views, s1)
		if err != nil {
			t.Fatal(err)
		}
		out, err := eng.evalRows(clip, keys, m)
		if err != nil {
			t.Fatal(err)
		}
		copy(logits[2*lo:], out.logits)
	}
	return logits
}

const inProjBias = "fusion.cross_attn.in_proj_bias"

// closeToScale is closeTo relative to a given scale instead of the tensor's largest
// magnitude.
func closeToScale(t *testing.T, name string, got, want []float32, scale float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", name, len(got), len(want))
		return
	}
	var worst float64
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(got[i])-float64(want[i])))
	}
	if worst > 1e-5*scale {
		t.Errorf("%s: max |diff| %.3g = %.3g of scale %.3g (> 1e-5)", name, worst, worst/scale, scale)
	}
}
