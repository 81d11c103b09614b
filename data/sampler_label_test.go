package data

import (
	"strings"
	"testing"
)

// labelledGroups builds subgroup and label lists with real[g] real and fake[g] fake
// samples of subgroup g, interleaved.
func labelledGroups(real, fake [NumSubgroups]int) (groups, labels []int) {
	for more := true; more; {
		more = false
		for g := range NumSubgroups {
			if real[g] > 0 {
				groups, labels = append(groups, g), append(labels, 0)
				real[g]--
				more = true
			}
			if fake[g] > 0 {
				groups, labels = append(groups, g), append(labels, 1)
				fake[g]--
				more = true
			}
		}
	}
	return groups, labels
}

func TestSubgroupLabelSamplerComposition(t *testing.T) {
	tests := []struct {
		name        string
		real, fake  [NumSubgroups]int
		batch       int
		wantPerCell int
		wantBatches int
	}{
		// The quickstart's tiny ff++ train: 20% real, 9 and 7 reals in the Black
		// subgroups, 35 images in the smallest.
		{"tiny ff++ batch 64", [8]int{16, 160, 9, 26, 51, 197, 7, 14}, [8]int{62, 642, 37, 105, 202, 789, 28, 55}, 64, 4, 4},
		{"tiny ff++ batch 32", [8]int{16, 160, 9, 26, 51, 197, 7, 14}, [8]int{62, 642, 37, 105, 202, 789, 28, 55}, 32, 2, 8},
		// A subgroup without reals: its fake cell alone, the epoch from its size.
		{"one class missing", [8]int{0, 10, 10, 10, 10, 10, 10, 10}, [8]int{6, 10, 10, 10, 10, 10, 10, 10}, 30, 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			groups, labels := labelledGroups(tc.real, tc.fake)
			s, err := NewSubgroupLabelSampler(groups, labels, tc.batch, 7)
			if err != nil {
				t.Fatal(err)
			}
			if s.PerCell() != tc.wantPerCell || s.BatchesPerEpoch() != tc.wantBatches || !s.ByLabel() {
				t.Fatalf("per cell %d, batches %d, by label %v; want %d, %d, true", s.PerCell(), s.BatchesPerEpoch(), s.ByLabel(), tc.wantPerCell, tc.wantBatches)
			}
			for epoch := 1; epoch <= 3; epoch++ {
				batches := s.Epoch(epoch)
				if len(batches) != tc.wantBatches {
					t.Fatalf("epoch %d: %d batches", epoch, len(batches))
				}
				for _, b := range batches {
					if len(b) != s.BatchSize() {
						t.Fatalf("batch of %d, want %d", len(b), s.BatchSize())
					}
					var cells [NumSubgroups][2]int
					seen := map[int]bool{}
					for _, i := range b {
						if seen[i] {
							t.Fatalf("sample %d twice in one batch", i)
						}
						seen[i] = true
						cells[groups[i]][labels[i]]++
					}
					for g := range NumSubgroups {
						for l, n := range []int{tc.real[g], tc.fake[g]} {
							want := tc.wantPerCell
							if n == 0 {
								want = 0
							}
							if cells[g][l] != want {
								t.Fatalf("subgroup %d label %d: %d in the batch, want %d", g, l, cells[g][l], want)
							}
						}
					}
				}
			}
			again, _ := NewSubgroupLabelSampler(groups, labels, tc.batch, 7)
			if got, want := again.Epoch(2), s.Epoch(2); !equalBatches(got, want) {
				t.Error("not deterministic from the seed and epoch")
			}
		})
	}
}

func equalBatches(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func TestSubgroupLabelSamplerBadInput(t *testing.T) {
	for _, tc := range []struct {
		name           string
		groups, labels []int
		batch          int
		want           string
	}{
		{"label count", []int{0, 1}, []int{0}, 4, "1 labels for 2 samples"},
		{"label value", []int{0, 1}, []int{0, 2}, 4, "label 2"},
		{"subgroup", []int{0, 9}, []int{0, 1}, 4, "subgroup 9"},
		{"no known subgroup", []int{-1, -1}, []int{0, 1}, 4, "none of the 2 samples"},
		{"too few", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, 16, "0 batches per epoch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSubgroupLabelSampler(tc.groups, tc.labels, tc.batch, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestSubgroupLabelSamplerCellSmallerThanShare: a cell with fewer samples than its
// share of a batch (10 reals of a subgroup, 16 per cell at batch 256) fills the
// share from whole shuffled passes instead of slicing past its end (this panicked).
func TestSubgroupLabelSamplerCellSmallerThanShare(t *testing.T) {
	groups, labels := labelledGroups([8]int{10, 40, 10, 40, 40, 40, 7, 40}, [8]int{40, 40, 40, 40, 40, 40, 28, 40})
	s, err := NewSubgroupLabelSampler(groups, labels, 256, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.PerCell() != 16 || s.BatchesPerEpoch() != 1 {
		t.Fatalf("per cell %d, batches %d; want 16, 1", s.PerCell(), s.BatchesPerEpoch())
	}
	for epoch := 1; epoch <= 3; epoch++ {
		counts := map[int]int{}
		for _, b := range s.Epoch(epoch) {
			if len(b) != s.BatchSize() {
				t.Fatalf("batch of %d, want %d", len(b), s.BatchSize())
			}
			for _, i := range b {
				counts[i]++
			}
		}
		// Subgroup 6's 7 reals give 16 draws: two full passes and 2 more, so each
		// is drawn 2 or 3 times; every drawn sample of a cell keeps its label.
		var cell [2][8]int
		for i, n := range counts {
			cell[labels[i]][groups[i]] += n
		}
		for g := range 8 {
			if cell[0][g] != 16 || cell[1][g] != 16 {
				t.Fatalf("epoch %d subgroup %d: %d real and %d fake draws, want 16 each", epoch, g, cell[0][g], cell[1][g])
			}
		}
		for i, n := range counts {
			if groups[i] == 6 && labels[i] == 0 && (n < 2 || n > 3) {
				t.Fatalf("epoch %d: real sample %d of subgroup 6 drawn %d times, want 2 or 3", epoch, i, n)
			}
		}
	}
}
