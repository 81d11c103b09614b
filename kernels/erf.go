package kernels

import (
	"fmt"
	"math"
)

// Erf sets dst[i] = erf(src[i]) (float32, within one ulp of package math's erf rounded
// to float32; NaN gives NaN). The AVX-512 and AVX2 kernels compute the same operations as
// the Go loop in the same order, so every kernel gives the same bits; lanes never depend
// on their neighbours, so a value's result does not depend on where it lies.
func Erf(dst, src []float32) { defaultOrPanic().Erf(dst, src) }

// Erf is the package function Erf on e's kernel.
func (e *Engine) Erf(dst, src []float32) {
	var vec func(n int, dst, src *float32)
	if f := e.kern.erf; f != nil {
		vec = func(n int, dst, src *float32) { f(n, dst, src, &erfTable[0][0]) }
	}
	mapF32("Erf", dst, src, vec, Erf64)
}

// vecWidth divides the n that the float32 elementwise loops (erf, exp) are given.
const vecWidth = 8

// mapF32 sets dst[i] = float32(scalar(float64(src[i]))): the first n - n%vecWidth
// values by vec when the kernel has it (vec must give scalar's bits), the rest in Go.
func mapF32(what string, dst, src []float32, vec func(n int, dst, src *float32), scalar func(float64) float64) {
	n := len(dst)
	if len(src) != n {
		panic(fmt.Sprintf("kernels.%s: dst has %d values, src %d", what, n, len(src)))
	}
	done := 0
	if vec != nil && n >= vecWidth {
		done = n - n%vecWidth
		vec(done, &dst[0], &src[0])
	}
	for i := done; i < n; i++ {
		dst[i] = float32(scalar(float64(src[i])))
	}
}

// Erf64 is erf(x) with error below about one float32 ulp, without data-dependent
// branches (GELU's inputs fall on both sides of every threshold, and mispredicted
// branches cost more than the arithmetic): erf(z) = z·g(z) for z = |x| clamped below 4,
// with g(z) = erf(z)/z from piecewise polynomials (see erfPieces), and x's sign. Past
// the clamp erf is within 1.6e-8 of ±1, closer than half a float32 ulp, and so is the
// value at the clamp. The conversions keep every product rounded on its own (no fused
// multiply-add), as the vector kernel computes.
func Erf64(x float64) float64 {
	if x != x {
		return x
	}
	z := math.Abs(x)
	if z > erfClamp {
		z = erfClamp
	}
	i := int(z * erfPerUnit)
	c := &erfPieces[i&(erfCount-1)]
	t := float64(z*(2*erfPerUnit)) - float64(2*i+1) // z's place in piece i, in [-1, 1)
	g := c[6] + float64(t*c[7])
	g = c[5] + float64(t*g)
	g = c[4] + float64(t*g)
	g = c[3] + float64(t*g)
	g = c[2] + float64(t*g)
	g = c[1] + float64(t*g)
	g = c[0] + float64(t*g)
	return math.Copysign(z*g, x)
}

const (
	erfHi      = 4.0
	erfClamp   = erfHi * (1 - 0x1p-52) // the largest z Erf64 evaluates
	erfPerUnit = 4                     // pieces per unit of z
	erfDegree  = 7
	erfCount   = erfHi * erfPerUnit
)

// erfPieces[i] are the monomial coefficients, in t in [-1, 1], of the degree-7
// Chebyshev interpolant of g(z) = erf(z)/z (an even, smooth function, 2/sqrt(pi) at 0)
// on piece i, z in [i/4, (i+1)/4]: on pieces this short the interpolation error is
// below 1e-11 of g, so z·g keeps its relative accuracy down to the subnormals.
// erfTable is the same, coefficient-major, as the vector kernel loads it.
var erfPieces, erfTable = func() (pieces [erfCount][erfDegree + 1]float64, table [erfDegree + 1][erfCount]float64) {
	const n = erfDegree + 1
	// cheb[k] holds the monomial coefficients of the Chebyshev polynomial T_k.
	var cheb [n][n]float64
	cheb[0][0] = 1
	cheb[1][1] = 1
	for k := 2; k < n; k++ {
		for j := range n {
			if j > 0 {
				cheb[k][j] += 2 * cheb[k-1][j-1]
			}
			cheb[k][j] -= cheb[k-2][j]
		}
	}
	for i := range pieces {
		mid, half := (float64(i)+0.5)/erfPerUnit, 0.5/erfPerUnit
		var f [n]float64
		for j := range n {
			z := mid + half*math.Cos(math.Pi*(float64(j)+0.5)/n) // a Chebyshev node, never 0
			f[j] = math.Erf(z) / z
		}
		for k := range n {
			var a float64
			for j := range n {
				a += f[j] * math.Cos(float64(k)*math.Pi*(float64(j)+0.5)/n)
			}
			a *= 2.0 / n
			if k == 0 {
				a /= 2
			}
			for j := range n {
				pieces[i][j] += a * cheb[k][j]
			}
		}
	}
	for i := range pieces {
		for k := range n {
			table[k][i] = pieces[i][k]
		}
	}
	return pieces, table
}()
