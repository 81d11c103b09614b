package metrics

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchInput returns n samples with scores on a 1e-6 grid (ties, as float32 probabilities
// give), 15% fake, all subgroups and, when perVideo > 0, videos of perVideo frames.
func benchInput(n, perVideo int) Input {
	rng := rand.New(rand.NewPCG(1, 2))
	in := Input{Scores: make([]float64, n), Labels: make([]int, n), Groups: make([]int, n)}
	if perVideo > 0 {
		in.Videos = make([]string, n)
	}
	label, group := 0, 0
	for i := range n {
		if perVideo == 0 || i%perVideo == 0 {
			label, group = 0, rng.IntN(9)-1
			if rng.Float64() < 0.15 {
				label = 1
			}
		}
		s := 0.35 + 0.25*float64(label) + 0.2*rng.NormFloat64()
		in.Scores[i] = math.Round(math.Min(1, math.Max(0, s))*1e6) / 1e6
		in.Labels[i], in.Groups[i] = label, group
		if perVideo > 0 {
			in.Videos[i] = strconv.Itoa(i / perVideo)
		}
	}
	return in
}

// BenchmarkEvaluate1M: every metric (detection, 3 fairness partitions with subgroup tables)
// on 1,000,000 samples, without and with video-level metrics.
func BenchmarkEvaluate1M(b *testing.B) {
	for _, c := range []struct {
		name     string
		perVideo int
	}{{"samples", 0}, {"videos", 10}} {
		in := benchInput(1_000_000, c.perVideo)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Evaluate(in, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBootstrap100k: 1,000 stratified resamples of 100,000 samples on 2 workers, every
// metric per resample (without and with videos of 10 frames).
func BenchmarkBootstrap100k(b *testing.B) {
	for _, c := range []struct {
		name     string
		perVideo int
	}{{"samples", 0}, {"videos", 10}} {
		in := benchInput(100_000, c.perVideo)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Evaluate(in, Options{Bootstrap: 1000, Seed: 1, Workers: 2}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompare100k: DeLong plus a 1,000-resample paired bootstrap of 100,000 samples.
func BenchmarkCompare100k(b *testing.B) {
	a := benchInput(100_000, 0)
	o := benchInput(100_000, 0)
	o.Labels = a.Labels
	for b.Loop() {
		if _, err := Compare(a, o, Options{Bootstrap: 1000, Seed: 1, Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
}
