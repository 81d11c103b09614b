package fairloss

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

var stage2Cfg = Stage2{Blur: 1e-3, P: 2, Scaling: 0.9, MinSamplesPerSubgroup: 2, NumSubgroups: 8}

// sub returns the given feature rows as a dense cloud.
func sub(f []float64, d int, rows []int) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, f[r*d:(r+1)*d]...)
	}
	return out
}

// TestStage2Composition rebuilds the loss from public Divergence calls on the
// truncated subgroup clouds and compares value and gradient.
func TestStage2Composition(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, d = 40, 6
	f := unitRows(rng, n, d)
	labels, groups := make([]int, n), make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(2)
		groups[i] = rng.IntN(5) - 1 // -1..3
	}
	for _, p := range []int{1, 2} {
		s := stage2Cfg
		s.P = p
		res, err := s.Loss(f, n, d, labels, groups)
		if err != nil {
			t.Fatal(err)
		}
		value, grad := 0.0, make([]float64, n*d)
		classes := 0
		for c := 0; c < 2; c++ {
			var rows [4][]int
			for i := range labels {
				if labels[i] == c && groups[i] >= 0 {
					rows[groups[i]] = append(rows[groups[i]], i)
				}
			}
			var valid []int
			for g := range rows {
				if len(rows[g]) >= 2 {
					valid = append(valid, g)
				}
			}
			if len(valid) < 2 {
				continue
			}
			classes++
			cv, cg, pairs := 0.0, make([]float64, n*d), 0
			for i, gi := range valid {
				for _, gj := range valid[i+1:] {
					m := min(len(rows[gi]), len(rows[gj]))
					ri, rj := rows[gi][:m], rows[gj][:m]
					r, err := Sinkhorn{P: p, Blur: s.Blur, Scaling: s.Scaling}.Divergence(sub(f, d, ri), sub(f, d, rj), m, m, d, nil, nil)
					if err != nil {
						t.Fatal(err)
					}
					cv += r.Value
					addRows(cg, d, ri, r.GradX, 1)
					addRows(cg, d, rj, r.GradY, 1)
					pairs++
				}
			}
			value += cv / float64(pairs)
			axpy(grad, 1/float64(pairs), cg)
		}
		if classes == 0 {
			t.Fatal("test batch has no valid class")
		}
		value /= float64(classes)
		for i := range grad {
			grad[i] /= float64(classes)
		}
		if relErr(res.Value, value) > 1e-12 {
			t.Errorf("p=%d: value %.17g, want %.17g", p, res.Value, value)
		}
		if e := maxRelErr(t, res.Grad, grad); e > 1e-10 {
			t.Errorf("p=%d: gradient rel err %.3g", p, e)
		}
		if !res.Defined || res.Breakdown.NumPairs != len(res.Breakdown.Pairs) {
			t.Errorf("p=%d: breakdown %+v", p, res.Breakdown)
		}
	}
}

func TestStage2Breakdown(t *testing.T) {
	const d = 2
	rows := func(k int) []float64 {
		f := make([]float64, k*d)
		for i := range f {
			f[i] = float64(i%7) * 0.1
		}
		return f
	}
	cases := []struct {
		name      string
		labels    []int
		groups    []int
		defined   bool
		pairs     int
		skipped   int
		classDefs [2]bool
	}{
		{"both classes", []int{0, 0, 0, 0, 1, 1, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2, 3, 3, 3}, true, 2, 0, [2]bool{true, true}},
		{"one class short", []int{0, 0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2, 3}, true, 1, 0, [2]bool{true, false}},
		{"unknown never groups", []int{0, 0, 0, 0, 0}, []int{-1, -1, 5, 5, -1}, false, 0, 0, [2]bool{false, false}},
		{"singletons skipped", []int{0, 0, 0, 0, 0, 0}, []int{0, 1, 2, 3, 4, 4}, false, 0, 4, [2]bool{false, false}},
		{"three subgroups", []int{0, 0, 0, 0, 0, 0, 0}, []int{0, 0, 2, 2, 2, 7, 7}, true, 3, 0, [2]bool{true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := len(c.labels)
			res, err := stage2Cfg.Loss(rows(n), n, d, c.labels, c.groups)
			if err != nil {
				t.Fatal(err)
			}
			bd := res.Breakdown
			if res.Defined != c.defined || bd.NumPairs != c.pairs || len(bd.Skipped) != c.skipped {
				t.Fatalf("defined %v pairs %d skipped %d, want %v %d %d (%+v)", res.Defined, bd.NumPairs, len(bd.Skipped), c.defined, c.pairs, c.skipped, bd)
			}
			for k, ct := range bd.Classes {
				if ct.Defined != c.classDefs[k] || (!ct.Defined && ct.Reason == "") {
					t.Errorf("class %d: %+v", k, ct)
				}
			}
			if !res.Defined && (res.Value != 0 || bd.Reason == "" || len(res.Grad) != n*d) {
				t.Errorf("undefined loss: value %g reason %q grad %d", res.Value, bd.Reason, len(res.Grad))
			}
		})
	}
}

