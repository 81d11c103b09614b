package fairloss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func costDirect(p int, u, v []float64) float64 {
	sq := 0.0
	for k := range u {
		t := u[k] - v[k]
		sq += t * t
	}
	return costFromSquared(p, sq)
}

// costDelta is C(u+du, z) - C(u, z), computed without cancellation.
func costDelta(p int, u, du, z []float64) float64 {
	sq, dsq := 0.0, 0.0
	for k := range u {
		t := u[k] - z[k]
		sq += t * t
		dsq += du[k] * (2*t + du[k])
	}
	if p == 2 {
		return dsq / 2
	}
	lo := minSquaredDistance
	switch {
	case sq >= lo && sq+dsq >= lo:
		return dsq / (math.Sqrt(sq+dsq) + math.Sqrt(sq))
	default:
		return math.Sqrt(math.Max(sq+dsq, lo)) - math.Sqrt(math.Max(sq, lo))
	}
}

// frozenSoftminDelta is the change of -eps*log sum_k exp(logw_k + pot_k/eps - C(u, z_k)/eps)
// when u moves by du, computed relative to the base so that finite differences with
// steps far below eps keep their precision.
func frozenSoftminDelta(p int, eps float64, u, du []float64, z []float64, d int, logw, pot []float64) float64 {
	mx := math.Inf(-1)
	v := make([]float64, len(logw))
	for k := range v {
		v[k] = logw[k] + pot[k]/eps - costDirect(p, u, z[k*d:(k+1)*d])/eps
		mx = math.Max(mx, v[k])
	}
	s := 0.0
	for _, t := range v {
		s += math.Exp(t - mx)
	}
	acc := 0.0
	for k, t := range v {
		pk := math.Exp(t-mx) / s
		acc += pk * math.Expm1(-costDelta(p, u, du, z[k*d:(k+1)*d])/eps)
	}
	return -eps * math.Log1p(acc)
}

type fdCase struct {
	name string
	x, y []float64
	n, m int
	d    int
	a, b []float64
}

func fdCases(rng *rand.Rand) []fdCase {
	dup := randCloud(rng, 6, 4, 1)
	copy(dup[4:8], dup[0:4]) // x has a duplicate row
	ydup := randCloud(rng, 6, 4, 1)
	copy(ydup[8:12], dup[12:16]) // y shares a point with x
	return []fdCase{
		{"1x1", randCloud(rng, 1, 3, 1), randCloud(rng, 1, 3, 1), 1, 1, 3, nil, nil},
		{"5x8-weighted", randCloud(rng, 5, 2, 1), randCloud(rng, 8, 2, 1), 5, 8, 2, randWeights(rng, 5), randWeights(rng, 8)},
		{"6x6-duplicates", dup, ydup, 6, 6, 4, nil, nil},
		{"40x25", randCloud(rng, 40, 3, 0.3), randCloud(rng, 25, 3, 0.3), 40, 25, 3, nil, nil},
		{"unit-768", unitRows(rng, 6, 768), unitRows(rng, 9, 768), 6, 9, 768, nil, nil},
	}
}

func unitRows(rng *rand.Rand, n, d int) []float64 {
	x := randCloud(rng, n, d, 1)
	for i := 0; i < n; i++ {
		r := x[i*d : (i+1)*d]
		s := math.Sqrt(dot(r, r))
		for k := range r {
			r[k] /= s
		}
	}
	return x
}

// TestGradientsFrozenPotentials checks the position gradients by finite differences of
// the function torch differentiates: the last extrapolation step with the annealed
// potentials held fixed (and, as in geomloss, the second argument of each cost matrix
// detached).
func TestGradientsFrozenPotentials(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := fdCases(rng)
	for _, p := range []int{1, 2} {
		for _, blur := range []float64{1e-4, 1e-3, 0.05} {
			for _, scaling := range []float64{0.5, 0.9} {
				for _, c := range cases {
					name := fmt.Sprintf("p%d-blur%g-scaling%g-%s", p, blur, scaling, c.name)
					t.Run(name, func(t *testing.T) { checkFrozen(t, Sinkhorn{P: p, Blur: blur, Scaling: scaling}, c) })
				}
			}
		}
	}
}

