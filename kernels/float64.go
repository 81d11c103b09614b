package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// The float64 loops of the fairness loss (package fairloss): a dot product, an axpy
// and the exponential sums of a row-wise log-sum-exp. The vector kernels use fused
// multiply-adds and sum in vector lanes, folded at the end (lane i with lane i+w/2,
// then i+w/4, ...), where the Go loops round every product and sum in order (four
// interleaved sums for Dot64), so kernels differ in the last bits. Each kernel is
// deterministic: the same input gives the same bits whatever the goroutine count or
// the alignment of the slices.

// Dot64 returns the inner product of a and b, which must have the same length.
func Dot64(a, b []float64) float64 { return defaultOrPanic().Dot64(a, b) }

// Dot64 is the package function Dot64 on e's kernel.
func (e *Engine) Dot64(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("kernels.Dot64: lengths %d and %d differ", len(a), len(b)))
	}
	if k := e.kern; k.dot64 != nil && len(a) > 0 {
		return k.dot64(len(a), unsafe.SliceData(a), unsafe.SliceData(b))
	}
	return dot64Go(a, b)
}

// dot64Go sums in four interleaved partial sums, ((s0+s1)+(s2+s3)).
func dot64Go(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Axpy64 adds alpha·x to y; x and y must have the same length.
func Axpy64(y []float64, alpha float64, x []float64) { defaultOrPanic().Axpy64(y, alpha, x) }

// Axpy64 is the package function Axpy64 on e's kernel.
func (e *Engine) Axpy64(y []float64, alpha float64, x []float64) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels.Axpy64: lengths x %d and y %d differ", len(x), len(y)))
	}
	if k := e.kern; k.axpy64 != nil && len(y) > 0 {
		k.axpy64(len(y), alpha, unsafe.SliceData(x), unsafe.SliceData(y))
		return
	}
	for i, v := range x {
		y[i] += alpha * v
	}
}

// MinMax64 lowers lo to x and raises hi to x where x is beyond them, per element, with
// the Go comparisons' results on every kernel (x < lo, x > hi: a NaN in x changes
// nothing). lo, hi and x have the same length.
func MinMax64(lo, hi, x []float64) { defaultOrPanic().MinMax64(lo, hi, x) }

// MinMax64 is the package function MinMax64 on e's kernel.
func (e *Engine) MinMax64(lo, hi, x []float64) {
	if len(lo) != len(x) || len(hi) != len(x) {
		panic(fmt.Sprintf("kernels.MinMax64: lengths lo %d, hi %d, x %d differ", len(lo), len(hi), len(x)))
	}
	if k := e.kern; k.minMax64 != nil && len(x) > 0 {
		k.minMax64(len(x), unsafe.SliceData(lo), unsafe.SliceData(hi), unsafe.SliceData(x))
		return
	}
	for j, v := range x {
		if v < lo[j] {
			lo[j] = v
		}
		if v > hi[j] {
			hi[j] = v
		}
	}
}

// ExpSumRows computes the parts of a log-sum-exp over each row i of the rows×cols
// matrix c, rows = len(mx) = len(sum): with v_j = h[j] - c[i*cols+j]·inv,
//
//	mx[i]  = max_j v_j                (NaN terms ignored; -Inf for an empty row)
//	e_j    = exp(v_j - mx[i])         (exactly 0 where v_j - mx[i] <= -cut, or NaN)
//	sum[i] = Σ_j e_j
//
// so that log Σ_j exp(v_j) = mx[i] + log(sum[i]). When plan is non-nil (rows·cols
// values) it receives the normalised weights plan[i*cols+j] = e_j·(1/sum[i]) (a
// softmax row); otherwise tmp (cols values) is scratch. h holds at least cols values.
// The exponential is accurate to a few units in the last place on every kernel.
func ExpSumRows(mx, sum, c []float64, cols int, h []float64, inv, cut float64, tmp, plan []float64) {
	defaultOrPanic().ExpSumRows(mx, sum, c, cols, h, inv, cut, tmp, plan)
}

