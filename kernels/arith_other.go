//go:build !amd64 || purego

package kernels

// arithVector: no vector elementwise loops on this architecture (or with -tags purego).
func arithVector(string) *arithKernels { return nil }
