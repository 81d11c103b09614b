package train

import (
	"fmt"
	"math"

	"github.com/fairclip/fairclip/config"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// ClsLoss is the classification loss of the configuration (the original's
// DetectionLoss): "cross_entropy" over the 2 logits with label smoothing and optional
// class weights, "focal" (alpha, gamma, on the unsmoothed cross-entropy) or "bce"
// (BCE-with-logits on logit 1, pos_weight w1/w0 with class weights).
type ClsLoss struct {
	Type           string
	LabelSmoothing float64
	FocalAlpha     float64
	FocalGamma     float64
	ClassWeights   []float64 // nil or [w_real, w_fake]
}

// NewClsLoss reads the `loss:` section.
func NewClsLoss(l config.Loss) (ClsLoss, error) {
	c := ClsLoss{Type: l.Type, LabelSmoothing: l.LabelSmoothing, FocalAlpha: l.FocalAlpha, FocalGamma: l.FocalGamma, ClassWeights: l.ClassWeights}
	switch c.Type {
	case "cross_entropy", "focal", "bce":
	default:
		return c, fmt.Errorf("loss.type %q: unknown; use cross_entropy, focal or bce", c.Type)
	}
	if c.ClassWeights != nil && len(c.ClassWeights) != 2 {
		return c, fmt.Errorf("loss.class_weights: %d values, want 2 (real, fake)", len(c.ClassWeights))
	}
	if c.LabelSmoothing < 0 || c.LabelSmoothing > 1 {
		return c, fmt.Errorf("loss.label_smoothing %g: must be in [0, 1]", c.LabelSmoothing)
	}
	return c, nil
}

// Graph returns the batch loss for logits [B, 2] and one-hot labels [B, 2].
func (c ClsLoss) Graph(logits, onehot *graph.Node) *graph.Node {
	g := logits.Graph()
	dt := logits.DType()
	w := c.ClassWeights
	batch := float64(logits.Shape().Dimensions[0])
	labelF := graph.Einsum("bc,c->b", onehot, vec(g, dt, 0, 1)) // y as float
	switch c.Type {
	case "bce":
		x := graph.Einsum("bc,c->b", logits, vec(g, dt, 0, 1))
		// log(1+exp(-|x|)) + max(-x, 0) = -log(sigmoid(x)); max(x,0) - x*y + log(1+exp(-|x|)).
		softplusNeg := graph.Add(graph.Log1p(graph.Exp(graph.Neg(graph.Abs(x)))), graph.Max(graph.Neg(x), graph.ScalarZero(g, dt)))
		var loss *graph.Node
		if w != nil {
			pw := w[1] / w[0]
			coef := graph.AddScalar(graph.MulScalar(labelF, pw-1), 1)
			loss = graph.Add(graph.Mul(graph.OneMinus(labelF), x), graph.Mul(coef, softplusNeg))
		} else {
			loss = graph.Add(graph.Mul(graph.OneMinus(labelF), x), softplusNeg)
		}
		return graph.DivScalar(graph.ReduceAllSum(loss), batch)
	}
	logp := graph.LogSoftmax(logits, -1)
	nll := graph.Neg(graph.ReduceSum(graph.Mul(logp, onehot), -1)) // [B]
	switch c.Type {
	case "focal":
		pt := graph.Exp(graph.Neg(nll))
		fw := graph.Pow(graph.OneMinus(pt), graph.Scalar(g, dt, c.FocalGamma))
		alpha := graph.AddScalar(graph.MulScalar(labelF, 2*c.FocalAlpha-1), 1-c.FocalAlpha)
		fw = graph.Mul(fw, alpha)
		if w != nil {
			fw = graph.Mul(fw, graph.Einsum("bc,c->b", onehot, vec(g, dt, w[0], w[1])))
		}
		return graph.DivScalar(graph.ReduceAllSum(graph.Mul(fw, nll)), batch)
	}
	// Cross-entropy with label smoothing eps: (1-eps)*nll + eps/C * sum_c(-logp_c),
	// weighted means over sum_i w_{y_i} when class weights are given (PyTorch's rule).
	eps := c.LabelSmoothing
	if w == nil {
		loss := graph.DivScalar(graph.ReduceAllSum(nll), batch)
		if eps == 0 {
			return loss
		}
		smooth := graph.DivScalar(graph.Neg(graph.ReduceAllSum(logp)), batch)
		return graph.Add(graph.MulScalar(loss, 1-eps), graph.MulScalar(smooth, eps/2))
	}
	wc := vec(g, dt, w[0], w[1])
	wy := graph.Einsum("bc,c->b", onehot, wc)
	den := graph.ReduceAllSum(wy)
	loss := graph.Div(graph.ReduceAllSum(graph.Mul(wy, nll)), den)
	if eps == 0 {
		return loss
	}
	smooth := graph.Div(graph.Neg(graph.ReduceAllSum(graph.Mul(logp, graph.InsertAxes(wc, 0)))), den)
	return graph.Add(graph.MulScalar(loss, 1-eps), graph.MulScalar(smooth, eps/2))
}

// Value is the same loss computed in Go (float64) from logits [B*2] and labels, used
// for the validation loss.
func (c ClsLoss) Value(logits []float32, labels []int) float64 {
	n := len(labels)
	var num, den float64
	weight := func(y int) float64 {
		if c.ClassWeights == nil {
			return 1
		}
		return c.ClassWeights[y]
	}
	for i, y := range labels {
		l0, l1 := float64(logits[2*i]), float64(logits[2*i+1])
		m := math.Max(l0, l1)
		lse := m + math.Log(math.Exp(l0-m)+math.Exp(l1-m))
		logp := [2]float64{l0 - lse, l1 - lse}
		switch c.Type {
		case "bce":
			x, yf := l1, float64(y)
			sp := math.Log1p(math.Exp(-math.Abs(x))) + math.Max(-x, 0)
			coef := 1.0
			if c.ClassWeights != nil {
				coef = 1 + (c.ClassWeights[1]/c.ClassWeights[0]-1)*yf
			}
			num += (1-yf)*x + coef*sp
			den++
		case "focal":
			nll := -logp[y]
			pt := math.Exp(-nll)
			alpha := c.FocalAlpha*float64(y) + (1-c.FocalAlpha)*(1-float64(y))
			num += math.Pow(1-pt, c.FocalGamma) * alpha * weight(y) * nll
			den++
		default:
			eps := c.LabelSmoothing
			w := weight(y)
			smooth := -(weight(0)*logp[0] + weight(1)*logp[1])
			num += (1-eps)*w*(-logp[y]) + eps/2*smooth
			den += w
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return num / den
}

// vec is a constant vector of logits' dtype.
func vec(g *graph.Graph, dt dtypes.DType, v ...float64) *graph.Node {
	return graph.ConvertDType(graph.Const(g, v), dt)
}
