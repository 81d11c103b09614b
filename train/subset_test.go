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
	sub := subsetSplit{Split: full, keep: want}
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
