package fairloss

import (
	"math"
	"testing"
)

// TestSoftminMatchesDirect checks softmin (with its inlined exponential) against a
// direct log-sum-exp with math.Exp.
func TestSoftminMatchesDirect(t *testing.T) {
	c := []float64{0.1, 0.5, 2, 0, 1e-3, 0.7}
	h := []float64{-1, 0.2, 3}
	for _, eps := range []float64{10, 1, 0.05, 1e-3, 1e-8} {
		out := make([]float64, 2)
		plan := make([]float64, 6)
		softmin(out, c, 3, h, eps, make([]float64, 3), plan)
		for i := 0; i < 2; i++ {
			mx := math.Inf(-1)
			for j := 0; j < 3; j++ {
				mx = math.Max(mx, h[j]-c[i*3+j]/eps)
			}
			s := 0.0
			for j := 0; j < 3; j++ {
				s += math.Exp(h[j] - c[i*3+j]/eps - mx)
			}
			want := -eps * (mx + math.Log(s))
			if math.Abs(out[i]-want) > 1e-15*math.Max(1, math.Abs(want)) {
				t.Errorf("eps %g row %d: %.17g, want %.17g", eps, i, out[i], want)
			}
			for j := 0; j < 3; j++ {
				pw := math.Exp(h[j]-c[i*3+j]/eps-mx) / s
				if math.Abs(plan[i*3+j]-pw) > 1e-15 {
					t.Errorf("eps %g plan[%d][%d] = %g, want %g", eps, i, j, plan[i*3+j], pw)
				}
			}
		}
	}
}
