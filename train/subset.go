package train

// subsetSplit is a view of the samples keep of another split, in that order: the
// dataset-level balancing of `use_balance_sampling` / `use_subgroup_balance`.
type subsetSplit struct {
	Split
	keep []int
}

func (s subsetSplit) Len() int           { return len(s.keep) }
func (s subsetSplit) Label(i int) int    { return s.Split.Label(s.keep[i]) }
func (s subsetSplit) Subgroup(i int) int { return s.Split.Subgroup(s.keep[i]) }
func (s subsetSplit) Video(i int) string { return s.Split.Video(s.keep[i]) }
func (s subsetSplit) ID(i int) string    { return s.Split.ID(s.keep[i]) }
func (s subsetSplit) Rows(idx, views []int, dst []float32) error {
	mapped := make([]int, len(idx))
	for j, i := range idx {
		mapped[j] = s.keep[i]
	}
	return s.Split.Rows(mapped, views, dst)
}

// subsetStage1 is a subset of a split whose feature store holds Stage 1 outputs: it
// passes them through with the indices mapped.
type subsetStage1 struct {
	*subsetSplit
	store stage1Store
}

func (s subsetStage1) Stage1Stored() []string { return s.store.Stage1Stored() }

func (s subsetStage1) Stage1Rows(identity string, idx, views []int, dst []float32) (bool, error) {
	mapped := make([]int, len(idx))
	for j, i := range idx {
		mapped[j] = s.keep[i]
	}
	return s.store.Stage1Rows(identity, mapped, views, dst)
}

// newSubset returns the balanced view of s, keeping its stored Stage 1 outputs usable.
func newSubset(s Split, keep []int) Split {
	sub := &subsetSplit{Split: s, keep: keep}
	if st, ok := s.(stage1Store); ok {
		return &subsetStage1{subsetSplit: sub, store: st}
	}
	return sub
}
