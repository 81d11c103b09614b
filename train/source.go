package train

import (
	"fmt"
)

// Split is one dataset split as the trainer sees it: per-sample annotations and the
// CLIP embeddings (one or more augmented views per sample).
type Split interface {
	Len() int
	Dim() int
	Label(i int) int    // 0 real, 1 fake
	Subgroup(i int) int // 0..7 (race + 4*female), -1 unknown
	Video(i int) string
	ID(i int) string // sample path or id (the score CSVs' path column)
	// Views is the number of stored views per sample (1 without augmentation).
	Views() int
	// Rows writes the embedding of sample idx[j], view views[j], into
	// dst[j*Dim:(j+1)*Dim].
	Rows(idx, views []int, dst []float32) error
}

// Source opens splits by name: split is "train", "val" or "test"; dataset is a
// dataset name from the configuration ("ff++", "celebdf", ...).
type Source interface {
	Split(split, dataset string) (Split, error)
	// Describe names the source in logs (e.g. "synthetic features (tiny)").
	Describe() string
}

// labelsOf and subgroupsOf collect a split's annotations.
func labelsOf(s Split) []int {
	out := make([]int, s.Len())
	for i := range out {
		out[i] = s.Label(i)
	}
	return out
}

func subgroupsOf(s Split) []int {
	out := make([]int, s.Len())
	for i := range out {
		out[i] = s.Subgroup(i)
	}
	return out
}

// checkSplit rejects splits the trainer cannot use.
func checkSplit(s Split, name string, dim int) error {
	if s.Len() == 0 {
		return fmt.Errorf("%s: no samples", name)
	}
	if s.Dim() != dim {
		return fmt.Errorf("%s: features have %d dimensions, model.feature_dim is %d", name, s.Dim(), dim)
	}
	if s.Views() < 1 {
		return fmt.Errorf("%s: %d views per sample", name, s.Views())
	}
	for i := range s.Len() {
		if l := s.Label(i); l != 0 && l != 1 {
			return fmt.Errorf("%s: sample %d (%s) has label %d, want 0 or 1", name, i, s.ID(i), l)
		}
	}
	return nil
}
