package fairloss

import "math"

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
