package fairloss

import (
	"math"

	"github.com/fairclip/fairclip/kernels"
)

// Diameter returns the length of the diagonal of the bounding box of both clouds
// (x is n×d, y is m×d, row-major), as geomloss's max_diameter computes it.
func Diameter(x, y []float64, n, m, d int) float64 {
	return diameterRows(cloud{x, nil, d}, n, cloud{y, nil, d}, m)
}

func diameterRows(x cloud, n int, y cloud, m int) float64 {
	return boxOf(x, n).unionDiagonal(boxOf(y, m))
}

// box is the bounding box of a set of points.
type box struct{ lo, hi []float64 }

func boxOf(c cloud, n int) box {
	b := box{append([]float64(nil), c.row(0)...), append([]float64(nil), c.row(0)...)}
	for i := 1; i < n; i++ {
		kernels.MinMax64(b.lo, b.hi, c.row(i))
	}
	return b
}

// unionDiagonal is the length of the diagonal of the bounding box of both boxes (the
// union is exact: only comparisons).
func (b box) unionDiagonal(o box) float64 {
	s := 0.0
	for j := range b.lo {
		t := math.Max(b.hi[j], o.hi[j]) - math.Min(b.lo[j], o.lo[j])
		s += t * t
	}
	return math.Sqrt(s)
}

// EpsilonSchedule returns geomloss's annealing schedule for the given diameter:
//
//	[diameter^p] + [exp(e) for e in numpy.arange(p*ln(diameter), p*ln(blur), p*ln(scaling))] + [blur^p]
//
// The arange follows numpy's float semantics: ceil((stop-start)/step) entries, the
// second one start+step and the k-th (k >= 2) start + k*((start+step)-start).
// geomloss fails when the diameter is 0 (all points coincide: log(0)); fairclip then
// uses the schedule [blur^p, blur^p], whose divergence is 0 up to rounding.
func EpsilonSchedule(p int, diameter, blur, scaling float64) []float64 {
	bp := powP(blur, p)
	if diameter == 0 {
		return []float64{bp, bp}
	}
	fp := float64(p)
	start := fp * math.Log(diameter)
	stop := fp * math.Log(blur)
	step := fp * math.Log(scaling)
	eps := []float64{powP(diameter, p)}
	length := math.Ceil((stop - start) / step)
	if length > 0 {
		next := start + step
		delta := next - start
		for k := 0; k < int(length); k++ {
			var e float64
			switch k {
			case 0:
				e = start
			case 1:
				e = next
			default:
				e = start + float64(k)*delta
			}
			eps = append(eps, math.Exp(e))
		}
	}
	return append(eps, bp)
}

// powP is x**p for the integer exponents the cost supports (exact for p = 1, 2).
func powP(x float64, p int) float64 {
	if p == 1 {
		return x
	}
	return x * x
}
