package cpu

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the reference: GoMLX's own pure-Go backend
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func newBackends(t testing.TB) (cpu, ref backends.Backend) {
	t.Helper()
	cpu, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	ref, err = backends.NewWithConfig("go:ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cpu.Finalize(); ref.Finalize() })
	return cpu, ref
}

// randFloats is a deterministic pseudo-random fill in [-scale, scale].
func randFloats(n int, seed uint64, scale float64) []float32 {
	x := make([]float32, n)
	s := seed*0x9E3779B97F4A7C15 + 1
	for i := range x {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		x[i] = float32((float64(s%(1<<24))/float64(1<<24)*2 - 1) * scale)
	}
	return x
}

func flatF32(t testing.TB, v *tensors.Tensor) []float32 {
	t.Helper()
	switch v.DType() {
	case dtypes.Float32:
		return tensors.MustCopyFlatData[float32](v)
	case dtypes.Float64:
		r := []float32{}
		for _, x := range tensors.MustCopyFlatData[float64](v) {
			r = append(r, float32(x))
		}
		return r
	case dtypes.Int32:
		r := []float32{}
		for _, x := range tensors.MustCopyFlatData[int32](v) {
			r = append(r, float32(x))
		}
		return r
	case dtypes.Int64:
		r := []float32{}
		for _, x := range tensors.MustCopyFlatData[int64](v) {
			r = append(r, float32(x))
		}
		return r
	case dtypes.Bool:
		r := []float32{}
		for _, x := range tensors.MustCopyFlatData[bool](v) {
			if x {
				r = append(r, 1)
			} else {
				r = append(r, 0)
			}
		}
		return r
	}
	t.Fatalf("dtype %s", v.DType())
	return nil
}

// opCase is a graph over float32 inputs of the given shapes.
type opCase struct {
	name   string
	inputs [][]int
	fn     func(xs []*Node) []*Node
	tol    float64
}

func opCases() []opCase {
	un := func(name string, f func(x *Node) *Node) opCase {
		return opCase{name: name, inputs: [][]int{{7, 33}}, fn: func(x []*Node) []*Node { return []*Node{f(x[0])} }}
	}
	pos := func(f func(x *Node) *Node) func(x *Node) *Node {
		return func(x *Node) *Node { return f(AddScalar(Abs(x), 0.1)) }
	}
	return []opCase{
		un("exp", Exp), un("log", pos(Log)), un("log1p", pos(Log1p)), un("tanh", Tanh), un("sigmoid", Sigmoid),
		un("erf", Erf), un("sqrt", pos(Sqrt)), un("rsqrt", pos(Rsqrt)), un("abs", Abs), un("neg", Neg),
		un("sign", Sign), un("sin", Sin), un("cos", Cos), un("floor", Floor), un("ceil", Ceil), un("round", Round),
		un("expm1", Expm1), un("square", Square), un("gelu", func(x *Node) *Node { return activationsGELU(x) }),
		un("isnan", func(x *Node) *Node { return ConvertDType(IsNaN(Log(x)), dtypes.Float32) }),
		un("reduce-all", func(x *Node) *Node { return ReduceAllSum(x) }),
		un("reduce-max-last", func(x *Node) *Node { return ReduceMax(x, -1) }),
		un("reduce-min-first", func(x *Node) *Node { return ReduceMin(x, 0) }),
		un("reduce-mean", func(x *Node) *Node { return ReduceMean(x, 0) }),
		un("argmax", func(x *Node) *Node { return ConvertDType(ArgMax(x, 1), dtypes.Float32) }),
		un("softmax", func(x *Node) *Node { return Softmax(x, -1) }),
		un("logsoftmax", func(x *Node) *Node { return LogSoftmax(x, 0) }),
		un("transpose", func(x *Node) *Node { return Transpose(x, 0, 1) }),
		un("slice", func(x *Node) *Node { return Slice(x, AxisRange(1, 6), AxisRange(2, 30).Stride(3)) }),
		un("concat", func(x *Node) *Node { return Concatenate([]*Node{x, Neg(x), x}, 1) }),
		un("convert-int", func(x *Node) *Node { return ConvertDType(ConvertDType(MulScalar(x, 10), dtypes.Int32), dtypes.Float32) }),
		un("where", func(x *Node) *Node {
			return Where(GreaterThan(x, ScalarZero(x.Graph(), x.DType())), x, MulScalar(x, 0.1))
		}),
		un("clip", func(x *Node) *Node { return ClipScalar(x, -0.3, 0.4) }),
		un("pow", func(x *Node) *Node { return Pow(AddScalar(Abs(x), 0.5), x) }),
		un("min-max", func(x *Node) *Node { return Sub(MaxScalar(x, 0.1), MinScalar(x, -0.2)) }),
		un("iota", func(x *Node) *Node { return Add(x, IotaFull(x.Graph(), x.Shape())) }),
		un("broadcast-dim1", func(x *Node) *Node { return Mul(x, ReduceAndKeep(x, ReduceSum, 1)) }),
		{name: "broadcast-3d", inputs: [][]int{{3, 5, 7}}, fn: func(x []*Node) []*Node {
			return []*Node{Add(x[0], ReduceAndKeep(x[0], ReduceSum, 0)), Sub(ReduceAndKeep(x[0], ReduceMax, 1), x[0]),
				Div(x[0], AddScalar(Abs(ReduceAndKeep(x[0], ReduceSum, 0, 2)), 1))}
		}},
		{name: "reduce-middle", inputs: [][]int{{3, 5, 7, 2}}, fn: func(x []*Node) []*Node {
			return []*Node{ReduceSum(x[0], 1), ReduceSum(x[0], 0, 2), ReduceMax(x[0], 1, 3)}
		}},
		{name: "transpose-4d", inputs: [][]int{{3, 37, 5, 40}}, fn: func(x []*Node) []*Node {
			return []*Node{TransposeAllDims(x[0], 0, 2, 3, 1), TransposeAllDims(x[0], 3, 1, 2, 0)}
		}},
		{name: "matmul", inputs: [][]int{{33, 65}, {65, 17}}, fn: func(x []*Node) []*Node {
			return []*Node{MatMul(x[0], x[1])}
		}, tol: 1e-5},
		{name: "einsum-tA", inputs: [][]int{{65, 33}, {65, 17}}, fn: func(x []*Node) []*Node {
			return []*Node{Einsum("km,kn->mn", x[0], x[1])}
		}, tol: 1e-5},
		{name: "einsum-tB", inputs: [][]int{{3, 33, 65}, {17, 65}}, fn: func(x []*Node) []*Node {
			return []*Node{Einsum("bmk,nk->bmn", x[0], x[1])}
		}, tol: 1e-5},
		{name: "einsum-batched", inputs: [][]int{{2, 3, 9, 8}, {2, 3, 7, 8}}, fn: func(x []*Node) []*Node {
			return []*Node{Einsum("bhqd,bhkd->bhqk", x[0], x[1]), Einsum("bhqd,bhkd->bqhk", x[0], x[1])}
		}, tol: 1e-5},
		{name: "einsum-perm", inputs: [][]int{{4, 5, 6}, {6, 3, 4}}, fn: func(x []*Node) []*Node {
			return []*Node{Einsum("abc,cda->bd", x[0], x[1])}
		}, tol: 1e-5},
		{name: "mlp-gradient", inputs: [][]int{{16, 24}, {24, 32}, {32}, {32, 5}}, fn: func(x []*Node) []*Node {
			h := Add(MatMul(x[0], x[1]), ExpandLeftToRank(x[2], 2))
			h = Mul(h, Sigmoid(MulScalar(h, 1.702)))
			mean := ReduceAndKeep(h, ReduceMean, -1)
			c := Sub(h, mean)
			h = Div(c, Sqrt(AddScalar(ReduceAndKeep(Square(c), ReduceMean, -1), 1e-5)))
			loss := ReduceAllMean(Neg(LogSoftmax(MatMul(h, x[3]), -1)))
			g := Gradient(loss, x...)
			return append([]*Node{loss}, g...)
		}, tol: 2e-5},
	}
}

// activationsGELU is the exact GELU x·Φ(x).
func activationsGELU(x *Node) *Node {
	return Mul(MulScalar(x, 0.5), OnePlus(Erf(MulScalar(x, 1/math.Sqrt2))))
}

func execCase(t *testing.T, b backends.Backend, c opCase, flats [][]float32) [][]float32 {
	t.Helper()
	exec, err := NewExec(b, func(xs []*Node) []*Node { return c.fn(xs) })
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(flats))
	for i := range flats {
		args[i] = tensors.FromFlatDataAndDimensions(flats[i], c.inputs[i]...)
	}
	outs, err := exec.Exec(args...)
	if err != nil {
		t.Fatalf("%s on %s: %v", c.name, b.Name(), err)
	}
	r := make([][]float32, len(outs))
	for i, o := range outs {
		r[i] = flatF32(t, o)
	}
	return r
}

