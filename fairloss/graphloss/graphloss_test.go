package graphloss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/fairloss"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// layer is the tiny model of the test: z = normalize(X W) row-wise.
func layer(x, w *graph.Node) *graph.Node {
	return graph.L2Normalize(graph.MatMul(x, w), -1)
}

// layerGo is the same in plain Go.
func layerGo(x, w []float64, n, k, d int) []float64 {
	z := make([]float64, n*d)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			v := 0.0
			for l := 0; l < k; l++ {
				v += x[i*k+l] * w[l*d+j]
			}
			z[i*d+j] = v
			s += v * v
		}
		for j := 0; j < d; j++ {
			z[i*d+j] /= math.Sqrt(s)
		}
	}
	return z
}

// TestGradientReachesWeights: the gradient of Loss(z, dz, value) with respect to a
// weight matrix feeding z equals the finite difference of the Go fairness loss composed
// with that layer. The loss is run to convergence (ExtraIterations) so that the
// envelope-theorem gradient is the exact derivative of the value.
func TestGradientReachesWeights(t *testing.T) {
	be, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	const n, k, d = 12, 5, 4
	rng := rand.New(rand.NewPCG(21, 22))
	x, w := make([]float64, n*k), make([]float64, k*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	labels := []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	groups := []int{0, 0, 1, 1, 2, 2, 0, 0, 0, 3, 3, 3}
	loss := fairloss.Stage2{Blur: 1, P: 2, Scaling: 0.5, MinSamplesPerSubgroup: 2, NumSubgroups: 8, ExtraIterations: 300}

	xt, wt := tensors.FromFlatDataAndDimensions(x, n, k), tensors.FromFlatDataAndDimensions(w, k, d)
	zExec, err := graph.NewExec(be, layer)
	if err != nil {
		t.Fatal(err)
	}
	zt, err := zExec.Exec1(xt, wt)
	if err != nil {
		t.Fatal(err)
	}
	res, dz, err := Compute(loss, zt, labels, groups)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Defined || res.Value <= 0 {
		t.Fatalf("loss %+v", res.Breakdown)
	}
	gradExec, err := graph.NewExec(be, func(x, w, dz, value *graph.Node) (*graph.Node, *graph.Node, *graph.Node) {
		z := layer(x, w)
		l := Loss(z, dz, value)
		s := Surrogate(z, dz)
		return l, graph.Gradient(l, w)[0], graph.Gradient(s, w)[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := gradExec.Exec(xt, wt, dz, tensors.FromScalar(res.Value))
	if err != nil {
		t.Fatal(err)
	}
	if got := outs[0].Value().(float64); got != res.Value {
		t.Errorf("graph loss value %.17g, Go value %.17g", got, res.Value)
	}
	gw := tensors.MustCopyFlatData[float64](outs[1])
	gs := tensors.MustCopyFlatData[float64](outs[2])
	value := func(w []float64) float64 {
		r, err := loss.Loss(layerGo(x, w, n, k, d), n, d, labels, groups)
		if err != nil {
			t.Fatal(err)
		}
		return r.Value
	}
	const h = 1e-6
	nonzero := 0
	for i := range w {
		wp := append([]float64(nil), w...)
		wp[i] += h
		up := value(wp)
		wp[i] -= 2 * h
		fd := (up - value(wp)) / (2 * h)
		if math.Abs(fd-gw[i]) > 1e-6*math.Max(1e-3, math.Abs(fd)) {
			t.Errorf("dL/dW[%d] = %.10g from the graph, finite difference %.10g", i, gw[i], fd)
		}
		if gs[i] != gw[i] {
			t.Errorf("surrogate gradient %.17g differs from Loss gradient %.17g", gs[i], gw[i])
		}
		if math.Abs(gw[i]) > 1e-8 {
			nonzero++
		}
	}
	if nonzero < len(w)/2 {
		t.Errorf("only %d of %d weight gradients are non-zero", nonzero, len(w))
	}
}

func TestComputeFloat32(t *testing.T) {
	z := tensors.FromFlatDataAndDimensions([]float32{1, 0, 0.8, 0.6, 0, 1, 0.6, 0.8}, 4, 2)
	loss := fairloss.Stage2{Blur: 0.05, P: 2, Scaling: 0.5, MinSamplesPerSubgroup: 2, NumSubgroups: 8}
	res, dz, err := Compute(loss, z, []int{0, 0, 0, 0}, []int{0, 0, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	g := tensors.MustCopyFlatData[float32](dz)
	if len(g) != 8 || !res.Defined || float64(g[0]) != float64(float32(res.Grad[0])) {
		t.Errorf("dz %v, grad %v", g, res.Grad)
	}
	if _, _, err := Compute(loss, tensors.FromFlatDataAndDimensions([]float32{1, 2}, 2), nil, nil); err == nil {
		t.Error("1-D features accepted")
	}
}
