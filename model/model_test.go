package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func testBackend(t *testing.T) backends.Backend {
	t.Helper()
	b, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randF64(rng *rand.Rand, n int, scale float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = rng.NormFloat64() * scale
	}
	return out
}

func toF64(t *tensors.Tensor) []float64 { return tensors.MustCopyFlatData[float64](t) }

// tinyConfig is small enough for float64 finite differences.
func tinyConfig() Config {
	return Config{Dim: 8, Stage1Hidden: 6, Stage2Hidden: 5, Heads: 2, ClassifierHidden: []int{6, 4},
		NumClasses: 2, Dropout: 0.1, GateInitBias: 0.5, Normalize: true}
}

func TestDefaultTrainableCount(t *testing.T) {
	cfg := Config{Dim: 768, Stage1Hidden: 512, Stage2Hidden: 384, Heads: 8, ClassifierHidden: []int{384, 192},
		NumClasses: 2, Dropout: 0.1, GateInitBias: 1, Normalize: true}
	ps, err := NewStage2(cfg, 42)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps.Count(); got != 9_377_475 {
		t.Errorf("trainable parameters = %d, want 9,377,475 (REFERENCE.md section 1)", got)
	}
	groups := map[string]int64{}
	for _, p := range ps.List {
		switch {
		case len(p.Name) > 7 && p.Name[:7] == "stage2_":
			groups["a2"] += int64(p.Size())
		case len(p.Name) > 7 && p.Name[:7] == "fusion.":
			groups["fusion"] += int64(p.Size())
		default:
			groups["cls"] += int64(p.Size())
		}
	}
	want := map[string]int64{"a2": 738_816, "fusion": 8_269_057, "cls": 369_602}
	for k, v := range want {
		if groups[k] != v {
			t.Errorf("%s parameters = %d, want %d", k, groups[k], v)
		}
	}
	if a1 := NewStage1(cfg, 1).Count(); a1 != 768*512+512+512*512+512+512*768+768 {
		t.Errorf("stage 1 parameters = %d", a1)
	}
}

