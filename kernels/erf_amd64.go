//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func erfAVX512(n int, dst, src *float32, table *float64)

//go:noescape
func erfAVX2(n int, dst, src *float32, table *float64)

// erfVector returns the vector erf of the named micro-kernel's instruction set, or nil.
func erfVector(kernel string) func(n int, dst, src *float32, table *float64) {
	switch {
	case kernel == "avx512" && cpu.X86.HasAVX512F:
		return erfAVX512
	case kernel == "avx2" && cpu.X86.HasAVX2:
		return erfAVX2
	}
	return nil
}
