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
