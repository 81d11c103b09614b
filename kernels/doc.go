// Package kernels holds the SIMD loops under fairclip's CPU engine:
//
//   - a BLIS-style float32 GEMM (Gemm, GemmBatched) whose register-tile micro-kernel is
//     Go assembly (AVX-512 or AVX2+FMA, chosen at run time) with a pure-Go kernel
//     everywhere else;
//   - float32 elementwise loops for the CPU backend: Arith, ArithScalar, ScalarArith,
//     Exp and Erf;
//   - the AdamW update (AdamW);
//   - the float64 loops of the fairness loss: Dot64, Axpy64, ExpSumRows,
//     FinishLogSumExp, MinMax64.
//
// The assembly is written by ./_asm (go generate). Every vector loop has a Go loop as
// its fallback; the elementwise loops, Exp, Erf and AdamW give the Go loop's bits, the
// GEMM and the float64 loops (fused multiply-adds, lane sums) differ from it in the
// last bits and are deterministic on each kernel.
//
// The environment variable FAIRCLIP_KERNEL=avx512|avx2|go, read once when the
// package starts, forces a kernel; an unknown name or a kernel this CPU lacks makes
// the first product panic with a message naming the variable.
package kernels
