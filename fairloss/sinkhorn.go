package fairloss

import (
	"fmt"
	"math"
)

// Sinkhorn configures the debiased Sinkhorn divergence of geomloss
// SamplesLoss("sinkhorn", p=P, blur=Blur, scaling=Scaling, debias=True).
type Sinkhorn struct {
	P       int     // exponent of the ground cost: 1 (|x-y|) or 2 (|x-y|^2/2)
	Blur    float64 // epsilon = Blur^P; must be > 0
	Scaling float64 // ratio between successive epsilons, in (0, 1)
	// ExtraIterations appends that many updates at the final epsilon to the schedule
	// (0 reproduces geomloss). Large values approach the converged entropic divergence,
	// which tests compare with an independent solver.
	ExtraIterations int
}

// SinkhornResult is a divergence value with its gradients.
type SinkhornResult struct {
	Value float64
	GradX []float64 // n×d: d Value / d x
	GradY []float64 // m×d: d Value / d y
	GradA []float64 // n: d Value / d a (the potentials f_ba - f_aa, as autograd gives)
	GradB []float64 // m: d Value / d b
	// Iterations is the length of the annealing schedule (geomloss's iteration count,
	// not counting the initialisation and the final extrapolation).
	Iterations int
	Diameter   float64
	Epsilons   []float64 // the schedule used
}

func (s Sinkhorn) validate() error {
	if s.P != 1 && s.P != 2 {
		return fmt.Errorf("p = %d: want 1 or 2: %w", s.P, ErrParameter)
	}
	if math.IsNaN(s.Blur) || math.IsInf(s.Blur, 0) {
		return fmt.Errorf("blur = %v: %w", s.Blur, ErrNonFinite)
	}
	if s.Blur <= 0 {
		return fmt.Errorf("blur = %v: want > 0: %w", s.Blur, ErrParameter)
	}
	if math.IsNaN(s.Scaling) || !(s.Scaling > 0 && s.Scaling < 1) {
		return fmt.Errorf("scaling = %v: want 0 < scaling < 1: %w", s.Scaling, ErrParameter)
	}
	if s.ExtraIterations < 0 {
		return fmt.Errorf("extra iterations = %d: want >= 0: %w", s.ExtraIterations, ErrParameter)
	}
	return nil
}

// schedule returns the epsilons for clouds of the given diameter.
func (s Sinkhorn) schedule(diameter float64) []float64 {
	eps := EpsilonSchedule(s.P, diameter, s.Blur, s.Scaling)
	last := eps[len(eps)-1]
	for k := 0; k < s.ExtraIterations; k++ {
		eps = append(eps, last)
	}
	return eps
}

// Divergence returns S(a,x; b,y) = OT(a,b) - OT(a,a)/2 - OT(b,b)/2 between the clouds
// x (n×d) and y (m×d), row-major, with weights a (n) and b (m); nil weights are
// uniform (1/n, 1/m). Weights are used as given (not renormalized), as in geomloss;
// zero weights are allowed, negative ones and a zero total are errors. Empty clouds,
// non-finite values and mismatched lengths are errors.
func (s Sinkhorn) Divergence(x, y []float64, n, m, d int, a, b []float64) (SinkhornResult, error) {
	if err := s.validate(); err != nil {
		return SinkhornResult{}, err
	}
	if err := checkCloud("x", x, n, d); err != nil {
		return SinkhornResult{}, err
	}
	if err := checkCloud("y", y, m, d); err != nil {
		return SinkhornResult{}, err
	}
	var err error
	if a, err = checkWeights("a", a, n); err != nil {
		return SinkhornResult{}, err
	}
	if b, err = checkWeights("b", b, m); err != nil {
		return SinkhornResult{}, err
	}
	cx, cy := cloud{x, nil, d}, cloud{y, nil, d}
	pr := s.newPair(cx, n, cy, m, a, b, true, directProducts{}, -1)
	return pr.result(true), nil
}

// pair holds one solved divergence problem.
type pair struct {
	solver
	x, y     cloud
	diameter float64
}

// products gives the inner products between rows of clouds: direct dot products, or
// lookups in a Gram matrix computed once for the fairness losses.
type products interface {
	norms(c cloud, n int) []float64
	dots(x, y cloud) func(i, j int) float64
}

type directProducts struct{}

