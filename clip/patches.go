package clip

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's idiom for graph code.
)

// PatchTokens returns the last layer's patch tokens pooled to a grid x grid grid and
// treated like the class token: every token of state ([batch, Tokens, Width], the
// residual stream after the last block) goes through ln_post, the patch tokens are
// average-pooled over grid cells, and each cell's mean is projected with proj
// ([batch, grid*grid, OutputDim], cells in row-major order). Pooling before the
// projection equals pooling after it (the projection is linear).
//
// Cells follow PyTorch's adaptive_avg_pool2d: cell i of a g-cell axis over G patches
// covers patches floor(i*G/g) .. ceil((i+1)*G/g)-1, so when G is not a multiple of g
// neighbouring cells overlap by one patch (G=16, g=3: 0-5, 5-10, 10-15) and every cell
// averages whole patches.
func PatchTokens(arch Arch, get func(name string) *Node, state *Node, grid int) *Node {
	g := state.Graph()
	x := layerNorm(state, get("ln_post.weight"), get("ln_post.bias"), arch.lnEps())
	pool := ConvertDType(Const(g, PoolMatrix(arch.Grid(), grid)), x.DType()) // [K, Tokens]
	cells := Einsum("btw,kt->bkw", x, pool)
	return Einsum("bkw,wo->bko", cells, get("proj"))
}

// PoolMatrix is the [grid*grid][1+patches*patches] averaging matrix of PatchTokens:
// row k averages the patches of cell k (column 0, the class token, is never used).
func PoolMatrix(patches, grid int) [][]float32 {
	out := make([][]float32, grid*grid)
	for ci := range grid {
		r0, r1 := adaptiveRange(ci, patches, grid)
		for cj := range grid {
			c0, c1 := adaptiveRange(cj, patches, grid)
			row := make([]float32, 1+patches*patches)
			w := 1 / float32((r1-r0)*(c1-c0))
			for r := r0; r < r1; r++ {
				for c := c0; c < c1; c++ {
					row[1+r*patches+c] = w
				}
			}
			out[ci*grid+cj] = row
		}
	}
	return out
}

// adaptiveRange is adaptive pooling's [start, end) for cell i of n cells over size
// inputs.
func adaptiveRange(i, size, n int) (int, int) {
	return i * size / n, ((i+1)*size + n - 1) / n
}

// checkPatchGrid rejects a token grid the architecture cannot provide.
func checkPatchGrid(arch Arch, grid int) error {
	if grid < 0 || grid > arch.Grid() {
		return fmt.Errorf("clip: patch-token grid %d x %d: must be between 1 and the %d x %d patch grid", grid, grid, arch.Grid(), arch.Grid())
	}
	return nil
}
