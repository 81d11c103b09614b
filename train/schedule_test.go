package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestWarmupCosineQuirk(t *testing.T) {
	s := WarmupCosine{Base: 3e-4, Warmup: 3, Epochs: 30, EtaMin: 1e-6}
	want := []float64{3e-4, 2e-4, 3e-4, 3e-4, 3e-4 * 0.5 * (1 + math.Cos(math.Pi/27))}
	for i, w := range want {
		if got := s.LR(i + 1); math.Abs(got-w) > 1e-15 {
			t.Errorf("epoch %d: lr %g, want %g", i+1, got, w)
		}
	}
	if got := s.LR(5); math.Abs(got-2.99e-4) > 1e-6 {
		t.Errorf("epoch 5: lr %g, want about 2.99e-4", got)
	}
	if got := s.LR(30); got < 1e-6-1e-18 {
		t.Errorf("epoch 30: lr %g below eta_min", got)
	}
}

func TestWarmRestarts(t *testing.T) {
	s := WarmRestarts{Base: 1, T0: 2, TMult: 2, EtaMin: 0}
	// T_cur per epoch (epoch 1 = 0): 0 1 | 0 1 2 3 | 0 ...; T_i 2, 4, 8.
	cosine := func(tc, ti float64) float64 { return (1 + math.Cos(math.Pi*tc/ti)) / 2 }
	want := []float64{1, cosine(1, 2), 1, cosine(1, 4), cosine(2, 4), cosine(3, 4), 1}
	for i, w := range want {
		if got := s.LR(i + 1); math.Abs(got-w) > 1e-12 {
			t.Errorf("epoch %d: lr %g, want %g", i+1, got, w)
		}
	}
}

// TestClsLossGraphMatchesGo checks the in-graph classification losses against their
// Go (validation) form and a hand value.
func TestClsLossGraphMatchesGo(t *testing.T) {
	be, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	logits := make([]float32, 2*6)
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 2)
	}
	labels := []int{0, 1, 1, 0, 1, 1}
	onehot := make([]float32, 12)
	for i, y := range labels {
		onehot[2*i+y] = 1
	}
	for _, c := range []ClsLoss{
		{Type: "cross_entropy"},
		{Type: "cross_entropy", LabelSmoothing: 0.1},
		{Type: "cross_entropy", LabelSmoothing: 0.1, ClassWeights: []float64{1, 3}},
		{Type: "focal", FocalAlpha: 0.25, FocalGamma: 2},
		{Type: "focal", FocalAlpha: 0.25, FocalGamma: 2, ClassWeights: []float64{2, 1}},
		{Type: "bce"},
		{Type: "bce", ClassWeights: []float64{1, 4}},
	} {
		out := graph.MustExecOnce(be, func(l, y *graph.Node) *graph.Node { return c.Graph(l, y) },
			tensors.FromFlatDataAndDimensions(logits, 6, 2), tensors.FromFlatDataAndDimensions(onehot, 6, 2))
		got := float64(tensors.MustCopyFlatData[float32](out)[0])
		want := c.Value(logits, labels)
		if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%+v: graph %g, Go %g", c, got, want)
		}
	}
	// Hand value: CE of logits (0, 0) is ln 2 whatever the smoothing.
	if v := (ClsLoss{Type: "cross_entropy", LabelSmoothing: 0.3}).Value([]float32{0, 0}, []int{1}); math.Abs(v-math.Ln2) > 1e-15 {
		t.Errorf("CE(0,0) = %g, want ln 2", v)
	}
}

// TestNonFiniteStopsKeepingLastCheckpoint poisons a weight during epoch 2: the run
// stops with ErrNonFinite and latest.safetensors still holds epoch 1.
func TestNonFiniteStopsKeepingLastCheckpoint(t *testing.T) {
	cfg := tinyConfig(t)
	o := tinyOptions(t, cfg)
	var ps *model.Params
	o.initHook = func(p *model.Params) { ps = p }
	o.AfterBatch = func(epoch, batch int) {
		if epoch == 2 && batch == 1 {
			ps.Get(model.FFN1W).Data[0] = float32(math.NaN())
		}
	}
	res, err := Run(context.Background(), o)
	if !errors.Is(err, ErrNonFinite) || res.Status != runs.StatusStoppedNonfinite || res.EpochsCompleted != 1 {
		t.Fatalf("err %v, result %+v", err, res)
	}
	c, err := loadCheckpoint(filepath.Join(o.RunDir, "latest.safetensors"), false, [2]float64{0.9, 0.999}, 1e-8, 0, false)
	if err != nil || c.meta.Epoch != 1 {
		t.Fatalf("latest checkpoint: epoch %d, err %v", c.meta.Epoch, err)
	}
	for _, v := range c.params.Get(model.FFN1W).Data {
		if math.IsNaN(float64(v)) {
			t.Fatal("latest checkpoint holds NaN")
		}
	}
}
