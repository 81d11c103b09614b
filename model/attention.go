package model

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// MultiHeadAttention is PyTorch's nn.MultiheadAttention (batch_first, no masks) in
// eval mode for q [B, Tq, D] and kv [B, Tk, D]: per-head softmax(q kᵀ / sqrt(D/H)) v,
// then out_proj. Forward uses the one-token special case of it; this general form is
// kept for variants with more tokens and is tested equal on one token.
func (b *Builder) MultiHeadAttention(p Nodes, q, kv *Node) *Node {
	dims := q.Shape().Dimensions
	batch, tq, d := dims[0], dims[1], dims[2]
	tk := kv.Shape().Dimensions[1]
	h := b.Cfg.Heads
	proj := func(x *Node, t int, w, bias string) *Node {
		y := Linear(Reshape(x, batch*t, d), p[w], p[bias], b.Grad)
		return Reshape(y, batch, t, h, d/h)
	}
	qh := proj(q, tq, AttnQWeight, AttnQBias)
	kh := proj(kv, tk, AttnKWeight, AttnKBias)
	vh := proj(kv, tk, AttnVWeight, AttnVBias)
	scores := MulScalar(Einsum("bqhd,bkhd->bhqk", qh, kh), 1/math.Sqrt(float64(d/h)))
	weights := Softmax(scores, -1)
	out := Einsum("bhqk,bkhd->bqhd", weights, vh)
	out = Linear(Reshape(out, batch*tq, d), p[AttnOutW], p[AttnOutB], b.Grad)
	return Reshape(out, batch, tq, d)
}