// ExpSumRows is the package function ExpSumRows on e's kernel.
func (e *Engine) ExpSumRows(mx, sum, c []float64, cols int, h []float64, inv, cut float64, tmp, plan []float64) {
	rows := len(mx)
	switch {
	case len(sum) != rows:
		panic(fmt.Sprintf("kernels.ExpSumRows: %d maxima but %d sums", rows, len(sum)))
	case cols < 0 || len(c) < rows*cols || len(h) < cols:
		panic(fmt.Sprintf("kernels.ExpSumRows: %d×%d matrix from %d values, %d values of h", rows, cols, len(c), len(h)))
	case plan != nil && len(plan) < rows*cols:
		panic(fmt.Sprintf("kernels.ExpSumRows: plan holds %d values, want %d", len(plan), rows*cols))
	case plan == nil && len(tmp) < cols:
		panic(fmt.Sprintf("kernels.ExpSumRows: tmp holds %d values, want %d", len(tmp), cols))
	}
	if k := e.kern; k.expSumRows != nil && rows > 0 && cols > 0 {
		dst, stride := unsafe.SliceData(tmp), 0
		if plan != nil {
			dst, stride = unsafe.SliceData(plan), 8*cols
		}
		k.expSumRows(rows, cols, unsafe.SliceData(c), unsafe.SliceData(h), dst, stride,
			unsafe.SliceData(mx), unsafe.SliceData(sum), inv, -cut, plan != nil)
		return
	}
	expSumRowsGo(mx, sum, c, cols, h, inv, cut, tmp, plan)
}

// FinishLogSumExp sets out[i] = scale·(mx[i] + ln(sum[i])), the end of a log-sum-exp
// whose exponential sums ExpSumRows gave: each sum[i] in [1, 2^64] (at most that many
// terms, the largest 1); other sums give unspecified values. The logarithm is accurate to a few
// 1e-16 absolute on every kernel. out may be mx; all three have the same length.
func FinishLogSumExp(out, mx, sum []float64, scale float64) {
	defaultOrPanic().FinishLogSumExp(out, mx, sum, scale)
}

// FinishLogSumExp is the package function FinishLogSumExp on e's kernel.
func (e *Engine) FinishLogSumExp(out, mx, sum []float64, scale float64) {
	if len(mx) != len(out) || len(sum) != len(out) {
		panic(fmt.Sprintf("kernels.FinishLogSumExp: lengths out %d, mx %d, sum %d differ", len(out), len(mx), len(sum)))
	}
	if k := e.kern; k.logSum != nil && len(out) > 0 {
		k.logSum(len(out), unsafe.SliceData(out), unsafe.SliceData(mx), unsafe.SliceData(sum), scale)
		return
	}
	for i, s := range sum {
		out[i] = scale * (mx[i] + logAtLeast1(s))
	}
}

// expSumRowsGo is the reference loop, with a table-driven exponential (expNeg).
func expSumRowsGo(mx, sum, c []float64, cols int, h []float64, inv, cut float64, tmp, plan []float64) {
	h = h[:cols]
	for i := range mx {
		row := c[i*cols : (i+1)*cols]
		var dst []float64
		if plan != nil {
			dst = plan[i*cols : (i+1)*cols]
		} else {
			dst = tmp[:cols]
		}
		m := math.Inf(-1)
		for j, cij := range row {
			v := h[j] - cij*inv
			dst[j] = v
			if v > m {
				m = v
			}
		}
		// Exponentials in place; expNeg inlined by hand (the compiler will not).
		s := 0.0
		for j, v := range dst {
			e := 0.0
			if t := v - m; t > -cut {
				kf := (t*expInvLn2 + expRound) - expRound
				r := (t - kf*expLn2Hi) - kf*expLn2Lo
				k := int64(kf)
				p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
				e = expTable[k&63] * math.Float64frombits(uint64(1023+(k>>6))<<52) * p
			}
			dst[j] = e
			s += e
		}
		if plan != nil {
			is := 1 / s
			for j, e := range dst {
				dst[j] = e * is
			}
		}
		mx[i], sum[i] = m, s
	}
}

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

// expNeg returns e^t for -50 <= t <= 0 to within about 1 ulp: t = (k/64)·ln2 + r with
// |r| <= ln2/128, e^t = 2^(k>>6)·2^((k&63)/64)·e^r, and e^r from its Taylor series to
// degree 6 (truncation error < 1e-18). Outside that range it is not accurate.
func expNeg(t float64) float64 {
	kf := (t*expInvLn2 + expRound) - expRound
	r := (t - kf*expLn2Hi) - kf*expLn2Lo
	k := int64(kf)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return expTable[k&63] * math.Float64frombits(uint64(1023+(k>>6))<<52) * p
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
