package kernels

// Packed layouts (BLIS): the A block op(A)[i0:i0+mc, p0:p0+kc] becomes ⌈mc/mr⌉ panels,
// panel r holding kc steps of mr row values (dst[r·mr·kc + p·mr + i]); the B block
// op(B)[p0:p0+kc, j0:j0+nc] becomes ⌈nc/nr⌉ panels of kc steps of nr column values.
// Rows or columns past the matrix edge are zero; their results are never stored.

// packA packs op(A)[i0:i0+mc, p0:p0+kc] into dst.
func packA(dst, a []float32, lda int, trans bool, i0, mc, p0, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+mr*kc]
		if trans {
			// op(A)(i, p) = a[p·lda + i]: each step's mr values are contiguous.
			for p := 0; p < kc; p++ {
				d := panel[p*mr : p*mr+mr]
				copy(d, a[(p0+p)*lda+i0+ir:][:rows])
				clear(d[rows:])
			}
			continue
		}
		var src [maxTile][]float32
		for r := 0; r < rows; r++ {
			src[r] = a[(i0+ir+r)*lda+p0:][:kc]
		}
		interleave(panel, mr, kc, src[:rows])
	}
}

// packB packs op(B)[p0:p0+kc, j0:j0+nc] into dst.
func packB(dst, b []float32, ldb int, trans bool, p0, kc, j0, nc, nr int) {
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		panel := dst[jr*kc : jr*kc+nr*kc]
		if !trans {
			for p := 0; p < kc; p++ {
				d := panel[p*nr : p*nr+nr]
				copy(d, b[(p0+p)*ldb+j0+jr:][:cols])
				clear(d[cols:])
			}
			continue
		}
		// op(B)(p, j) = b[j·ldb + p]: transpose, reading up to 8 rows of B together.
		var src [maxTile][]float32
		for j := 0; j < cols; j++ {
			src[j] = b[(j0+jr+j)*ldb+p0:][:kc]
		}
		interleave(panel, nr, kc, src[:cols])
	}
}

// maxTile bounds mr and nr of every micro-kernel.
const maxTile = 32

// interleave writes dst[p·w + r] = src[r][p] for p < kc, r < len(src), and zeroes
// columns len(src)..w-1. Rows are read eight (then four, then one) at a time so
// each step writes a contiguous run instead of scattering single values.
func interleave(dst []float32, w, kc int, src [][]float32) {
	dst = dst[:w*kc]
	r := 0
	for ; r+8 <= len(src); r += 8 {
		s0, s1, s2, s3 := src[r][:kc], src[r+1][:kc], src[r+2][:kc], src[r+3][:kc]
		s4, s5, s6, s7 := src[r+4][:kc], src[r+5][:kc], src[r+6][:kc], src[r+7][:kc]
		for p := 0; p < kc; p++ {
			d := dst[p*w+r : p*w+r+8 : p*w+r+8]
			d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
			d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
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
