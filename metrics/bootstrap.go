package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// resampler draws stratified bootstrap resamples of units (videos, or samples when there are
// no video ids): each resample draws, for each label, as many units of that label as there
// are, uniformly with replacement. Resample r depends only on (seed, r), so the result does not
// depend on the number of workers.
type resampler struct {
	seed   int64
	strata [2][]int32
	units  int
}

func newResampler(unitLabel []uint8, seed int64) *resampler {
	rs := &resampler{seed: seed, units: len(unitLabel)}
	for u, l := range unitLabel {
		rs.strata[l] = append(rs.strata[l], int32(u))
	}
	return rs
}

// splitmix64 is a bijective mixer used to derive independent streams from (seed, r).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// weights fills w (one entry per unit) with how often each unit is drawn in resample r.
func (rs *resampler) weights(r int, w []float64) {
	a := splitmix64(uint64(rs.seed) ^ splitmix64(uint64(r)))
	rng := rand.New(rand.NewPCG(a, splitmix64(a)))
	clear(w)
	for _, units := range rs.strata {
		m := uint64(len(units))
		for range units {
			w[units[rng.Uint64N(m)]]++
		}
	}
}

// runResamples calls fn for resamples 0..b-1 on `workers` goroutines; fn gets the unit weights
// and the worker's scratch value and returns a row that runResamples keeps (fn must not keep
// it). rows[r] is the row of resample r.
func runResamples[S any](rs *resampler, b, workers int, newScratch func() S,
	fn func(w []float64, sc S) []float64) [][]float64 {
	rows := make([][]float64, b)
	var wg sync.WaitGroup
	for k := range min(workers, b) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := newScratch()
			w := make([]float64, rs.units)
			for r := k; r < b; r += workers {
				rs.weights(r, w)
				rows[r] = slices.Clone(fn(w, sc))
			}
		}()
	}
	wg.Wait()
	return rows
}

// percentile is numpy's default (linear) percentile of sorted values, q in [0, 1].
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(lo)
	return sorted[lo] + (sorted[lo+1]-sorted[lo])*frac
}

// intervals turns resample rows into percentile intervals per column.
func intervals(names []string, rows [][]float64, level float64) map[string]Interval {
	out := make(map[string]Interval, len(names))
	col := make([]float64, 0, len(rows))
	for j, name := range names {
		col = col[:0]
		for _, row := range rows {
			if v := row[j]; !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		slices.Sort(col)
		alpha := (1 - level) / 2
		out[name] = Interval{
			Lo: percentile(col, alpha), Hi: percentile(col, 1-alpha),
			Undefined: len(rows) - len(col),
		}
	}
	return out
}

// bufs are one worker's buffers for scalar vectors.
type bufs struct {
	sc             scalarScratch
	frameW, videoW []float64
	out            []float64
}

func (p *prepared) newBufs() *bufs {
	b := &bufs{frameW: make([]float64, len(p.frames.s))}
	if p.videos != nil {
		b.videoW = make([]float64, len(p.videos.s))
	}
	return b
}

func (p *prepared) unitName() string {
	if p.videos != nil {
		return "video"
	}
	return "sample"
}

// bootstrap computes percentile intervals for every scalar metric.
func (p *prepared) bootstrap(conv Convention, opts Options) (*CI, error) {
	names := scalarNames(p.videos != nil)
	rs := newResampler(p.unitLabel, opts.Seed)
	rows := runResamples(rs, opts.Bootstrap, opts.Workers, p.newBufs,
		func(w []float64, b *bufs) []float64 {
			b.out = p.scalars(w, b.frameW, b.videoW, conv, opts.Threshold, opts.MinSubgroupSize,
				&b.sc, b.out)
			return b.out
		})
	return &CI{
		Level: opts.Level, Resamples: opts.Bootstrap, Seed: opts.Seed, Unit: p.unitName(),
		Intervals: intervals(names, rows, opts.Level),
	}, nil
}
