package train

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// TestParityWithPyTorch replays testdata/gen/parity.py: the same head and batch,
// AdamW steps with global-norm clipping, dropout off; logits, losses, gradients and
// updated weights must match PyTorch at 1e-5 (relative to each tensor's largest
// magnitude), with the classification loss alone and with the fairness loss.
func TestParityWithPyTorch(t *testing.T) {
	for _, spec := range backend.Builtin() {
		t.Run(spec, func(t *testing.T) { parityWithPyTorch(t, spec) })
	}
}

func parityWithPyTorch(t *testing.T, spec string) {
	fx := loadParityFixture(t, "parity_init.safetensors")
	atoi, atof := fx.atoi, fx.atof
	cfg := fx.config()
	clip := fx.file.Tensors["input.clip"].F32
	labels, groups := fx.labels, fx.groups
	n, d := len(labels), cfg.Dim
	be, err := backend.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fair bool
	}{{"cls", false}, {"fair", true}} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := safetensors.ReadFile(filepath.Join("testdata", "parity_"+tc.name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			stage1, params := fx.models(t, cfg)
			cls, weighting, fl := fx.losses(tc.fair)
			eng, err := newEngine(be, cfg, cls, weighting, stage1, params)
			if err != nil {
				t.Fatal(err)
			}
			s1 := make([]float32, n*d)
			if err := eng.stage1Rows(clip, n, s1); err != nil {
				t.Fatal(err)
			}
			out, err := eng.evalRows(clip, s1, n)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "logits0", out.logits, want.Tensors["logits0"].F32)
			closeTo(t, "gate0", out.gate, want.Tensors["gate0"].F32)
			rng, _ := rngState(0, 0, 0)
			z, _, err := eng.forward(clip, s1, n, rng)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "z0", z, want.Tensors["z0"].F32)

			var sizes []int
			for _, p := range params.List {
				sizes = append(sizes, p.Size())
			}
			opt := NewAdamW(0.9, 0.999, atof("eps"), atof("weight_decay"), sizes)
			losses := want.Tensors["losses"].F64
			for step := range atoi("steps") {
				r, err := eng.trainStep(clip, s1, labels, groups, rng, fl, atof("clip"), opt, atof("lr"))
				if err != nil {
					t.Fatal(err)
				}
				if step == 0 {
					// Undo the clipping to compare the raw gradients.
					coef := math.Min(atof("clip")/(r.gradNorm+1e-6), 1)
					gp := params.Clone()
					for i, g := range r.grads {
						for j, v := range g {
							gp.List[i].Data[j] = float32(float64(v) / coef)
						}
					}
					for name, g := range model.TorchStateDict(gp) {
						closeTo(t, "grad."+name, g.Data, want.Tensors["grad."+name].F32)
					}
				}
				got := []float64{r.clsLoss, r.fair, r.total}
				for k, name := range []string{"cls", "fair", "total"} {
					w := losses[3*step+k]
					if math.Abs(got[k]-w) > 1e-5*math.Max(math.Abs(w), 1e-3) {
						t.Errorf("step %d %s loss %.9g, PyTorch %.9g", step, name, got[k], w)
					}
				}
			}
			for name, p := range model.TorchStateDict(params) {
				if tc.fair {
					// Adam divides by sqrt(v): a gradient element at noise level (the
					// Sinkhorn gradient amplifies float32 rounding of z by 1/eps) still
					// moves its weight by up to lr. Such elements are counted, not compared.
					closeToAdam(t, "final."+name, p.Data, want.Tensors["final."+name].F32, want.Tensors["grad."+name].F32)
					continue
				}
				closeTo(t, "final."+name, p.Data, want.Tensors["final."+name].F32)
			}
		})
	}
}

func closeTo(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, PyTorch %d", name, len(got), len(want))
		return
	}
	var scale, worst float64
	for i := range want {
		scale = math.Max(scale, math.Abs(float64(want[i])))
		worst = math.Max(worst, math.Abs(float64(got[i])-float64(want[i])))
	}
	if scale == 0 {
		if worst != 0 {
			t.Errorf("%s: max |diff| %g, PyTorch all zero", name, worst)
		}
		return
	}
	if worst > 1e-5*scale {
		t.Errorf("%s: max |diff| %.3g = %.3g of max |x| %.3g (> 1e-5)", name, worst, worst/scale, scale)
	}
}

// closeToAdam is closeTo for weights after Adam steps: elements whose first gradient is
// below 1e-3 of the tensor's largest gradient are left out (at most 2% of them may
// differ by more than 1e-5).
func closeToAdam(t *testing.T, name string, got, want, grad0 []float32) {
	t.Helper()
	var scale, gmax float64
	for i := range want {
		scale = math.Max(scale, math.Abs(float64(want[i])))
		gmax = math.Max(gmax, math.Abs(float64(grad0[i])))
	}
	bad, noisy := 0, 0
	for i := range want {
		if math.Abs(float64(got[i])-float64(want[i])) <= 1e-5*scale {
			continue
		}
		if math.Abs(float64(grad0[i])) < 1e-3*gmax {
			noisy++
			continue
		}
		bad++
	}
	if noisy > 0 {
		t.Logf("%s: %d of %d elements at noise-level gradients differ by more than 1e-5", name, noisy, len(want))
	}
	if bad > 0 || noisy > len(want)/50 {
		t.Errorf("%s: %d elements differ by more than 1e-5 of max |x| %.3g, %d more at noise-level gradients (of %d)", name, bad, scale, noisy, len(want))
	}
}
