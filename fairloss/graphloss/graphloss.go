// Package graphloss joins the fairness loss computed in Go by package fairloss to a
// GoMLX training graph, so that its gradient reaches the trainable weights.
//
// The Sinkhorn iterations depend on the data (the schedule starts at the batch's
// diameter) and geomloss differentiates only their last step, so they run outside the
// graph, in float64 Go code:
//
//  1. the forward graph outputs the normalized fused features z (n×d);
//  2. Go computes the loss value and dL/dz with fairloss (Compute);
//  3. the training graph takes dz (and the value) as inputs and adds Loss(z, dz, value)
//     (or Surrogate(z, dz)) to its objective, scaled by lambda_fair.
//
// Surrogate(z, dz) = ReduceAllSum(z * StopGradient(dz)): its gradient with respect to
// any parameter theta is sum(dz * dz/dtheta), which is exactly dL/dtheta by the chain
// rule, but its value is not L. Loss(z, dz, value) adds the straight-through
// correction value + s - StopGradient(s): its value is the Go value and its gradient
// the same, which matters when the loss weight is itself learned (uncertainty
// weighting differentiates exp(-s_f) * L_fair with respect to s_f and needs the value).
// The loss to report is always the Go value.
package graphloss

import (
	"fmt"

	"github.com/fairclip/fairclip/fairloss"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Surrogate returns ReduceAllSum(z * StopGradient(dz)), whose gradient with respect to
// anything z depends on is dz composed with dz/dtheta. dz must have z's shape and dtype.
func Surrogate(z, dz *graph.Node) *graph.Node {
	return graph.ReduceAllSum(graph.Mul(z, graph.StopGradient(dz)))
}

// Loss returns a scalar whose value is value (the Go-computed loss, a scalar of z's
// dtype) and whose gradient is that of Surrogate(z, dz).
func Loss(z, dz, value *graph.Node) *graph.Node {
	s := Surrogate(z, dz)
	return graph.Add(graph.StopGradient(value), graph.Sub(s, graph.StopGradient(s)))
}

// Compute evaluates the Stage 2 loss on the features z (a tensor of shape [n, d],
// float32 or float64) and returns the result with dz = dL/dz as a tensor of z's shape
// and dtype, ready to feed the training graph.
func Compute(loss fairloss.Stage2, z *tensors.Tensor, labels, subgroups []int) (fairloss.Stage2Result, *tensors.Tensor, error) {
	dims := z.Shape().Dimensions
	if len(dims) != 2 {
		return fairloss.Stage2Result{}, nil, fmt.Errorf("graphloss: features of shape %v, want [n, d]", dims)
	}
	n, d := dims[0], dims[1]
	var feats []float64
	switch z.DType() {
	case dtypes.Float64:
		feats = tensors.MustCopyFlatData[float64](z)
	case dtypes.Float32:
		for _, v := range tensors.MustCopyFlatData[float32](z) {
			feats = append(feats, float64(v))
		}
	default:
		return fairloss.Stage2Result{}, nil, fmt.Errorf("graphloss: features of dtype %s, want float32 or float64", z.DType())
	}
	res, err := loss.Loss(feats, n, d, labels, subgroups)
	if err != nil {
		return fairloss.Stage2Result{}, nil, fmt.Errorf("graphloss: %w", err)
	}
	if z.DType() == dtypes.Float64 {
		return res, tensors.FromFlatDataAndDimensions(res.Grad, n, d), nil
	}
	g32 := make([]float32, len(res.Grad))
	for i, v := range res.Grad {
		g32[i] = float32(v)
	}
	return res, tensors.FromFlatDataAndDimensions(g32, n, d), nil
}
