package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestGoldenDeLong(t *testing.T) {
	g := loadGoldens(t)
	if len(g.DeLong) == 0 {
		t.Fatal("no DeLong goldens")
	}
	for _, c := range g.DeLong {
		t.Run(c.Name, func(t *testing.T) {
			cmp, err := Compare(Input{Scores: c.A, Labels: c.Labels}, Input{Scores: c.B, Labels: c.Labels}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			d := cmp.DeLong
			for name, got := range map[string]float64{"auc_a": d.AUCA, "auc_b": d.AUCB, "diff": d.Diff,
				"se": d.SE, "z": d.Z, "p": d.P} {
				near(t, name, got, c.Expect[name])
			}
		})
	}
}

// synthetic returns n scored samples with a mild signal, all eight subgroups and videos of
// `perVideo` frames (no videos when perVideo is 0).
func synthetic(n, perVideo int, seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 7))
	in := Input{Scores: make([]float64, n), Labels: make([]int, n), Groups: make([]int, n)}
	if perVideo > 0 {
		in.Videos = make([]string, n)
	}
	in.Paths = make([]string, n)
	label, group := 0, 0
	for i := range n {
		if perVideo == 0 || i%perVideo == 0 {
			label = 0
			if rng.Float64() < 0.3 {
				label = 1
			}
			group = rng.IntN(9) - 1
		}
		in.Labels[i], in.Groups[i] = label, group
		s := 0.4 + 0.2*float64(label) + 0.2*rng.NormFloat64()
		in.Scores[i] = math.Round(math.Min(1, math.Max(0, s))*1000) / 1000
		if perVideo > 0 {
			in.Videos[i] = "v" + strconv.Itoa(i/perVideo)
		}
		in.Paths[i] = "p" + strconv.Itoa(i)
	}
	return in
}

func TestCompareMatchesByPath(t *testing.T) {
	a := synthetic(300, 3, 1)
	b := synthetic(300, 3, 2)
	b.Labels, b.Groups, b.Videos = a.Labels, a.Groups, a.Videos
	// Shuffle b's rows: pairing by path must undo it.
	perm := rand.New(rand.NewPCG(3, 3)).Perm(300)
	sb := Input{Scores: make([]float64, 300), Labels: make([]int, 300), Groups: make([]int, 300),
		Paths: make([]string, 300)}
	for i, j := range perm {
		sb.Scores[i], sb.Labels[i], sb.Groups[i], sb.Paths[i] = b.Scores[j], b.Labels[j], b.Groups[j], b.Paths[j]
	}
	opts := Options{Bootstrap: 50, Seed: 9}
	byPath, err := Compare(a, sb, opts)
	if err != nil {
		t.Fatal(err)
	}
	noPaths := func(in Input) Input { in.Paths = nil; return in }
	byPos, err := Compare(noPaths(a), noPaths(b), opts)
	if err != nil {
		t.Fatal(err)
	}
	if byPath.MatchedBy != "path" || byPos.MatchedBy != "position" {
		t.Errorf("matched by %q and %q", byPath.MatchedBy, byPos.MatchedBy)
	}
	if byPath.DeLong != byPos.DeLong {
		t.Errorf("DeLong by path %+v != by position %+v", byPath.DeLong, byPos.DeLong)
	}
	for name, d := range byPos.Bootstrap.Metrics {
		e := byPath.Bootstrap.Metrics[name]
		if !sameFloat(d.Diff, e.Diff) || !sameFloat(d.Lo, e.Lo) || !sameFloat(d.Hi, e.Hi) {
			t.Errorf("%s: by path %+v, by position %+v", name, e, d)
		}
	}
	if _, err := Compare(noPaths(a), noPaths(sb), opts); !errors.Is(err, ErrBadInput) {
		t.Errorf("shuffled rows without paths: err = %v, want a label mismatch", err)
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestCompareIdenticalScores(t *testing.T) {
	a := synthetic(200, 0, 4)
	cmp, err := Compare(a, a, Options{Bootstrap: 30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.DeLong.Diff != 0 || cmp.DeLong.P != 1 {
		t.Errorf("identical scores: DeLong %+v, want diff 0 and p 1", cmp.DeLong)
	}
	for name, d := range cmp.Bootstrap.Metrics {
		if !math.IsNaN(d.Diff) && (d.Diff != 0 || d.Lo != 0 || d.Hi != 0) {
			t.Errorf("%s: %+v, want all-zero differences", name, d)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	a := synthetic(50, 0, 5)
	short := Input{Scores: a.Scores[:40], Labels: a.Labels[:40]}
	missing := synthetic(50, 0, 5)
	missing.Paths = append([]string(nil), a.Paths...)
	missing.Paths[7] = "elsewhere"
	for name, b := range map[string]Input{"length": short, "path": missing} {
		if _, err := Compare(a, b, Options{}); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: err = %v, want ErrBadInput", name, err)
		}
	}
}
