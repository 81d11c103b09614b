package fairloss

import (
	"math"

	"github.com/fairclip/fairclip/kernels"
)

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
// plan[i*cols+j]. tmp is scratch: with cols + rows values softmin does not allocate.
//
// The exponential sums run on the kernels package's fastest kernel (AVX-512, AVX2 or
// Go; FAIRCLIP_KERNEL forces one). The vector kernels sum each row in vector lanes
// folded at the end where the Go loop sums in order, so results differ between
// kernels in the last bits; on one kernel they are deterministic.
func softmin(out, c []float64, cols int, h []float64, eps float64, tmp, plan []float64) {
	rows := len(out)
	if len(tmp) < cols+rows {
		tmp = make([]float64, cols+rows)
	}
	sum := tmp[cols : cols+rows]
	kernels.ExpSumRows(out, sum, c, cols, h, 1/eps, lseCut, tmp[:cols], plan)
	kernels.FinishLogSumExp(out, out, sum, -eps)
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
