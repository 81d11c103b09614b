package data

import (
	"reflect"
	"slices"
	"testing"
)

func TestBalanceIndices(t *testing.T) {
	// subgroup: (real, fake) counts.
	//   0: (5, 2)  1: (3, 6)  2: (4, 0)  3: (0, 0)  -1: (2, 2)
	var labels, groups []int
	add := func(g, real, fake int) {
		for range real {
			labels, groups = append(labels, 0), append(groups, g)
		}
		for range fake {
			labels, groups = append(labels, 1), append(groups, g)
		}
	}
	add(0, 5, 2)
	add(1, 3, 6)
	add(2, 4, 0)
	add(-1, 2, 2)

	tests := []struct {
		mode Balance
		want map[[2]int]int // (subgroup, label) -> count
	}{
		{BalanceNone, map[[2]int]int{{0, 0}: 5, {0, 1}: 2, {1, 0}: 3, {1, 1}: 6, {2, 0}: 4, {-1, 0}: 2, {-1, 1}: 2}},
		{BalanceWithinSubgroup, map[[2]int]int{{0, 0}: 2, {0, 1}: 2, {1, 0}: 3, {1, 1}: 3}},
		{BalanceAcrossSubgroups, map[[2]int]int{{0, 0}: 2, {0, 1}: 2, {1, 0}: 2, {1, 1}: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			idx, err := BalanceIndices(labels, groups, tc.mode, 42)
			if err != nil {
				t.Fatal(err)
			}
			got := map[[2]int]int{}
			for _, i := range idx {
				got[[2]int{groups[i], labels[i]}]++
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			sorted := slices.Clone(idx)
			slices.Sort(sorted)
			if len(slices.Compact(sorted)) != len(idx) {
				t.Fatal("index repeated")
			}
			again, _ := BalanceIndices(labels, groups, tc.mode, 42)
			if !reflect.DeepEqual(idx, again) {
				t.Fatal("not deterministic")
			}
		})
	}
}

func TestBalanceIndicesEdgeCases(t *testing.T) {
	// No subgroup with both classes: unchanged, like the reference.
	idx, err := BalanceIndices([]int{0, 0, 1}, []int{0, 0, 1}, BalanceAcrossSubgroups, 1)
	if err != nil || !reflect.DeepEqual(idx, []int{0, 1, 2}) {
		t.Fatalf("got %v %v, want identity", idx, err)
	}
	if _, err := BalanceIndices([]int{0}, []int{0, 1}, BalanceWithinSubgroup, 1); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := BalanceIndices([]int{2}, []int{0}, BalanceWithinSubgroup, 1); err == nil {
		t.Error("label 2 accepted")
	}
	if _, err := BalanceIndices([]int{0}, []int{0}, Balance(9), 1); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestBalanceFromConfig(t *testing.T) {
	tests := []struct {
		balance, subgroup bool
		want              Balance
	}{
		{false, false, BalanceNone},
		{true, false, BalanceWithinSubgroup},
		{false, true, BalanceAcrossSubgroups},
		{true, true, BalanceAcrossSubgroups},
	}
	for _, tc := range tests {
		if got := BalanceFromConfig(tc.balance, tc.subgroup); got != tc.want {
			t.Errorf("(%v, %v) = %v, want %v", tc.balance, tc.subgroup, got, tc.want)
		}
	}
}

func TestBalanceSamples(t *testing.T) {
	s := []Sample{{Path: "a", Label: 0, Subgroup: 1}, {Path: "b", Label: 1, Subgroup: 1}, {Path: "c", Label: 0, Subgroup: 1}}
	got, err := BalanceSamples(s, BalanceWithinSubgroup, 5)
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v %v", got, err)
	}
	if got[0].Label == got[1].Label {
		t.Fatalf("want one real and one fake, got %v", got)
	}
}
