//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func expAVX512(n int, dst, src *float32)

//go:noescape
func expAVX2(n int, dst, src *float32)

// expVector returns the vector exp of the named micro-kernel's instruction set, or nil.
func expVector(kernel string) func(n int, dst, src *float32) {
	switch {
	case kernel == "avx512" && cpu.X86.HasAVX512F:
		return expAVX512
	case kernel == "avx2" && cpu.X86.HasAVX2:
		return expAVX2
	}
	return nil
}
