package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Products lets a training step run the head's forward pass once although the
// fairness gradient dL/dz is known only after the forward (it is computed in Go from
// z): a first graph records every matrix product and every dropout mask of the
// forward (Record), a second graph builds the same forward with those values as
// inputs (Replay) and differentiates it. The matrix products, the bulk of the
// forward's work, and the masks' random bits are computed once; the second graph
// recomputes only elementwise operations and runs the backward pass. Both graphs must
// build the same Forward with the same configuration, so that the values arrive in
// the same order; the replayed values are the recorded ones, so the step's numbers
// are those of a single forward-and-backward graph.
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

// take returns the next replayed value, which must have shape want.
func (p *Products) take(want shapes.Shape, what string) *Node {
	if p.next >= len(p.Replay) {
		panic(fmt.Sprintf("model: forward asks for %s %d of %d replayed values", what, p.next+1, len(p.Replay)))
	}
	y := p.Replay[p.next]
	p.next++
	if !y.Shape().Equal(want) {
		panic(fmt.Sprintf("model: replayed value %d (a %s) has shape %s, want %s", p.next, what, y.Shape(), want))
	}
	return y
}

// dropoutMask is the scaled keep mask of a dropout over shape: drawn from b.RNG (and
// recorded), or replayed, so that a replaying graph neither draws random bits again
// nor rebuilds the mask from them.
func (b *Builder) dropoutMask(shape shapes.Shape) *Node {
	p := b.Products
	if p != nil && p.Replay != nil {
		return p.take(shape, "dropout mask")
	}
	var mask *Node
	b.RNG, mask = DropoutMask(b.RNG, shape, b.Cfg.Dropout)
	if p != nil && p.Record {
		p.Recorded = append(p.Recorded, mask)
	}
	return mask
}

// matMulT is MatMulT that records or replays the product when b.Products is set.
func (b *Builder) matMulT(x, w *Node) *Node {
	p := b.Products
	switch {
	case p == nil:
		return MatMulT(x, w, b.Grad)
	case p.Replay != nil:
		y := p.take(matMulTShape(x, w), "product")
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
