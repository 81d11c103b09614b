package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Nodes maps parameter names to the graph nodes holding them.
type Nodes map[string]*Node

// Builder builds the head's graphs.
type Builder struct {
	Cfg Config
	// Grad gives matmuls explicit gradients (set for graphs that are differentiated).
	Grad bool
	// Train turns dropout on; RNG must then hold an RNG state node, which each
	// dropout advances.
	Train bool
	RNG   *Node
	// Products, when not nil, records or replays the forward's matrix products
	// (see [Products]).
	Products *Products
}

// Outputs are the head's results for a batch.
type Outputs struct {
	S2     *Node // Stage 2 feature clip + A2(clip) [B, D]
	X      *Node // cross-attention branch after both LayerNorms [B, D]
	Gate   *Node // g, the weight of s1 [B]
	Fused  *Node // g*s1 + (1-g)*x [B, D]
	Z      *Node // normalize(fused) [B, D] (fused when normalisation is off)
	Logits *Node // [B, 2]
	Prob   *Node // softmax(logits)[:, 1] [B]
	// AttnEntropy is the entropy (nats) of each head's attention weights over the keys
	// [B, H] under fusion_keys: tokens; nil with one key (where it is 0).
	AttnEntropy *Node
}

// dropout is Dropout with b's RNG; maskDims as there.
func (b *Builder) dropout(x *Node, maskDims ...int) *Node {
	if !b.Train || b.Cfg.Dropout <= 0 {
		return x
	}
	shape := x.Shape()
	if len(maskDims) > 0 {
		shape = shape.Clone()
		shape.Dimensions = maskDims
	}
	return Mul(x, b.dropoutMask(shape))
}

func (b *Builder) normalize(x *Node) *Node {
	if !b.Cfg.Normalize {
		return x
	}
	return NormalizeRows(x)
}

// adapter is Linear ReLU Dropout Linear ReLU Dropout Linear.
func (b *Builder) adapter(p Nodes, prefix string, x *Node, dropout bool) *Node {
	for l, idx := range adapterLayers {
		x = b.linear(x, p[linearName(prefix, idx, "weight")], p[linearName(prefix, idx, "bias")])
		if l < 2 {
			x = ReLU(x)
			if dropout {
				x = b.dropout(x)
			}
		}
	}
	return x
}

// CLIP returns the model's view of a CLIP embedding: L2-normalised when the
// configuration normalises features.
func (b *Builder) CLIP(e *Node) *Node { return b.normalize(e) }

// Stage1 returns s1 = normalize(clip + A1(clip)) for the frozen Stage 1 adapter A1,
// always in eval mode (no dropout). clip is the output of CLIP.
func (b *Builder) Stage1(p Nodes, clip *Node) *Node {
	saved := b.Grad
	b.Grad = false
	defer func() { b.Grad = saved }()
	return b.normalize(Add(clip, b.adapter(p, A1Prefix, clip, false)))
}

// Forward computes the trainable head on a batch: clip [B, D] (output of CLIP)
// and s1 [B, D] (output of Stage1, a constant of the graph). Under fusion_keys:
// tokens s1 is instead the keys [B, K+1, D]: Stage1 of the class token (row 0, the
// gate's s1) and of the K pooled patch tokens; every sample has K+1 keys, so batches
// need no padding or masks.
func (b *Builder) Forward(p Nodes, clip, s1 *Node) Outputs {
	if b.Cfg.Keys == KeysTokens {
		return b.forwardTokens(p, clip, s1)
	}
	var o Outputs
	d, h := b.Cfg.Dim, b.Cfg.Heads
	o.S2 = Add(clip, b.adapter(p, A2Prefix, clip, true))

	// Cross-attention, query s2, key and value s1, one token each: the softmax over
	// the single key is 1, so the attention output is out_proj(dropout(v_proj(s1)))
	// with dropout acting on the per-head attention weight (a mask per sample and
	// head). The q and k projections cannot change the result (their gradients are
	// exactly zero in PyTorch too) and are not computed; MultiHeadAttention is the
	// general form, tested equal to this one.
	v := b.linear(s1, p[AttnVWeight], p[AttnVBias])
	if b.Train && b.Cfg.Dropout > 0 {
		batch := v.Shape().Dimensions[0]
		v = Reshape(b.dropout(Reshape(v, batch, h, d/h), batch, h, 1), batch, d)
	}
	attn := b.linear(v, p[AttnOutW], p[AttnOutB])
	b.fuse(p, &o, attn, s1)
	return o
}