func TestInitialisation(t *testing.T) {
	cfg := Config{Dim: 256, Stage1Hidden: 128, Stage2Hidden: 192, Heads: 8, ClassifierHidden: []int{128},
		NumClasses: 2, Dropout: 0.1, GateInitBias: 1.25, Normalize: true}
	ps, err := NewStage2(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	stats := func(x []float32) (mean, std, maxAbs float64) {
		for _, v := range x {
			mean += float64(v)
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		mean /= float64(len(x))
		for _, v := range x {
			std += (float64(v) - mean) * (float64(v) - mean)
		}
		return mean, math.Sqrt(std / float64(len(x))), maxAbs
	}
	tests := []struct {
		name    string
		std     float64 // expected standard deviation
		bound   float64 // for uniform: expected max |x| (0: normal)
		allZero bool
		allOne  bool
	}{
		{name: A2Prefix + "0.weight", std: math.Sqrt(2.0 / 192)},
		{name: A2Prefix + "3.weight", std: math.Sqrt(2.0 / 192)},
		{name: A2Prefix + "6.weight", std: 0.01},
		{name: A2Prefix + "0.bias", allZero: true},
		{name: AttnQWeight, bound: math.Sqrt(6.0 / (4 * 256))},
		{name: AttnVWeight, bound: math.Sqrt(6.0 / (4 * 256))},
		{name: AttnVBias, allZero: true},
		{name: AttnOutB, allZero: true},
		{name: AttnOutW, bound: 1 / math.Sqrt(256)},
		{name: FFN1W, bound: 1 / math.Sqrt(256)},
		{name: FFN1B, bound: 1 / math.Sqrt(256)},
		{name: FFN2W, bound: 1 / math.Sqrt(1024)},
		{name: Norm1W, allOne: true},
		{name: Norm2B, allZero: true},
		{name: GateW1X, bound: 1 / math.Sqrt(512)},
		{name: GateW1S, bound: 1 / math.Sqrt(512)},
		{name: GateB1, bound: 1 / math.Sqrt(512)},
		{name: ClassifierPr + "0.weight", bound: 1 / math.Sqrt(256)},
		{name: ClassifierPr + "3.weight", bound: 1 / math.Sqrt(128)},
		{name: ClassifierPr + "3.bias", allZero: true},
	}
	for _, tc := range tests {
		p := ps.Get(tc.name)
		if p == nil {
			t.Fatalf("no parameter %s", tc.name)
		}
		mean, std, maxAbs := stats(p.Data)
		switch {
		case tc.allZero:
			if maxAbs != 0 {
				t.Errorf("%s: max |x| %g, want all zero", tc.name, maxAbs)
			}
		case tc.allOne:
			if mean != 1 || std != 0 {
				t.Errorf("%s: mean %g std %g, want all one", tc.name, mean, std)
			}
		case tc.bound > 0:
			if maxAbs > tc.bound || maxAbs < 0.95*tc.bound || math.Abs(std-tc.bound/math.Sqrt(3)) > 0.08*tc.bound {
				t.Errorf("%s: max |x| %g std %g, want U(-%g, %g)", tc.name, maxAbs, std, tc.bound, tc.bound)
			}
		default:
			if math.Abs(std-tc.std) > 0.08*tc.std || math.Abs(mean) > 0.1*tc.std {
				t.Errorf("%s: mean %g std %g, want N(0, %g^2)", tc.name, mean, std, tc.std)
			}
		}
	}
	if b := ps.Get(GateB2).Data[0]; b != 1.25 {
		t.Errorf("gate bias = %g, want gate_init_bias 1.25", b)
	}
}

// headGraph evaluates fn on the tiny head in float64.
type headCase struct {
	cfg    Config
	params *Params
	stage1 *Params
	clip   []float64 // B x D
	batch  int
}

func newHeadCase(t *testing.T, batch int) headCase {
	cfg := tinyConfig()
	ps, err := NewStage2(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// Larger last-layer weights than the init so that every path carries gradient.
	for _, p := range ps.List {
		for i := range p.Data {
			p.Data[i] += float32(rng.NormFloat64() * 0.2)
		}
	}
	return headCase{cfg: cfg, params: ps, stage1: NewStage1(cfg, 4), clip: randF64(rng, batch*cfg.Dim, 1), batch: batch}
}

func f64Tensors(ps *Params) []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(ps.List))
	for i, p := range ps.List {
		d := make([]float64, len(p.Data))
		for j, v := range p.Data {
			d[j] = float64(v)
		}
		out[i] = tensors.FromFlatDataAndDimensions(d, p.Shape...)
	}
	return out
}

// lossOf returns a scalar loss of the head that touches every output, for gradient
// checks: sum(w1*logits) + sum(w2*z) + sum(gate).
func lossOf(o Outputs) *Node {
	g := o.Logits.Graph()
	lw := ConvertDType(Const(g, []float64{0.7, -1.3}), o.Logits.DType())
	l := ReduceAllSum(Mul(o.Logits, InsertAxes(lw, 0)))
	zw := Sin(IotaFull(g, o.Z.Shape()))
	l = Add(l, ReduceAllSum(Mul(o.Z, zw)))
	return Add(l, ReduceAllSum(o.Gate))
}

// TestHeadGradientFiniteDifference checks the head's gradients (with the explicit
// matmul gradients) against central differences in float64.
func TestHeadGradientFiniteDifference(t *testing.T) {
	be := testBackend(t)
	hc := newHeadCase(t, 3)
	np := len(hc.params.List)
	n1 := len(hc.stage1.List)
	build := func(withGrad bool) *Exec {
		return MustNewExec(be, func(in []*Node) []*Node {
			b := &Builder{Cfg: hc.cfg, Grad: withGrad}
			p := Bind(hc.params, in[:np])
			for k, v := range Bind(hc.stage1, in[np:np+n1]) {
				p[k] = v
			}
			clip := b.CLIP(in[np+n1])
			s1 := StopGradient(b.Stage1(p, clip))
			loss := lossOf(b.Forward(p, clip, s1))
			if !withGrad {
				return []*Node{loss}
			}
			return append([]*Node{loss}, Gradient(loss, in[:np]...)...)
		})
	}
	gradExec, lossExec := build(true), build(false)
	args := func(params []*tensors.Tensor) []any {
		out := make([]any, 0, np+n1+1)
		for _, p := range params {
			out = append(out, p)
		}
		for _, p := range f64Tensors(hc.stage1) {
			out = append(out, p)
		}
		return append(out, tensors.FromFlatDataAndDimensions(hc.clip, hc.batch, hc.cfg.Dim))
	}
	base := f64Tensors(hc.params)
	res := gradExec.MustExec(args(base)...)
	rng := rand.New(rand.NewPCG(5, 6))
	const h = 1e-6
	for pi, p := range hc.params.List {
		grad := toF64(res[1+pi])
		vals := toF64(base[pi])
		// Check a few coordinates per parameter.
		for range 3 {
			j := rng.IntN(len(vals))
			eval := func(delta float64) float64 {
				moved := make([]*tensors.Tensor, np)
				copy(moved, base)
				v := append([]float64(nil), vals...)
				v[j] += delta
				moved[pi] = tensors.FromFlatDataAndDimensions(v, p.Shape...)
				return toF64(lossExec.MustExec(args(moved)...)[0])[0]
			}
			fd := (eval(h) - eval(-h)) / (2 * h)
			if diff := math.Abs(fd - grad[j]); diff > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s[%d]: gradient %.9g, finite difference %.9g", p.Name, j, grad[j], fd)
			}
		}
	}
	// Parameters that cannot change the result with one key token get zero gradient.
	for _, name := range []string{AttnQWeight, AttnKWeight, AttnQBias, AttnKBias} {
		for _, v := range toF64(res[1+hc.params.Index(name)]) {
			if v != 0 {
				t.Fatalf("%s: gradient %g, want 0", name, v)
			}
		}
	}
}

