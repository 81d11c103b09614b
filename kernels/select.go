package kernels

import (
	"fmt"
	"os"
	"strings"
)

// EnvVar names the environment variable that forces a micro-kernel.
const EnvVar = "FAIRCLIP_KERNEL"

// microKernel computes one mr×nr tile of C from packed panels (see pack.go):
// tile(k, a, b, c, ldc, acc) with a holding k·mr values, b k·nr values, k >= 1.
// It sums k strictly in order from zero, then stores C = sum or C = C + sum.
type microKernel struct {
	name   string
	mr, nr int
	tile   func(k int, a, b, c []float32, ldc int, accumulate bool)
	// peak runs n iterations of peakFlops independent FMA flops (nil: no peak loop).
	peak      func(n int)
	peakFlops int
	// adamw updates the first n - n%adamwWidth elements (see AdamW); nil: Go only.
	adamw      func(n int, p, grad, mom, vel, coef *float32)
	adamwWidth int
	// The float64 loops of float64.go, for n >= 1 and rows, cols >= 1; nil: Go only.
	dot64      func(n int, a, b *float64) float64
	axpy64     func(n int, alpha float64, x, y *float64)
	expSumRows func(rows, cols int, c, h, dst *float64, dstStride int, mx, sum *float64, inv, negCut float64, normalize bool)
	logSum     func(n int, out, mx, sum *float64, scale float64)
	minMax64   func(n int, lo, hi, x *float64)
	// Float32 elementwise loops (erf.go, exp.go: n a multiple of vecWidth; arith.go) and
	// packing transposes (pack.go); nil: Go only.
	erf   func(n int, dst, src *float32, table *float64)
	exp   func(n int, dst, src *float32)
	arith *arithKernels
	tr    *transposer
}

// archKernel is an assembly kernel and whether this CPU can run it.
type archKernel struct {
	k    *microKernel
	ok   bool
	need string // CPU features it needs, for error messages
}

// Available lists the kernels this CPU can run, fastest first; "go" is always last.
func Available() []string {
	var names []string
	for _, ak := range archKernels() {
		if ak.ok {
			names = append(names, ak.k.name)
		}
	}
	return append(names, goKernel.name)
}

// lookup returns the named kernel, or the fastest available one for "".
func lookup(name string) (*microKernel, error) {
	name = strings.TrimSpace(strings.ToLower(name))
	known := []string{}
	for _, ak := range archKernels() {
		known = append(known, ak.k.name)
		if name == "" && ak.ok {
			return ak.k, nil
		}
		if name == ak.k.name {
			if !ak.ok {
				return nil, fmt.Errorf("kernel %q needs %s, which this CPU lacks (available: %s)", name, ak.need, strings.Join(Available(), ", "))
			}
			return ak.k, nil
		}
	}
	if name == "" || name == goKernel.name {
		return goKernel, nil
	}
	if name == "avx512" || name == "avx2" {
		return nil, fmt.Errorf("kernel %q is not built for this architecture (available: %s)", name, strings.Join(Available(), ", "))
	}
	return nil, fmt.Errorf("unknown kernel %q (want avx512, avx2 or go; available here: %s)", name, strings.Join(Available(), ", "))
}

// defaultEngine is chosen once from FAIRCLIP_KERNEL when the package starts and never
// changes; a bad value is kept as an error and reported by the first product.
var defaultEngine, defaultErr = engineFromEnv(os.Getenv(EnvVar))

// engineFromEnv returns the engine for a FAIRCLIP_KERNEL value ("" = fastest).
func engineFromEnv(value string) (*Engine, error) {
	e, err := NewEngine(value)
	if err != nil {
		return nil, fmt.Errorf("kernels: %s=%q: %w", EnvVar, value, err)
	}
	return e, nil
}

func defaultOrPanic() *Engine {
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultEngine
}
