package model

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// MultiHeadAttention is PyTorch's nn.MultiheadAttention (batch_first, no masks) in
// eval mode for q [B, Tq, D] and kv [B, Tk, D]: per-head softmax(q kᵀ / sqrt(D/H)) v,
// then out_proj. Forward's one-key case is tested equal to it on one token, and its
// several-key case (fusion_keys: tokens) is this function with Tq = 1.
func (b *Builder) MultiHeadAttention(p Nodes, q, kv *Node) *Node {
	out, _ := b.attend(p, q, kv)
	return out
}

// attend is MultiHeadAttention returning also the attention weights [B, H, Tq, Tk]
// (before dropout). In training mode dropout acts on each attention weight, as
// PyTorch's does.
func (b *Builder) attend(p Nodes, q, kv *Node) (out, weights *Node) {
	dims := q.Shape().Dimensions
	batch, tq, d := dims[0], dims[1], dims[2]
	tk := kv.Shape().Dimensions[1]
	h := b.Cfg.Heads
	proj := func(x *Node, t int, w, bias string) *Node {
		y := b.linear(Reshape(x, batch*t, d), p[w], p[bias])
		return Reshape(y, batch, t, h, d/h)
	}
	qh := proj(q, tq, AttnQWeight, AttnQBias)
	kh := proj(kv, tk, AttnKWeight, AttnKBias)
	vh := proj(kv, tk, AttnVWeight, AttnVBias)
	scores := MulScalar(Einsum("bqhd,bkhd->bhqk", qh, kh), 1/math.Sqrt(float64(d/h)))
	weights = Softmax(scores, -1)
	out = Einsum("bhqk,bkhd->bqhd", b.dropout(weights), vh)
	out = b.linear(Reshape(out, batch*tq, d), p[AttnOutW], p[AttnOutB])
	return Reshape(out, batch, tq, d), weights
}

// Entropy is the entropy in nats of attention weights [..., Tk] over the last axis
// (0 log 0 = 0): ln(Tk) for uniform weights, 0 for one-hot ones.
func Entropy(weights *Node) *Node {
	zero := ZerosLike(weights)
	safe := Where(GreaterThan(weights, zero), weights, OnesLike(weights))
	return Neg(ReduceSum(Mul(weights, Log(safe)), -1))
}
