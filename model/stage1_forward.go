package model

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
)

// Stage1Outputs are the Stage 1 graph's results for a batch.
type Stage1Outputs struct {
	Clip         *Node // the model's view of the CLIP feature (normalised when configured) [B, D]
	Adapted      *Node // normalize(clip + A1(clip)) [B, D]: what Stage 2 receives as s1
	Cosine       *Node // cosine similarity of Adapted and Clip per sample [B]
	RaceLogits   *Node // [B, 4], computed on GradientReversal(Adapted)
	GenderLogits *Node // [B, 2], computed on GradientReversal(Adapted)
}

// Stage1Train computes the trainable Stage 1 model on CLIP embeddings e [B, D]:
// A1 with dropout when b.Train (the original trains it in train mode), the
// residual and the L2 normalisation, and the race and gender heads behind a
// gradient reversal of strength lambda (a scalar node). With dropout off (eval) the
// adapted feature equals Stage1's output for the same A1.
func (b *Builder) Stage1Train(p Nodes, e, lambda *Node) Stage1Outputs {
	var o Stage1Outputs
	o.Clip = b.CLIP(e)
	o.Adapted = b.normalize(Add(o.Clip, b.adapter(p, A1Prefix, o.Clip, true)))
	num := ReduceSum(Mul(o.Adapted, o.Clip), -1)
	den := Mul(rowNorm(o.Adapted), rowNorm(o.Clip))
	o.Cosine = Div(num, Max(den, Scalar(e.Graph(), e.DType(), 1e-8)))
	rev := GradientReversal(o.Adapted, lambda)
	o.RaceLogits = b.head(p, RaceHeadPrefix, rev)
	o.GenderLogits = b.head(p, GenderHeadPrefix, rev)
	return o
}

// head is Linear ReLU Dropout Linear.
func (b *Builder) head(p Nodes, prefix string, x *Node) *Node {
	x = b.linear(x, p[linearName(prefix, 0, "weight")], p[linearName(prefix, 0, "bias")])
	x = b.dropout(ReLU(x))
	return b.linear(x, p[linearName(prefix, 3, "weight")], p[linearName(prefix, 3, "bias")])
}

func rowNorm(x *Node) *Node { return Sqrt(ReduceSum(Square(x), -1)) }
