//go:build !amd64 || purego

package kernels

// transposerFor: no vector transposes on this architecture (or with -tags purego).
func transposerFor(string) *transposer { return nil }
