package synth

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestFeaturesShapeAndNormalization(t *testing.T) {
	fs, err := Features(FeatureOptions{Dataset: "ff++", Split: "train", N: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if fs.Dim != 768 || fs.Len() != 1000 || len(fs.Features) != 1000*768 {
		t.Fatalf("dim %d len %d features %d", fs.Dim, fs.Len(), len(fs.Features))
	}
	for i := range fs.Len() {
		var ss float64
		for _, v := range fs.Row(i) {
			ss += float64(v) * float64(v)
		}
		if math.Abs(ss-1) > 1e-5 {
			t.Fatalf("row %d has squared norm %v", i, ss)
		}
	}
	// Proportions follow FFPPTrainCounts; 20% real by default for train.
	var per [8]int
	real := 0
	ids := map[string]bool{}
	for i, g := range fs.Subgroups {
		per[g]++
		if fs.Labels[i] == 0 {
			real++
		}
		if ids[fs.IDs[i]] {
			t.Fatalf("duplicate id %s", fs.IDs[i])
		}
		ids[fs.IDs[i]] = true
		if !strings.HasPrefix(fs.IDs[i], fs.Videos[i]+"/") {
			t.Fatalf("id %s not under video %s", fs.IDs[i], fs.Videos[i])
		}
	}
	want := [8]int{32, 334, 19, 55, 105, 411, 15, 29}
	if per != want {
		t.Errorf("subgroup counts %v, want %v", per, want)
	}
	if real < 190 || real > 210 {
		t.Errorf("%d real rows of 1000, want about 200", real)
	}
}

func TestFeaturesCountsAndSplits(t *testing.T) {
	tests := []struct {
		split    string
		realFrac float64
		wantReal int
	}{
		{"val", 0, 84},
		{"test", 0, 50},
		{"realtrain", 0, 100},
		{"fakeval", 0, 0},
		{"train", 0.5, 50},
	}
	for _, tc := range tests {
		fs, err := Features(FeatureOptions{Dataset: "dfd", Split: tc.split, Counts: [8]int{50, 50}, RealFraction: tc.realFrac, Dim: 16})
		if err != nil {
			t.Fatal(err)
		}
		real := 0
		for _, y := range fs.Labels {
			if y == 0 {
				real++
			}
		}
		if fs.Len() != 100 || real != tc.wantReal {
			t.Errorf("%s: len %d real %d, want 100 and %d", tc.split, fs.Len(), real, tc.wantReal)
		}
	}
}

func TestFeaturesErrors(t *testing.T) {
	tests := []struct {
		name string
		opts FeatureOptions
		want string
	}{
		{"dataset", FeatureOptions{Dataset: "x", Split: "test", N: 10}, "unknown dataset"},
		{"split", FeatureOptions{Dataset: "dfd", Split: "x", N: 10}, "unknown split"},
		{"empty", FeatureOptions{Dataset: "dfd", Split: "test"}, "all zero"},
		{"negative count", FeatureOptions{Dataset: "dfd", Split: "test", Counts: [8]int{-1}}, "negative count"},
		{"fraction", FeatureOptions{Dataset: "dfd", Split: "test", N: 5, RealFraction: 2}, "real fraction"},
		{"dim", FeatureOptions{Dataset: "dfd", Split: "test", N: 5, Dim: 3}, "dim 3"},
		{"difficulty", FeatureOptions{Dataset: "dfd", Split: "test", N: 5, Difficulty: -1}, "difficulty"},
	}
	for _, tc := range tests {
		_, err := Features(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestFeaturesDeterminism(t *testing.T) {
	opts := FeatureOptions{Dataset: "celebdf", Split: "test", N: 5000, Dim: 32, Seed: 9}
	a, _ := Features(opts)
	b, _ := Features(opts)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different sets")
	}
	opts.Seed = 10
	c, _ := Features(opts)
	if reflect.DeepEqual(a.Features, c.Features) {
		t.Fatal("different seeds gave the same features")
	}
}

// TestFeaturesStructure checks what the trainer relies on: a direction learned
// on ff++ separates ff++ well, the test datasets less well, and the rare,
// low-visibility subgroups less well than the majority.
func TestFeaturesStructure(t *testing.T) {
	train, err := Features(FeatureOptions{Dataset: "ff++", Split: "train", N: 8000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	w := meanDifference(train)
	val, _ := Features(FeatureOptions{Dataset: "ff++", Split: "val", N: 4000, Seed: 2})
	inDomain := rankAUC(project(val, w, nil), val.Labels)
	if inDomain < 0.85 {
		t.Errorf("ff++ val AUC %.3f, want >= 0.85", inDomain)
	}
	for _, ds := range []string{"celebdf", "dfd", "dfdc"} {
		test, _ := Features(FeatureOptions{Dataset: ds, Split: "test", N: 4000, Seed: 3})
		auc := rankAUC(project(test, w, nil), test.Labels)
		t.Logf("%s AUC %.3f (ff++ val %.3f)", ds, auc, inDomain)
		if auc >= inDomain-0.05 || auc < 0.55 {
			t.Errorf("%s AUC %.3f, want in [0.55, %.3f)", ds, auc, inDomain-0.05)
		}
	}
	// Subgroup gap: female-black (visibility 0.5) vs male-white (1.0).
	bal, _ := Features(FeatureOptions{Dataset: "ff++", Split: "test", Counts: [8]int{0, 1000, 0, 0, 0, 0, 1000, 0}, Seed: 4})
	var mw, fb []int
	for i, g := range bal.Subgroups {
		if g == 1 {
			mw = append(mw, i)
		} else {
			fb = append(fb, i)
		}
	}
	aucMW := rankAUC(project(bal, w, mw), pick(bal.Labels, mw))
	aucFB := rankAUC(project(bal, w, fb), pick(bal.Labels, fb))
	if aucMW-aucFB < 0.05 {
		t.Errorf("male-white AUC %.3f vs female-black %.3f: want a gap of at least 0.05", aucMW, aucFB)
	}
}

func meanDifference(fs *FeatureSet) []float64 {
	w := make([]float64, fs.Dim)
	var n [2]float64
	for _, y := range fs.Labels {
		n[y]++
	}
	for i, y := range fs.Labels {
		sign := 1 / n[1]
		if y == 0 {
			sign = -1 / n[0]
		}
		for k, v := range fs.Row(i) {
			w[k] += sign * float64(v)
		}
	}
	return w
}

func project(fs *FeatureSet, w []float64, rows []int) []float64 {
	if rows == nil {
		rows = make([]int, fs.Len())
		for i := range rows {
			rows[i] = i
		}
	}
	out := make([]float64, len(rows))
	for j, i := range rows {
		for k, v := range fs.Row(i) {
			out[j] += w[k] * float64(v)
		}
	}
	return out
}

func pick(xs []int, idx []int) []int {
	out := make([]int, len(idx))
	for j, i := range idx {
		out[j] = xs[i]
	}
	return out
}

// rankAUC is the Mann-Whitney AUC with average ranks for ties (test helper).
func rankAUC(scores []float64, labels []int) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	ranks := make([]float64, len(scores))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		for k := i; k < j; k++ {
			ranks[idx[k]] = float64(i+j+1) / 2
		}
		i = j
	}
	var sumPos, nPos, nNeg float64
	for i, y := range labels {
		if y == 1 {
			sumPos += ranks[i]
			nPos++
		} else {
			nNeg++
		}
	}
	return (sumPos - nPos*(nPos+1)/2) / (nPos * nNeg)
}

func BenchmarkFeaturesFFPPTrain(b *testing.B) {
	for b.Loop() {
		if _, err := Features(FeatureOptions{Dataset: "ff++", Split: "train", Counts: FFPPTrainCounts, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
