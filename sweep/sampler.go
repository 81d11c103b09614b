package sweep

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Sampler proposes the parameters of trial id given the trials known so far.
// Proposals are deterministic given (space seed, id, history).
type Sampler interface {
	Propose(id int, history []Trial) (map[string]any, error)
}

// NewSampler returns the sampler the space names.
func NewSampler(s *Space) (Sampler, error) {
	switch s.Sampler {
	case "grid":
		return gridSampler{s}, nil
	case "random":
		return randomSampler{s}, nil
	case "tpe":
		return &tpeSampler{space: s, startup: max(5, 2*len(s.Params)), gamma: 0.25, candidates: 24}, nil
	case "nsga2":
		return &nsgaSampler{space: s, population: max(4, min(16, s.Trials/3))}, nil
	}
	return nil, fmt.Errorf("sampler %q: unknown", s.Sampler)
}

func trialRNG(seed int64, id int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(id)*0x9E3779B97F4A7C15+1))
}

type gridSampler struct{ s *Space }

func (g gridSampler) Propose(id int, _ []Trial) (map[string]any, error) {
	if id >= GridSize(g.s.Params) {
		return nil, fmt.Errorf("grid has %d points, trial %d is past its end", GridSize(g.s.Params), id)
	}
	return GridPoint(g.s.Params, id), nil
}

type randomSampler struct{ s *Space }

func (r randomSampler) Propose(id int, _ []Trial) (map[string]any, error) {
	rng := trialRNG(r.s.Seed, id)
	pt := make(map[string]any, len(r.s.Params))
	for _, p := range r.s.Params {
		if isCategorical(p) {
			pt[p.Key] = p.Vals[rng.IntN(len(p.Vals))]
		} else {
			pt[p.Key] = fromUnit(p, rng.Float64())
		}
	}
	return pt, nil
}

func isCategorical(p Param) bool { return p.Kind == "grid" || p.Kind == "choice" }

// toUnit maps a numeric parameter value into [0,1] (log scale for loguniform).
func toUnit(p Param, v any) float64 {
	x, err := toFloat(v)
	if err != nil {
		return 0.5
	}
	var u float64
	switch p.Kind {
	case "loguniform":
		u = (math.Log(x) - math.Log(p.Lo)) / (math.Log(p.Hi) - math.Log(p.Lo))
	case "int":
		u = (x - p.Lo + 0.5) / (p.Hi - p.Lo + 1)
	default:
		u = (x - p.Lo) / (p.Hi - p.Lo)
	}
	return math.Min(1, math.Max(0, u))
}

// fromUnit maps u in [0,1] back to a parameter value.
func fromUnit(p Param, u float64) any {
	u = math.Min(1, math.Max(0, u))
	switch p.Kind {
	case "loguniform":
		return math.Exp(math.Log(p.Lo) + u*(math.Log(p.Hi)-math.Log(p.Lo)))
	case "int":
		v := math.Floor(p.Lo + u*(p.Hi-p.Lo+1))
		return int(math.Min(p.Hi, v))
	default:
		return p.Lo + u*(p.Hi-p.Lo)
	}
}

func categoryIndex(p Param, v any) int {
	for i, c := range p.Vals {
		if fmt.Sprint(c) == fmt.Sprint(v) {
			return i
		}
	}
	return -1
}

// completedTrials returns trials with every objective finite.
func completedTrials(history []Trial, nobj int) []Trial {
	var out []Trial
	for _, t := range history {
		if t.State != StateComplete || len(t.Values) != nobj {
			continue
		}
		ok := true
		for _, v := range t.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				ok = false
			}
		}
		if ok {
			out = append(out, t)
		}
	}
	return out
}

// rankOrder orders trials best first: by non-dominated front, then crowding distance
// (larger first), then id. With one objective this is the plain sort by value.
func rankOrder(trials []Trial, objs []Objective) []Trial {
	fronts := NonDominatedSort(trials, objs)
	var out []Trial
	for _, f := range fronts {
		members := make([]Trial, len(f))
		for i, idx := range f {
			members[i] = trials[idx]
		}
		crowd := crowding(members, objs)
		order := make([]int, len(members))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			if crowd[order[a]] != crowd[order[b]] {
				return crowd[order[a]] > crowd[order[b]]
			}
			return members[order[a]].ID < members[order[b]].ID
		})
		for _, i := range order {
			out = append(out, members[i])
		}
	}
	return out
}

// tpeSampler is a tree-structured Parzen estimator with independent per-parameter
// densities; with several objectives the "good" set is taken in non-dominated order.
type tpeSampler struct {
	space      *Space
	startup    int
	gamma      float64
	candidates int
}

