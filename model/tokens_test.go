package model

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/config"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// tokenKeys returns keys [batch, k+1, dim] of unit rows (the shape of Stage 1
// outputs), float64.
func tokenKeys(rng *rand.Rand, batch, k, dim int) []float64 {
	keys := randF64(rng, batch*(k+1)*dim, 1)
	for r := 0; r < batch*(k+1); r++ {
		row := keys[r*dim : (r+1)*dim]
		var n float64
		for _, v := range row {
			n += v * v
		}
		for i := range row {
			row[i] /= math.Sqrt(n)
		}
	}
	return keys
}

// TestTokenHeadGradientFiniteDifference checks every parameter's gradient through the
// several-key head (fusion_keys: tokens, K = 3) against central differences in
// float64; unlike the one-key head, the q and k projections now get gradient.
func TestTokenHeadGradientFiniteDifference(t *testing.T) {
	be := testBackend(t)
	hc := newHeadCase(t, 3)
	hc.cfg.Keys, hc.cfg.Tokens = KeysTokens, 3
	np := len(hc.params.List)
	keys := tokenKeys(rand.New(rand.NewPCG(7, 8)), hc.batch, hc.cfg.Tokens, hc.cfg.Dim)
	build := func(withGrad bool) *Exec {
		return MustNewExec(be, func(in []*Node) []*Node {
			b := &Builder{Cfg: hc.cfg, Grad: withGrad}
			loss := lossOf(b.Forward(Bind(hc.params, in[:np]), b.CLIP(in[np]), in[np+1]))
			if !withGrad {
				return []*Node{loss}
			}
			return append([]*Node{loss}, Gradient(loss, in[:np]...)...)
		})
	}
	gradExec, lossExec := build(true), build(false)
	args := func(params []*tensors.Tensor) []any {
		out := make([]any, 0, np+2)
		for _, p := range params {
			out = append(out, p)
		}
		return append(out, tensors.FromFlatDataAndDimensions(hc.clip, hc.batch, hc.cfg.Dim),
			tensors.FromFlatDataAndDimensions(keys, hc.batch, hc.cfg.Tokens+1, hc.cfg.Dim))
	}
	base := f64Tensors(hc.params)
	res := gradExec.MustExec(args(base)...)
	rng := rand.New(rand.NewPCG(5, 6))
	const h = 1e-6
	for pi, p := range hc.params.List {
		grad := toF64(res[1+pi])
		vals := toF64(base[pi])
		for range 3 {
			j := rng.IntN(len(vals))
			eval := func(delta float64) float64 {
				moved := append([]*tensors.Tensor(nil), base...)
				v := append([]float64(nil), vals...)
				v[j] += delta
				moved[pi] = tensors.FromFlatDataAndDimensions(v, p.Shape...)
				return toF64(lossExec.MustExec(args(moved)...)[0])[0]
			}
			fd := (eval(h) - eval(-h)) / (2 * h)
			if diff := math.Abs(fd - grad[j]); diff > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s[%d]: gradient %.9g, finite difference %.9g", p.Name, j, grad[j], fd)
			}
		}
	}
	for _, name := range []string{AttnQWeight, AttnKWeight} {
		var norm float64
		for _, v := range toF64(res[1+hc.params.Index(name)]) {
			norm += v * v
		}
		if norm == 0 {
			t.Errorf("%s: zero gradient with %d keys", name, hc.cfg.Tokens+1)
		}
	}
}

