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
//
// NewSubgroupLabelSampler balances over (subgroup, label) cells instead (a
// fairclip addition): the same walk over up to 16 cells, so that every batch
// holds real and fake samples of every subgroup that has them.
type SubgroupSampler struct {
	cells   [][]int // sample indices per cell (subgroup, or 2*subgroup+label), ascending
	valid   []int   // non-empty cells, ascending
	byLabel bool
	perCell int
	batches int
	seed    int64
}

// NewSubgroupSampler indexes subgroups (one entry per sample, 0..7 or -1) and
// returns a sampler for batches of batchSize. It fails when no subgroup is known,
// when a subgroup id is out of range, or when an epoch would have 0 batches
// (the smallest non-empty subgroup has fewer than batchSize//n_valid samples).
func NewSubgroupSampler(subgroups []int, batchSize int, seed int64) (*SubgroupSampler, error) {
	return newCellSampler(subgroups, nil, batchSize, seed)
}

// NewSubgroupLabelSampler is NewSubgroupSampler over (subgroup, label) cells: every
// batch takes max(1, batchSize//n_valid_cells) samples from each non-empty cell
// (labels 0 real, 1 fake); an epoch has as many batches as the subgroup sampler's,
// min over subgroups of size // what a batch takes from it, so a rare cell that
// runs out is reshuffled within the epoch (oversampled). With
// per-cell counts of at least fairness_loss.min_samples_per_subgroup, the per-class
// subgroup terms of the fairness loss are defined in every batch for every
// subgroup with both classes; the batches are class-balanced whatever the
// training set's class ratio.
func NewSubgroupLabelSampler(subgroups, labels []int, batchSize int, seed int64) (*SubgroupSampler, error) {
	if len(labels) != len(subgroups) {
		return nil, fmt.Errorf("subgroup-label sampler: %d labels for %d samples", len(labels), len(subgroups))
	}
	return newCellSampler(subgroups, labels, batchSize, seed)
}

func newCellSampler(subgroups, labels []int, batchSize int, seed int64) (*SubgroupSampler, error) {
	if batchSize < 1 {
		return nil, fmt.Errorf("subgroup sampler: batch size %d must be positive", batchSize)
	}
	s := &SubgroupSampler{seed: seed, byLabel: labels != nil}
	n := NumSubgroups
	if s.byLabel {
		n = 2 * NumSubgroups
	}
	s.cells = make([][]int, n)
	for i, g := range subgroups {
		switch {
		case g == -1:
			continue
		case g < 0 || g >= NumSubgroups:
			return nil, fmt.Errorf("subgroup sampler: sample %d has subgroup %d, want 0..%d or -1", i, g, NumSubgroups-1)
		}
		c := g
		if s.byLabel {
			if l := labels[i]; l != 0 && l != 1 {
				return nil, fmt.Errorf("subgroup-label sampler: sample %d has label %d, want 0 or 1", i, l)
			}
			c = 2*g + labels[i]
		}
		s.cells[c] = append(s.cells[c], i)
	}
	smallest := -1
	for c := range s.cells {
		if k := len(s.cells[c]); k > 0 {
			s.valid = append(s.valid, c)
			if smallest < 0 || k < smallest {
				smallest = k
			}
		}
	}
	if len(s.valid) == 0 {
		return nil, fmt.Errorf("subgroup sampler: none of the %d samples has a known subgroup", len(subgroups))
	}
	s.perCell = max(1, batchSize/len(s.valid))
	s.batches = smallest / s.perCell
	if s.byLabel {
		// As many batches as the subgroup sampler would draw: the smallest subgroup
		// // what a batch takes from it. A cell that runs out within the epoch (the
		// rarer class of a subgroup) is reshuffled: rare cells are oversampled.
		s.batches = -1
		for _, g := range s.ValidSubgroups() {
			n, per := 0, 0
			for l := range 2 {
				if k := len(s.cells[2*g+l]); k > 0 {
					n += k
					per += s.perCell
				}
			}
			if s.batches < 0 || n/per < s.batches {
				s.batches, smallest = n/per, n
			}
		}
	}
	if s.batches == 0 {
		unit := "subgroup"
		if s.byLabel {
			unit = "subgroup and label"
		}
		return nil, fmt.Errorf("subgroup sampler: 0 batches per epoch: the smallest %s has %d samples "+
			"but each batch needs %d per %s (batch %d over %d non-empty cells %s); "+
			"lower the batch size or add data", unit, smallest, s.perCell, unit, batchSize, len(s.valid), s.sizes())
	}
	return s, nil
}

