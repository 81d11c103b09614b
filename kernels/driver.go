package kernels

import "sync"

// task is one independent block of output: rows [i0,i1) and columns [j0,j1) of
// product bi. Tasks never share C elements, and every element is computed the same
// way whichever task holds it, so results do not depend on the split.
type task struct{ bi, i0, i1, j0, j1 int }

// run computes g on up to threads goroutines.
func (e *Engine) run(g *gemm, threads int) {
	// The path depends on n·k only, not on m: a row's result must not depend on how many
	// rows run with it (an embedding store written in batches equals live embedding).
	simple := g.n*g.k < e.simpleBelow
	// With several goroutines, aim for two tasks per goroutine so a core slowed by
	// other work does not hold up the call; split a product only when the batch is short.
	parts := 1
	if threads > 1 && !simple && g.batch < 2*threads {
		parts = (2*threads + g.batch - 1) / g.batch
	}
	rowStep, colStep := g.m, g.n
	if parts > 1 {
		mr, nr := e.kern.mr, e.kern.nr
		if g.n >= g.m {
			colStep = max(roundUp((g.n+parts-1)/parts, nr), 2*nr)
		} else {
			rowStep = max(roundUp((g.m+parts-1)/parts, mr), 4*mr)
		}
	}
	rowParts, colParts := (g.m+rowStep-1)/rowStep, (g.n+colStep-1)/colStep
	perProduct := rowParts * colParts
	do := func(t int) {
		bi, r := t/perProduct, t%perProduct
		i0, j0 := (r/colParts)*rowStep, (r%colParts)*colStep
		tk := task{bi: bi, i0: i0, i1: min(i0+rowStep, g.m), j0: j0, j1: min(j0+colStep, g.n)}
		if simple {
			simpleGemm(g, tk)
			return
		}
		buf := e.getBuf(min(e.mc, tk.i1-tk.i0), min(e.kc, g.k), min(e.nc, tk.j1-tk.j0))
		e.macro(g, tk, buf)
		bufs.Put(buf)
	}
	workers.parallel(g.batch*perProduct, threads-1, do)
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// packBuf holds one goroutine's packed panels and edge tile.
type packBuf struct {
	a, b []float32
	tile [maxTile * maxTile]float32
}

var bufs sync.Pool

// getBuf returns a buffer for mc×kc blocks of A and kc×nc blocks of B; buffers only
// grow, so a goroutine doing large products reuses its panels.
func (e *Engine) getBuf(mc, kc, nc int) *packBuf {
	buf, _ := bufs.Get().(*packBuf)
	if buf == nil {
		buf = new(packBuf)
	}
	if n := roundUp(mc, e.kern.mr) * kc; len(buf.a) < n {
		buf.a = make([]float32, n)
	}
	if n := roundUp(nc, e.kern.nr) * kc; len(buf.b) < n {
		buf.b = make([]float32, n)
	}
	return buf
}

// macro computes one task with packed panels: the BLIS loops around the micro-kernel.
// k is cut into kc-long slices starting at 0 for every element; each slice's sum is
// added to C in order, so the summation order is fixed by k alone.
func (e *Engine) macro(g *gemm, t task, buf *packBuf) {
	kern := e.kern
	mr, nr := kern.mr, kern.nr
	a, b, c := g.a[t.bi*g.strideA:], g.b[t.bi*g.strideB:], g.c[t.bi*g.strideC:]
	ldc := g.ldc
	for jc := t.j0; jc < t.j1; jc += e.nc {
		nc := min(e.nc, t.j1-jc)
		for pc := 0; pc < g.k; pc += e.kc {
			kc := min(e.kc, g.k-pc)
			packB(e.kern.tr, buf.b, b, g.ldb, g.transB, pc, kc, jc, nc, nr)
			acc := g.accumulate || pc > 0
			for ic := t.i0; ic < t.i1; ic += e.mc {
				mc := min(e.mc, t.i1-ic)
				packA(e.kern.tr, buf.a, a, g.lda, g.transA, ic, mc, pc, kc, mr)
				for jr := 0; jr < nc; jr += nr {
					bp := buf.b[jr*kc : (jr+nr)*kc]
					cols := min(nr, nc-jr)
					for ir := 0; ir < mc; ir += mr {
						ap := buf.a[ir*kc : (ir+mr)*kc]
						rows := min(mr, mc-ir)
						off := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							kern.tile(kc, ap, bp, c[off:off+(mr-1)*ldc+nr], ldc, acc)
							continue
						}
						// Edge tile: compute the full tile aside, store the valid part
						// with the same single rounding the kernel's store does.
						tmp := buf.tile[:mr*nr]
						kern.tile(kc, ap, bp, tmp, nr, false)
						for i := 0; i < rows; i++ {
							dst := c[off+i*ldc : off+i*ldc+cols]
							src := tmp[i*nr : i*nr+cols]
							if acc {
								for j := range dst {
									dst[j] += src[j]
								}
							} else {
								copy(dst, src)
							}
						}
					}
				}
			}
		}
	}
}

// simpleGemm computes a small task directly, without packing: one dot product per
// element, summed in order of k in float64 and rounded once (at least as accurate as the
// FMA micro-kernels, whose path a product with a larger n·k takes).
func simpleGemm(g *gemm, t task) {
	a, b, c := g.a[t.bi*g.strideA:], g.b[t.bi*g.strideB:], g.c[t.bi*g.strideC:]
	ai, ap := g.lda, 1 // A(i, p) = a[i·ai + p·ap]
	if g.transA {
		ai, ap = 1, g.lda
	}
	bp, bj := g.ldb, 1 // B(p, j) = b[p·bp + j·bj]
	if g.transB {
		bp, bj = 1, g.ldb
	}
	for i := t.i0; i < t.i1; i++ {
		row := c[i*g.ldc:]
		for j := t.j0; j < t.j1; j++ {
			var s float64
			x, y := i*ai, j*bj
			for p := 0; p < g.k; p++ {
				s += float64(a[x]) * float64(b[y])
				x += ap
				y += bp
			}
			if g.accumulate {
				row[j] += float32(s)
			} else {
				row[j] = float32(s)
			}
		}
	}
}
