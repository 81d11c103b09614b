package model

import (
	"fmt"
	"math/rand/v2"
)

// Parameter names follow the original's PyTorch state dict (module
// Stage2IndependentAdapterModel), except where one PyTorch tensor is kept as parts so
// that no graph has to slice it: the attention's packed in_proj weight and bias are
// stored per projection (q/k/v_proj_weight are PyTorch's own names for the unpacked
// form), and the gate's first weight [dim, 2*dim] as the halves that multiply x and s1.
// TorchStateDict packs them back.
const (
	A2Prefix = "stage2_adapter.adapter."
	A1Prefix = "stage1_adapter.adapter."

	AttnQWeight  = "fusion.cross_attn.q_proj_weight"
	AttnKWeight  = "fusion.cross_attn.k_proj_weight"
	AttnVWeight  = "fusion.cross_attn.v_proj_weight"
	AttnQBias    = "fusion.cross_attn.in_proj_bias.q"
	AttnKBias    = "fusion.cross_attn.in_proj_bias.k"
	AttnVBias    = "fusion.cross_attn.in_proj_bias.v"
	AttnOutW     = "fusion.cross_attn.out_proj.weight"
	AttnOutB     = "fusion.cross_attn.out_proj.bias"
	Norm1W       = "fusion.norm1.weight"
	Norm1B       = "fusion.norm1.bias"
	FFN1W        = "fusion.ffn.0.weight"
	FFN1B        = "fusion.ffn.0.bias"
	FFN2W        = "fusion.ffn.3.weight"
	FFN2B        = "fusion.ffn.3.bias"
	Norm2W       = "fusion.norm2.weight"
	Norm2B       = "fusion.norm2.bias"
	GateW1X      = "fusion.gate_net.0.weight.x"
	GateW1S      = "fusion.gate_net.0.weight.s1"
	GateB1       = "fusion.gate_net.0.bias"
	GateW2       = "fusion.gate_net.2.weight"
	GateB2       = "fusion.gate_net.2.bias"
	ClassifierPr = "binary_classifier."
)

// adapterLayers are the Sequential indices of an adapter's three Linears.
var adapterLayers = [3]int{0, 3, 6}

func linearName(prefix string, idx int, what string) string {
	return fmt.Sprintf("%s%d.%s", prefix, idx, what)
}

// addAdapter adds A(dIn, hidden, dIn) and initialises it as the reference does:
// Kaiming normal (fan_out, relu) weights, zero biases, the last weight N(0, 0.01).
func addAdapter(ps *Params, prefix string, dim, hidden int, seed int64, stream int64) {
	dims := [4]int{dim, hidden, hidden, dim}
	for l, idx := range adapterLayers {
		w := ps.Add(linearName(prefix, idx, "weight"), dims[l+1], dims[l])
		ps.Add(linearName(prefix, idx, "bias"), dims[l+1])
		rng := newRand(seed, stream, int64(l))
		if l == 2 {
			normal(rng, w.Data, 0.01)
		} else {
			kaimingNormalFanOutReLU(rng, w)
		}
	}
}

// NewStage1 returns a randomly initialised Stage 1 adapter A1 (the reference's init),
// for runs whose configuration asks for one instead of a checkpoint.
func NewStage1(cfg Config, seed int64) *Params {
	ps := NewParams()
	addAdapter(ps, A1Prefix, cfg.Dim, cfg.Stage1Hidden, seed, 1)
	return ps
}

// NewStage2 returns the trainable parameters (A2, fusion with gate, classifier)
// initialised as the reference does (REFERENCE.md section 1), from seed.
func NewStage2(cfg Config, seed int64) (*Params, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := cfg.Dim
	ps := NewParams()
	addAdapter(ps, A2Prefix, d, cfg.Stage2Hidden, seed, 2)

	// MultiheadAttention: xavier_uniform over the packed [3d, d] in_proj weight, zero
	// in_proj and out_proj biases, out_proj weight as nn.Linear.
	inBound := xavierBound(3*d, d)
	for i, name := range []string{AttnQWeight, AttnKWeight, AttnVWeight} {
		uniform(newRand(seed, 3, int64(i)), ps.Add(name, d, d).Data, inBound)
	}
	ps.Add(AttnQBias, d)
	ps.Add(AttnKBias, d)
	ps.Add(AttnVBias, d)
	uniform(newRand(seed, 3, 3), ps.Add(AttnOutW, d, d).Data, linearBound(d))
	ps.Add(AttnOutB, d)

	fill(ps.Add(Norm1W, d).Data, 1)
	ps.Add(Norm1B, d)
	defaultLinear(ps, FFN1W, FFN1B, 4*d, d, newRand(seed, 4, 0))
	defaultLinear(ps, FFN2W, FFN2B, d, 4*d, newRand(seed, 4, 1))
	fill(ps.Add(Norm2W, d).Data, 1)
	ps.Add(Norm2B, d)

	// Gate: Linear(2d, d) ReLU Linear(d, 1) Sigmoid, PyTorch defaults with fan_in 2d
	// for both halves of the first weight, and the last bias set to gate_init_bias.
	b := linearBound(2 * d)
	uniform(newRand(seed, 5, 0), ps.Add(GateW1X, d, d).Data, b)
	uniform(newRand(seed, 5, 1), ps.Add(GateW1S, d, d).Data, b)
	uniform(newRand(seed, 5, 2), ps.Add(GateB1, d).Data, b)
	uniform(newRand(seed, 5, 3), ps.Add(GateW2, 1, d).Data, linearBound(d))
	fill(ps.Add(GateB2, 1).Data, float32(cfg.GateInitBias))

	// Classifier: kaiming_uniform(a=sqrt(5)) weights, zero biases.
	prev := d
	for i, h := range append(append([]int(nil), cfg.ClassifierHidden...), cfg.NumClasses) {
		w := ps.Add(linearName(ClassifierPr, 3*i, "weight"), h, prev)
		ps.Add(linearName(ClassifierPr, 3*i, "bias"), h)
		uniform(newRand(seed, 6, int64(i)), w.Data, linearBound(prev))
		prev = h
	}
	return ps, nil
}

// defaultLinear adds an nn.Linear(in, out) with PyTorch's default init:
// weight and bias U(-1/sqrt(in), 1/sqrt(in)).
func defaultLinear(ps *Params, wName, bName string, out, in int, rng *rand.Rand) {
	bound := linearBound(in)
	uniform(rng, ps.Add(wName, out, in).Data, bound)
	uniform(rng, ps.Add(bName, out).Data, bound)
}
