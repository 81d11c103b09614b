package kernels

// goKernel is the portable micro-kernel: a 4×4 tile in sixteen local accumulators.
var goKernel = &microKernel{name: "go", mr: 4, nr: 4, tile: goTile4x4}

func goTile4x4(k int, a, b, c []float32, ldc int, accumulate bool) {
	a, b = a[:4*k], b[:4*k]
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		av := a[4*p : 4*p+4 : 4*p+4]
		bv := b[4*p : 4*p+4 : 4*p+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store4(c[0:4:4], c00, c01, c02, c03, accumulate)
	store4(c[ldc:ldc+4:ldc+4], c10, c11, c12, c13, accumulate)
	store4(c[2*ldc:2*ldc+4:2*ldc+4], c20, c21, c22, c23, accumulate)
	store4(c[3*ldc:3*ldc+4:3*ldc+4], c30, c31, c32, c33, accumulate)
}

func store4(row []float32, x0, x1, x2, x3 float32, accumulate bool) {
	if accumulate {
		row[0] += x0
		row[1] += x1
		row[2] += x2
		row[3] += x3
		return
	}
	row[0], row[1], row[2], row[3] = x0, x1, x2, x3
}
