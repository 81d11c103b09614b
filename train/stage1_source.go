package train

import (
	"fmt"

	"github.com/fairclip/fairclip/data/synth"
)

// stage1Synthetic serves the synthetic face-attribute training sets of a Stage 1
// run (balanced subgroups, the race and gender structure of the synthetic
// deepfake features) and delegates validation splits to the deepfake source.
type stage1Synthetic struct {
	base *Synthetic
}

// stage1SyntheticPerSubgroup sizes the attribute sets per synthetic preset.
var stage1SyntheticPerSubgroup = map[string]int{"tiny": 48, "small": 500, "ffpp": 5000}

func (s stage1Synthetic) Describe() string {
	return fmt.Sprintf("synthetic attribute features (%s) + %s", s.base.Name, s.base.Describe())
}

func (s stage1Synthetic) Split(split, dataset string) (Split, error) {
	if split != "train" {
		return s.base.Split(split, dataset)
	}
	n := stage1SyntheticPerSubgroup[s.base.Name]
	if s.base.Size.TrainPerSubgroup > 0 {
		n = s.base.Size.TrainPerSubgroup
	}
	if n == 0 {
		n = 48
	}
	var counts [8]int
	for g := range counts {
		counts[g] = n
	}
	fs, err := synth.AttributeFeatures(synth.AttributeFeatureOptions{Dataset: dataset, Counts: counts, Dim: s.base.Dim,
		Seed: s.base.Seed + 11, StructureSeed: s.base.Seed})
	if err != nil {
		return nil, fmt.Errorf("synthetic attribute features %s: %w", dataset, err)
	}
	return &synthSplit{fs: fs}, nil
}

// stage1Source returns the source Stage 1 reads: a synthetic deepfake source
// gains the attribute training sets.
func stage1Source(src Source) Source {
	if s, ok := src.(*Synthetic); ok {
		return stage1Synthetic{base: s}
	}
	return src
}

// concatSplit joins the splits of several attribute datasets.
type concatSplit struct {
	parts  []Split
	starts []int
	n      int
}

func newConcatSplit(parts []Split) *concatSplit {
	c := &concatSplit{parts: parts}
	for _, p := range parts {
		c.starts = append(c.starts, c.n)
		c.n += p.Len()
	}
	return c
}

func (c *concatSplit) at(i int) (Split, int) {
	k := len(c.starts) - 1
	for k > 0 && c.starts[k] > i {
		k--
	}
	return c.parts[k], i - c.starts[k]
}

func (c *concatSplit) Len() int           { return c.n }
func (c *concatSplit) Dim() int           { return c.parts[0].Dim() }
func (c *concatSplit) Views() int         { return c.parts[0].Views() }
func (c *concatSplit) Label(i int) int    { p, j := c.at(i); return p.Label(j) }
func (c *concatSplit) Subgroup(i int) int { p, j := c.at(i); return p.Subgroup(j) }
func (c *concatSplit) Video(i int) string { p, j := c.at(i); return p.Video(j) }
func (c *concatSplit) ID(i int) string    { p, j := c.at(i); return p.ID(j) }

func (c *concatSplit) Rows(idx, views []int, dst []float32) error {
	d := c.Dim()
	for j, i := range idx {
		p, k := c.at(i)
		if err := p.Rows([]int{k}, views[j:j+1], dst[j*d:(j+1)*d]); err != nil {
			return err
		}
	}
	return nil
}

// knownRows lists the samples of s with a known subgroup.
func knownRows(s Split) []int {
	var out []int
	for i := range s.Len() {
		if g := s.Subgroup(i); g >= 0 && g < 8 {
			out = append(out, i)
		}
	}
	return out
}
