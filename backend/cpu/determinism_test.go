package cpu

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestPhiloxKnownAnswers checks the generator against Random123's published
// known-answer vectors for philox4x32-10.
func TestPhiloxKnownAnswers(t *testing.T) {
	tests := []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{}, [2]uint32{}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}, [2]uint32{^uint32(0), ^uint32(0)},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, tc := range tests {
		lo := uint64(tc.ctr[0]) | uint64(tc.ctr[1])<<32
		hi := uint64(tc.ctr[2]) | uint64(tc.ctr[3])<<32
		key := uint64(tc.key[0]) | uint64(tc.key[1])<<32
		if got := philoxBlock(hi, lo, key); got != tc.want {
			t.Errorf("philox(ctr %08x, key %08x) = %08x, want %08x", tc.ctr, tc.key, got, tc.want)
		}
	}
}

// TestRandomUniform checks the values GoMLX derives from the generator's bits: in [0, 1),
// mean about 1/2, the same for the same state, different after the state advances.
func TestRandomUniform(t *testing.T) {
	cpu, _ := newBackends(t)
	state, err := RNGStateFromSeed(42)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	exec := MustNewExec(cpu, func(s *Node) (*Node, *Node) {
		return RandomUniform(s, shapes.Make(dtypes.Float32, n))
	})
	out1 := exec.MustExec(state)
	out2 := exec.MustExec(state)
	out3 := exec.MustExec(out1[0])
	a := tensors.MustCopyFlatData[float32](out1[1])
	b := tensors.MustCopyFlatData[float32](out2[1])
	c := tensors.MustCopyFlatData[float32](out3[1])
	sum, same := 0.0, 0
	for i := range a {
		if a[i] < 0 || a[i] >= 1 {
			t.Fatalf("value %v outside [0, 1)", a[i])
		}
		if a[i] != b[i] {
			t.Fatalf("same state gave different values at %d", i)
		}
		if a[i] == c[i] {
			same++
		}
		sum += float64(a[i])
	}
	// The mean of n uniforms has standard deviation 1/sqrt(12 n) ≈ 0.0009.
	if mean := sum / n; math.Abs(mean-0.5) > 0.005 {
		t.Errorf("mean %v, want about 0.5", mean)
	}
	if same > 10 {
		t.Errorf("%d equal values after the state advanced", same)
	}
}

// TestBitIdenticalAtAnyGOMAXPROCS runs a graph whose ops are large enough to be split into
// parallel chunks (elementwise, reductions over both layouts, transposes, softmax, matmul
// and its gradient) at GOMAXPROCS 1, 2 and 8 and requires bit-identical outputs.
func TestBitIdenticalAtAnyGOMAXPROCS(t *testing.T) {
	cpu, _ := newBackends(t)
	const rows, cols = 512, 384
	x := randFloats(rows*cols, 11, 3)
	w := randFloats(cols*64, 12, 0.1)
	fn := func(x, w *Node) []*Node {
		s := Softmax(Tanh(x), -1)
		col := ReduceSum(Exp(MulScalar(x, 0.1)), 0)
		h := MatMul(s, w)
		loss := ReduceAllSum(Square(h))
		g := Gradient(loss, w)[0]
		return []*Node{s, col, TransposeAllDims(x, 1, 0), loss, g}
	}
	var ref [][]float32
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	for _, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		outs := MustExecOnceN(cpu, fn, tensors.FromFlatDataAndDimensions(x, rows, cols), tensors.FromFlatDataAndDimensions(w, cols, 64))
		got := make([][]float32, len(outs))
		for i, o := range outs {
			got[i] = tensors.MustCopyFlatData[float32](o)
		}
		if ref == nil {
			ref = got
			continue
		}
		for i := range ref {
			for j := range ref[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(ref[i][j]) {
					t.Fatalf("GOMAXPROCS %d: output %d [%d] = %v, at GOMAXPROCS 1 %v", procs, i, j, got[i][j], ref[i][j])
				}
			}
		}
	}
}

// TestTrainingStepDoesNotDeadlock runs 20 gradient steps of three independent matmul
// chains (the graph that deadlocked GoMLX's parallel executor on 2 cores) at GOMAXPROCS
// 1, 2 and 8: the steps finish, the loss decreases, and the losses are bit-identical.
func TestTrainingStepDoesNotDeadlock(t *testing.T) {
	cpu, _ := newBackends(t)
	const batch, width = 32, 64
	step := func(x, w1, w2, w3 *Node) []*Node {
		ws := []*Node{w1, w2, w3}
		var loss *Node
		for _, wi := range ws {
			h := Tanh(MatMul(x, wi))
			l := ReduceAllSum(Square(MatMul(h, wi)))
			if loss == nil {
				loss = l
			} else {
				loss = Add(loss, l)
			}
		}
		grads := Gradient(loss, ws...)
		out := []*Node{loss}
		for i := range ws {
			out = append(out, Sub(ws[i], MulScalar(grads[i], 1e-4)))
		}
		return out
	}
	exec := MustNewExec(cpu, step)
	xs := make([]float32, batch*width)
	for i := range xs {
		xs[i] = float32(math.Sin(float64(i)))
	}
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	var ref []float32
	for _, procs := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(procs)
		w := make([]*tensors.Tensor, 3)
		for k := range w {
			ws := make([]float32, width*width)
			for i := range ws {
				ws[i] = float32(math.Cos(float64(i*(k+1)))) * 0.05
			}
			w[k] = tensors.FromFlatDataAndDimensions(ws, width, width)
		}
		x := tensors.FromFlatDataAndDimensions(xs, batch, width)
		done := make(chan []float32, 1)
		go func() {
			var losses []float32
			for i := 0; i < 20; i++ {
				out, err := exec.Exec(x, w[0], w[1], w[2])
				if err != nil {
					t.Error(err)
					break
				}
				losses = append(losses, out[0].Value().(float32))
				copy(w, out[1:])
			}
			done <- losses
		}()
		var losses []float32
		select {
		case losses = <-done:
		case <-time.After(2 * time.Minute):
			t.Fatalf("GOMAXPROCS %d: 20 training steps did not finish within 2 minutes: deadlock", procs)
		}
		if len(losses) != 20 {
			t.Fatalf("GOMAXPROCS %d: ran %d steps, want 20", procs, len(losses))
		}
		if !(losses[19] < losses[0]) {
			t.Errorf("GOMAXPROCS %d: loss did not decrease: %v -> %v", procs, losses[0], losses[19])
		}
		if ref == nil {
			ref = losses
		} else if !slicesEqualBits(ref, losses) {
			t.Errorf("GOMAXPROCS %d: losses %v differ from GOMAXPROCS 1's %v", procs, losses, ref)
		}
	}
}

func slicesEqualBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