func (directProducts) norms(c cloud, n int) []float64 { return squaredNorms(c, n) }

func (directProducts) dots(x, y cloud) func(i, j int) float64 {
	return func(i, j int) float64 { return dot(x.row(i), y.row(j)) }
}

// newPair builds the cost matrices for clouds x (n rows) and y (m rows) and solves.
// A negative diameter is computed from the clouds.
func (s Sinkhorn) newPair(x cloud, n int, y cloud, m int, a, b []float64, gradY bool,
	prod products, diameter float64) *pair {
	nx, ny := prod.norms(x, n), prod.norms(y, m)
	pr := &pair{x: x, y: y}
	pr.p, pr.n, pr.m, pr.a, pr.b, pr.gradY = s.P, n, m, a, b, gradY
	pr.cxx, pr.cyy = make([]float64, n*n), make([]float64, m*m)
	pr.cxy, pr.cyx = make([]float64, n*m), make([]float64, m*n)
	fillCost(pr.cxx, s.P, nx, nx, prod.dots(x, x))
	fillCost(pr.cyy, s.P, ny, ny, prod.dots(y, y))
	fillCost(pr.cxy, s.P, nx, ny, prod.dots(x, y))
	fillCost(pr.cyx, s.P, ny, nx, prod.dots(y, x))
	if diameter < 0 {
		diameter = diameterRows(x, n, y, m)
	}
	pr.diameter = diameter
	pr.eps = s.schedule(pr.diameter)
	pr.run()
	return pr
}

// result assembles value and gradients; withY adds the gradients for y and b.
func (pr *pair) result(withY bool) SinkhornResult {
	var gradY []float64
	if withY {
		gradY = make([]float64, pr.m*pr.y.d)
	}
	return pr.resultInto(withY, make([]float64, pr.n*pr.x.d), gradY)
}

// resultInto is result with the point gradients written into gradX (n×d) and, with
// withY, gradY (m×d), both zero on entry.
func (pr *pair) resultInto(withY bool, gradX, gradY []float64) SinkhornResult {
	r := SinkhornResult{
		Value:      pr.value(),
		GradX:      gradX,
		GradA:      make([]float64, pr.n),
		Iterations: len(pr.eps),
		Diameter:   pr.diameter,
		Epsilons:   pr.eps,
	}
	gradPoints(r.GradX, pr.p, pr.a, pr.x, pr.y, pr.pxy, pr.cxy, pr.pxx, pr.cxx)
	for i := range r.GradA {
		r.GradA[i] = pr.fba[i] - pr.faa[i]
	}
	if withY {
		r.GradY = gradY
		r.GradB = make([]float64, pr.m)
		gradPoints(r.GradY, pr.p, pr.b, pr.y, pr.x, pr.pyx, pr.cyx, pr.pyy, pr.cyy)
		for j := range r.GradB {
			r.GradB[j] = pr.gab[j] - pr.gbb[j]
		}
	}
	return r
}

func checkCloud(name string, x []float64, n, d int) error {
	if d <= 0 {
		return fmt.Errorf("%s: dimension %d: want >= 1: %w", name, d, ErrDimension)
	}
	if n <= 0 {
		return fmt.Errorf("%s: %d points: %w", name, n, ErrEmpty)
	}
	if len(x) != n*d {
		return fmt.Errorf("%s: %d values for %d points of dimension %d: %w", name, len(x), n, d, ErrDimension)
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s[%d][%d] = %v: %w", name, k/d, k%d, v, ErrNonFinite)
		}
	}
	return nil
}

// checkWeights validates w (or returns uniform weights for nil).
func checkWeights(name string, w []float64, n int) ([]float64, error) {
	if w == nil {
		u := make([]float64, n)
		for i := range u {
			u[i] = 1 / float64(n)
		}
		return u, nil
	}
	if len(w) != n {
		return nil, fmt.Errorf("%s: %d weights for %d points: %w", name, len(w), n, ErrDimension)
	}
	total := 0.0
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s[%d] = %v: %w", name, i, v, ErrNonFinite)
		}
		if v < 0 {
			return nil, fmt.Errorf("%s[%d] = %v: %w", name, i, v, ErrNegativeWeight)
		}
		total += v
	}
	if total == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrZeroWeight)
	}
	return w, nil
}
