package metrics

import (
	"fmt"
	"math"
)

// Comparison is a paired comparison of two score sets over the same samples (b - a is not
// reported: every difference is A minus B).
type Comparison struct {
	Convention string `json:"convention"`
	N          int    `json:"n"`
	// MatchedBy is "path" when rows were paired by their path, "position" otherwise.
	MatchedBy string `json:"matched_by"`
	DeLong    DeLong `json:"delong"`
	// Bootstrap is present when Options.Bootstrap > 0.
	Bootstrap *PairedBootstrap `json:"bootstrap,omitempty"`
}

// PairedBootstrap holds, per metric, the difference A - B with a percentile interval over
// resamples that draw the same samples (or videos) for both score sets.
type PairedBootstrap struct {
	Level     float64               `json:"level"`
	Resamples int                   `json:"resamples"`
	Seed      int64                 `json:"seed"`
	Unit      string                `json:"unit"`
	Metrics   map[string]Difference `json:"metrics"`
}

// Difference is one metric's paired difference. P is the two-sided bootstrap p-value:
// twice the smaller share of resamples with a difference <= 0 or >= 0, capped at 1.
type Difference struct {
	A         float64 `json:"a"`
	B         float64 `json:"b"`
	Diff      float64 `json:"diff"`
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	P         float64 `json:"p"`
	Undefined int     `json:"undefined"`
}

// MarshalJSON writes NaN and infinities as null.
func (c Comparison) MarshalJSON() ([]byte, error) { return marshalNaNNull(c) }

// align returns b reordered to a's rows (by path when both have paths, else by position) and
// checks that labels and subgroups agree.
func align(a, b Input) (Input, string, error) {
	n := a.Len()
	matched := "position"
	if a.Paths != nil && b.Paths != nil {
		matched = "path"
		index := make(map[string]int, b.Len())
		for j, p := range b.Paths {
			if _, dup := index[p]; dup {
				return b, matched, &InputError{Row: j + 1, Column: "path", Err: fmt.Errorf("second file: duplicate path %q", p)}
			}
			index[p] = j
		}
		if b.Len() != n {
			return b, matched, &InputError{Err: fmt.Errorf("files have %d and %d rows", n, b.Len())}
		}
		out := Input{Scores: make([]float64, n), Labels: make([]int, n), Paths: a.Paths}
		if b.Groups != nil {
			out.Groups = make([]int, n)
		}
		seen := make(map[string]bool, n)
		for i, p := range a.Paths {
			if seen[p] {
				return b, matched, &InputError{Row: i + 1, Column: "path", Err: fmt.Errorf("first file: duplicate path %q", p)}
			}
			seen[p] = true
			j, ok := index[p]
			if !ok {
				return b, matched, &InputError{Row: i + 1, Column: "path", Err: fmt.Errorf("path %q is missing from the second file", p)}
			}
			out.Scores[i], out.Labels[i] = b.Scores[j], b.Labels[j]
			if b.Groups != nil {
				out.Groups[i] = b.Groups[j]
			}
		}
		b = out
	} else if b.Len() != n {
		return b, matched, &InputError{Err: fmt.Errorf("files have %d and %d rows and no paths to pair them", n, b.Len())}
	}
	for i := range n {
		if a.Labels[i] != b.Labels[i] {
			return b, matched, &InputError{Row: i + 1, Column: "label", Err: fmt.Errorf(
				"labels differ between the files (%d vs %d)", a.Labels[i], b.Labels[i])}
		}
		if b.Groups != nil && a.group(i) != b.Groups[i] {
			return b, matched, &InputError{Row: i + 1, Column: "group", Err: fmt.Errorf(
				"subgroups differ between the files (%s vs %s)", SubgroupName(a.group(i)), SubgroupName(b.Groups[i]))}
		}
	}
	b.Groups, b.Videos, b.Paths = a.Groups, a.Videos, a.Paths
	return b, matched, nil
}

// Compare compares score sets a and b of the same samples: DeLong's test for the AUC
// difference and, when opts.Bootstrap > 0, a paired bootstrap of every metric's difference
// (resampling videos when a has video ids, stratified by label).
func Compare(a, b Input, opts Options) (Comparison, error) {
	opts, conv, err := opts.withDefaults()
	if err != nil {
		return Comparison{}, err
	}
	if err := a.Validate(); err != nil {
		return Comparison{}, fmt.Errorf("first scores: %w", err)
	}
	if err := b.Validate(); err != nil {
		return Comparison{}, fmt.Errorf("second scores: %w", err)
	}
	b, matched, err := align(a, b)
	if err != nil {
		return Comparison{}, err
	}
	cmp := Comparison{Convention: conv.Name, N: a.Len(), MatchedBy: matched}
	pos := 0
	for _, l := range a.Labels {
		pos += l
	}
	if pos == 0 || pos == a.Len() {
		nan := math.NaN()
		cmp.DeLong = DeLong{AUCA: nan, AUCB: nan, Diff: nan, SE: nan, Z: nan, P: nan}
	} else {
		cmp.DeLong = delongTest(a.Scores, b.Scores, a.Labels)
	}
	if opts.Bootstrap == 0 {
		return cmp, nil
	}
	pa, err := prepare(a)
	if err != nil {
		return cmp, err
	}
	pb, err := prepare(b)
	if err != nil {
		return cmp, err
	}
	cmp.Bootstrap = pairedBootstrap(pa, pb, conv, opts)
	return cmp, nil
}

type pairBufs struct {
	a, b *bufs
	diff []float64
}

func pairedBootstrap(pa, pb *prepared, conv Convention, opts Options) *PairedBootstrap {
	names := scalarNames(pa.videos != nil)
	scalars := func(p *prepared, w []float64, b *bufs) []float64 {
		b.out = p.scalars(w, b.frameW, b.videoW, conv, opts.Threshold, opts.MinSubgroupSize, &b.sc, b.out)
		return b.out
	}
	va := append([]float64(nil), scalars(pa, nil, pa.newBufs())...)
	vb := append([]float64(nil), scalars(pb, nil, pb.newBufs())...)
	rs := newResampler(pa.unitLabel, opts.Seed)
	rows := runResamples(rs, opts.Bootstrap, opts.Workers,
		func() *pairBufs { return &pairBufs{a: pa.newBufs(), b: pb.newBufs()} },
		func(w []float64, sc *pairBufs) []float64 {
			ra := scalars(pa, w, sc.a)
			rb := scalars(pb, w, sc.b)
			sc.diff = sc.diff[:0]
			for j := range ra {
				sc.diff = append(sc.diff, ra[j]-rb[j])
			}
			return sc.diff
		})
	iv := intervals(names, rows, opts.Level)
	out := &PairedBootstrap{Level: opts.Level, Resamples: opts.Bootstrap, Seed: opts.Seed,
		Unit: pa.unitName(), Metrics: make(map[string]Difference, len(names))}
	for j, name := range names {
		var le, ge, def int
		for _, row := range rows {
			if v := row[j]; !math.IsNaN(v) {
				def++
				if v <= 0 {
					le++
				}
				if v >= 0 {
					ge++
				}
			}
		}
		p := math.NaN()
		if def > 0 {
			p = math.Min(1, 2*float64(min(le, ge))/float64(def))
		}
		out.Metrics[name] = Difference{A: va[j], B: vb[j], Diff: va[j] - vb[j],
			Lo: iv[name].Lo, Hi: iv[name].Hi, P: p, Undefined: iv[name].Undefined}
	}
	return out
}
