package train

import (
	"fmt"
	"sync"

	"github.com/fairclip/fairclip/data/synth"
)

// SyntheticPresets are the sizes of the synthetic feature sources
// (`--synthetic-features NAME`); ffpp has FF++'s training subgroup sizes.
var SyntheticPresets = map[string]SyntheticSize{
	"tiny":  {TrainPerSubgroup: 48, Val: 256, Test: 192},
	"small": {TrainScale: 0.1, Val: 2500, Test: 1000},
	"ffpp":  {TrainScale: 1, Val: 25000, Test: 5000},
}

// SyntheticSize sets the number of synthetic samples per split.
type SyntheticSize struct {
	TrainPerSubgroup int     // when > 0: this many training samples in every subgroup
	TrainScale       float64 // else: synth.FFPPTrainCounts scaled by this
	Val, Test        int
}

// Synthetic is a Source of synthetic CLIP-like features (data/synth): one view per
// sample, deterministic from Seed.
type Synthetic struct {
	Name string
	Size SyntheticSize
	Dim  int
	Seed int64

	mu    sync.Mutex
	cache map[string]*synthSplit
}

// NewSynthetic returns the synthetic source called preset ("tiny", "small", "ffpp").
func NewSynthetic(preset string, dim int, seed int64) (*Synthetic, error) {
	size, ok := SyntheticPresets[preset]
	if !ok {
		return nil, fmt.Errorf("synthetic features %q: unknown preset; use tiny, small or ffpp", preset)
	}
	return &Synthetic{Name: preset, Size: size, Dim: dim, Seed: seed, cache: map[string]*synthSplit{}}, nil
}

// Describe implements Source.
func (s *Synthetic) Describe() string { return fmt.Sprintf("synthetic features (%s)", s.Name) }

// Split implements Source.
func (s *Synthetic) Split(split, dataset string) (Split, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := split + "/" + dataset
	if sp, ok := s.cache[key]; ok {
		return sp, nil
	}
	opts := synth.FeatureOptions{Dataset: dataset, Split: split, Dim: s.Dim, Seed: s.Seed + splitSeed(split), StructureSeed: s.Seed}
	switch split {
	case "train":
		if s.Size.TrainPerSubgroup > 0 {
			for g := range opts.Counts {
				opts.Counts[g] = s.Size.TrainPerSubgroup
			}
		} else {
			for g, n := range synth.FFPPTrainCounts {
				opts.Counts[g] = max(1, int(float64(n)*s.Size.TrainScale+0.5))
			}
		}
	case "val":
		opts.N = s.Size.Val
	case "test":
		opts.N = s.Size.Test
	default:
		return nil, fmt.Errorf("synthetic features: unknown split %q", split)
	}
	fs, err := synth.Features(opts)
	if err != nil {
		return nil, fmt.Errorf("synthetic features %s/%s: %w", split, dataset, err)
	}
	sp := &synthSplit{fs: fs}
	s.cache[key] = sp
	return sp, nil
}

func splitSeed(split string) int64 {
	switch split {
	case "train":
		return 1
	case "val":
		return 2
	default:
		return 3
	}
}

type synthSplit struct{ fs *synth.FeatureSet }

func (s *synthSplit) Len() int           { return s.fs.Len() }
func (s *synthSplit) Dim() int           { return s.fs.Dim }
func (s *synthSplit) Label(i int) int    { return s.fs.Labels[i] }
func (s *synthSplit) Subgroup(i int) int { return s.fs.Subgroups[i] }
func (s *synthSplit) Video(i int) string { return s.fs.Videos[i] }
func (s *synthSplit) ID(i int) string    { return s.fs.IDs[i] }
func (s *synthSplit) Views() int         { return 1 }
func (s *synthSplit) Rows(idx, views []int, dst []float32) error {
	d := s.fs.Dim
	for j, i := range idx {
		if i < 0 || i >= s.fs.Len() {
			return fmt.Errorf("synthetic %s/%s: sample %d out of range [0, %d)", s.fs.Dataset, s.fs.Split, i, s.fs.Len())
		}
		copy(dst[j*d:(j+1)*d], s.fs.Row(i))
	}
	return nil
}
