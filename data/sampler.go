package data

import (
	"fmt"
	"math/rand/v2"
)

// SubgroupSampler draws subgroup-balanced batches as the reference's
// SubgroupBalancedBatchSampler does: every batch takes batch//n_valid samples
// from each non-empty subgroup (unknown subgroups, -1, are never drawn), each
// subgroup is walked in a shuffled order and reshuffled when it runs out, and
// the batch itself is shuffled. An epoch has smallest_subgroup // per_subgroup
// batches, so each batch holds per_subgroup*n_valid samples (at most batchSize).
type SubgroupSampler struct {
	groups      [NumSubgroups][]int // sample indices per subgroup, ascending
	valid       []int               // non-empty subgroups, ascending
	perSubgroup int
	batches     int
	seed        int64
}

// NewSubgroupSampler indexes subgroups (one entry per sample, 0..7 or -1) and
// returns a sampler for batches of batchSize. It fails when no subgroup is known,
// when a subgroup id is out of range, or when an epoch would have 0 batches
// (the smallest non-empty subgroup has fewer than batchSize//n_valid samples).
func NewSubgroupSampler(subgroups []int, batchSize int, seed int64) (*SubgroupSampler, error) {
	if batchSize < 1 {
		return nil, fmt.Errorf("subgroup sampler: batch size %d must be positive", batchSize)
	}
	s := &SubgroupSampler{seed: seed}
	for i, g := range subgroups {
		switch {
		case g == -1:
			continue
		case g < 0 || g >= NumSubgroups:
			return nil, fmt.Errorf("subgroup sampler: sample %d has subgroup %d, want 0..%d or -1", i, g, NumSubgroups-1)
		}
		s.groups[g] = append(s.groups[g], i)
	}
	smallest := -1
	for g := range s.groups {
		if n := len(s.groups[g]); n > 0 {
			s.valid = append(s.valid, g)
			if smallest < 0 || n < smallest {
				smallest = n
			}
		}
	}
	if len(s.valid) == 0 {
		return nil, fmt.Errorf("subgroup sampler: none of the %d samples has a known subgroup", len(subgroups))
	}
	s.perSubgroup = max(1, batchSize/len(s.valid))
	s.batches = smallest / s.perSubgroup
	if s.batches == 0 {
		return nil, fmt.Errorf("subgroup sampler: 0 batches per epoch: the smallest subgroup has %d samples "+
			"but each batch needs %d per subgroup (batch %d over %d non-empty subgroups %s); "+
			"lower the batch size or add data", smallest, s.perSubgroup, batchSize, len(s.valid), s.sizes())
	}
	return s, nil
}

func (s *SubgroupSampler) sizes() string {
	out := "["
	for i, g := range s.valid {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s:%d", SubgroupName(g), len(s.groups[g]))
	}
	return out + "]"
}

// BatchesPerEpoch is smallest non-empty subgroup size // PerSubgroup().
func (s *SubgroupSampler) BatchesPerEpoch() int { return s.batches }

// PerSubgroup is the number of samples each batch takes from each valid subgroup.
func (s *SubgroupSampler) PerSubgroup() int { return s.perSubgroup }

// ValidSubgroups lists the non-empty subgroups in ascending order.
func (s *SubgroupSampler) ValidSubgroups() []int { return append([]int(nil), s.valid...) }

// BatchSize is the size of every batch: PerSubgroup() * len(ValidSubgroups()).
func (s *SubgroupSampler) BatchSize() int { return s.perSubgroup * len(s.valid) }

// Epoch returns the batches (sample indices) of the given epoch. The result
// depends only on the sampler's seed and epoch.
func (s *SubgroupSampler) Epoch(epoch int) [][]int {
	rng := NewRand(s.seed, 0x5b5a, int64(epoch))
	order := make([][]int, NumSubgroups)
	pos := make([]int, NumSubgroups)
	for _, g := range s.valid {
		order[g] = shuffledCopy(rng, s.groups[g])
	}
	out := make([][]int, s.batches)
	for b := range out {
		batch := make([]int, 0, s.BatchSize())
		for _, g := range s.valid {
			if pos[g]+s.perSubgroup > len(order[g]) {
				// Ran out: start a fresh shuffled pass, as the reference does.
				order[g] = shuffledCopy(rng, s.groups[g])
				pos[g] = 0
			}
			batch = append(batch, order[g][pos[g]:pos[g]+s.perSubgroup]...)
			pos[g] += s.perSubgroup
		}
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		out[b] = batch
	}
	return out
}

func shuffledCopy(rng *rand.Rand, idx []int) []int {
	c := append([]int(nil), idx...)
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c
}

// ShuffledBatches returns a random permutation of 0..n-1 cut into batches of
// batchSize, deterministic from (seed, epoch). With dropLast a final short batch
// is dropped. batchSize < 1 or n < 1 gives no batches.
func ShuffledBatches(n, batchSize int, seed int64, epoch int, dropLast bool) [][]int {
	if n < 1 || batchSize < 1 {
		return nil
	}
	rng := NewRand(seed, 0x5f5f, int64(epoch))
	perm := rng.Perm(n)
	return cutBatches(perm, batchSize, dropLast)
}

// SequentialBatches cuts 0..n-1 in order into batches of batchSize (evaluation).
func SequentialBatches(n, batchSize int) [][]int {
	if n < 1 || batchSize < 1 {
		return nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return cutBatches(idx, batchSize, false)
}

func cutBatches(idx []int, batchSize int, dropLast bool) [][]int {
	var out [][]int
	for start := 0; start < len(idx); start += batchSize {
		end := min(start+batchSize, len(idx))
		if end-start < batchSize && dropLast {
			break
		}
		out = append(out, idx[start:end:end])
	}
	return out
}

// ViewForEpoch picks which of K stored augmented views sample i uses in epoch
// e: hash(seed, e, i) mod K. views < 2 always gives view 0.
func ViewForEpoch(seed int64, epoch, sample, views int) int {
	if views < 2 {
		return 0
	}
	return int(Hash64(seed, 0x7669, int64(epoch), int64(sample)) % uint64(views))
}
