package kernels

// Gemm computes C = op(A)·op(B) (accumulate=false) or C += op(A)·op(B) (accumulate=true)
// for row-major float32 matrices. op(A) is m×k (A is m×k with row stride lda, or k×m when transA),
// op(B) is k×n (B is k×n with row stride ldb, or n×k when transB); C is m×n with row stride ldc.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	GemmBatched(1, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc, accumulate)
}

// GemmBatched runs batch independent Gemms; matrix i starts at a[i*strideA], b[i*strideB], c[i*strideC].
func GemmBatched(batch int, transA, transB bool, m, n, k int, a []float32, strideA, lda int, b []float32, strideB, ldb int, c []float32, strideC, ldc int, accumulate bool) {
	for bi := 0; bi < batch; bi++ {
		aa, bb, cc := a[bi*strideA:], b[bi*strideB:], c[bi*strideC:]
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s float32
				for p := 0; p < k; p++ {
					var x, y float32
					if transA {
						x = aa[p*lda+i]
					} else {
						x = aa[i*lda+p]
					}
					if transB {
						y = bb[j*ldb+p]
					} else {
						y = bb[p*ldb+j]
					}
					s += x * y
				}
				if accumulate {
					cc[i*ldc+j] += s
				} else {
					cc[i*ldc+j] = s
				}
			}
		}
	}
}

// Name reports the micro-kernel in use: "avx512", "avx2" or "go".
func Name() string { return "go" }