func (t *tpeSampler) Propose(id int, history []Trial) (map[string]any, error) {
	done := completedTrials(history, len(t.space.Objectives))
	if len(done) < t.startup {
		return randomSampler{t.space}.Propose(id, history)
	}
	rng := trialRNG(t.space.Seed, id)
	ordered := rankOrder(done, t.space.Objectives)
	nGood := max(1, int(math.Ceil(t.gamma*float64(len(ordered)))))
	good, bad := ordered[:nGood], ordered[nGood:]
	pt := make(map[string]any, len(t.space.Params))
	for _, p := range t.space.Params {
		if isCategorical(p) {
			lw := categoryWeights(p, good)
			gw := categoryWeights(p, bad)
			best, bestScore := 0, math.Inf(-1)
			for c := 0; c < t.candidates; c++ {
				k := sampleWeighted(rng, lw)
				if s := math.Log(lw[k]) - math.Log(gw[k]); s > bestScore {
					best, bestScore = k, s
				}
			}
			pt[p.Key] = p.Vals[best]
			continue
		}
		lx := unitValues(p, good)
		gx := unitValues(p, bad)
		best, bestScore := 0.5, math.Inf(-1)
		for c := 0; c < t.candidates; c++ {
			u := sampleParzen(rng, lx)
			if s := logParzen(u, lx) - logParzen(u, gx); s > bestScore {
				best, bestScore = u, s
			}
		}
		pt[p.Key] = fromUnit(p, best)
	}
	return pt, nil
}

func categoryWeights(p Param, trials []Trial) []float64 {
	w := make([]float64, len(p.Vals))
	for i := range w {
		w[i] = 1 // prior
	}
	for _, t := range trials {
		if k := categoryIndex(p, t.Params[p.Key]); k >= 0 {
			w[k]++
		}
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

func sampleWeighted(rng *rand.Rand, w []float64) int {
	u := rng.Float64()
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

func unitValues(p Param, trials []Trial) []float64 {
	xs := make([]float64, 0, len(trials))
	for _, t := range trials {
		if v, ok := t.Params[p.Key]; ok {
			xs = append(xs, toUnit(p, v))
		}
	}
	return xs
}

// parzenWidth is the kernel width on the unit interval for n observations.
func parzenWidth(n int) float64 {
	return math.Max(0.05, 0.5*math.Pow(float64(n+1), -0.2))
}

// sampleParzen draws from the mixture of a uniform prior (weight 1/(n+1)) and
// Gaussian kernels at xs, reflected into [0,1].
func sampleParzen(rng *rand.Rand, xs []float64) float64 {
	n := len(xs)
	k := rng.IntN(n + 1)
	if k == n {
		return rng.Float64()
	}
	u := xs[k] + rng.NormFloat64()*parzenWidth(n)
	for u < 0 || u > 1 {
		if u < 0 {
			u = -u
		}
		if u > 1 {
			u = 2 - u
		}
	}
	return u
}

func logParzen(u float64, xs []float64) float64 {
	n := len(xs)
	sigma := parzenWidth(n)
	density := 1.0 / float64(n+1) // uniform prior on [0,1]
	for _, x := range xs {
		z := (u - x) / sigma
		density += math.Exp(-0.5*z*z) / (sigma * math.Sqrt(2*math.Pi)) / float64(n+1)
	}
	return math.Log(density)
}

// nsgaSampler proposes children of tournament-selected parents ranked by
// non-dominated sorting and crowding distance (NSGA-II), after a random first population.
type nsgaSampler struct {
	space      *Space
	population int
}

func (s *nsgaSampler) Propose(id int, history []Trial) (map[string]any, error) {
	done := completedTrials(history, len(s.space.Objectives))
	if len(done) < s.population {
		return randomSampler{s.space}.Propose(id, history)
	}
	rng := trialRNG(s.space.Seed, id)
	ordered := rankOrder(done, s.space.Objectives)
	if len(ordered) > 2*s.population {
		ordered = ordered[:2*s.population] // elitist parent pool
	}
	// Binary tournament on rank order: the lower index is better.
	pick := func() Trial {
		a, b := rng.IntN(len(ordered)), rng.IntN(len(ordered))
		return ordered[min(a, b)]
	}
	p1, p2 := pick(), pick()
	mutation := 1.0 / float64(len(s.space.Params))
	pt := make(map[string]any, len(s.space.Params))
	for _, p := range s.space.Params {
		src := p1
		if rng.IntN(2) == 1 {
			src = p2
		}
		v, ok := src.Params[p.Key]
		if !ok {
			return randomSampler{s.space}.Propose(id, history)
		}
		if rng.Float64() < mutation {
			if isCategorical(p) {
				v = p.Vals[rng.IntN(len(p.Vals))]
			} else {
				v = fromUnit(p, toUnit(p, v)+0.15*rng.NormFloat64())
			}
		}
		pt[p.Key] = v
	}
	return pt, nil
}