// TestMatMulTGradientMatchesStock compares the explicit matmul gradient with GoMLX's
// stock DotGeneral gradient on a small shape.
func TestMatMulTGradientMatchesStock(t *testing.T) {
	be := testBackend(t)
	rng := rand.New(rand.NewPCG(9, 9))
	x := tensors.FromFlatDataAndDimensions(randF64(rng, 4*5, 1), 4, 5)
	w := tensors.FromFlatDataAndDimensions(randF64(rng, 3*5, 1), 3, 5)
	v := tensors.FromFlatDataAndDimensions(randF64(rng, 4*3, 1), 4, 3)
	run := func(explicit bool) []*tensors.Tensor {
		return MustExecOnceN(be, func(x, w, v *Node) []*Node {
			var y *Node
			if explicit {
				y = MatMulT(x, w, true)
			} else {
				y = Einsum("bi,oi->bo", x, w)
			}
			// Use y twice so that the adjoint accumulates.
			loss := Add(ReduceAllSum(Mul(y, v)), ReduceAllSum(Square(y)))
			return append([]*Node{y}, Gradient(loss, x, w)...)
		}, x, w, v)
	}
	got, want := run(true), run(false)
	for i, name := range []string{"y", "dx", "dw"} {
		g, wv := toF64(got[i]), toF64(want[i])
		for j := range g {
			if math.Abs(g[j]-wv[j]) > 1e-12*math.Max(1, math.Abs(wv[j])) {
				t.Fatalf("%s[%d] = %g, stock %g", name, j, g[j], wv[j])
			}
		}
	}
}

// TestOneTokenAttentionEqualsGeneral checks that the head's one-token cross-attention
// (out_proj(v_proj(s1))) equals the general multi-head attention.
func TestOneTokenAttentionEqualsGeneral(t *testing.T) {
	be := testBackend(t)
	for _, heads := range []int{1, 2, 4} {
		hc := newHeadCase(t, 5)
		hc.cfg.Heads = heads
		np := len(hc.params.List)
		rng := rand.New(rand.NewPCG(3, 3))
		s1 := tensors.FromFlatDataAndDimensions(randF64(rng, 5*8, 1), 5, 8)
		s2 := tensors.FromFlatDataAndDimensions(randF64(rng, 5*8, 1), 5, 8)
		args := []any{}
		for _, p := range f64Tensors(hc.params) {
			args = append(args, p)
		}
		args = append(args, s2, s1)
		out := MustExecOnceN(be, func(in []*Node) []*Node {
			b := &Builder{Cfg: hc.cfg}
			p := Bind(hc.params, in[:np])
			q, kv := in[np], in[np+1]
			general := b.MultiHeadAttention(p, InsertAxes(q, 1), InsertAxes(kv, 1))
			fast := Linear(Linear(kv, p[AttnVWeight], p[AttnVBias], false), p[AttnOutW], p[AttnOutB], false)
			return []*Node{Reshape(general, 5, 8), fast}
		}, args...)
		g, f := toF64(out[0]), toF64(out[1])
		for i := range g {
			if math.Abs(g[i]-f[i]) > 1e-12 {
				t.Fatalf("heads %d: general %g, one-token %g at %d", heads, g[i], f[i], i)
			}
		}
	}
}

// TestGateBiasHonoured checks that the configured gate bias is the gate's value when
// the gate's last weight is zero.
func TestGateBiasHonoured(t *testing.T) {
	be := testBackend(t)
	for _, bias := range []float64{0, 1, -2.5} {
		hc := newHeadCase(t, 2)
		hc.cfg.GateInitBias = bias
		ps, err := NewStage2(hc.cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ps.Get(GateW2).Data {
			ps.Get(GateW2).Data[i] = 0
		}
		np := len(ps.List)
		args := []any{}
		for _, p := range f64Tensors(ps) {
			args = append(args, p)
		}
		args = append(args, tensors.FromFlatDataAndDimensions(hc.clip[:16], 2, 8), tensors.FromFlatDataAndDimensions(hc.clip[:16], 2, 8))
		gate := MustExecOnceN(be, func(in []*Node) []*Node {
			b := &Builder{Cfg: hc.cfg}
			return []*Node{b.Forward(Bind(ps, in[:np]), in[np], in[np+1]).Gate}
		}, args...)
		want := 1 / (1 + math.Exp(-bias))
		for _, g := range toF64(gate[0]) {
			if math.Abs(g-want) > 1e-6 {
				t.Errorf("bias %g: gate %g, want sigmoid(bias) %g", bias, g, want)
			}
		}
	}
}
