package train

import (
	"testing"

	"github.com/fairclip/fairclip/config"
)

// TestNewSampler: dataset.subgroup_sampler_by_label switches the trainer's sampler to
// (subgroup, label) cells, whose batches hold both classes of every subgroup.
func TestNewSampler(t *testing.T) {
	src, err := NewSynthetic("tiny", 16, 7)
	if err != nil {
		t.Fatal(err)
	}
	train, err := src.Split("train", "ff++")
	if err != nil {
		t.Fatal(err)
	}
	for _, byLabel := range []bool{false, true} {
		cfg := config.Default()
		cfg.Dataset.SubgroupSamplerByLabel = byLabel
		s, err := newSampler(cfg, train, 64)
		if err != nil {
			t.Fatalf("by label %v: %v", byLabel, err)
		}
		if s.ByLabel() != byLabel {
			t.Errorf("by label %v: sampler by label %v", byLabel, s.ByLabel())
		}
		for _, b := range s.Epoch(1) {
			var real, fake [8]int
			for _, i := range b {
				if train.Label(i) == 0 {
					real[train.Subgroup(i)]++
				} else {
					fake[train.Subgroup(i)]++
				}
			}
			for g := range 8 {
				if byLabel && (real[g] != s.PerCell() || fake[g] != s.PerCell()) {
					t.Fatalf("by label: subgroup %d has %d real and %d fake in a batch, want %d each", g, real[g], fake[g], s.PerCell())
				}
				if !byLabel && real[g]+fake[g] != s.PerSubgroup() {
					t.Fatalf("subgroup %d has %d samples in a batch, want %d", g, real[g]+fake[g], s.PerSubgroup())
				}
			}
		}
	}
}
