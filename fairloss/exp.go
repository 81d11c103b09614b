package fairloss

import "math"

// expTable[j] = 2^(j/64), the table of expNeg.
var expTable = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()

// Split of ln(2)/64 for the argument reduction of expNeg: the high part has trailing
// zero bits, so k*expLn2Hi is exact for the k that occur (|k| < 2^13).
const (
	expLn2Hi  = 6.93147180369123816490e-01 / 64
	expLn2Lo  = 1.90821492927058770002e-10 / 64
	expInvLn2 = 64 / math.Ln2
	expRound  = 1.5 * (1 << 52) // adding then subtracting rounds to an integer
)

// expNeg returns e^t for -lseCut <= t <= 0 to within about 1 ulp, several times faster
// than math.Exp: t = (k/64)*ln2 + r with |r| <= ln2/128, e^t = 2^(k>>6) * 2^((k&63)/64)
// * e^r, and e^r from its Taylor series to degree 6 (truncation error < 1e-18).
// Outside that range it is not accurate; callers check t first.
func expNeg(t float64) float64 {
	kf := (t*expInvLn2 + expRound) - expRound
	r := (t - kf*expLn2Hi) - kf*expLn2Lo
	k := int64(kf)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	scale := math.Float64frombits(uint64(1023+(k>>6)) << 52)
	return expTable[k&63] * scale * p
}

// logTable[j] = ln(1 + j/64) and logInv[j] = 1/(1 + j/64), the tables of logAtLeast1.
var logTable, logInv = func() (l, inv [64]float64) {
	for j := range l {
		c := 1 + float64(j)/64
		l[j], inv[j] = math.Log(c), 1/c
	}
	return l, inv
}()

// logAtLeast1 returns ln(s) for finite s >= 1 (a log-sum-exp sum whose largest term is
// 1) to within a few 1e-16 absolute: s = 2^e * x, x in [1,2), c = 1 + j/64 the table
// point just below x, ln s = e*ln2 + ln c + log1p((x-c)/c), the last from its series
// to degree 8 (|u| < 1/64, truncation error < 1e-19).
func logAtLeast1(s float64) float64 {
	bits := math.Float64bits(s)
	e := int64(bits>>52) - 1023
	mant := bits & (1<<52 - 1)
	j := mant >> 46
	x := math.Float64frombits(mant | 1023<<52)
	u := (x - (1 + float64(j)/64)) * logInv[j]
	p := u * (1 - u*(1.0/2-u*(1.0/3-u*(1.0/4-u*(1.0/5-u*(1.0/6-u*(1.0/7-u*(1.0/8))))))))
	return float64(e)*math.Ln2 + logTable[j] + p
}
