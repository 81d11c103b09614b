package report

import (
	"slices"
	"testing"

	"github.com/fairclip/fairclip/config"
)

// TestLambdaSeriesGroups: the lambda_fair series is the largest group of runs that
// differ only in lambda_fair, whether or not it holds the baseline; the baseline's
// group wins ties.
func TestLambdaSeriesGroups(t *testing.T) {
	run := func(name string, lambda float64, batch int) *Run {
		c := config.Default()
		c.Logging.ExperimentName = name
		c.LossWeighting.LambdaFair = lambda
		c.Training.TrainBatchSize = batch
		return &Run{Name: name, Config: c, HasConfig: true}
	}
	tests := []struct {
		name      string
		runs      []*Run
		wantIdx   []int
		wantLambs []float64
	}{
		{"series with the baseline", []*Run{run("a", 0.05, 32), run("b", 0.5, 32), run("c", 0, 32), run("d", 0.1, 64)},
			[]int{2, 0, 1}, []float64{0, 0.05, 0.5}},
		{"series without the baseline", []*Run{run("exp1", 0.05, 32), run("s0", 0, 64), run("s1", 0.5, 64), run("s2", 1, 64), run("g", 0.05, 16)},
			[]int{1, 2, 3}, []float64{0, 0.5, 1}},
		{"tie: the baseline's group", []*Run{run("a", 0.05, 32), run("b", 0.5, 32), run("c", 0, 64), run("d", 1, 64)},
			[]int{0, 1}, []float64{0.05, 0.5}},
		{"no series", []*Run{run("a", 0.05, 32), run("b", 0.05, 64), run("c", 0.05, 16)}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := &Report{Runs: tc.runs}
			idx, lams := rep.lambdaSeries()
			if !slices.Equal(idx, tc.wantIdx) || !slices.Equal(lams, tc.wantLambs) {
				t.Errorf("series %v %v, want %v %v", idx, lams, tc.wantIdx, tc.wantLambs)
			}
		})
	}
}
