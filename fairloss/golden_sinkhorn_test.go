package fairloss

import (
	"path/filepath"
	"testing"
)

type sinkhornGolden struct {
	ID       string    `json:"id"`
	XRaw     points    `json:"x"`
	YRaw     points    `json:"y"`
	A        []float64 `json:"a"`
	B        []float64 `json:"b"`
	P        int       `json:"p"`
	Blur     float64   `json:"blur"`
	Scaling  float64   `json:"scaling"`
	Value    float64   `json:"value"`
	GradX    points    `json:"grad_x"`
	GradY    points    `json:"grad_y"`
	EpsList  []float64 `json:"eps_list"`
	NIter    int       `json:"n_iterations"`
	Diameter float64   `json:"diameter"`
	After2k  *float64  `json:"value_after_2000_extra_final_eps_iterations"`
}

func gradTol(blur float64) float64 {
	if blur <= 3e-4 {
		return 1e-5
	}
	return 1e-6
}

func TestSinkhornGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata/goldens/sinkhorn/dev*.json*")
	if len(files) < 20 {
		t.Fatalf("found %d golden files, want 20", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var g sinkhornGolden
			readJSON(t, f, &g)
			x, y := g.XRaw, g.YRaw
			s := Sinkhorn{P: g.P, Blur: g.Blur, Scaling: g.Scaling}
			r, err := s.Divergence(x.data, y.data, x.n, y.n, x.d, g.A, g.B)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(r.Value, g.Value); e > 1e-9 {
				t.Errorf("value %.17g, want %.17g (rel err %.3g)", r.Value, g.Value, e)
			}
			tol := gradTol(g.Blur)
			if e := maxRelErr(t, r.GradX, g.GradX.data); e > tol {
				t.Errorf("grad_x rel err %.3g > %g", e, tol)
			}
			if e := maxRelErr(t, r.GradY, g.GradY.data); e > tol {
				t.Errorf("grad_y rel err %.3g > %g", e, tol)
			}
			if g.EpsList != nil {
				if r.Iterations != g.NIter || len(r.Epsilons) != len(g.EpsList) {
					t.Fatalf("iterations %d (%d eps), want %d (%d eps)", r.Iterations, len(r.Epsilons), g.NIter, len(g.EpsList))
				}
				for k := range g.EpsList {
					if e := relErr(r.Epsilons[k], g.EpsList[k]); e > 1e-12 {
						t.Errorf("eps[%d] = %.17g, want %.17g", k, r.Epsilons[k], g.EpsList[k])
					}
				}
			}
			t.Logf("value rel err %.2g, iterations %d", relErr(r.Value, g.Value), r.Iterations)
		})
	}
}
