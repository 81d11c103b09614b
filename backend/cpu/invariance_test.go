package cpu

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestRowsIndependentOfBatchSize checks that a row's result does not depend on how many
// rows run with it: x·W for rows 0..m-1 computed in one batch of m must equal, bit for
// bit, the same rows computed in batches of 1 and of 5 (an embedding store written in
// batches of one size must equal live embedding in batches of another).
func TestRowsIndependentOfBatchSize(t *testing.T) {
	cpu, _ := newBackends(t)
	for _, sz := range []struct{ m, k, n int }{{40, 48, 32}, {40, 5, 7}, {24, 97, 33}, {40, 600, 40}, {16, 64, 257}} {
		x := randFloats(sz.m*sz.k, 21, 1)
		w := randFloats(sz.k*sz.n, 22, 1)
		exec := MustNewExec(cpu, func(x, w *Node) *Node { return Tanh(MatMul(x, w)) })
		run := func(rows []float32, m int) []float32 {
			out := exec.MustExec(tensors.FromFlatDataAndDimensions(rows, m, sz.k), tensors.FromFlatDataAndDimensions(w, sz.k, sz.n))
			return tensors.MustCopyFlatData[float32](out[0])
		}
		full := run(x, sz.m)
		for _, chunk := range []int{1, 5} {
			for lo := 0; lo < sz.m; lo += chunk {
				hi := min(lo+chunk, sz.m)
				part := run(x[lo*sz.k:hi*sz.k], hi-lo)
				for i := range part {
					if math.Float32bits(part[i]) != math.Float32bits(full[lo*sz.n+i]) {
						t.Fatalf("m=%d k=%d n=%d: row %d col %d in a batch of %d = %v, in the full batch %v",
							sz.m, sz.k, sz.n, lo+i/sz.n, i%sz.n, hi-lo, part[i], full[lo*sz.n+i])
					}
				}
			}
		}
	}
}
