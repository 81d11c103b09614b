package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Products lets a training step run the head's forward pass once although the
// fairness gradient dL/dz is known only after the forward (it is computed in Go from
// z): a first graph records every matrix product of the forward (Record), a second
// graph builds the same forward with those products as inputs (Replay) and
// differentiates it. The matrix products, the bulk of the forward's work, are
// computed once; the second graph recomputes only elementwise operations and runs
// the backward pass. Both graphs must build the same Forward with the same
// configuration and RNG state, so that the products arrive in the same order and
// dropout draws the same masks; the replayed values are the recorded ones, so the
// step's numbers are those of a single forward-and-backward graph.
type Products struct {
	// Record, when true, appends each product to Recorded.
	Record   bool
	Recorded []*Node
	// Replay holds the products to use, in the order they are requested.
	Replay []*Node
	next   int
}

// Done reports an error when a replaying graph used fewer products than it was given.
func (p *Products) Done() error {
	if p != nil && p.Replay != nil && p.next != len(p.Replay) {
		return fmt.Errorf("model: forward used %d of %d replayed products", p.next, len(p.Replay))
	}
	return nil
}

// matMulT is MatMulT that records or replays the product when b.Products is set.
func (b *Builder) matMulT(x, w *Node) *Node {
	p := b.Products
	switch {
	case p == nil:
		return MatMulT(x, w, b.Grad)
	case p.Replay != nil:
		if p.next >= len(p.Replay) {
			panic(fmt.Sprintf("model: forward asks for product %d of %d replayed", p.next+1, len(p.Replay)))
		}
		y := p.Replay[p.next]
		p.next++
		want := matMulTShape(x, w)
		if !y.Shape().Equal(want) {
			panic(fmt.Sprintf("model: replayed product %d has shape %s, want %s", p.next, y.Shape(), want))
		}
		if !b.Grad {
			return y
		}
		return withMatMulTGrad(x, w, y)
	}
	y := MatMulT(x, w, b.Grad)
	if p.Record {
		p.Recorded = append(p.Recorded, y)
	}
	return y
}

// linear is Linear through matMulT.
func (b *Builder) linear(x, w, bias *Node) *Node {
	y := b.matMulT(x, w)
	if bias != nil {
		y = Add(y, InsertAxes(bias, 0))
	}
	return y
}

// matMulTShape is the shape of x·wᵀ for x [B, in] and w [out, in].
func matMulTShape(x, w *Node) shapes.Shape {
	return shapes.Make(x.DType(), x.Shape().Dimensions[0], w.Shape().Dimensions[0])
}
