//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func interleave8AVX(kc int, dst *float32, w int, src *float32, ld int)

//go:noescape
func interleave6AVX(kc int, dst *float32, w int, src *float32, ld int)

// transposerFor returns the packing transposes for the named micro-kernel (AVX, which
// both assembly kernels' CPUs have), or nil for the Go kernel.
func transposerFor(kernel string) *transposer {
	if (kernel == "avx512" || kernel == "avx2") && cpu.X86.HasAVX {
		return &transposer{rows8: interleave8AVX, rows6: interleave6AVX}
	}
	return nil
}
