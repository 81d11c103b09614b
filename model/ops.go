package model

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL, as in GoMLX's own layers.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// MatMulT returns x·wᵀ for x [B, in] and w [out, in]. When grad is true the product
// carries an explicit gradient: dx = v·w and dw = vᵀ·x, two einsums, instead of
// GoMLX's stock DotGeneral gradient, which materialises a [B, out, in] broadcast.
//
// How: the value is computed from stop-gradient copies; x and w reach the output
// through zero-valued links (0·sum) so that the autodiff visits them; an identity on
// the output records the adjoint v, and identities on x and w replace whatever
// reaches them through the links by the einsums of v. The output's identity is
// created last, so the reverse pass (which walks nodes from the last created)
// records v before it needs it.
func MatMulT(x, w *Node, grad bool) *Node {
	y := Einsum("bi,oi->bo", StopGradient(x), StopGradient(w))
	if !grad {
		return y
	}
	return withMatMulTGrad(x, w, y)
}

// withMatMulTGrad gives y, the value of x·wᵀ, MatMulT's explicit gradient.
func withMatMulTGrad(x, w, y *Node) *Node {
	xs, ws := StopGradient(x), StopGradient(w)
	var adjoint *Node
	xl := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		return Einsum("bo,oi->bi", adjoint, ws)
	})
	wl := IdentityWithCustomGradient(w, func(_, _ *Node) *Node {
		return Einsum("bo,bi->oi", adjoint, xs)
	})
	link := MulScalar(Add(ReduceAllSum(xl), ReduceAllSum(wl)), 0)
	y = Add(y, link)
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		adjoint = v
		return v
	})
}

// Linear is PyTorch's nn.Linear: x·wᵀ + b, w [out, in], b [out] (nil: no bias).
func Linear(x, w, b *Node, grad bool) *Node {
	y := MatMulT(x, w, grad)
	if b != nil {
		y = Add(y, InsertAxes(b, 0))
	}
	return y
}

// ReLU is max(x, 0) with PyTorch's gradient at 0 (zero).
func ReLU(x *Node) *Node {
	zero := ScalarZero(x.Graph(), x.DType())
	return Where(GreaterThan(x, zero), x, ZerosLike(x))
}

// GELU is the exact (erf) GELU, PyTorch's nn.GELU default.
func GELU(x *Node) *Node {
	return Mul(MulScalar(x, 0.5), AddScalar(Erf(MulScalar(x, 0.7071067811865476)), 1))
}

// LayerNorm normalises the last axis with PyTorch's biased variance and eps.
func LayerNorm(x, w, b *Node, eps float64) *Node {
	mean := ReduceAndKeep(x, ReduceMean, -1)
	xc := Sub(x, mean)
	variance := ReduceAndKeep(Square(xc), ReduceMean, -1)
	y := Div(xc, Sqrt(AddScalar(variance, eps)))
	return Add(Mul(y, InsertAxes(w, 0)), InsertAxes(b, 0))
}

// NormalizeRows is F.normalize(x, dim=-1): x / max(|x|, 1e-12).
func NormalizeRows(x *Node) *Node {
	norm := Sqrt(ReduceAndKeep(Square(x), ReduceSum, -1))
	norm = Max(norm, Scalar(x.Graph(), x.DType(), 1e-12))
	return Div(x, norm)
}

// Dropout zeroes each element of x with probability p and scales the rest by
// 1/(1-p), drawing from rng; it returns the advanced RNG state. shape, when not nil,
// is the (broadcastable) shape of the mask, e.g. one value per attention head.
func Dropout(rng, x *Node, p float64, maskDims ...int) (*Node, *Node) {
	if p <= 0 {
		return rng, x
	}
	shape := x.Shape()
	if len(maskDims) > 0 {
		shape = shape.Clone()
		shape.Dimensions = maskDims
	}
	rng, mask := DropoutMask(rng, shape, p)
	return rng, Mul(x, mask)
}

// DropoutMask draws a dropout mask of shape (p > 0): 0 with probability p, else
// 1/(1-p). It returns the advanced RNG state.
func DropoutMask(rng *Node, shape shapes.Shape, p float64) (*Node, *Node) {
	rng, u := RandomUniform(rng, shape)
	keep := ConvertDType(GreaterOrEqual(u, Scalar(rng.Graph(), shape.DType, p)), shape.DType)
	return rng, MulScalar(keep, 1/(1-p))
}
