package train

import (
	"math"

	"github.com/fairclip/fairclip/fairloss"
)

// Probe settings: a multinomial logistic regression on standardized features,
// class-balanced loss, full-batch Adam, trained on the even rows and scored on the
// odd rows.
const (
	probeIters = 300
	probeLR    = 0.05
	probeL2    = 1e-3
)

// probeAccuracy trains a linear probe predicting labels (0..k-1) from rows of x
// (n x d) and returns its held-out balanced accuracy (the mean over classes of the
// share of that class's rows predicted right): how much of the attribute a linear
// read-out still finds in the features. Lower is fairer; chance is 1/k whatever
// the class proportions. The result depends only on the inputs.
func probeAccuracy(x []float32, n, d int, labels []int, k int) float64 {
	var train, test []int
	for i := range n {
		if i%2 == 0 {
			train = append(train, i)
		} else {
			test = append(test, i)
		}
	}
	if len(train) == 0 || len(test) == 0 {
		return math.NaN()
	}
	mean := make([]float64, d)
	std := make([]float64, d)
	for _, i := range train {
		for j := range d {
			mean[j] += float64(x[i*d+j])
		}
	}
	for j := range d {
		mean[j] /= float64(len(train))
	}
	for _, i := range train {
		for j := range d {
			v := float64(x[i*d+j]) - mean[j]
			std[j] += v * v
		}
	}
	for j := range d {
		std[j] = math.Sqrt(std[j]/float64(len(train))) + 1e-8
	}
	z := func(i, j int) float64 { return (float64(x[i*d+j]) - mean[j]) / std[j] }
	// Standardized copies of the rows.
	rows := make([][]float64, n)
	for i := range n {
		r := make([]float64, d)
		for j := range d {
			r[j] = z(i, j)
		}
		rows[i] = r
	}
	// Class-balanced weights: each class weighs the same in the loss.
	count := make([]float64, k)
	for _, i := range train {
		count[labels[i]]++
	}
	weight := make([]float64, k)
	present := 0.0
	for c := range k {
		if count[c] > 0 {
			present++
		}
	}
	for c := range k {
		if count[c] > 0 {
			weight[c] = float64(len(train)) / (present * count[c])
		}
	}
	w := fitProbe(rows, train, labels, weight, k, probeIters)
	p := make([]float64, k)
	hit := make([]float64, k)
	seen := make([]float64, k)
	for _, i := range test {
		probeLogits(w, k, rows[i], p)
		best := 0
		for c := 1; c < k; c++ {
			if p[c] > p[best] {
				best = c
			}
		}
		seen[labels[i]]++
		if best == labels[i] {
			hit[labels[i]]++
		}
	}
	var sum, classes float64
	for c := range k {
		if seen[c] > 0 {
			sum += hit[c] / seen[c]
			classes++
		}
	}
	return sum / classes
}

// fitProbe trains the probe's weights ([k, d] then biases [k], d = len(rows[0])) on
// the rows train with full-batch Adam for iters steps, row i weighing weight[labels[i]]
// in the softmax cross-entropy. Up to four classes share each pass over a row; every
// sum still runs in the order of one class at a time, so the weights are those of
// that plain loop (TestFitProbeMatchesPlainLoop). (Two rows per pass measured no
// faster.)
func fitProbe(rows [][]float64, train, labels []int, weight []float64, k, iters int) []float64 {
	d := len(rows[0])
	np := k * (d + 1)
	w := make([]float64, np)
	m := make([]float64, np)
	v := make([]float64, np)
	g := make([]float64, np)
	p := make([]float64, k)
	for it := 1; it <= iters; it++ {
		clear(g)
		for _, i := range train {
			probeLogits(w, k, rows[i], p)
			softmaxInPlace(p)
			p[labels[i]]--
			for c := range k {
				p[c] *= weight[labels[i]]
			}
			probeGradAdd(g, k, rows[i], p)
		}
		probeAdamStep(w, m, v, g, 1/float64(len(train)), it)
	}
	return w
}

// probeAdamStep is Adam step it (from 1) on the probe's weights w with moments m and
// v, from the summed gradient g scaled by inv plus the L2 term.
func probeAdamStep(w, m, v, g []float64, inv float64, it int) {
	for q := range g {
		g[q] = g[q]*inv + probeL2*w[q]
		m[q] = 0.9*m[q] + 0.1*g[q]
		v[q] = 0.999*v[q] + 0.001*g[q]*g[q]
		mh := m[q] / (1 - math.Pow(0.9, float64(it)))
		vh := v[q] / (1 - math.Pow(0.999, float64(it)))
		w[q] -= probeLR * mh / (math.Sqrt(vh) + 1e-8)
	}
}

