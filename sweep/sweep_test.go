package sweep

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
)

const testSpace = `
base: exp.yaml
params:
  loss_weighting.lambda_fair: {grid: [0.15, 0.2, 0.3]}
  fairness_loss.sinkhorn_blur: {choice: [1.0e-4, 3.0e-4]}
objectives:
  val_auc: max
  val_f_meo: min
`

func TestParseSpaceAndGrid(t *testing.T) {
	s, err := ParseSpace([]byte(testSpace))
	if err != nil {
		t.Fatal(err)
	}
	if s.Sampler != "grid" || s.Trials != 6 {
		t.Fatalf("sampler %q trials %d, want grid 6", s.Sampler, s.Trials)
	}
	want := []map[string]any{}
	for _, l := range []float64{0.15, 0.2, 0.3} {
		for _, b := range []float64{1e-4, 3e-4} {
			want = append(want, map[string]any{"loss_weighting.lambda_fair": l, "fairness_loss.sinkhorn_blur": b})
		}
	}
	for i := 0; i < 6; i++ {
		if got := GridPoint(s.Params, i); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("grid point %d = %v, want %v", i, got, want[i])
		}
	}
	if got := SetArgs(want[1]); !reflect.DeepEqual(got, []string{"fairness_loss.sinkhorn_blur=0.0003", "loss_weighting.lambda_fair=0.15"}) {
		t.Errorf("SetArgs = %v", got)
	}
}

