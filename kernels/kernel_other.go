//go:build !amd64 || purego

package kernels

// archKernels: no assembly micro-kernels on this architecture (or with -tags purego).
func archKernels() []archKernel { return nil }
