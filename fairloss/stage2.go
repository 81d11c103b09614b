package fairloss

import "fmt"

// Stage2 is the Stage 2 fairness loss (the original's Stage2FairnessLoss): within each
// class, the mean debiased Sinkhorn divergence over all pairs of subgroups, averaged
// over the classes where it is defined.
type Stage2 struct {
	Blur                  float64
	P                     int
	Scaling               float64
	MinSamplesPerSubgroup int
	NumSubgroups          int
	// ExtraIterations is passed to Sinkhorn (0, the default, reproduces geomloss).
	ExtraIterations int
}

// Loss computes the loss on the n×d row-major feature matrix with per-row labels
// (0 real, 1 fake) and subgroups (0..NumSubgroups-1, -1 unknown). For each class with
// at least 2*MinSamplesPerSubgroup rows, the subgroups with at least
// MinSamplesPerSubgroup rows form every unordered pair (ascending ids), each truncated to
// the first min(n_i, n_j) rows in batch order; the class loss is the mean over its
// pairs, and the loss the mean over classes with at least one pair. When no class has
// a pair the loss is undefined: Value 0, zero gradient, Defined false and the reason in
// the breakdown. Malformed input is an error.
func (s Stage2) Loss(features []float64, n, d int, labels, subgroups []int) (Stage2Result, error) {
	cfg := lossConfig(s)
	if err := cfg.validate(); err != nil {
		return Stage2Result{}, err
	}
	if err := cfg.checkBatch(features, n, d, subgroups); err != nil {
		return Stage2Result{}, err
	}
	if len(labels) != n {
		return Stage2Result{}, fmt.Errorf("labels: %d values for %d rows: %w", len(labels), n, ErrDimension)
	}
	var byClass [2][]int
	for i, l := range labels {
		if l != 0 && l != 1 {
			return Stage2Result{}, fmt.Errorf("labels[%d] = %d: want 0 or 1: %w", i, l, ErrParameter)
		}
		byClass[l] = append(byClass[l], i)
	}

	var bd Breakdown
	var classTerms [2][]term
	validClasses := 0
	for c, rows := range byClass {
		ct := ClassTerm{Class: c, Samples: len(rows), Subgroups: []int{}}
		if len(rows) < 2*s.MinSamplesPerSubgroup {
			ct.Reason = fmt.Sprintf("%d samples, fewer than 2*min_samples_per_subgroup = %d", len(rows), 2*s.MinSamplesPerSubgroup)
			bd.Classes = append(bd.Classes, ct)
			continue
		}
		groups := groupRows(rows, subgroups, s.NumSubgroups)
		valid := validGroups(groups, s.MinSamplesPerSubgroup, c, &bd.Skipped)
		ct.Subgroups = append(ct.Subgroups, valid...)
		if len(valid) < 2 {
			ct.Reason = fmt.Sprintf("%d subgroup(s) with at least %d samples, need 2", len(valid), s.MinSamplesPerSubgroup)
			bd.Classes = append(bd.Classes, ct)
			continue
		}
		var used []int
		for _, g := range valid {
			used = append(used, groups[g]...)
		}
		classTerms[c] = pairTerms(features, d, groups, valid, c, newGram(features, n, d, used))
		ct.NumPairs = len(classTerms[c])
		ct.Defined = true
		validClasses++
		bd.Classes = append(bd.Classes, ct)
	}

	var terms []term
	for c := range classTerms {
		for _, t := range classTerms[c] {
			t.weight = 1 / float64(len(classTerms[c])*validClasses)
			terms = append(terms, t)
		}
	}
	res := Stage2Result{Defined: validClasses > 0}
	if !res.Defined {
		res.Grad = make([]float64, n*d)
		bd.Pairs, bd.Skipped = emptyIfNil(bd.Pairs), emptyIfNilS(bd.Skipped)
		bd.Reason = "no class has two subgroups with enough samples"
		res.Breakdown = bd
		return res, nil
	}
	res.Value, res.Grad, bd.Pairs = cfg.sinkhorn().evalTerms(features, n, d, terms)
	bd.NumPairs = len(bd.Pairs)
	for i := range bd.Classes {
		ct := &bd.Classes[i]
		if !ct.Defined {
			continue
		}
		sum := 0.0
		for _, p := range bd.Pairs {
			if p.Class == ct.Class {
				sum += p.Value
			}
		}
		ct.Value = sum / float64(ct.NumPairs)
	}
	bd.Skipped = emptyIfNilS(bd.Skipped)
	res.Breakdown = bd
	return res, nil
}

func emptyIfNil(p []PairTerm) []PairTerm {
	if p == nil {
		return []PairTerm{}
	}
	return p
}

func emptyIfNilS(s []SkippedSubgroup) []SkippedSubgroup {
	if s == nil {
		return []SkippedSubgroup{}
	}
	return s
}
