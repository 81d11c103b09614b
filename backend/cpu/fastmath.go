package cpu

import "math"

// Transcendental functions for float32 results, computed in float64 with short
// polynomials: accurate to about one float32 ulp (tested against package math), several
// times cheaper than package math's float64-accurate versions.

// expTable[j] = 2^(j/32).
var expTable = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()

const (
	exp32OverLn2 = 32 / math.Ln2
	expLn2Over32 = math.Ln2 / 32
	roundMagic   = 0x1.8p52 // adding it rounds a float64 of magnitude < 2^51 to an integer
)

// fastExp is exp(x) with relative error below 1e-11 for |x| <= 700; it saturates to
// +Inf above 709 and to 0 below -700. NaN gives NaN.
func fastExp(x float64) float64 {
	switch {
	case x > 709:
		return math.Inf(1)
	case x < -700:
		return 0
	case x != x:
		return x
	}
	// x = (32 n + j) ln2/32 + r, |r| <= ln2/64.
	t := x*exp32OverLn2 + roundMagic
	k := int64(math.Float64bits(t) & 0xFFFFFFFF)
	if k >= 1<<31 {
		k -= 1 << 32
	}
	kf := t - roundMagic
	r := x - kf*expLn2Over32
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120)))))
	n, j := k>>5, k&31
	return p * expTable[j] * math.Float64frombits(uint64(n+1023)<<52)
}

// fastLogistic is 1/(1+exp(-x)).
func fastLogistic(x float64) float64 {
	return 1 / (1 + fastExp(-x))
}

// fastErf is erf(x) with error below about one float32 ulp: erf's Maclaurin series where
// it converges fast (|x| < 0.84375, see erfSeries), else 1 - erfc(|x|) with a Chebyshev
// fit of erfc (fractional error < 1.2e-7 of erfc, which is < 0.24 there).
func fastErf(x float64) float64 {
	z := math.Abs(x)
	if z < 0.84375 {
		return x * erfSeries(x*x)
	}
	if x != x {
		return x
	}
	t := 1 / (1 + 0.5*z)
	erfc := t * fastExp(-z*z-1.26551223+t*(1.00002368+t*(0.37409196+t*(0.09678418+
		t*(-0.18628806+t*(0.27886807+t*(-1.13520398+t*(1.48851587+t*(-0.82215223+t*0.17087277)))))))))
	if x < 0 {
		return erfc - 1
	}
	return 1 - erfc
}

// f32Loop applies one of the fast functions over float32 slices in parallel chunks, with
// a direct (not indirect) call per element.
func f32Loop(op int, dst, src []float32) {
	parallelChunks(len(dst), grainFor(len(dst), 8), func(lo, hi int) {
		d, s := dst[lo:hi:hi], src[lo:hi:hi]
		switch op {
		case f32Exp:
			for i, v := range s {
				d[i] = float32(fastExp(float64(v)))
			}
		case f32Logistic:
			for i, v := range s {
				d[i] = float32(1 / (1 + fastExp(-float64(v))))
			}
		case f32Erf:
			for i, v := range s {
				d[i] = float32(fastErf(float64(v)))
			}
		}
	})
}

const (
	f32Exp = iota
	f32Logistic
	f32Erf
)

// erfSeries is erf(x)/x as a function of s = x², for s < 0.72: the Maclaurin series
// 2/sqrt(pi) · Σ (-s)^n / (n! (2n+1)) to n = 10, whose first omitted term is below
// 0.72^11/(11!·23) < 3e-11 of the sum.
func erfSeries(s float64) float64 {
	const c = 2 / math.SqrtPi
	return c * (1 + s*(-1.0/3+s*(1.0/10+s*(-1.0/42+s*(1.0/216+s*(-1.0/1320+s*(1.0/9360+
		s*(-1.0/75600+s*(1.0/685440+s*(-1.0/6894720+s*(1.0/76204800)))))))))))
}