// TestHeadsMatterOnlyWithTokens runs the same weights (their layout does not depend on
// the head count) with 1, 2, 4 and 8 heads: with several keys the outputs differ,
// with one key (fusion_keys: cls, or tokens without patch tokens, which gives the
// same values) they are identical.
func TestHeadsMatterOnlyWithTokens(t *testing.T) {
	be := testBackend(t)
	base := tinyConfig()
	base.Dropout = 0
	ps, err := NewStage2(base, 3)
	if err != nil {
		t.Fatal(err)
	}
	const batch, k = 4, 4
	rng := rand.New(rand.NewPCG(3, 4))
	clip := randF64(rng, batch*base.Dim, 1)
	keys := tokenKeys(rng, batch, k, base.Dim)
	run := func(cfg Config) (prob, entropy []float64) {
		np := len(ps.List)
		out := MustExecOnceN(be, func(in []*Node) []*Node {
			b := &Builder{Cfg: cfg}
			kv := in[np+1]
			if cfg.Keys != KeysTokens {
				kv = Reshape(Slice(kv, AxisRange(), AxisElem(0), AxisRange()), batch, cfg.Dim)
			} else if cfg.Tokens == 0 {
				kv = Slice(kv, AxisRange(), AxisElem(0), AxisRange())
			}
			o := b.Forward(Bind(ps, in[:np]), b.CLIP(in[np]), kv)
			if o.AttnEntropy == nil {
				return []*Node{o.Prob}
			}
			return []*Node{o.Prob, o.AttnEntropy}
		}, append(anyTensors(f64Tensors(ps)), tensors.FromFlatDataAndDimensions(clip, batch, base.Dim),
			tensors.FromFlatDataAndDimensions(keys, batch, k+1, base.Dim))...)
		prob = toF64(out[0])
		if len(out) > 1 {
			entropy = toF64(out[1])
		}
		return prob, entropy
	}
	for _, tc := range []struct {
		keys        string
		tokens      int
		wantDiffers bool
	}{{KeysCLS, 0, false}, {KeysTokens, 0, false}, {KeysTokens, k, true}} {
		var first []float64
		for _, heads := range []int{1, 2, 4, 8} {
			cfg := base
			cfg.Heads, cfg.Keys, cfg.Tokens = heads, tc.keys, tc.tokens
			if got := !cfg.HeadsInert(); got != tc.wantDiffers {
				t.Errorf("%s: HeadsInert() = %v", tc.keys, !got)
			}
			prob, entropy := run(cfg)
			if tc.keys == KeysTokens {
				if len(entropy) != batch*heads {
					t.Fatalf("%d heads: %d entropies, want %d", heads, len(entropy), batch*heads)
				}
				for _, e := range entropy {
					if tc.tokens == 0 && e != 0 || tc.tokens > 0 && (e <= 0 || e > math.Log(k+1)+1e-12) {
						t.Errorf("%d heads, %d tokens: attention entropy %g outside (0, ln %d], or not 0 on one key", heads, tc.tokens, e, tc.tokens+1)
					}
				}
			}
			if tc.tokens == 0 {
				// One key: the general attention gives the original's values.
				cls := cfg
				cls.Keys = KeysCLS
				want, _ := run(cls)
				for i := range prob {
					if math.Abs(prob[i]-want[i]) > 1e-12 {
						t.Errorf("%s, %d heads, no patch tokens: prob %g, fusion_keys cls %g", tc.keys, heads, prob[i], want[i])
					}
				}
			}
			if first == nil {
				first = prob
				continue
			}
			var worst float64
			for i := range prob {
				worst = math.Max(worst, math.Abs(prob[i]-first[i]))
			}
			if differs := worst > 1e-9; differs != tc.wantDiffers {
				t.Errorf("%s, %d heads vs 1: max |prob diff| %.3g, want differing %v", tc.keys, heads, worst, tc.wantDiffers)
			}
		}
	}
}

// TestEntropy checks the entropy of hand-computed attention rows.
func TestEntropy(t *testing.T) {
	be := testBackend(t)
	w := []float64{0.25, 0.25, 0.25, 0.25, 1, 0, 0, 0, 0.5, 0.5, 0, 0}
	got := toF64(MustExecOnce(be, Entropy, tensors.FromFlatDataAndDimensions(w, 3, 4)))
	want := []float64{math.Log(4), 0, math.Log(2)}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("row %d: entropy %g, want %g", i, got[i], want[i])
		}
	}
}

func anyTensors(ts []*tensors.Tensor) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}

// TestClsConfigJSONUnchanged: under fusion_keys: cls the head's configuration (stored
// in checkpoints) has no new fields, so its checkpoints are byte for byte as before.
func TestClsConfigJSONUnchanged(t *testing.T) {
	c := config.Default()
	b, err := json.Marshal(ConfigFrom(c.Model))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Keys") || strings.Contains(string(b), "Tokens") {
		t.Errorf("cls head configuration gained fields: %s", b)
	}
	c.Model.FusionKeys, c.Features.Tokens = "tokens", "patches:16"
	mc, err := ConfigFromAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if mc.Keys != KeysTokens || mc.Tokens != 16 || mc.KeyTokens() != 17 || mc.HeadsInert() {
		t.Errorf("tokens configuration %+v", mc)
	}
}