func TestStage2Errors(t *testing.T) {
	f := []float64{0, 1, 2, 3}
	bad := stage2Cfg
	bad.MinSamplesPerSubgroup = 0
	cases := []struct {
		name           string
		s              Stage2
		f              []float64
		n, d           int
		labels, groups []int
		want           error
	}{
		{"empty", stage2Cfg, nil, 0, 2, nil, nil, ErrEmpty},
		{"nan", stage2Cfg, []float64{0, math.NaN(), 2, 3}, 2, 2, []int{0, 0}, []int{0, 0}, ErrNonFinite},
		{"rows", stage2Cfg, f, 3, 2, []int{0, 0, 0}, []int{0, 0, 0}, ErrDimension},
		{"labels length", stage2Cfg, f, 2, 2, []int{0}, []int{0, 0}, ErrDimension},
		{"subgroups length", stage2Cfg, f, 2, 2, []int{0, 0}, []int{0}, ErrDimension},
		{"label 2", stage2Cfg, f, 2, 2, []int{0, 2}, []int{0, 0}, ErrParameter},
		{"subgroup 8", stage2Cfg, f, 2, 2, []int{0, 0}, []int{0, 8}, ErrParameter},
		{"min samples", bad, f, 2, 2, []int{0, 0}, []int{0, 0}, ErrParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.s.Loss(c.f, c.n, c.d, c.labels, c.groups); !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

// TestStage2Deterministic: the parallel evaluation gives bit-identical results for
// any number of workers.
func TestStage2Deterministic(t *testing.T) {
	f, labels, groups := benchBatch(64, 16, 3)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one, err := stage2Cfg.Loss(f, 64, 16, labels, groups)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(4)
	four, err := stage2Cfg.Loss(f, 64, 16, labels, groups)
	if err != nil {
		t.Fatal(err)
	}
	if one.Value != four.Value {
		t.Fatalf("value %v vs %v", one.Value, four.Value)
	}
	for i := range one.Grad {
		if one.Grad[i] != four.Grad[i] {
			t.Fatalf("grad[%d] %v vs %v", i, one.Grad[i], four.Grad[i])
		}
	}
}

func TestStage1(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const n, d = 30, 5
	f := unitRows(rng, n, d)
	groups := make([]int, n)
	for i := range groups {
		groups[i] = rng.IntN(5) - 1
	}
	s := Stage1{Blur: 1e-3, P: 2, Scaling: 0.9, MinSamplesPerSubgroup: 2, NumSubgroups: 8}
	sk := Sinkhorn{P: 2, Blur: 1e-3, Scaling: 0.9}
	var rows [8][]int
	for i, g := range groups {
		if g >= 0 {
			rows[g] = append(rows[g], i)
		}
	}

	t.Run("global", func(t *testing.T) {
		res, err := s.Global(f, n, d, groups, 99)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := s.Global(f, n, d, groups, 99)
		other, _ := s.Global(f, n, d, groups, 100)
		if again.Value != res.Value || other.Value == res.Value {
			t.Errorf("seeding: %v %v %v", res.Value, again.Value, other.Value)
		}
		// Rebuild with the same draws: one permutation per valid subgroup in order.
		draws := rand.New(rand.NewPCG(99, 0x5eed))
		value, grad, k := 0.0, make([]float64, n*d), 0
		for g := range rows {
			m := len(rows[g])
			if m < 2 {
				continue
			}
			ref := draws.Perm(n)[:m]
			r, err := sk.Divergence(sub(f, d, rows[g]), sub(f, d, ref), m, m, d, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			value += r.Value
			addRows(grad, d, rows[g], r.GradX, 1) // the reference is detached
			k++
		}
		for i := range grad {
			grad[i] /= float64(k)
		}
		if relErr(res.Value, value/float64(k)) > 1e-12 || maxRelErr(t, res.Grad, grad) > 1e-10 {
			t.Errorf("value %.17g, want %.17g; grad err %.3g", res.Value, value/float64(k), maxRelErr(t, res.Grad, grad))
		}
		for i, g := range groups {
			if g == -1 && dot(res.Grad[i*d:(i+1)*d], res.Grad[i*d:(i+1)*d]) != 0 {
				t.Errorf("row %d of unknown subgroup has a gradient", i)
			}
		}
	})

	t.Run("pairwise", func(t *testing.T) {
		res, err := s.Pairwise(f, n, d, groups)
		if err != nil {
			t.Fatal(err)
		}
		value, pairs := 0.0, 0
		for gi := range rows {
			for gj := gi + 1; gj < len(rows); gj++ {
				if len(rows[gi]) < 2 || len(rows[gj]) < 2 {
					continue
				}
				m := min(len(rows[gi]), len(rows[gj]))
				r, err := sk.Divergence(sub(f, d, rows[gi][:m]), sub(f, d, rows[gj][:m]), m, m, d, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				value += r.Value
				pairs++
			}
		}
		if relErr(res.Value, value/float64(pairs)) > 1e-12 || res.Breakdown.NumPairs != pairs {
			t.Errorf("value %.17g pairs %d, want %.17g %d", res.Value, res.Breakdown.NumPairs, value/float64(pairs), pairs)
		}
	})

	t.Run("undefined", func(t *testing.T) {
		g := make([]int, n)
		for i := range g {
			g[i] = -1
		}
		g[0], g[1] = 3, 3
		pw, err := s.Pairwise(f, n, d, g)
		if err != nil || pw.Defined || pw.Value != 0 || pw.Breakdown.Reason == "" {
			t.Errorf("pairwise with one subgroup: %+v %v", pw.Breakdown, err)
		}
		gl, err := s.Global(f, n, d, g, 1)
		if err != nil || !gl.Defined {
			t.Errorf("global with one subgroup should be defined: %v", err)
		}
	})
}

// TestLossGradientsConverged: with the iterations run to convergence the loss
// gradients are the exact derivatives of the values (finite differences), for Stage 2
// and the Stage 1 pairwise form. (The Stage 1 global form differentiates only through
// the subgroup side, its reference sample being detached, so a finite difference of
// its value is not its gradient; TestStage1 checks it by composition.)
func TestLossGradientsConverged(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const n, d = 12, 3
	f := unitRows(rng, n, d)
	labels := []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
	groups := []int{0, 0, 1, 1, 1, 2, 0, 0, 3, 3, -1, 3}
	s2 := Stage2{Blur: 1, P: 2, Scaling: 0.5, MinSamplesPerSubgroup: 2, NumSubgroups: 8, ExtraIterations: 300}
	s1 := Stage1{Blur: 1, P: 1, Scaling: 0.5, MinSamplesPerSubgroup: 2, NumSubgroups: 8, ExtraIterations: 300}
	losses := map[string]func([]float64) (LossResult, error){
		"stage2":   func(x []float64) (LossResult, error) { return s2.Loss(x, n, d, labels, groups) },
		"pairwise": func(x []float64) (LossResult, error) { return s1.Pairwise(x, n, d, groups) },
	}
	for name, loss := range losses {
		res, err := loss(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := range f {
			x := append([]float64(nil), f...)
			const h = 1e-6
			x[i] += h
			up, _ := loss(x)
			x[i] -= 2 * h
			down, _ := loss(x)
			fd := (up.Value - down.Value) / (2 * h)
			if math.Abs(fd-res.Grad[i]) > 1e-6*math.Max(1e-2, math.Abs(fd)) {
				t.Errorf("%s: grad[%d] %.10g, finite difference %.10g", name, i, res.Grad[i], fd)
			}
		}
	}
}
