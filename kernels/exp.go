package kernels

import "math"

// Exp sets dst[i] = exp(src[i]) for float32 values: within one ulp of package math's
// exp rounded to float32, +Inf past float32's range, 0 below it, NaN for NaN. The
// AVX-512 and AVX2 kernels compute Exp64's operations in its order, so every kernel
// gives the same bits, whatever a value's position.
func Exp(dst, src []float32) { defaultOrPanic().Exp(dst, src) }

// Exp is the package function Exp on e's kernel.
func (e *Engine) Exp(dst, src []float32) { mapF32("Exp", dst, src, e.kern.exp, Exp64) }

const (
	expLo, expHi = -110, 90 // exp is 0 and +Inf in float32 beyond these
	expLn2Hi32   = 6.93147180369123816490e-01
	expLn2Lo32   = 1.90821492927058770002e-10 // ln 2 = expLn2Hi32 + expLn2Lo32
	expDegree32  = 11                         // Exp64 writes its Horner steps out for this degree
	exp32Round   = 1.5 * (1 << 52)
)

// expInvFact[d] = 1/d!, the Taylor coefficients of e^r.
var expInvFact = func() (c [expDegree32 + 1]float64) {
	f := 1.0
	for d := range c {
		if d > 1 {
			f *= float64(d)
		}
		c[d] = 1 / f
	}
	return c
}()

// Exp64 is exp(x) accurate to well under a float32 ulp (relative error below 1e-14)
// for x in [-110, 90], the range float32 results need: x is clamped there, so results
// beyond it are exp(-110) and exp(90), which round to 0 and +Inf in float32. x = k·ln2
// + r with k the nearest integer to x/ln2 (ties to even) and |r| <= ln2/2; e^r is its
// degree-11 Taylor polynomial (first omitted term below 6e-15 relative); 2^k is built
// in the exponent field. Every product is rounded on its own (no fused multiply-add),
// as the vector kernel computes.
func Exp64(x float64) float64 {
	if x != x {
		return x
	}
	if x > expHi {
		x = expHi
	}
	if x < expLo {
		x = expLo
	}
	// Adding and subtracting 1.5·2^52 rounds to the nearest integer, ties to even
	// (math.RoundToEven's result, without its software path).
	k := float64(float64(x*(1/math.Ln2))+exp32Round) - exp32Round
	r := float64(x-float64(k*expLn2Hi32)) - float64(k*expLn2Lo32)
	c := &expInvFact
	p := c[11]
	p = float64(p*r) + c[10]
	p = float64(p*r) + c[9]
	p = float64(p*r) + c[8]
	p = float64(p*r) + c[7]
	p = float64(p*r) + c[6]
	p = float64(p*r) + c[5]
	p = float64(p*r) + c[4]
	p = float64(p*r) + c[3]
	p = float64(p*r) + c[2]
	p = float64(p*r) + c[1]
	p = float64(p*r) + c[0]
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}
