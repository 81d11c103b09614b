package fairloss

import "math"

// lseCut: terms of a log-sum-exp more than lseCut below the row maximum are dropped.
// Each is below exp(-50) ~ 2e-22 of the largest term, far under float64 resolution of
// a sum that is at least 1, and skipping them saves most exponentials at small eps.
const lseCut = 50

// softmin computes, for each row i of the rows×cols cost matrix c,
//
//	out[i] = -eps * log sum_j exp(h[j] - c[i][j]/eps)
//
// with the max trick. When plan is non-nil it also stores the row-normalized weights
// exp(h[j] - c[i][j]/eps - out-term) (the softmax, a transport plan row) in
// plan[i*cols+j]. tmp must hold cols values.
func softmin(out, c []float64, cols int, h []float64, eps float64, tmp, plan []float64) {
	inv := 1 / eps
	h = h[:cols]
	tmp = tmp[:cols]
	for i := range out {
		row := c[i*cols : (i+1)*cols]
		mx := math.Inf(-1)
		for j, cij := range row {
			v := h[j] - cij*inv
			tmp[j] = v
			if v > mx {
				mx = v
			}
		}
		// Exponentials in place; expNeg inlined by hand (the compiler will not).
		s := 0.0
		for j, v := range tmp {
			e := 0.0
			if t := v - mx; t > -lseCut {
				kf := (t*expInvLn2 + expRound) - expRound
				r := (t - kf*expLn2Hi) - kf*expLn2Lo
				k := int64(kf)
				p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
				e = expTable[k&63] * math.Float64frombits(uint64(1023+(k>>6))<<52) * p
			}
			tmp[j] = e
			s += e
		}
		if plan != nil {
			is := 1 / s
			pr := plan[i*cols : (i+1)*cols]
			for j, e := range tmp {
				pr[j] = e * is
			}
		}
		out[i] = -eps * (mx + logAtLeast1(s))
	}
}

// logWeights is geomloss's log_weights: log(w), with -100000 where w <= 0.
func logWeights(w []float64) []float64 {
	out := make([]float64, len(w))
	for i, v := range w {
		if v <= 0 {
			out[i] = -100000
		} else {
			out[i] = math.Log(v)
		}
	}
	return out
}
