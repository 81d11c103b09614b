package fairloss

import (
	"testing"
)

type refCase struct {
	ID      string    `json:"id"`
	P       int       `json:"p"`
	Blur    float64   `json:"blur"`
	Scaling float64   `json:"scaling"`
	X       points    `json:"x"`
	Y       points    `json:"y"`
	A       []float64 `json:"a"`
	B       []float64 `json:"b"`
	Value   float64   `json:"value"`
	GradX   points    `json:"grad_x"`
	GradY   points    `json:"grad_y"`
	GradA   []float64 `json:"grad_a"`
	GradB   []float64 `json:"grad_b"`
	Eps     []float64 `json:"eps_list"`
}

// TestNumpyReference compares with testdata/gen/numpy_reference.py, an independent
// numpy implementation of the annealed divergence (checked against the geomloss
// goldens by its --check mode): values, all four gradients, and the schedules.
func TestNumpyReference(t *testing.T) {
	var ref struct {
		Cases     []refCase `json:"cases"`
		Schedules []struct {
			P        int       `json:"p"`
			Diameter float64   `json:"diameter"`
			Blur     float64   `json:"blur"`
			Scaling  float64   `json:"scaling"`
			Eps      []float64 `json:"eps_list"`
		} `json:"schedules"`
	}
	readJSON(t, "testdata/numpy_reference.json", &ref)
	if len(ref.Cases) == 0 || len(ref.Schedules) == 0 {
		t.Fatal("empty reference")
	}
	for _, c := range ref.Cases {
		t.Run(c.ID, func(t *testing.T) {
			s := Sinkhorn{P: c.P, Blur: c.Blur, Scaling: c.Scaling}
			r, err := s.Divergence(c.X.data, c.Y.data, c.X.n, c.Y.n, c.X.d, c.A, c.B)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(r.Value, c.Value); e > 1e-9 {
				t.Errorf("value %.17g, want %.17g (rel err %.3g)", r.Value, c.Value, e)
			}
			tol := gradTol(c.Blur)
			for _, g := range []struct {
				name      string
				got, want []float64
			}{{"grad_x", r.GradX, c.GradX.data}, {"grad_y", r.GradY, c.GradY.data}, {"grad_a", r.GradA, c.GradA}, {"grad_b", r.GradB, c.GradB}} {
				if e := maxRelErr(t, g.got, g.want); e > tol {
					t.Errorf("%s rel err %.3g > %g", g.name, e, tol)
				}
			}
			if len(r.Epsilons) != len(c.Eps) {
				t.Errorf("%d epsilons, want %d", len(r.Epsilons), len(c.Eps))
			}
		})
	}
	for _, sc := range ref.Schedules {
		got := EpsilonSchedule(sc.P, sc.Diameter, sc.Blur, sc.Scaling)
		if len(got) != len(sc.Eps) {
			t.Errorf("schedule p=%d D=%g blur=%g scaling=%g: %d entries, want %d", sc.P, sc.Diameter, sc.Blur, sc.Scaling, len(got), len(sc.Eps))
			continue
		}
		for k := range got {
			if relErr(got[k], sc.Eps[k]) > 1e-14 {
				t.Errorf("schedule p=%d D=%g blur=%g scaling=%g: eps[%d] = %.17g, want %.17g", sc.P, sc.Diameter, sc.Blur, sc.Scaling, k, got[k], sc.Eps[k])
			}
		}
	}
}

// TestPOTConverged compares the divergence run to convergence (annealing then extra
// iterations at the final epsilon) with POT's converged entropic OT at large blur
// (testdata/gen/pot_reference.py).
func TestPOTConverged(t *testing.T) {
	var ref struct {
		Cases []refCase `json:"cases"`
	}
	readJSON(t, "testdata/pot_reference.json", &ref)
	if len(ref.Cases) == 0 {
		t.Fatal("empty reference")
	}
	for _, c := range ref.Cases {
		s := Sinkhorn{P: c.P, Blur: c.Blur, Scaling: 0.5, ExtraIterations: 2000}
		r, err := s.Divergence(c.X.data, c.Y.data, c.X.n, c.Y.n, c.X.d, c.A, c.B)
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(r.Value, c.Value); e > 1e-8 {
			t.Errorf("p=%d blur=%g d=%d: value %.15g, POT %.15g (rel err %.3g)", c.P, c.Blur, c.X.d, r.Value, c.Value, e)
		} else {
			t.Logf("p=%d blur=%g d=%d: rel err %.2g", c.P, c.Blur, c.X.d, e)
		}
	}
}
