package fairloss

import "math"

// minSquaredDistance is geomloss 0.2.6's clamp in distances(): |x-y| is computed as
// sqrt(max(|x-y|^2, 1e-8)), so the p=1 cost never goes below 1e-4 and its gradient
// is zero where the clamp is active.
const minSquaredDistance = 1e-8

// costFromSquared maps the squared distance |x-y|^2 to the ground cost.
func costFromSquared(p int, sq float64) float64 {
	if p == 1 {
		return math.Sqrt(math.Max(sq, minSquaredDistance))
	}
	return sq / 2
}

// minDistance is the p=1 cost where the clamp is active.
var minDistance = math.Sqrt(minSquaredDistance)

// gradFactor returns w such that the gradient of the cost C(x, y) with respect to x is
// w*(x-y), given the cost value c: 1 for p=2, 1/|x-y| for p=1, and 0 where the clamp
// is active (torch's clamp_min passes no gradient there). A clamped cost equals
// minDistance exactly; a squared distance within an ulp above 1e-8 is also treated as
// clamped, a difference of no practical consequence.
func gradFactor(p int, c float64) float64 {
	if p == 1 {
		if c <= minDistance {
			return 0
		}
		return 1 / c
	}
	return 1
}

// fillCost writes into dst (rows(x)×rows(y), row-major) the cost between the rows of
// two clouds. Squared distances use the expansion |x|^2 - 2<x,y> + |y|^2 as geomloss's
// tensorized backend does, given the squared norms nx, ny and a dot product source.
func fillCost(dst []float64, p int, nx, ny []float64, dotXY func(i, j int) float64) {
	m := len(ny)
	for i, xi := range nx {
		row := dst[i*m : (i+1)*m]
		for j, yj := range ny {
			row[j] = costFromSquared(p, xi-2*dotXY(i, j)+yj)
		}
	}
}

func squaredNorms(c cloud, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		r := c.row(i)
		out[i] = dot(r, r)
	}
	return out
}
