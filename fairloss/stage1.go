package fairloss

import (
	"fmt"
	"math/rand/v2"
)

// Stage1 configures the Stage 1 fairness losses, which do not split by class: the
// global form (each subgroup against a random sample of the detached batch) and the
// pairwise form (every pair of subgroups).
type Stage1 struct {
	Blur                  float64
	P                     int
	Scaling               float64
	MinSamplesPerSubgroup int
	NumSubgroups          int
	// ExtraIterations is passed to Sinkhorn (0, the default, reproduces geomloss).
	ExtraIterations int
}

// Global is the original's FairnessLoss: for each subgroup with at least
// MinSamplesPerSubgroup rows (n_g of them), the divergence between its rows and n_g rows
// drawn without replacement from the whole batch (all rows, unknown subgroups included;
// the whole batch in order when n_g equals the batch size), the sample being detached:
// no gradient flows through it. The loss is the mean over those subgroups. The sample
// is drawn from a PCG generator seeded with seed (one permutation per subgroup, in
// subgroup order), so a (batch, seed) pair always gives the same value; torch's
// randperm stream is not reproduced.
func (s Stage1) Global(features []float64, n, d int, subgroups []int, seed uint64) (LossResult, error) {
	b, err := s.batch(features, n, d, subgroups)
	if err != nil {
		return LossResult{}, err
	}
	cfg, all, groups, valid, bd := b.cfg, b.all, b.groups, b.valid, b.bd
	if len(valid) == 0 {
		bd.Pairs = []PairTerm{}
		bd.Reason = fmt.Sprintf("no subgroup has at least %d samples", s.MinSamplesPerSubgroup)
		return LossResult{Grad: make([]float64, n*d), Breakdown: bd}, nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	gm := newGram(features, n, d, all)
	var terms []term
	for _, g := range valid {
		m := len(groups[g])
		ref := all
		if n > m {
			ref = rng.Perm(n)[:m]
		}
		terms = append(terms, term{
			x: groups[g], y: ref, gm: gm, yDetached: true,
			weight: 1 / float64(len(valid)),
			info:   PairTerm{Class: -1, A: g, B: -1, M: m},
		})
	}
	res := LossResult{Defined: true}
	res.Value, res.Grad, bd.Pairs = cfg.sinkhorn().evalTerms(features, n, d, terms)
	bd.NumPairs = len(bd.Pairs)
	res.Breakdown = bd
	return res, nil
}

// Pairwise is the original's PairwiseFairnessLoss: the mean divergence over every
// unordered pair of subgroups (ascending ids) with at least MinSamplesPerSubgroup rows,
// both truncated to the first min(n_i, n_j) rows in batch order. Undefined (0) with
// fewer than two such subgroups.
func (s Stage1) Pairwise(features []float64, n, d int, subgroups []int) (LossResult, error) {
	b, err := s.batch(features, n, d, subgroups)
	if err != nil {
		return LossResult{}, err
	}
	cfg, groups, valid, bd := b.cfg, b.groups, b.valid, b.bd
	if len(valid) < 2 {
		bd.Pairs = []PairTerm{}
		bd.Reason = fmt.Sprintf("%d subgroup(s) with at least %d samples, need 2", len(valid), s.MinSamplesPerSubgroup)
		return LossResult{Grad: make([]float64, n*d), Breakdown: bd}, nil
	}
	var used []int
	for _, g := range valid {
		used = append(used, groups[g]...)
	}
	terms := pairTerms(features, d, groups, valid, -1, newGram(features, n, d, used))
	for i := range terms {
		terms[i].weight = 1 / float64(len(terms))
	}
	res := LossResult{Defined: true}
	res.Value, res.Grad, bd.Pairs = cfg.sinkhorn().evalTerms(features, n, d, terms)
	bd.NumPairs = len(bd.Pairs)
	res.Breakdown = bd
	return res, nil
}

// stage1Batch is a checked batch grouped by subgroup.
type stage1Batch struct {
	cfg    lossConfig
	all    []int   // 0..n-1
	groups [][]int // rows per subgroup
	valid  []int   // subgroups with at least MinSamplesPerSubgroup rows
	bd     Breakdown
}

// batch validates the parameters and the batch and groups its rows by subgroup.
func (s Stage1) batch(features []float64, n, d int, subgroups []int) (stage1Batch, error) {
	b := stage1Batch{cfg: lossConfig(s)}
	if err := b.cfg.validate(); err != nil {
		return b, err
	}
	if err := b.cfg.checkBatch(features, n, d, subgroups); err != nil {
		return b, err
	}
	b.all = make([]int, n)
	for i := range b.all {
		b.all[i] = i
	}
	b.groups = groupRows(b.all, subgroups, s.NumSubgroups)
	b.valid = validGroups(b.groups, s.MinSamplesPerSubgroup, -1, &b.bd.Skipped)
	b.bd.Skipped = emptyIfNilS(b.bd.Skipped)
	return b, nil
}
