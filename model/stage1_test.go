package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestGradientReversalFiniteDifference checks sign and scale of the reversal: the
// forward pass is the identity, so central differences of the loss give dL/dy, and
// the gradient must be -lambda times that.
func TestGradientReversalFiniteDifference(t *testing.T) {
	be := testBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	x := randF64(rng, 12, 1)
	w := randF64(rng, 12, 1)
	loss := func(y *Node) *Node {
		wn := Const(y.Graph(), w)
		return ReduceAllSum(Mul(Sin(Mul(y, Reshape(wn, 3, 4))), Reshape(wn, 3, 4)))
	}
	gradExec := MustNewExec(be, func(x, lambda *Node) []*Node {
		l := loss(GradientReversal(x, lambda))
		return []*Node{l, Gradient(l, x)[0]}
	})
	lossExec := MustNewExec(be, func(x *Node) *Node { return loss(x) })
	for _, lambda := range []float64{1, 0.5, 0, 2.5} {
		res := gradExec.MustExec(tensors.FromFlatDataAndDimensions(x, 3, 4), tensors.FromScalar(lambda))
		grad := toF64(res[1])
		plain := toF64(lossExec.MustExec(tensors.FromFlatDataAndDimensions(x, 3, 4))[0])[0]
		if got := toF64(res[0])[0]; got != plain {
			t.Errorf("lambda %g: forward %v differs from the identity's %v", lambda, got, plain)
		}
		const h = 1e-6
		for j := range x {
			eval := func(d float64) float64 {
				v := append([]float64(nil), x...)
				v[j] += d
				return toF64(lossExec.MustExec(tensors.FromFlatDataAndDimensions(v, 3, 4))[0])[0]
			}
			fd := (eval(h) - eval(-h)) / (2 * h)
			if want := -lambda * fd; math.Abs(grad[j]-want) > 1e-7*math.Max(1, math.Abs(want)) {
				t.Errorf("lambda %g, x[%d]: gradient %.9g, want -lambda*fd = %.9g", lambda, j, grad[j], want)
			}
		}
	}
}

// TestStage1GradientsFiniteDifference checks the whole Stage 1 graph: the heads
// get the ordinary gradient of their loss, A1 gets -lambda times it plus the
// ordinary gradient of the terms that do not pass through the reversal.
func TestStage1GradientsFiniteDifference(t *testing.T) {
	be := testBackend(t)
	cfg := tinyConfig()
	ps := NewStage1Trainable(cfg, 5)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range ps.List {
		for i := range p.Data {
			p.Data[i] += float32(rng.NormFloat64() * 0.2)
		}
	}
	const batch, lambda = 3, 0.7
	clip := randF64(rng, batch*cfg.Dim, 1)
	np := len(ps.List)
	// parts returns the loss through the reversal (heads) and the rest (direct).
	parts := func(b *Builder, in []*Node) (*Node, *Node) {
		o := b.Stage1Train(Bind(ps, in[:np]), in[np], in[np+1])
		g := o.RaceLogits.Graph()
		rw := Const(g, []float64{0.7, -1.3, 0.4, 0.9})
		gw := Const(g, []float64{-0.5, 1.1})
		heads := Add(ReduceAllSum(Mul(o.RaceLogits, InsertAxes(rw, 0))), ReduceAllSum(Mul(o.GenderLogits, InsertAxes(gw, 0))))
		direct := Add(ReduceAllSum(Mul(o.Adapted, Sin(IotaFull(g, o.Adapted.Shape())))), MulScalar(ReduceAllSum(o.Cosine), 3))
		return heads, direct
	}
	gradExec := MustNewExec(be, func(in []*Node) []*Node {
		heads, direct := parts(&Builder{Cfg: cfg, Grad: true}, in)
		return Gradient(Add(heads, direct), in[:np]...)
	})
	lossExec := MustNewExec(be, func(in []*Node) []*Node {
		heads, direct := parts(&Builder{Cfg: cfg}, in)
		return []*Node{heads, direct}
	})
	args := func(params []*tensors.Tensor) []any {
		out := make([]any, 0, np+2)
		for _, p := range params {
			out = append(out, p)
		}
		return append(out, tensors.FromFlatDataAndDimensions(clip, batch, cfg.Dim), tensors.FromScalar(float64(lambda)))
	}
	base := f64Tensors(ps)
	grads := gradExec.MustExec(args(base)...)
	const h = 1e-6
	for pi, p := range ps.List {
		grad := toF64(grads[pi])
		vals := toF64(base[pi])
		isHead := !strings.HasPrefix(p.Name, A1Prefix)
		for range 3 {
			j := rng.IntN(len(vals))
			eval := func(delta float64) (float64, float64) {
				moved := append([]*tensors.Tensor(nil), base...)
				v := append([]float64(nil), vals...)
				v[j] += delta
				moved[pi] = tensors.FromFlatDataAndDimensions(v, p.Shape...)
				r := lossExec.MustExec(args(moved)...)
				return toF64(r[0])[0], toF64(r[1])[0]
			}
			hp, dp := eval(h)
			hm, dm := eval(-h)
			fdHeads, fdDirect := (hp-hm)/(2*h), (dp-dm)/(2*h)
			want := fdHeads + fdDirect
			if !isHead {
				want = -lambda*fdHeads + fdDirect
				if fdDirect != 0 && math.Abs(fdHeads) < 1e-6 {
					continue // nothing to learn about the reversal from this coordinate
				}
			}
			if math.Abs(grad[j]-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s[%d]: gradient %.9g, want %.9g (heads fd %.6g, direct fd %.6g)", p.Name, j, grad[j], want, fdHeads, fdDirect)
			}
		}
	}
}

