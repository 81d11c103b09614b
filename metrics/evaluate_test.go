package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestOneClassIsUndefinedNotHalf(t *testing.T) {
	in := Input{Scores: []float64{0.1, 0.4, 0.6, 0.9}, Labels: []int{0, 0, 0, 0}}
	r, err := Evaluate(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]float64{"auc": r.AUC, "ap": r.AP, "eer": r.EER} {
		if !math.IsNaN(v) {
			t.Errorf("%s = %v, want NaN", name, v)
		}
	}
	if r.ACC != 0.5 || r.MajorityShare != 1 || r.PredictedPositiveShare != 0.5 {
		t.Errorf("acc %v majority %v predicted fake %v, want 0.5, 1, 0.5", r.ACC, r.MajorityShare,
			r.PredictedPositiveShare)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"auc":null`, `"ap":null`, `"eer":null`, `"acc":0.5`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON lacks %s: %s", key, data)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
}

func TestEvaluateInputErrors(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		want string
	}{
		{"no samples", Input{}, "no samples"},
		{"label count", Input{Scores: []float64{0.5}, Labels: []int{}}, "0 labels for 1 scores"},
		{"NaN", Input{Scores: []float64{0.5, math.NaN()}, Labels: []int{0, 1}}, `row 2 column "score"`},
		{"label", Input{Scores: []float64{0.5, 0.5}, Labels: []int{0, 3}}, `row 2 column "label"`},
		{"group", Input{Scores: []float64{0.5}, Labels: []int{0}, Groups: []int{9}}, `row 1 column "group"`},
		{"mixed video labels", Input{Scores: []float64{0.5, 0.6}, Labels: []int{0, 1}, Videos: []string{"v", "v"}},
			`row 2 column "label": video "v" has label 1 here but 0 at row 1`},
	}
	for _, c := range cases {
		_, err := Evaluate(c.in, Options{})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrBadInput containing %q", c.name, err, c.want)
		}
	}
	if _, err := Evaluate(Input{Scores: []float64{0.5}, Labels: []int{1}}, Options{Convention: "sklearn"}); err == nil {
		t.Error("unknown convention accepted")
	}
}

// Hand-checked: six samples, two subgroups of three with the threshold splitting them.
func TestFairnessByHand(t *testing.T) {
	in := Input{
		Scores: []float64{0.9, 0.6, 0.2, 0.7, 0.4, 0.1},
		Labels: []int{1, 0, 0, 1, 1, 0},
		Groups: []int{0, 0, 0, 5, 5, 5},
	}
	r, err := Evaluate(in, Options{MinSubgroupSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	// male-asian: FPR 1/2, TPR 1, ACC 2/3, PR 2/3. female-white: FPR 0, TPR 1/2, ACC 2/3, PR 1/3.
	// FPR_all = 1/3. F_FPR = |1/2-1/4| + |0-1/4| = 1/2; F_FPR_overall = 1/6 + 1/3 = 1/2.
	f := r.Fairness.Intersectional
	want := map[string]float64{"f_fpr": 0.5, "f_fpr_overall": 0.5, "f_oae": 0, "f_dp": 1.0 / 3,
		"f_meo": 0.5}
	for name, v := range want {
		if got := f.metric(name); math.Abs(got-v) > 1e-15 {
			t.Errorf("%s = %v, want %v", name, got, v)
		}
	}
	if f.Valid != 2 || !f.Defined {
		t.Errorf("valid = %d, defined %v", f.Valid, f.Defined)
	}
	if g := r.Fairness.Gender; g.Valid != 2 || math.Abs(g.FFPR-0.5) > 1e-15 {
		t.Errorf("gender: valid %d F_FPR %v, want 2 and 0.5", g.Valid, g.FFPR)
	}
	// Default minimum size 10: no valid subgroup, fairness undefined with a reason.
	r, err = Evaluate(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Fairness.Intersectional; f.Defined || f.Reason == "" || !math.IsNaN(f.FFPR) ||
		f.Skipped["male-asian"] != "n=3 < 10" || f.Skipped["male-white"] != "no samples" {
		t.Errorf("small subgroups: %+v", f)
	}
}
