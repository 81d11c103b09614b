// Package kernels computes float32 matrix products for fairclip's CPU engine: a
// BLIS-style GEMM whose register-tile micro-kernel is Go assembly (AVX-512 or AVX2+FMA,
// chosen at run time) with a pure-Go kernel everywhere else.
//
// The environment variable FAIRCLIP_KERNEL=avx512|avx2|go, read once when the
// package starts, forces a kernel; an unknown name or a kernel this CPU lacks makes
// the first product panic with a message naming the variable.
package kernels