func TestGRLSchedule(t *testing.T) {
	// 2/(1+exp(-z)) - 1 = tanh(z/2).
	dann := func(gamma, p float64) float64 { return math.Tanh(gamma * p / 2) }
	for _, tc := range []struct {
		s     GRLSchedule
		epoch int
		want  float64
	}{
		{GRLSchedule{"dann", 0, 1, 10, 20}, 1, dann(10, 0.05)},
		{GRLSchedule{"dann", 0, 1, 10, 20}, 4, dann(10, 0.2)},
		{GRLSchedule{"dann", 0, 1, 10, 20}, 20, dann(10, 1)},
		{GRLSchedule{"dann", 0, 1, 10, 20}, 0, 0},
		{GRLSchedule{"dann", 0.2, 0.8, 5, 10}, 3, 0.2 + 0.6*dann(5, 0.3)},
		{GRLSchedule{"linear", 0, 1, 10, 20}, 5, 0.25},
		{GRLSchedule{"linear", 0.1, 0.5, 10, 4}, 2, 0.3},
		{GRLSchedule{"step", 0.1, 0.9, 10, 20}, 9, 0.1},
		{GRLSchedule{"step", 0.1, 0.9, 10, 20}, 10, 0.9},
		{GRLSchedule{"linear", 0, 1, 10, 20}, 30, 1}, // clamped to max
	} {
		if err := tc.s.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := tc.s.Lambda(tc.epoch); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%+v epoch %d: lambda %.15g, want %.15g", tc.s, tc.epoch, got, tc.want)
		}
	}
	// Known values of the DANN curve with gamma 10: p = 0.5 gives 0.98661.
	if got := (GRLSchedule{"dann", 0, 1, 10, 2}).Lambda(1); math.Abs(got-0.9866142981514303) > 1e-12 {
		t.Errorf("dann(0.5) = %.16g", got)
	}
	for _, bad := range []GRLSchedule{{"cosine", 0, 1, 10, 5}, {"dann", 0, 1, 10, 0}, {"dann", 1, 0.5, 10, 5}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestStage1ParamsAndExport(t *testing.T) {
	cfg := Config{Dim: 768, Stage1Hidden: 512, Stage2Hidden: 384, Heads: 8, NumClasses: 2, Normalize: true}
	ps := NewStage1Trainable(cfg, 1)
	race := 768*256 + 256 + 256*4 + 4
	gender := 768*128 + 128 + 128*2 + 2
	if got, want := ps.Count(), NewStage1(cfg, 1).Count()+int64(race+gender); got != want {
		t.Errorf("trainable %d, want %d", got, want)
	}
	for _, name := range []string{"race_classifier.3.bias", "gender_classifier.0.bias"} {
		for _, v := range ps.Get(name).Data {
			if v != 0 {
				t.Fatalf("%s not zero", name)
			}
		}
	}
	// kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
	w := ps.Get("race_classifier.3.weight").Data
	var maxAbs, ss float64
	for _, v := range w {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		ss += float64(v) * float64(v)
	}
	if b := 1 / math.Sqrt(256); maxAbs > b || math.Abs(math.Sqrt(ss/float64(len(w)))-b/math.Sqrt(3)) > 0.15*b/math.Sqrt(3) {
		t.Errorf("race head weight: max %g, rms %g, want U(-%g, %g)", maxAbs, math.Sqrt(ss/float64(len(w))), b, b)
	}
	names, sd, err := TorchStage1Adapter(ps)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"additive_adapter.adapter.0.weight", "additive_adapter.adapter.0.bias", "additive_adapter.adapter.3.weight",
		"additive_adapter.adapter.3.bias", "additive_adapter.adapter.6.weight", "additive_adapter.adapter.6.bias"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("names %v", names)
	}
	if s := sd["additive_adapter.adapter.0.weight"].Shape; s[0] != 512 || s[1] != 768 {
		t.Errorf("first weight shape %v, want [512 768] ([out, in])", s)
	}
	// The export loads back as Stage 2's frozen A1.
	a1 := NewStage1(cfg, 99)
	if err := LoadTorchStateDict(a1, RenamePrefix(sd, TorchA1Prefix, A1Prefix), ""); err != nil {
		t.Fatal(err)
	}
	orig, err := Stage1Adapter(ps)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range a1.List {
		for j, v := range p.Data {
			if v != orig.List[i].Data[j] {
				t.Fatalf("%s[%d] differs after export and load", p.Name, j)
			}
		}
	}
}