// forwardTokens is Forward with several keys: query s2 (one token), keys and values
// keys [B, T, D] (s1 of the class token first), T = K+1.
func (b *Builder) forwardTokens(p Nodes, clip, keys *Node) Outputs {
	var o Outputs
	dims := keys.Shape().Dimensions
	if len(dims) != 3 || dims[1] != b.Cfg.KeyTokens() || dims[2] != b.Cfg.Dim {
		panic(fmt.Sprintf("model: fusion_keys tokens wants keys [B, %d, %d], got %v", b.Cfg.KeyTokens(), b.Cfg.Dim, dims))
	}
	batch, d := dims[0], dims[2]
	o.S2 = Add(clip, b.adapter(p, A2Prefix, clip, true))
	// keys is an input of the graph (never differentiated), so slicing it is free of
	// Slice's gradient, which the pure-Go backend lacks.
	s1 := Reshape(Slice(keys, AxisRange(), AxisElem(0), AxisRange()), batch, d)
	attn, weights := b.attend(p, InsertAxes(o.S2, 1), keys) // [B, 1, D], [B, H, 1, T]
	o.AttnEntropy = Reshape(Entropy(weights), batch, b.Cfg.Heads)
	b.fuse(p, &o, Reshape(attn, batch, d), s1)
	return o
}

// fuse is the rest of the head after the attention output attn [B, D]: residual and
// LayerNorm, FFN, gate on [x ; s1], fusion, normalisation and classifier.
func (b *Builder) fuse(p Nodes, o *Outputs, attn, s1 *Node) {
	x := LayerNorm(Add(o.S2, attn), p[Norm1W], p[Norm1B], 1e-5)

	f := b.dropout(GELU(b.linear(x, p[FFN1W], p[FFN1B])))
	f = b.dropout(b.linear(f, p[FFN2W], p[FFN2B]))
	o.X = LayerNorm(Add(x, f), p[Norm2W], p[Norm2B], 1e-5)

	// Gate on [x ; s1]: W1 [x ; s1] = W1x x + W1s s1.
	gh := Add(b.matMulT(o.X, p[GateW1X]), b.matMulT(s1, p[GateW1S]))
	gh = ReLU(Add(gh, InsertAxes(p[GateB1], 0)))
	g := Sigmoid(b.linear(gh, p[GateW2], p[GateB2])) // [B, 1]
	o.Gate = Reshape(g, g.Shape().Dimensions[0])
	o.Fused = Add(Mul(g, s1), Mul(OneMinus(g), o.X))
	o.Z = b.normalize(o.Fused)

	o.Logits = b.classifier(p, o.Z)
	pick := ConvertDType(Const(o.Logits.Graph(), []float32{0, 1}), o.Logits.DType())
	o.Prob = Einsum("bc,c->b", Softmax(o.Logits, -1), pick)
}

// classifier is (Linear ReLU Dropout)* Linear.
func (b *Builder) classifier(p Nodes, z *Node) *Node {
	n := len(b.Cfg.ClassifierHidden) + 1
	for i := range n {
		z = b.linear(z, p[linearName(ClassifierPr, 3*i, "weight")], p[linearName(ClassifierPr, 3*i, "bias")])
		if i < n-1 {
			z = b.dropout(ReLU(z))
		}
	}
	return z
}