// probeLogits sets p[c] = w[k*d+c] + sum_j w[c*d+j]*r[j] for the k classes (d = len(r)).
// Up to four classes share one pass over r; each class's sum is still accumulated in
// j order, so the values are those of one loop per class.
func probeLogits(w []float64, k int, r, p []float64) {
	d := len(r)
	c := 0
	for ; c+4 <= k; c += 4 {
		w0, w1, w2, w3 := w[c*d : (c+1)*d][:d], w[(c+1)*d : (c+2)*d][:d], w[(c+2)*d : (c+3)*d][:d], w[(c+3)*d : (c+4)*d][:d]
		s0, s1, s2, s3 := w[k*d+c], w[k*d+c+1], w[k*d+c+2], w[k*d+c+3]
		for j, rv := range r {
			s0 += w0[j] * rv
			s1 += w1[j] * rv
			s2 += w2[j] * rv
			s3 += w3[j] * rv
		}
		p[c], p[c+1], p[c+2], p[c+3] = s0, s1, s2, s3
	}
	for ; c+2 <= k; c += 2 {
		w0, w1 := w[c*d:(c+1)*d], w[(c+1)*d:(c+2)*d]
		s0, s1 := w[k*d+c], w[k*d+c+1]
		for j, rv := range r {
			s0 += w0[j] * rv
			s1 += w1[j] * rv
		}
		p[c], p[c+1] = s0, s1
	}
	for ; c < k; c++ {
		wc := w[c*d : (c+1)*d]
		s := w[k*d+c]
		for j, rv := range r {
			s += wc[j] * rv
		}
		p[c] = s
	}
}

// probeGradAdd adds the row r's gradient terms p[c]*r to g's weight rows and p[c] to
// its biases (g is [k, d] then [k]), up to four classes per pass over r.
func probeGradAdd(g []float64, k int, r, p []float64) {
	d := len(r)
	c := 0
	for ; c+4 <= k; c += 4 {
		g0, g1, g2, g3 := g[c*d:(c+1)*d], g[(c+1)*d:(c+2)*d], g[(c+2)*d:(c+3)*d], g[(c+3)*d:(c+4)*d]
		p0, p1, p2, p3 := p[c], p[c+1], p[c+2], p[c+3]
		for j, rv := range r {
			g0[j] += p0 * rv
			g1[j] += p1 * rv
			g2[j] += p2 * rv
			g3[j] += p3 * rv
		}
	}
	for ; c+2 <= k; c += 2 {
		g0, g1 := g[c*d:(c+1)*d], g[(c+1)*d:(c+2)*d]
		p0, p1 := p[c], p[c+1]
		for j, rv := range r {
			g0[j] += p0 * rv
			g1[j] += p1 * rv
		}
	}
	for ; c < k; c++ {
		gc := g[c*d : (c+1)*d]
		for j, rv := range r {
			gc[j] += p[c] * rv
		}
	}
	for c := range k {
		g[k*d+c] += p[c]
	}
}

func softmaxInPlace(p []float64) {
	mx := p[0]
	for _, v := range p {
		mx = math.Max(mx, v)
	}
	var s float64
	for i, v := range p {
		p[i] = math.Exp(v - mx)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
}

// sinkhornRowsPerSubgroup caps the rows per subgroup of the Sinkhorn distances
// reported for a split.
const sinkhornRowsPerSubgroup = 32

// sinkhornDistances are the Stage 1 losses evaluated on a fixed subset of a split
// (the first sinkhornRowsPerSubgroup rows of each subgroup): the global form (each
// subgroup vs a sample of the subset) with its per-subgroup terms, and the
// pairwise form. NaN where undefined.
type sinkhornDistances struct {
	global, pairwise float64
	subgroup         [8]float64
}

func subgroupSubset(groups []int) []int {
	var per [8]int
	var out []int
	for i, g := range groups {
		if g >= 0 && g < 8 && per[g] < sinkhornRowsPerSubgroup {
			per[g]++
			out = append(out, i)
		}
	}
	return out
}

func sinkhornOf(s1 fairloss.Stage1, x []float32, d int, groups, subset []int, seed uint64) (sinkhornDistances, error) {
	out := sinkhornDistances{global: math.NaN(), pairwise: math.NaN()}
	for g := range out.subgroup {
		out.subgroup[g] = math.NaN()
	}
	n := len(subset)
	f := make([]float64, n*d)
	sg := make([]int, n)
	for r, i := range subset {
		for j := range d {
			f[r*d+j] = float64(x[i*d+j])
		}
		sg[r] = groups[i]
	}
	gl, err := s1.Global(f, n, d, sg, seed)
	if err != nil {
		return out, err
	}
	if gl.Defined {
		out.global = gl.Value
		for _, t := range gl.Breakdown.Pairs {
			out.subgroup[t.A] = t.Value
		}
	}
	pw, err := s1.Pairwise(f, n, d, sg)
	if err != nil {
		return out, err
	}
	if pw.Defined {
		out.pairwise = pw.Value
	}
	return out, nil
}