// TestStage1EvalMatchesFrozenStage1: with dropout off, the trained graph's adapted
// feature is what Stage 2's frozen Stage1 computes for the same A1.
func TestStage1EvalMatchesFrozenStage1(t *testing.T) {
	be := testBackend(t)
	cfg := tinyConfig()
	ps := NewStage1Trainable(cfg, 11)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, p := range ps.List {
		for i := range p.Data {
			p.Data[i] += float32(rng.NormFloat64() * 0.3)
		}
	}
	a1, err := Stage1Adapter(ps)
	if err != nil {
		t.Fatal(err)
	}
	clip := randF64(rng, 4*cfg.Dim, 1)
	np, n1 := len(ps.List), len(a1.List)
	ex := MustNewExec(be, func(in []*Node) []*Node {
		b := &Builder{Cfg: cfg}
		o := b.Stage1Train(Bind(ps, in[:np]), in[np+n1], Scalar(in[0].Graph(), in[0].DType(), 1))
		s1 := b.Stage1(Bind(a1, in[np:np+n1]), b.CLIP(in[np+n1]))
		return []*Node{ReduceAllMax(Abs(Sub(o.Adapted, s1))), ReduceAllMin(o.Cosine), ReduceAllMax(o.Cosine)}
	})
	args := []any{}
	for _, p := range append(f64Tensors(ps), f64Tensors(a1)...) {
		args = append(args, p)
	}
	args = append(args, tensors.FromFlatDataAndDimensions(clip, 4, cfg.Dim))
	r := ex.MustExec(args...)
	if d := toF64(r[0])[0]; d > 1e-12 {
		t.Errorf("adapted differs from Stage1 by %g", d)
	}
	if lo, hi := toF64(r[1])[0], toF64(r[2])[0]; lo < -1 || hi > 1+1e-12 || hi >= 1 {
		t.Errorf("cosine in [%g, %g]: want within [-1, 1) for a non-zero adapter", lo, hi)
	}
}
