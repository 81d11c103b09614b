package kernels

// Packed layouts (BLIS): the A block op(A)[i0:i0+mc, p0:p0+kc] becomes ⌈mc/mr⌉ panels,
// panel r holding kc steps of mr row values (dst[r·mr·kc + p·mr + i]); the B block
// op(B)[p0:p0+kc, j0:j0+nc] becomes ⌈nc/nr⌉ panels of kc steps of nr column values.
// Rows or columns past the matrix edge are zero; their results are never stored.

// packA packs op(A)[i0:i0+mc, p0:p0+kc] into dst.
func packA(tr *transposer, dst, a []float32, lda int, trans bool, i0, mc, p0, kc, mr int) {
	// op(A)(i, p) is a[p·lda + i] when transposed: each step's values are contiguous.
	packPanels(tr, dst, a, lda, trans, p0, kc, i0, mc, mr)
}

// packB packs op(B)[p0:p0+kc, j0:j0+nc] into dst.
func packB(tr *transposer, dst, b []float32, ldb int, trans bool, p0, kc, j0, nc, nr int) {
	// op(B)(p, j) is b[p·ldb + j] unless transposed.
	packPanels(tr, dst, b, ldb, !trans, p0, kc, j0, nc, nr)
}

// transposer holds the vector loops of interleave (a nil *transposer: Go only): rows8
// and rows6 copy 8 or 6 rows of stride ld, kc steps (a multiple of 8), to dst[p·w + r].
type transposer struct {
	rows8, rows6 func(kc int, dst *float32, w int, src *float32, ld int)
}

// packPanels writes the panels of w values x0..x0+nx (rows of A or columns of B) over
// steps p0..p0+kc. The value (p, x) is src[p·ld + x] when stepMajor, else src[x·ld + p]
// (a transpose, read up to eight source rows at a time).
func packPanels(tr *transposer, dst, src []float32, ld int, stepMajor bool, p0, kc, x0, nx, w int) {
	for xr := 0; xr < nx; xr += w {
		n := min(w, nx-xr)
		panel := dst[xr*kc : xr*kc+w*kc]
		if stepMajor {
			for p := 0; p < kc; p++ {
				d := panel[p*w : p*w+w]
				copy(d, src[(p0+p)*ld+x0+xr:][:n])
				clear(d[n:])
			}
			continue
		}
		var rows [maxTile][]float32
		for x := 0; x < n; x++ {
			rows[x] = src[(x0+xr+x)*ld+p0:][:kc]
		}
		interleave(tr, panel, w, kc, rows[:n], ld)
	}
}

// maxTile bounds mr and nr of every micro-kernel.
const maxTile = 32

// interleave writes dst[p·w + r] = src[r][p] for p < kc, r < len(src), and zeroes
// columns len(src)..w-1; the rows src[r] lie ld apart in one slice. Rows are read
// eight (then six, four, one) at a time so each step writes a contiguous run instead
// of scattering single values; with tr, eight- and six-row groups go through its
// vector transposes for the first kc - kc%8 steps.
func interleave(tr *transposer, dst []float32, w, kc int, src [][]float32, ld int) {
	dst = dst[:w*kc]
	kv := 0 // steps done by tr's loops; the Go loops do steps kv..kc-1
	if tr != nil {
		kv = kc - kc%8
	}
	r := 0
	for ; r+8 <= len(src); r += 8 {
		if kv > 0 {
			tr.rows8(kv, &dst[r], w, &src[r][0], ld)
		}
		s0, s1, s2, s3 := src[r][:kc], src[r+1][:kc], src[r+2][:kc], src[r+3][:kc]
		s4, s5, s6, s7 := src[r+4][:kc], src[r+5][:kc], src[r+6][:kc], src[r+7][:kc]
		for p := kv; p < kc; p++ {
			d := dst[p*w+r : p*w+r+8 : p*w+r+8]
			d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
			d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
		}
	}
	for ; r+6 <= len(src); r += 6 { // the A panels of the 6-row micro-kernels
		if kv > 0 {
			tr.rows6(kv, &dst[r], w, &src[r][0], ld)
		}
		s0, s1, s2, s3, s4, s5 := src[r][:kc], src[r+1][:kc], src[r+2][:kc], src[r+3][:kc], src[r+4][:kc], src[r+5][:kc]
		for p := kv; p < kc; p++ {
			d := dst[p*w+r : p*w+r+6 : p*w+r+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = s0[p], s1[p], s2[p], s3[p], s4[p], s5[p]
		}
	}
	for ; r+4 <= len(src); r += 4 {
		s0, s1, s2, s3 := src[r][:kc], src[r+1][:kc], src[r+2][:kc], src[r+3][:kc]
		for p := 0; p < kc; p++ {
			d := dst[p*w+r : p*w+r+4 : p*w+r+4]
			d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; r < len(src); r++ {
		s := src[r][:kc]
		for p := 0; p < kc; p++ {
			dst[p*w+r] = s[p]
		}
	}
	if len(src) < w {
		for p := 0; p < kc; p++ {
			clear(dst[p*w+len(src) : p*w+w])
		}
	}
}