func checkFrozen(t *testing.T, s Sinkhorn, c fdCase) {
	a, err := checkWeights("a", c.a, c.n)
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkWeights("b", c.b, c.m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Divergence(c.x, c.y, c.n, c.m, c.d, c.a, c.b)
	if err != nil {
		t.Fatal(err)
	}
	pr := s.newPair(cloud{c.x, nil, c.d}, c.n, cloud{c.y, nil, c.d}, c.m, a, b, true, directProducts{}, -1)
	sv := pr.solver
	sv.anneal() // potentials before the final step
	eps := sv.eps[len(sv.eps)-1]
	alog, blog := logWeights(a), logWeights(b)
	d := c.d
	// Change of the value when row i of x (resp. y) moves by du, everything else fixed.
	fx := func(i int, du []float64) float64 {
		xi := c.x[i*d : (i+1)*d]
		return a[i] * (frozenSoftminDelta(s.P, eps, xi, du, c.y, d, blog, sv.gab) - frozenSoftminDelta(s.P, eps, xi, du, c.x, d, alog, sv.faa))
	}
	fy := func(j int, du []float64) float64 {
		yj := c.y[j*d : (j+1)*d]
		return b[j] * (frozenSoftminDelta(s.P, eps, yj, du, c.x, d, alog, sv.fba) - frozenSoftminDelta(s.P, eps, yj, du, c.y, d, blog, sv.gbb))
	}
	// Steps far below eps keep the softmins in their linear range even near ties.
	h := math.Min(1e-6, 1e-3*eps)
	tol := 1e-6
	check := func(label string, rows int, f func(int, []float64) float64, grad []float64) {
		scale := 0.0
		for _, g := range grad {
			scale = math.Max(scale, math.Abs(g))
		}
		for i := 0; i < rows; i++ {
			for k := 0; k < min(d, 4); k++ {
				du := make([]float64, d)
				du[k] = h
				up := f(i, du)
				du[k] = -h
				fd := (up - f(i, du)) / (2 * h)
				if math.Abs(fd-grad[i*d+k]) > tol*math.Max(scale, 1e-3) {
					t.Errorf("%s[%d][%d]: gradient %.12g, finite difference %.12g", label, i, k, grad[i*d+k], fd)
				}
			}
		}
	}
	check("grad_x", min(c.n, 8), fx, res.GradX)
	check("grad_y", min(c.m, 8), fy, res.GradY)
}

// TestGradientsConverged: run to convergence (extra iterations at a large blur), the
// envelope theorem makes the returned gradients the true derivatives of the value:
// finite differences of the whole computation for positions, and for the weights
// along mass-preserving directions e_i - e_j (the divergence is defined on measures of
// equal mass; off that set its value formula gains a constant eps/2 per unit of mass).
func TestGradientsConverged(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range []int{1, 2} {
		for _, c := range fdCases(rng)[:3] {
			t.Run(fmt.Sprintf("p%d-%s", p, c.name), func(t *testing.T) {
				s := Sinkhorn{P: p, Blur: 1, Scaling: 0.5, ExtraIterations: 300}
				a, _ := checkWeights("a", c.a, c.n)
				b, _ := checkWeights("b", c.b, c.m)
				res, err := s.Divergence(c.x, c.y, c.n, c.m, c.d, a, b)
				if err != nil {
					t.Fatal(err)
				}
				val := func(x, y, a, b []float64) float64 {
					r, err := s.Divergence(x, y, c.n, c.m, c.d, a, b)
					if err != nil {
						t.Fatal(err)
					}
					return r.Value
				}
				const h, tol = 1e-5, 1e-6
				for i := 0; i < min(c.n*c.d, 12); i++ {
					x := append([]float64(nil), c.x...)
					x[i] += h
					up := val(x, c.y, a, b)
					x[i] -= 2 * h
					fd := (up - val(x, c.y, a, b)) / (2 * h)
					if math.Abs(fd-res.GradX[i]) > tol*math.Max(1, math.Abs(fd)) {
						t.Errorf("grad_x[%d] %.10g, finite difference %.10g", i, res.GradX[i], fd)
					}
				}
				for j := 0; j < min(c.m*c.d, 12); j++ {
					y := append([]float64(nil), c.y...)
					y[j] += h
					up := val(c.x, y, a, b)
					y[j] -= 2 * h
					fd := (up - val(c.x, y, a, b)) / (2 * h)
					if math.Abs(fd-res.GradY[j]) > tol*math.Max(1, math.Abs(fd)) {
						t.Errorf("grad_y[%d] %.10g, finite difference %.10g", j, res.GradY[j], fd)
					}
				}
				for _, w := range []struct {
					name string
					v, g []float64
					isA  bool
				}{{"a", a, res.GradA, true}, {"b", b, res.GradB, false}} {
					for i := 1; i < len(w.v); i++ {
						shift := func(sign float64) float64 {
							v := append([]float64(nil), w.v...)
							v[i] += sign * h
							v[0] -= sign * h
							if w.isA {
								return val(c.x, c.y, v, b)
							}
							return val(c.x, c.y, a, v)
						}
						fd := (shift(1) - shift(-1)) / (2 * h)
						want := w.g[i] - w.g[0]
						if math.Abs(fd-want) > tol*math.Max(1, math.Abs(fd)) {
							t.Errorf("grad_%s[%d]-grad_%s[0] = %.10g, finite difference %.10g", w.name, i, w.name, want, fd)
						}
					}
				}
			})
		}
	}
}
