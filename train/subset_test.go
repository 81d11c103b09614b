package train

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/fairclip/fairclip/data"
)

// TestBalanceSamplingShrinksTrainingSet checks that use_balance_sampling reaches the
// trainer: the plan counts the balanced subset (real == fake within each subgroup).
func TestBalanceSamplingShrinksTrainingSet(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Training.NumEpochs = 1
	o := tinyOptions(t, cfg)
	o.DryRun = true
	full, err := o.Source.Split("train", "ff++")
	if err != nil {
		t.Fatal(err)
	}
	want, err := data.BalanceIndices(labelsOf(full), subgroupsOf(full), data.BalanceWithinSubgroup, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) >= full.Len() {
		t.Fatalf("synthetic tiny train set is already balanced (%d of %d): test is vacuous", len(want), full.Len())
	}
	for _, balanced := range []bool{false, true} {
		o.Config.Dataset.UseBalanceSampling = balanced
		var out bytes.Buffer
		o.Out = &out
		if _, err := Run(context.Background(), o); err != nil {
			t.Fatalf("dry run: %v\n%s", err, out.String())
		}
		m := regexp.MustCompile(`train (\d+) samples`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no training sample count in the plan:\n%s", out.String())
		}
		got, _ := strconv.Atoi(m[1])
		exp := full.Len()
		if balanced {
			exp = len(want)
		}
		if got != exp {
			t.Errorf("balanced=%v: plan has %d training samples, want %d", balanced, got, exp)
		}
	}
	sub := newSubset(full, want)
	for g := 0; g < 8; g++ {
		var real, fake int
		for i := 0; i < sub.Len(); i++ {
			if sub.Subgroup(i) == g {
				if sub.Label(i) == 1 {
					fake++
				} else {
					real++
				}
			}
		}
		if real != fake && real > 0 && fake > 0 {
			t.Errorf("subgroup %d: %d real vs %d fake after balancing", g, real, fake)
		}
	}
}

// fakeStoredSplit records the rows asked of its stored Stage 1 outputs.
type fakeStoredSplit struct {
	Split
	asked []int
}

func (f *fakeStoredSplit) Stage1Stored() []string { return []string{"a1"} }
func (f *fakeStoredSplit) Stage1Rows(id string, idx, views []int, dst []float32) (bool, error) {
	f.asked = append(f.asked, idx...)
	return id == "a1", nil
}

func TestSubsetPassesStoredStage1Through(t *testing.T) {
	src, err := NewSynthetic("tiny", 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	full, err := src.Split("train", "ff++")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeStoredSplit{Split: full}
	sub := newSubset(f, []int{5, 2, 9})
	st, ok := sub.(stage1Store)
	if !ok {
		t.Fatal("balanced subset of a store split hides its Stage 1 outputs")
	}
	if ok, err := st.Stage1Rows("a1", []int{0, 2}, []int{0, 0}, make([]float32, 16)); !ok || err != nil {
		t.Fatalf("Stage1Rows = %v, %v", ok, err)
	}
	if len(f.asked) != 2 || f.asked[0] != 5 || f.asked[1] != 9 {
		t.Errorf("subset asked the store for rows %v, want [5 9]", f.asked)
	}
	if _, ok := newSubset(full, []int{1}).(stage1Store); ok {
		t.Error("subset of a split without stored outputs claims to have them")
	}
}