// TestOpsMatchGoBackend compares every op fairclip's graphs use with GoMLX's own pure-Go
// backend on the same inputs (and gradients, which exercise the ops' derivatives).
func TestOpsMatchGoBackend(t *testing.T) {
	cpu, ref := newBackends(t)
	for _, c := range opCases() {
		t.Run(c.name, func(t *testing.T) {
			inputs := make([][]float32, len(c.inputs))
			for i, d := range c.inputs {
				n := 1
				for _, v := range d {
					n *= v
				}
				inputs[i] = randFloats(n, uint64(i+1), 2)
			}
			got := execCase(t, cpu, c, inputs)
			want := execCase(t, ref, c, inputs)
			tol := c.tol
			if tol == 0 {
				tol = 1e-6
			}
			for o := range want {
				if len(got[o]) != len(want[o]) {
					t.Fatalf("output %d: %d values, want %d", o, len(got[o]), len(want[o]))
				}
				for i := range want[o] {
					g, w := float64(got[o][i]), float64(want[o][i])
					if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > tol*(1+math.Abs(w)) {
						t.Fatalf("output %d [%d] = %v, go backend %v", o, i, g, w)
					}
				}
			}
		})
	}
}

// TestFloat32MathAgainstFloat64 checks the float32 transcendental ops against float64 math.
func TestFloat32MathAgainstFloat64(t *testing.T) {
	cpu, _ := newBackends(t)
	xs := randFloats(4099, 7, 12)
	xs = append(xs, 0, -0, 1e-8, -1e-8, 30, -30, 88, -88, -100, 100)
	cases := []struct {
		name string
		g    func(*Node) *Node
		f    func(float64) float64
		pos  bool
	}{
		{"exp", Exp, math.Exp, false},
		{"tanh", Tanh, math.Tanh, false},
		{"logistic", Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, false},
		{"erf", Erf, math.Erf, false},
		{"log", Log, math.Log, true},
		{"log1p", Log1p, math.Log1p, true},
		{"rsqrt", Rsqrt, func(x float64) float64 { return 1 / math.Sqrt(x) }, true},
	}
	for _, c := range cases {
		in := make([]float32, 0, len(xs))
		for _, x := range xs {
			if c.pos {
				x = float32(math.Abs(float64(x))) + 1e-3
			}
			in = append(in, x)
		}
		out := MustExecOnce(cpu, c.g, tensors.FromFlatDataAndDimensions(in, len(in)))
		got := tensors.MustCopyFlatData[float32](out)
		for i, x := range in {
			w := float64(float32(c.f(float64(x)))) // float32-correct: the float64 value rounded
			if d := math.Abs(float64(got[i]) - w); d > 2e-7*math.Max(1e-30, math.Abs(w)) && !(math.IsInf(w, 0) && w == float64(got[i])) {
				t.Errorf("%s(%v) = %v, float64 math %v", c.name, x, got[i], w)
				break
			}
		}
	}
}