func (s *SubgroupSampler) cellName(c int) string {
	if !s.byLabel {
		return SubgroupName(c)
	}
	return SubgroupName(c/2) + "/" + [2]string{"real", "fake"}[c%2]
}

func (s *SubgroupSampler) sizes() string {
	out := "["
	for i, c := range s.valid {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s:%d", s.cellName(c), len(s.cells[c]))
	}
	return out + "]"
}

// BatchesPerEpoch is the smallest non-empty subgroup's size // what a batch
// takes from it.
func (s *SubgroupSampler) BatchesPerEpoch() int { return s.batches }

// PerSubgroup is the number of samples each batch takes from each valid
// subgroup: PerCell(), times the subgroup's non-empty labels for a
// subgroup-label sampler (the largest such count).
func (s *SubgroupSampler) PerSubgroup() int {
	if !s.byLabel {
		return s.perCell
	}
	most := 0
	for _, g := range s.ValidSubgroups() {
		k := 0
		for l := range 2 {
			if len(s.cells[2*g+l]) > 0 {
				k++
			}
		}
		most = max(most, k)
	}
	return most * s.perCell
}

// PerCell is the number of samples each batch takes from each non-empty cell.
func (s *SubgroupSampler) PerCell() int { return s.perCell }

// ByLabel reports whether the cells are (subgroup, label) pairs.
func (s *SubgroupSampler) ByLabel() bool { return s.byLabel }

// ValidSubgroups lists the non-empty subgroups in ascending order.
func (s *SubgroupSampler) ValidSubgroups() []int {
	var out []int
	for _, c := range s.valid {
		g := c
		if s.byLabel {
			g = c / 2
		}
		if len(out) == 0 || out[len(out)-1] != g {
			out = append(out, g)
		}
	}
	return out
}

// BatchSize is the size of every batch: PerCell() * the number of non-empty cells.
func (s *SubgroupSampler) BatchSize() int { return s.perCell * len(s.valid) }

// Epoch returns the batches (sample indices) of the given epoch. The result
// depends only on the sampler's seed and epoch.
func (s *SubgroupSampler) Epoch(epoch int) [][]int {
	rng := NewRand(s.seed, 0x5b5a, int64(epoch))
	order := make([][]int, len(s.cells))
	pos := make([]int, len(s.cells))
	for _, c := range s.valid {
		order[c] = shuffledCopy(rng, s.cells[c])
	}
	out := make([][]int, s.batches)
	for b := range out {
		batch := make([]int, 0, s.BatchSize())
		for _, c := range s.valid {
			if pos[c]+s.perCell > len(order[c]) {
				// Ran out: start a fresh shuffled pass, as the reference does.
				order[c] = shuffledCopy(rng, s.cells[c])
				pos[c] = 0
			}
			// A (subgroup, label) cell smaller than its share of a batch takes
			// whole shuffled passes until the share is filled.
			for need := s.perCell; need > 0; {
				if pos[c] == len(order[c]) {
					order[c] = shuffledCopy(rng, s.cells[c])
					pos[c] = 0
				}
				k := min(need, len(order[c])-pos[c])
				batch = append(batch, order[c][pos[c]:pos[c]+k]...)
				pos[c] += k
				need -= k
			}
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
