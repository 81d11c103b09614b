//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func expAVX512(n int, dst, src *float32)

// expVector returns the vector exp of the named micro-kernel's instruction set, or nil.
func expVector(kernel string) func(n int, dst, src *float32) {
	if kernel == "avx512" && cpu.X86.HasAVX512F {
		return expAVX512
	}
	return nil
}
