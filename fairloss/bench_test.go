package fairloss

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runLoss times loss b.N times and also reports the CPU milliseconds per call, which
// on a busy shared machine is a steadier measure than wall time (wall time on k idle
// cores is about cpu-ms/k plus the short serial parts).
func runLoss(b *testing.B, loss func() error) {
	b.ResetTimer()
	start := cpuTime(b)
	for i := 0; i < b.N; i++ {
		if err := loss(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// benchBatch returns n L2-normalized d-dim features with labels and subgroups
// balanced over 2 classes x 8 subgroups, clustered per subgroup like trained features.
func benchBatch(n, d int, seed uint64) ([]float64, []int, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centers := make([]float64, 16*d)
	for i := range centers {
		centers[i] = rng.NormFloat64()
	}
	f := make([]float64, n*d)
	labels, groups := make([]int, n), make([]int, n)
	for i := 0; i < n; i++ {
		labels[i], groups[i] = i%2, (i/2)%8
		c := centers[(labels[i]*8+groups[i])*d:]
		row := f[i*d : (i+1)*d]
		s := 0.0
		for j := range row {
			row[j] = c[j] + 2*rng.NormFloat64()
			s += row[j] * row[j]
		}
		for j := range row {
			row[j] /= math.Sqrt(s)
		}
	}
	return f, labels, groups
}

// BenchmarkStage2 measures the Stage 2 loss and gradient at the report's setting:
// 256 L2-normalized 768-d features, 8 subgroups x 2 classes, blur 1e-4, scaling 0.9.
func BenchmarkStage2(b *testing.B) {
	f, labels, groups := benchBatch(256, 768, 7)
	s := Stage2{Blur: 1e-4, P: 2, Scaling: 0.9, MinSamplesPerSubgroup: 2, NumSubgroups: 8}
	runLoss(b, func() error {
		_, err := s.Loss(f, 256, 768, labels, groups)
		return err
	})
}

// BenchmarkStage2Golden runs the same on the golden batch devfair02 (uneven subgroups).
func BenchmarkStage2Golden(b *testing.B) {
	var g fairlossGolden
	readJSON(b, "testdata/goldens/fairloss/devfair02_reduced.json.gz", &g)
	s := Stage2{Blur: g.Blur, P: g.P, Scaling: g.Scaling, MinSamplesPerSubgroup: g.MinSamp, NumSubgroups: g.NumSub}
	runLoss(b, func() error {
		_, err := s.Loss(g.Features.data, g.Features.n, g.Features.d, g.Labels, g.Subgroups)
		return err
	})
}
