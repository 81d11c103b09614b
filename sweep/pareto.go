package sweep

import (
	"math"
	"sort"
)

// better reports whether a is strictly better than b on objective o.
func better(o Objective, a, b float64) bool {
	if o.Direction == Minimize {
		return a < b
	}
	return a > b
}

// Dominates reports whether values a Pareto-dominate b: no worse on every objective and
// strictly better on at least one.
func Dominates(objs []Objective, a, b []float64) bool {
	strictly := false
	for i, o := range objs {
		if better(o, b[i], a[i]) {
			return false
		}
		if better(o, a[i], b[i]) {
			strictly = true
		}
	}
	return strictly
}

// NonDominatedSort returns the fronts (indices into trials) of fast non-dominated
// sorting: front 0 is the Pareto front.
func NonDominatedSort(trials []Trial, objs []Objective) [][]int {
	n := len(trials)
	dominatedBy := make([]int, n)
	dominates := make([][]int, n)
	var fronts [][]int
	var first []int
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			if Dominates(objs, trials[i].Values, trials[j].Values) {
				dominates[i] = append(dominates[i], j)
			} else if Dominates(objs, trials[j].Values, trials[i].Values) {
				dominatedBy[i]++
			}
		}
		if dominatedBy[i] == 0 {
			first = append(first, i)
		}
	}
	cur := first
	for len(cur) > 0 {
		sort.Ints(cur)
		fronts = append(fronts, cur)
		var next []int
		for _, i := range cur {
			for _, j := range dominates[i] {
				dominatedBy[j]--
				if dominatedBy[j] == 0 {
					next = append(next, j)
				}
			}
		}
		cur = next
	}
	return fronts
}

// crowding returns NSGA-II crowding distances of a front (boundary points are +Inf).
func crowding(front []Trial, objs []Objective) []float64 {
	n := len(front)
	d := make([]float64, n)
	if n <= 2 {
		for i := range d {
			d[i] = math.Inf(1)
		}
		return d
	}
	idx := make([]int, n)
	for k := range objs {
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return front[idx[a]].Values[k] < front[idx[b]].Values[k] })
		lo, hi := front[idx[0]].Values[k], front[idx[n-1]].Values[k]
		d[idx[0]], d[idx[n-1]] = math.Inf(1), math.Inf(1)
		if hi == lo {
			continue
		}
		for i := 1; i < n-1; i++ {
			d[idx[i]] += (front[idx[i+1]].Values[k] - front[idx[i-1]].Values[k]) / (hi - lo)
		}
	}
	return d
}

// ParetoFront returns the completed trials on the Pareto front, ordered by id.
func ParetoFront(trials []Trial, objs []Objective) []Trial {
	done := completedTrials(trials, len(objs))
	if len(done) == 0 {
		return nil
	}
	fronts := NonDominatedSort(done, objs)
	out := make([]Trial, 0, len(fronts[0]))
	for _, i := range fronts[0] {
		out = append(out, done[i])
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Best returns the best completed trial on objective k (ties: lowest id), or false.
func Best(trials []Trial, objs []Objective, k int) (Trial, bool) {
	done := completedTrials(trials, len(objs))
	if len(done) == 0 {
		return Trial{}, false
	}
	best := done[0]
	for _, t := range done[1:] {
		if better(objs[k], t.Values[k], best.Values[k]) {
			best = t
		}
	}
	return best, true
}
