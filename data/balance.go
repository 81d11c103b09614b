package data

import "fmt"

// Balance names the reference's dataset-level balancing of the training set,
// applied once before batching (dataset.use_subgroup_balance wins over
// dataset.use_balance_sampling, as in the reference).
type Balance int

const (
	// BalanceNone keeps every sample.
	BalanceNone Balance = iota
	// BalanceWithinSubgroup (use_balance_sampling) keeps, in each subgroup with
	// both classes, min(real, fake) samples of each class; subgroups lacking a
	// class and unknown subgroups are dropped.
	BalanceWithinSubgroup
	// BalanceAcrossSubgroups (use_subgroup_balance) keeps k real and k fake
	// samples from every subgroup with both classes, k = the smallest
	// min(real, fake) over those subgroups.
	BalanceAcrossSubgroups
)

// BalanceFromConfig maps the two config switches to a Balance.
func BalanceFromConfig(useBalanceSampling, useSubgroupBalance bool) Balance {
	switch {
	case useSubgroupBalance:
		return BalanceAcrossSubgroups
	case useBalanceSampling:
		return BalanceWithinSubgroup
	}
	return BalanceNone
}

func (b Balance) String() string {
	switch b {
	case BalanceNone:
		return "none"
	case BalanceWithinSubgroup:
		return "within-subgroup (use_balance_sampling)"
	case BalanceAcrossSubgroups:
		return "across-subgroups (use_subgroup_balance)"
	}
	return fmt.Sprintf("Balance(%d)", int(b))
}

// BalanceIndices returns the indices of the samples kept by mode, in a shuffled
// order deterministic from seed (the reference shuffles the kept samples too).
// With BalanceNone it returns 0..n-1 in order. When no subgroup has both
// classes the reference keeps the dataset unchanged; so does BalanceIndices.
func BalanceIndices(labels, subgroups []int, mode Balance, seed int64) ([]int, error) {
	if len(labels) != len(subgroups) {
		return nil, fmt.Errorf("balance: %d labels but %d subgroups", len(labels), len(subgroups))
	}
	all := make([]int, len(labels))
	for i := range all {
		all[i] = i
	}
	if mode == BalanceNone {
		return all, nil
	}
	if mode != BalanceWithinSubgroup && mode != BalanceAcrossSubgroups {
		return nil, fmt.Errorf("balance: unknown mode %d", int(mode))
	}
	var real, fake [NumSubgroups][]int
	for i, y := range labels {
		g := subgroups[i]
		if g < 0 || g >= NumSubgroups {
			continue
		}
		switch y {
		case 0:
			real[g] = append(real[g], i)
		case 1:
			fake[g] = append(fake[g], i)
		default:
			return nil, fmt.Errorf("balance: sample %d has label %d, want 0 or 1", i, y)
		}
	}
	k := -1 // per-class count for BalanceAcrossSubgroups
	for g := range NumSubgroups {
		if m := min(len(real[g]), len(fake[g])); m > 0 && (k < 0 || m < k) {
			k = m
		}
	}
	if k < 0 {
		return all, nil
	}
	rng := NewRand(seed, 0x6261, int64(mode))
	var kept []int
	for g := range NumSubgroups {
		m := min(len(real[g]), len(fake[g]))
		if m == 0 {
			continue
		}
		if mode == BalanceAcrossSubgroups {
			m = k
		}
		kept = append(kept, shuffledCopy(rng, real[g])[:m]...)
		kept = append(kept, shuffledCopy(rng, fake[g])[:m]...)
	}
	rng.Shuffle(len(kept), func(i, j int) { kept[i], kept[j] = kept[j], kept[i] })
	return kept, nil
}

// BalanceSamples applies BalanceIndices to samples.
func BalanceSamples(samples []Sample, mode Balance, seed int64) ([]Sample, error) {
	labels := make([]int, len(samples))
	groups := make([]int, len(samples))
	for i, s := range samples {
		labels[i], groups[i] = s.Label, s.Subgroup
	}
	idx, err := BalanceIndices(labels, groups, mode, seed)
	if err != nil {
		return nil, err
	}
	out := make([]Sample, len(idx))
	for i, j := range idx {
		out[i] = samples[j]
	}
	return out, nil
}
