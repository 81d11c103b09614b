//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The assembly in gemm_amd64.s is written by ./_asm (go generate).

//go:noescape
func gemmAVX512x6x32(k int, a, b, c *float32, ldc int, accumulate bool)

//go:noescape
func gemmAVX2x6x16(k int, a, b, c *float32, ldc int, accumulate bool)

func fmaPeakAVX512(n int)
func fmaPeakAVX2(n int)

//go:noescape
func adamwAVX512(n int, p, grad, mom, vel, coef *float32)

//go:noescape
func adamwAVX(n int, p, grad, mom, vel, coef *float32)

//go:noescape
func dotF64AVX512(n int, a, b *float64) float64

//go:noescape
func dotF64AVX2(n int, a, b *float64) float64

//go:noescape
func axpyF64AVX512(n int, alpha float64, x, y *float64)

//go:noescape
func axpyF64AVX2(n int, alpha float64, x, y *float64)

//go:noescape
func expSumRowsAVX512(rows, cols int, c, h, dst *float64, dstStride int, mx, sum *float64, inv, negCut float64, normalize bool)

//go:noescape
func expSumRowsAVX2(rows, cols int, c, h, dst *float64, dstStride int, mx, sum *float64, inv, negCut float64, normalize bool)

//go:noescape
func logSumAVX512(n int, out, mx, sum *float64, scale float64)

//go:noescape
func logSumAVX2(n int, out, mx, sum *float64, scale float64)

//go:noescape
func minMaxF64AVX512(n int, lo, hi, x *float64)

//go:noescape
func minMaxF64AVX2(n int, lo, hi, x *float64)

//go:noescape
func erfAVX512(n int, dst, src *float32, table *float64)

//go:noescape
func erfAVX2(n int, dst, src *float32, table *float64)

//go:noescape
func expAVX512(n int, dst, src *float32)

//go:noescape
func expAVX2(n int, dst, src *float32)

//go:noescape
func interleave8AVX(kc int, dst *float32, w int, src *float32, ld int)

//go:noescape
func interleave6AVX(kc int, dst *float32, w int, src *float32, ld int)

// avxTransposer holds the packing transposes (AVX, which both assembly kernels' CPUs have).
var avxTransposer = &transposer{rows8: interleave8AVX, rows6: interleave6AVX}

// archKernels lists the assembly micro-kernels, fastest first, with whether this CPU
// (and its operating system) supports them.
func archKernels() []archKernel {
	return []archKernel{
		{
			k: &microKernel{name: "avx512", mr: 6, nr: 32, tile: func(k int, a, b, c []float32, ldc int, acc bool) {
				gemmAVX512x6x32(k, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, acc)
			}, peak: fmaPeakAVX512, peakFlops: 2 * 16 * 16, adamw: adamwAVX512, adamwWidth: 16,
				dot64: dotF64AVX512, axpy64: axpyF64AVX512,
				expSumRows: expSumRowsAVX512, logSum: logSumAVX512,
				minMax64: minMaxF64AVX512,
				erf:      erfAVX512, exp: expAVX512, arith: arithAVX512, tr: avxTransposer},
			ok:   cpu.X86.HasAVX512F,
			need: "AVX-512F",
		},
		{
			k: &microKernel{name: "avx2", mr: 6, nr: 16, tile: func(k int, a, b, c []float32, ldc int, acc bool) {
				gemmAVX2x6x16(k, unsafe.SliceData(a), unsafe.SliceData(b), unsafe.SliceData(c), ldc, acc)
			}, peak: fmaPeakAVX2, peakFlops: 2 * 8 * 12, adamw: adamwAVX, adamwWidth: 8,
				dot64: dotF64AVX2, axpy64: axpyF64AVX2,
				expSumRows: expSumRowsAVX2, logSum: logSumAVX2,
				minMax64: minMaxF64AVX2,
				erf:      erfAVX2, exp: expAVX2, arith: arithAVX, tr: avxTransposer},
			ok:   cpu.X86.HasAVX2 && cpu.X86.HasFMA,
			need: "AVX2 and FMA",
		},
	}
}