func TestParseSpaceErrors(t *testing.T) {
	cases := map[string]string{
		"no base":         "params: {a: {grid: [1]}}\nobjectives: {val_auc: max}\n",
		"no params":       "base: x.yaml\nobjectives: {val_auc: max}\n",
		"bad kind":        "base: x.yaml\nparams: {a: {normal: [1, 2]}}\nobjectives: {val_auc: max}\n",
		"bad bounds":      "base: x.yaml\nparams: {a: {uniform: [2, 1]}}\nobjectives: {val_auc: max}\ntrials: 3\n",
		"loguniform zero": "base: x.yaml\nparams: {a: {loguniform: [0, 1]}}\nobjectives: {val_auc: max}\ntrials: 3\n",
		"bad direction":   "base: x.yaml\nparams: {a: {grid: [1]}}\nobjectives: {val_auc: up}\n",
		"bad objective":   "base: x.yaml\nparams: {a: {grid: [1]}}\nobjectives: {val_aux: max}\n",
		"unknown key":     "base: x.yaml\nparams: {a: {grid: [1]}}\nobjectives: {val_auc: max}\nsampler_: grid\n",
		"no trials":       "base: x.yaml\nparams: {a: {uniform: [0, 1]}}\nobjectives: {val_auc: max}\n",
		"grid of uniform": "base: x.yaml\nparams: {a: {uniform: [0, 1]}}\nobjectives: {val_auc: max}\nsampler: grid\ntrials: 2\n",
	}
	for name, doc := range cases {
		if _, err := ParseSpace([]byte(doc)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func continuousSpace(t *testing.T, sampler string) *Space {
	t.Helper()
	s, err := ParseSpace([]byte(fmt.Sprintf(`
base: exp.yaml
sampler: %s
trials: 30
seed: 7
params:
  lr: {loguniform: [1.0e-5, 1.0e-2]}
  lambda: {uniform: [0.1, 0.3]}
  heads: {int: [1, 16]}
  sched: {choice: [WarmupCosine, CosineAnnealingWarmRestarts]}
objectives:
  val_auc: max
  val_f_meo: min
`, sampler)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeHistory makes completed trials with objective values from a known function.
func fakeHistory(t *testing.T, s *Space, n int) []Trial {
	smp, err := NewSampler(s)
	if err != nil {
		t.Fatal(err)
	}
	var hist []Trial
	for id := 0; id < n; id++ {
		p, err := smp.Propose(id, hist)
		if err != nil {
			t.Fatal(err)
		}
		lambda := p["lambda"].(float64)
		vals := []float64{0.9 - lambda, 0.5 - lambda}
		hist = append(hist, Trial{ID: id, State: StateComplete, Params: p, Values: vals[:len(s.Objectives)]})
	}
	return hist
}

func TestSamplersDeterministicAndInBounds(t *testing.T) {
	for _, name := range []string{"random", "tpe", "nsga2"} {
		s := continuousSpace(t, name)
		a := fakeHistory(t, s, 25)
		b := fakeHistory(t, s, 25)
		for i := range a {
			if !reflect.DeepEqual(a[i].Params, b[i].Params) {
				t.Fatalf("%s: trial %d differs between identical runs: %v vs %v", name, i, a[i].Params, b[i].Params)
			}
			p := a[i].Params
			lr, lambda, heads := p["lr"].(float64), p["lambda"].(float64), p["heads"].(int)
			if lr < 1e-5 || lr > 1e-2 || lambda < 0.1 || lambda > 0.3 || heads < 1 || heads > 16 {
				t.Fatalf("%s: trial %d out of bounds: %v", name, i, p)
			}
			if sc := p["sched"]; sc != "WarmupCosine" && sc != "CosineAnnealingWarmRestarts" {
				t.Fatalf("%s: bad choice %v", name, sc)
			}
		}
		s.Seed = 8
		c := fakeHistory(t, s, 3)
		if reflect.DeepEqual(a[0].Params, c[0].Params) {
			t.Errorf("%s: a different seed gave the same first trial", name)
		}
	}
}

func TestTPEConcentratesOnGoodRegion(t *testing.T) {
	// Both objectives prefer small lambda; after start-up, TPE's proposals should have a
	// lower mean lambda than uniform random (0.2).
	s := continuousSpace(t, "tpe")
	s.Objectives = s.Objectives[:1]
	hist := fakeHistory(t, s, 30)
	var sum float64
	for _, tr := range hist[15:] {
		sum += tr.Params["lambda"].(float64)
	}
	if mean := sum / 15; mean >= 0.17 {
		t.Errorf("TPE mean lambda over trials 15-29 = %.3f, want < 0.17 (random would be 0.2)", mean)
	}
}

func TestParetoFrontHandMade(t *testing.T) {
	objs := []Objective{{"val_auc", Maximize}, {"val_f_meo", Minimize}}
	pts := [][]float64{
		{0.80, 0.90}, // 0: front
		{0.82, 0.95}, // 1: front
		{0.79, 0.92}, // 2: dominated by 0
		{0.75, 0.60}, // 3: front
		{0.82, 0.96}, // 4: dominated by 1
		{0.70, 0.60}, // 5: dominated by 3
		{math.NaN(), 0.1},
	}
	var trials []Trial
	for i, v := range pts {
		trials = append(trials, Trial{ID: i, State: StateComplete, Values: v})
	}
	trials = append(trials, Trial{ID: 7, State: StateFailed, Values: []float64{0.99, 0.01}})
	var ids []int
	for _, tr := range ParetoFront(trials, objs) {
		ids = append(ids, tr.ID)
	}
	if !reflect.DeepEqual(ids, []int{0, 1, 3}) {
		t.Errorf("front = %v, want [0 1 3]", ids)
	}
	fronts := NonDominatedSort(trials[:6], objs)
	if !reflect.DeepEqual(fronts, [][]int{{0, 1, 3}, {2, 4, 5}}) {
		t.Errorf("fronts = %v", fronts)
	}
	if b, _ := Best(trials, objs, 1); b.ID != 3 {
		t.Errorf("best f_meo trial = %d, want 3", b.ID)
	}
}

func TestPruneRules(t *testing.T) {
	deg := func(flags ...bool) []EpochPoint {
		var out []EpochPoint
		for i, f := range flags {
			out = append(out, EpochPoint{Epoch: i + 1, Degenerate: f, Val: map[string]float64{"auc": 0.5}})
		}
		return out
	}
	rule := Pruning{DegenerateEpochs: 3}
	if stop, _ := PruneDecision(rule, deg(true, true, true), nil); stop {
		t.Error("3 degenerate epochs with limit 3 must not prune")
	}
	if stop, why := PruneDecision(rule, deg(true, true, true, true), nil); !stop {
		t.Error("4 degenerate epochs with limit 3 must prune")
	} else if why == "" {
		t.Error("prune without reason")
	}
	if stop, _ := PruneDecision(rule, deg(true, true, false, true, true, false), nil); stop {
		t.Error("non-consecutive degenerate epochs must not prune")
	}

	curve := func(vals ...float64) []EpochPoint {
		var out []EpochPoint
		for i, v := range vals {
			out = append(out, EpochPoint{Epoch: i + 1, Val: map[string]float64{"auc": v, "eer": 1 - v}})
		}
		return out
	}
	med := Pruning{Median: true, MedianMetric: "auc", MinEpochs: 2, MinTrials: 3}
	done := [][]EpochPoint{curve(0.6, 0.7, 0.8), curve(0.6, 0.72, 0.8), curve(0.6, 0.74, 0.8)}
	if stop, _ := PruneDecision(med, curve(0.6, 0.71), done); !stop {
		t.Error("auc 0.71 below median 0.72 at epoch 2 must prune")
	}
	if stop, _ := PruneDecision(med, curve(0.6, 0.73), done); stop {
		t.Error("auc 0.73 above median must not prune")
	}
	if stop, _ := PruneDecision(med, curve(0.1), done); stop {
		t.Error("median rule must wait for MinEpochs")
	}
	if stop, _ := PruneDecision(med, curve(0.6, 0.1), done[:2]); stop {
		t.Error("median rule must wait for MinTrials completed trials")
	}
	medEER := med
	medEER.MedianMetric = "eer"
	if stop, _ := PruneDecision(medEER, curve(0.6, 0.71), done); !stop {
		t.Error("eer 0.29 above median eer 0.28 must prune (lower is better)")
	}
}

func TestStoreConcurrentWriters(t *testing.T) {
	path := StorePath(t.TempDir())
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			st, err := OpenStore(path) // separate connections, as separate processes would
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			for i := 0; i < each; i++ {
				id := w*each + i
				tr := Trial{ID: id, State: StateComplete, Params: map[string]any{"w": w, "i": i},
					Values: []float64{float64(id), math.NaN()}}
				if err := st.Put(tr); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("%d trials stored, want %d", len(got), writers*each)
	}
	for i, tr := range got {
		if tr.ID != i || tr.Values[0] != float64(i) || !math.IsNaN(tr.Values[1]) {
			t.Fatalf("trial %d read back as %+v", i, tr)
		}
	}
}
