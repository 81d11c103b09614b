package fairloss

import (
	"fmt"
	"math"
	"sync"
)

// term is one weighted Sinkhorn divergence between two sets of feature rows.
type term struct {
	x, y      []int   // feature rows of both clouds (same length for the losses here)
	gm        *gram   // inner products covering x and y
	weight    float64 // factor of this term in the loss
	yDetached bool    // no gradient flows to y (a detached reference sample)
	info      PairTerm
	// Bounding boxes of x and y when known (shared by the pairs of a subgroup).
	xBox, yBox *box
}

// evalTerms solves all terms in parallel and accumulates the weighted value and the
// gradient with respect to the n×d feature matrix in term order (deterministic).
//
// A solved term waits until every earlier term has been added; the goroutine that
// completes a run of consecutive terms adds them, and their gradient buffers are
// reused by later terms. A call so allocates a few gradient buffers instead of one
// per term: fresh memory costs a page fault per 4 KiB on first write, which cost more
// than the gradients themselves.
func (s Sinkhorn) evalTerms(features []float64, n, d int, terms []term) (float64, []float64, []PairTerm) {
	value := 0.0
	grad := make([]float64, n*d)
	infos := make([]PairTerm, len(terms))
	var (
		mu      sync.Mutex
		results = make([]*SinkhornResult, len(terms)) // solved, not yet added
		next    int                                   // first term not yet added
		free    [][]float64                           // buffers of added terms
	)
	take := func(size int) []float64 {
		mu.Lock()
		defer mu.Unlock()
		for k, b := range free {
			if cap(b) >= size {
				free[k] = free[len(free)-1]
				free = free[:len(free)-1]
				b = b[:size]
				clear(b)
				return b
			}
		}
		return make([]float64, size)
	}
	parallelFor(len(terms), func(t int) {
		tm := terms[t]
		x, y := cloud{features, tm.x, d}, cloud{features, tm.y, d}
		a := uniform(len(tm.x))
		b := uniform(len(tm.y))
		diameter := -1.0
		if tm.xBox != nil && tm.yBox != nil {
			diameter = tm.xBox.unionDiagonal(*tm.yBox)
		}
		pr := s.newPair(x, len(tm.x), y, len(tm.y), a, b, !tm.yDetached, tm.gm, diameter)
		var gradY []float64
		if !tm.yDetached {
			gradY = take(len(tm.y) * d)
		}
		r := pr.resultInto(!tm.yDetached, take(len(tm.x)*d), gradY)

		mu.Lock()
		defer mu.Unlock()
		results[t] = &r
		for ; next < len(terms) && results[next] != nil; next++ {
			tm, r := terms[next], results[next]
			value += tm.weight * r.Value
			addRows(grad, d, tm.x, r.GradX, tm.weight)
			free = append(free, r.GradX)
			if !tm.yDetached {
				addRows(grad, d, tm.y, r.GradY, tm.weight)
				free = append(free, r.GradY)
			}
			infos[next] = tm.info
			infos[next].Value = r.Value
			infos[next].Iterations = r.Iterations
			infos[next].Diameter = r.Diameter
			results[next] = nil
		}
	})
	return value, grad, infos
}

func addRows(grad []float64, d int, rows []int, g []float64, w float64) {
	for i, r := range rows {
		axpy(grad[r*d:(r+1)*d], w, g[i*d:(i+1)*d])
	}
}

func uniform(n int) []float64 {
	u := make([]float64, n)
	for i := range u {
		u[i] = 1 / float64(n)
	}
	return u
}

// lossConfig is what the fairness losses share.
type lossConfig struct {
	Blur                  float64
	P                     int
	Scaling               float64
	MinSamplesPerSubgroup int
	NumSubgroups          int
	ExtraIterations       int
}

func (c lossConfig) sinkhorn() Sinkhorn {
	return Sinkhorn{P: c.P, Blur: c.Blur, Scaling: c.Scaling, ExtraIterations: c.ExtraIterations}
}

func (c lossConfig) validate() error {
	if err := c.sinkhorn().validate(); err != nil {
		return err
	}
	if c.MinSamplesPerSubgroup < 1 {
		return fmt.Errorf("min_samples_per_subgroup = %d: want >= 1: %w", c.MinSamplesPerSubgroup, ErrParameter)
	}
	if c.NumSubgroups < 1 {
		return fmt.Errorf("num_subgroups = %d: want >= 1: %w", c.NumSubgroups, ErrParameter)
	}
	return nil
}

// checkBatch validates the feature matrix and the per-row subgroup ids (-1 unknown).
func (c lossConfig) checkBatch(features []float64, n, d int, subgroups []int) error {
	if n <= 0 {
		return fmt.Errorf("features: %d rows: %w", n, ErrEmpty)
	}
	if d <= 0 {
		return fmt.Errorf("features: dimension %d: want >= 1: %w", d, ErrDimension)
	}
	if len(features) != n*d {
		return fmt.Errorf("features: %d values for %d rows of dimension %d: %w", len(features), n, d, ErrDimension)
	}
	for k, v := range features {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("features[%d][%d] = %v: %w", k/d, k%d, v, ErrNonFinite)
		}
	}
	if len(subgroups) != n {
		return fmt.Errorf("subgroups: %d values for %d rows: %w", len(subgroups), n, ErrDimension)
	}
	for i, g := range subgroups {
		if g < -1 || g >= c.NumSubgroups {
			return fmt.Errorf("subgroups[%d] = %d: want -1 (unknown) or 0..%d: %w", i, g, c.NumSubgroups-1, ErrParameter)
		}
	}
	return nil
}

// groupRows splits rows (in batch order) by subgroup; ids outside 0..K-1 are ignored.
func groupRows(rows, subgroups []int, k int) [][]int {
	out := make([][]int, k)
	for _, r := range rows {
		if g := subgroups[r]; g >= 0 && g < k {
			out[g] = append(out[g], r)
		}
	}
	return out
}

// validGroups returns the subgroups with at least min rows, recording the others
// (present but too small) in skipped.
func validGroups(groups [][]int, minRows, class int, skipped *[]SkippedSubgroup) []int {
	var valid []int
	for g, rows := range groups {
		switch {
		case len(rows) >= minRows:
			valid = append(valid, g)
		case len(rows) > 0:
			*skipped = append(*skipped, SkippedSubgroup{Class: class, Subgroup: g, Count: len(rows),
				Reason: fmt.Sprintf("fewer than %d samples", minRows)})
		}
	}
	return valid
}

// pairTerms returns one term per unordered pair of valid subgroups (ascending ids),
// both truncated to the first min(n_i, n_j) rows in batch order.
// The bounding box of the first m rows of a subgroup is computed once and shared.
func pairTerms(features []float64, d int, groups [][]int, valid []int, class int, gm *gram) []term {
	boxes := map[[2]int]*box{}
	boxFor := func(g, m int) *box {
		if b, ok := boxes[[2]int{g, m}]; ok {
			return b
		}
		b := boxOf(cloud{features, groups[g][:m], d}, m)
		boxes[[2]int{g, m}] = &b
		return &b
	}
	var out []term
	for i, gi := range valid {
		for _, gj := range valid[i+1:] {
			m := min(len(groups[gi]), len(groups[gj]))
			out = append(out, term{
				x: groups[gi][:m], y: groups[gj][:m], gm: gm,
				info: PairTerm{Class: class, A: gi, B: gj, M: m},
				xBox: boxFor(gi, m), yBox: boxFor(gj, m),
			})
		}
	}
	return out
}
