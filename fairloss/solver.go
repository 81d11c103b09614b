package fairloss

import "github.com/fairclip/fairclip/kernels"

// solver runs geomloss's sinkhorn_loop (debias=True, reach=None) on dense cost
// matrices and keeps the final potentials and the transport plans of the last
// extrapolation step, from which value and gradients follow.
type solver struct {
	p    int
	n, m int
	// Cost matrices, row-major: cxx n×n, cyy m×m, cxy n×m, cyx m×n.
	cxx, cyy, cxy, cyx []float64
	a, b               []float64 // weights
	eps                []float64 // annealing schedule (last entry = blur^p)
	// gradY asks for the plans needed by the gradient with respect to y and b.
	gradY bool

	// Results: potentials of OT(a,a), OT(b,b) and the cross potentials of OT(a,b).
	faa, gbb, gab, fba []float64
	// Plans of the final extrapolation (row-normalized softmax weights).
	pxx, pyy, pxy, pyx []float64

	// Scratch: log-weights, softmin inputs, one row.
	alog, blog, hAA, hAB, hBB, hBA, tmp []float64
}

func (s *solver) run() {
	s.anneal()
	s.extrapolate()
}

// anneal runs the initialisation and the epsilon-scaling loop, leaving the averaged
// potentials in faa, gbb, gab, fba.
func (s *solver) anneal() {
	n, m := s.n, s.m
	s.alog, s.blog = logWeights(s.a), logWeights(s.b)
	s.faa, s.gbb = make([]float64, n), make([]float64, m)
	s.gab, s.fba = make([]float64, m), make([]float64, n)
	s.tmp = make([]float64, 2*max(n, m))
	tmp := s.tmp

	e := s.eps[0]
	softmin(s.faa, s.cxx, n, s.alog, e, tmp, nil)
	softmin(s.gbb, s.cyy, m, s.blog, e, tmp, nil)
	softmin(s.gab, s.cyx, n, s.alog, e, tmp, nil)
	softmin(s.fba, s.cxy, m, s.blog, e, tmp, nil)

	tAA, tBA := make([]float64, n), make([]float64, n)
	tBB, tAB := make([]float64, m), make([]float64, m)
	for _, e = range s.eps {
		s.prepare(e)
		softmin(tAA, s.cxx, n, s.hAA, e, tmp, nil)
		softmin(tBB, s.cyy, m, s.hBB, e, tmp, nil)
		softmin(tAB, s.cyx, n, s.hAB, e, tmp, nil)
		softmin(tBA, s.cxy, m, s.hBA, e, tmp, nil)
		for i := range tAA {
			s.faa[i] = 0.5 * (s.faa[i] + tAA[i])
			s.fba[i] = 0.5 * (s.fba[i] + tBA[i])
		}
		for j := range tBB {
			s.gbb[j] = 0.5 * (s.gbb[j] + tBB[j])
			s.gab[j] = 0.5 * (s.gab[j] + tAB[j])
		}
	}
}

// prepare fills the softmin inputs log(weight) + potential/eps of the four problems.
func (s *solver) prepare(e float64) {
	if s.hAA == nil {
		s.hAA, s.hAB = make([]float64, s.n), make([]float64, s.n)
		s.hBB, s.hBA = make([]float64, s.m), make([]float64, s.m)
	}
	for i := range s.hAA {
		s.hAA[i] = s.alog[i] + s.faa[i]/e
		s.hAB[i] = s.alog[i] + s.fba[i]/e
	}
	for j := range s.hBB {
		s.hBB[j] = s.blog[j] + s.gbb[j]/e
		s.hBA[j] = s.blog[j] + s.gab[j]/e
	}
}

// extrapolate is the final step at the last epsilon, the only one geomloss
// differentiates: the potentials become functions of the cost matrices with the
// annealed potentials as constants. It records the plans for the gradients.
func (s *solver) extrapolate() {
	n, m := s.n, s.m
	e := s.eps[len(s.eps)-1]
	s.prepare(e)
	s.pxx, s.pxy = make([]float64, n*n), make([]float64, n*m)
	softmin(s.faa, s.cxx, n, s.hAA, e, s.tmp, s.pxx)
	softmin(s.fba, s.cxy, m, s.hBA, e, s.tmp, s.pxy)
	if s.gradY {
		s.pyy, s.pyx = make([]float64, m*m), make([]float64, m*n)
	}
	softmin(s.gbb, s.cyy, m, s.hBB, e, s.tmp, s.pyy)
	softmin(s.gab, s.cyx, n, s.hAB, e, s.tmp, s.pyx)
}

// value is <a, f_ba - f_aa> + <b, g_ab - g_bb>.
func (s *solver) value() float64 {
	v := 0.0
	for i, w := range s.a {
		v += w * (s.fba[i] - s.faa[i])
	}
	for j, w := range s.b {
		v += w * (s.gab[j] - s.gbb[j])
	}
	return v
}

// gradPoints writes into out (rows(x)×d) the gradient of the value with respect to the
// points of x, where x is the first argument of the plans pxy (against y) and pxx
// (against x itself, whose second argument is held fixed as in geomloss):
//
//	out_i = w_i * [ sum_j Wxy_ij (x_i - y_j) - sum_k Wxx_ik (x_i - x_k) ]
//
// with W = plan * gradFactor(cost). out must be zero on entry.
func gradPoints(out []float64, p int, w []float64, x, y cloud, pxy, cxy, pxx, cxx []float64) {
	d := x.d
	n, m := len(w), len(pxy)/len(w)
	for i := 0; i < n; i++ {
		o := out[i*d : (i+1)*d]
		if w[i] == 0 {
			continue
		}
		total := 0.0
		for j := 0; j < m; j++ {
			if pij := pxy[i*m+j]; pij != 0 {
				c := pij * gradFactor(p, cxy[i*m+j])
				total += c
				axpy(o, -c, y.row(j))
			}
		}
		for k := 0; k < n; k++ {
			if pik := pxx[i*n+k]; pik != 0 {
				c := pik * gradFactor(p, cxx[i*n+k])
				total -= c
				axpy(o, c, x.row(k))
			}
		}
		axpy(o, total, x.row(i))
		for k := range o {
			o[k] *= w[i]
		}
	}
}

// axpy adds alpha*x to y (x at least as long as y) on the kernels package's kernel.
func axpy(y []float64, alpha float64, x []float64) { kernels.Axpy64(y, alpha, x[:len(y)]) }
