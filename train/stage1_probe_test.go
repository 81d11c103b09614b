package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fitProbePlain is fitProbe written as one row and one class at a time (the probe's
// original loops; the Adam step is shared): fitProbe's paired loops must match bit for bit.
func fitProbePlain(rows [][]float64, train, labels []int, weight []float64, k, iters int) []float64 {
	d := len(rows[0])
	np := k * (d + 1)
	w, m, v, g := make([]float64, np), make([]float64, np), make([]float64, np), make([]float64, np)
	p := make([]float64, k)
	for it := 1; it <= iters; it++ {
		clear(g)
		for _, i := range train {
			for c := range k {
				s := w[k*d+c]
				for j, rv := range rows[i] {
					s += w[c*d+j] * rv
				}
				p[c] = s
			}
			softmaxInPlace(p)
			p[labels[i]]--
			for c := range k {
				p[c] *= weight[labels[i]]
			}
			for c := range k {
				for j, rv := range rows[i] {
					g[c*d+j] += p[c] * rv
				}
				g[k*d+c] += p[c]
			}
		}
		probeAdamStep(w, m, v, g, 1/float64(len(train)), it)
	}
	return w
}

func TestFitProbeMatchesPlainLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 2, 3, 4, 5, 7} {
		for _, nTrain := range []int{1, 2, 9, 40} {
			const d = 13
			rows := make([][]float64, nTrain+3)
			labels := make([]int, len(rows))
			for i := range rows {
				rows[i] = make([]float64, d)
				for j := range rows[i] {
					rows[i][j] = rng.NormFloat64()
				}
				labels[i] = rng.IntN(k)
			}
			train := rng.Perm(len(rows))[:nTrain]
			weight := make([]float64, k)
			for c := range weight {
				weight[c] = 0.5 + rng.Float64()
			}
			got := fitProbe(rows, train, labels, weight, k, 7)
			want := fitProbePlain(rows, train, labels, weight, k, 7)
			for q := range want {
				if math.Float64bits(got[q]) != math.Float64bits(want[q]) {
					t.Fatalf("k %d, %d rows: weight %d is %v, the plain loop gives %v", k, nTrain, q, got[q], want[q])
				}
			}
		}
	}
}