// TestPadAndReverse checks the ops GoMLX's pure-Go backend lacks against hand-computed
// values: Slice's gradient (a Pad) and Reverse.
func TestPadAndReverse(t *testing.T) {
	cpu, _ := newBackends(t)
	const rows, cols = 4, 6
	x := randFloats(rows*cols, 3, 1)
	out := MustExecOnce(cpu, func(x *Node) *Node {
		return Gradient(ReduceAllSum(Square(Slice(x, AxisRange(1, 3), AxisRange(0, 6).Stride(2)))), x)[0]
	}, tensors.FromFlatDataAndDimensions(x, rows, cols))
	got := tensors.MustCopyFlatData[float32](out)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			want := float32(0) // d/dx sum(x^2) over the slice: 2x inside, 0 outside
			if r >= 1 && r < 3 && c%2 == 0 {
				want = 2 * x[r*cols+c]
			}
			if got[r*cols+c] != want {
				t.Errorf("slice gradient [%d,%d] = %v, want %v", r, c, got[r*cols+c], want)
			}
		}
	}
	out = MustExecOnce(cpu, func(x *Node) *Node { return Reverse(x, 1) }, tensors.FromFlatDataAndDimensions(x, rows, cols))
	got = tensors.MustCopyFlatData[float32](out)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if got[r*cols+c] != x[r*cols+cols-1-c] {
				t.Fatalf("reverse [%d,%d] = %v, want %v", r, c, got[r*cols+c], x[r*cols+cols-1-c])
			}
		}
	}
	// Pad with a crop and interior padding.
	out = MustExecOnce(cpu, func(x *Node) *Node {
		return Pad(x, ScalarZero(x.Graph(), x.DType()), backends.PadAxis{Start: -1, End: 1, Interior: 1})
	}, tensors.FromFlatDataAndDimensions([]float32{1, 2, 3}, 3))
	if got := tensors.MustCopyFlatData[float32](out); fmt.Sprint(got) != "[0 2 0 3 0]" {
		t.Errorf("Pad([1 2 3], start -1, end 1, interior 1) = %v, want [0 2 0 3 0]", got)
	}
}
