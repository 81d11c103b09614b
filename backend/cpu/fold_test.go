package cpu

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestBroadcastOfConstantFolds checks that broadcasting a constant yields a constant
// holding the broadcast values (computed once, at build time), that a large one is
// left to run, and that a broadcast of a parameter stays an op.
func TestBroadcastOfConstantFolds(t *testing.T) {
	be, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	defer be.Finalize()
	b := be.Builder("fold").(*Builder)
	row, err := b.Constant([]float32{1, 2, 3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// [3] -> [2, 3] along axis 1: each row is 1, 2, 3.
	got, err := b.BroadcastInDim(row, shapes.Make(dtypes.Float32, 2, 3), []int{1})
	if err != nil {
		t.Fatal(err)
	}
	n := got.(*node)
	if n.op != backends.OpTypeConstant {
		t.Fatalf("broadcast of a constant is a %s node, want a folded Constant", n.op)
	}
	want := []float32{1, 2, 3, 1, 2, 3}
	for i, v := range n.constant.([]float32) {
		if v != want[i] {
			t.Fatalf("folded broadcast = %v, want %v", n.constant, want)
		}
	}
	// Prefix broadcast of a scalar: [] -> [2, 2].
	zero, err := b.Constant([]float32{7})
	if err != nil {
		t.Fatal(err)
	}
	pre, err := b.Broadcast(zero, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p := pre.(*node); p.op != backends.OpTypeConstant || len(p.constant.([]float32)) != 4 || p.constant.([]float32)[3] != 7 {
		t.Fatalf("Broadcast of a scalar constant: %s node %v, want a Constant of four 7s", p.op, p.constant)
	}
	big, err := b.BroadcastInDim(zero, shapes.Make(dtypes.Float32, maxFoldedBroadcast+1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if op := big.(*node).op; op != backends.OpTypeBroadcastInDim {
		t.Errorf("broadcast to %d values is a %s node, want it left as BroadcastInDim", maxFoldedBroadcast+1, op)
	}
	p, err := b.Parameter("x", shapes.Make(dtypes.Float32, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if op, _ := b.BroadcastInDim(p, shapes.Make(dtypes.Float32, 2, 3), []int{1}); op.(*node).op != backends.OpTypeBroadcastInDim {
		t.Errorf("broadcast of a parameter is a %s node, want BroadcastInDim", op.(*node).op)
	}
}

// TestWhereF32 checks the branch-free select against the definition, at lengths that
// split into uneven parallel chunks, with NaN and signed zeros passing through intact.
func TestWhereF32(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000, 100003} {
		a, b := randFloats(n, 1, 3), randFloats(n, 2, 3)
		cond := make([]bool, n)
		for i := range cond {
			cond[i] = (i*7919)%3 == 0
		}
		if n > 2 {
			a[0], b[1] = float32(math.NaN()), float32(math.Copysign(0, -1))
			cond[0], cond[1] = true, false
		}
		got := make([]float32, n)
		whereF32(got, cond, a, b)
		for i := range got {
			want := b[i]
			if cond[i] {
				want = a[i]
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("n=%d: where[%d] = %v, want %v", n, i, got[i], want)
			}
		}
	}
}
