package metrics

import (
	"math"
	"testing"
)

// A resample is a set of weights; the weighted pass must give exactly what the same samples,
// physically repeated, give. This pins the sort-once bootstrap to the plain metrics.
func TestWeightedPassEqualsReplicatedInput(t *testing.T) {
	for _, perVideo := range []int{0, 4} {
		in := synthetic(240, perVideo, 11)
		p, err := prepare(in)
		if err != nil {
			t.Fatal(err)
		}
		conv, _ := ConventionByName("fairclip")
		rs := newResampler(p.unitLabel, 5)
		w := make([]float64, len(p.unitLabel))
		for r := range 5 {
			rs.weights(r, w)
			var sc scalarScratch
			got := p.scalars(w, make([]float64, len(p.frames.s)), videoBuf(p), conv, 0.5, 10, &sc, nil)

			// Build the resample explicitly: unit u repeated w[u] times, renamed per copy.
			var rep Input
			rep.Groups = []int{}
			if perVideo > 0 {
				rep.Videos = []string{}
			}
			for u, cnt := range w {
				for c := range int(cnt) {
					for i := range in.Scores {
						unit := i
						if perVideo > 0 {
							unit = i / perVideo
						}
						if unit != u {
							continue
						}
						rep.Scores = append(rep.Scores, in.Scores[i])
						rep.Labels = append(rep.Labels, in.Labels[i])
						rep.Groups = append(rep.Groups, in.Groups[i])
						if perVideo > 0 {
							rep.Videos = append(rep.Videos, in.Videos[i]+"#"+string(rune('A'+c)))
						}
					}
				}
			}
			q, err := prepare(rep)
			if err != nil {
				t.Fatal(err)
			}
			want := q.scalars(nil, nil, nil, conv, 0.5, 10, &sc, nil)
			names := scalarNames(perVideo > 0)
			for j := range names {
				if !sameFloat(got[j], want[j]) && math.Abs(got[j]-want[j]) > 1e-12 {
					t.Errorf("videos=%d resample %d %s: weighted %v, replicated %v", perVideo, r, names[j], got[j], want[j])
				}
			}
		}
	}
}

func videoBuf(p *prepared) []float64 {
	if p.videos == nil {
		return nil
	}
	return make([]float64, len(p.videos.s))
}

func TestBootstrapDeterministicAcrossWorkers(t *testing.T) {
	in := synthetic(400, 4, 12)
	var results []Result
	for _, workers := range []int{1, 2, 3} {
		r, err := Evaluate(in, Options{Bootstrap: 40, Seed: 77, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	if results[0].CI.Unit != "video" {
		t.Errorf("unit = %q, want video", results[0].CI.Unit)
	}
	for name, iv := range results[0].CI.Intervals {
		for _, r := range results[1:] {
			if o := r.CI.Intervals[name]; !sameFloat(o.Lo, iv.Lo) || !sameFloat(o.Hi, iv.Hi) {
				t.Errorf("%s: %+v vs %+v with other worker counts", name, iv, o)
			}
		}
	}
	other, err := Evaluate(in, Options{Bootstrap: 40, Seed: 78})
	if err != nil {
		t.Fatal(err)
	}
	if other.CI.Intervals["auc"] == results[0].CI.Intervals["auc"] {
		t.Errorf("seeds 77 and 78 give the same AUC interval")
	}
}

func TestBootstrapIntervalsCoverEstimate(t *testing.T) {
	in := synthetic(2000, 0, 13)
	r, err := Evaluate(in, Options{Bootstrap: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.CI.Unit != "sample" || len(r.CI.Intervals) != len(scalarNames(false)) {
		t.Fatalf("CI unit %q with %d intervals", r.CI.Unit, len(r.CI.Intervals))
	}
	for name, v := range map[string]float64{"auc": r.AUC, "acc": r.ACC, "eer": r.EER, "ap": r.AP} {
		iv := r.CI.Intervals[name]
		if !(iv.Lo < v && v < iv.Hi) || iv.Hi-iv.Lo > 0.15 || iv.Undefined != 0 {
			t.Errorf("%s = %v, interval %+v", name, v, iv)
		}
	}
}

func TestPercentileMatchesNumpyLinear(t *testing.T) {
	sorted := []float64{1, 2, 4, 8}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {1, 8}, {0.5, 3}, {0.025, 1.075}, {0.975, 7.7}} {
		if got := percentile(sorted, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("percentile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if !math.IsNaN(percentile(nil, 0.5)) {
		t.Error("percentile of nothing should be NaN")
	}
}
