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
// it converges fast (|x| < 0.84375, see erfSeries), piecewise polynomials fitted to
// package math's erf on [0.84375, 4) (see erfPieces), and ±1 beyond, where erf is
// within 1.6e-8 of ±1 (closer than half a float32 ulp).
func fastErf(x float64) float64 {
	z := math.Abs(x)
	if z < erfLo {
		return x * erfSeries(x*x)
	}
	if x != x {
		return x
	}
	y := 1.0
	if z < erfHi {
		i := int((z - erfLo) * erfPerUnit)
		c := &erfPieces[i]
		t := (z-erfLo)*(2*erfPerUnit) - float64(2*i+1) // z's place in piece i, in [-1, 1)
		y = c[0] + t*(c[1]+t*(c[2]+t*(c[3]+t*(c[4]+t*(c[5]+t*(c[6]+t*c[7]))))))
	}
	if x < 0 {
		return -y
	}
	return y
}

// erfSeries is erf(x)/x as a function of s = x², for s < 0.72: the Maclaurin series
// 2/sqrt(pi) · Σ (-s)^n / (n! (2n+1)) to n = 10, whose first omitted term is below
// 0.72^11/(11!·23) < 3e-11 of the sum.
func erfSeries(s float64) float64 {
	const c = 2 / math.SqrtPi
	return c * (1 + s*(-1.0/3+s*(1.0/10+s*(-1.0/42+s*(1.0/216+s*(-1.0/1320+s*(1.0/9360+
		s*(-1.0/75600+s*(1.0/685440+s*(-1.0/6894720+s*(1.0/76204800)))))))))))
}

const (
	erfLo, erfHi = 0.84375, 4.0
	erfPerUnit   = 4 // pieces per unit of z
	erfDegree    = 7
	// erfPieceCount covers [erfLo, erfHi): ceil((4 - 0.84375)·4).
	erfPieceCount = 13
)

// erfPieces[i] are the monomial coefficients, in t in [-1, 1], of the degree-7
// Chebyshev interpolant of erf on piece i, z in [erfLo + i/4, erfLo + (i+1)/4]: on
// pieces this short the interpolation error is below 1e-11.
var erfPieces = func() (pieces [erfPieceCount][erfDegree + 1]float64) {
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
		lo := erfLo + float64(i)/erfPerUnit
		mid, half := lo+0.5/erfPerUnit, 0.5/erfPerUnit
		var f, nodes [n]float64
		for j := range n {
			nodes[j] = math.Cos(math.Pi * (float64(j) + 0.5) / n)
			f[j] = math.Erf(mid + half*nodes[j])
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
	return pieces
}()

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
