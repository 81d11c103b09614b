package kernels

import (
	"math"
	"testing"
)

// TestInterleaveTransposers checks interleave with every kernel's vector transposes
// against the definition dst[p·w + r] = row r[p] (zeros past the rows), for panel
// widths of both micro-kernels' A and B panels, step counts around multiples of 8 and
// every row count up to the width.
func TestInterleaveTransposers(t *testing.T) {
	for _, name := range Available() {
		e, err := NewEngine(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{4, 6, 16, 32} {
			for _, kc := range []int{1, 7, 8, 9, 16, 23, 64} {
				ld := kc + 5
				src := make([]float32, w*ld)
				for i := range src {
					src[i] = float32(i) + 0.5
				}
				for n := 1; n <= w; n++ {
					rows := make([][]float32, n)
					for r := range rows {
						rows[r] = src[r*ld:][:kc]
					}
					dst := make([]float32, w*kc+3)
					for i := range dst {
						dst[i] = float32(math.NaN()) // every value must be written
					}
					interleave(e.kern.tr, dst[:w*kc], w, kc, rows, ld)
					for p := 0; p < kc; p++ {
						for r := 0; r < w; r++ {
							want := float32(0)
							if r < n {
								want = rows[r][p]
							}
							if got := dst[p*w+r]; got != want {
								t.Fatalf("%s w=%d kc=%d rows=%d: dst[%d·%d+%d] = %v, want %v", name, w, kc, n, p, w, r, got, want)
							}
						}
					}
					for i := w * kc; i < len(dst); i++ {
						if dst[i] == dst[i] {
							t.Fatalf("%s w=%d kc=%d rows=%d: wrote past the panel at %d", name, w, kc, n, i)
						}
					}
				}
			}
		}
	}
}
