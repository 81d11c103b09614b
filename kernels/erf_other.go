//go:build !amd64 || purego

package kernels

// erfVector: no vector erf on this architecture (or with -tags purego).
func erfVector(string) func(n int, dst, src *float32, table *float64) { return nil }
