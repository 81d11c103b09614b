package train

import (
	"context"
	"testing"

	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
)

// runWarnings runs a tiny configuration and returns its warning kinds per epoch and
// its degenerate_phase events.
func runWarnings(t *testing.T, o Options) (map[string][]int, []runs.DegeneratePhaseEvent) {
	t.Helper()
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if err := runs.ValidateLog(o.RunDir); err != nil {
		t.Errorf("events.jsonl: %v", err)
	}
	log, err := runs.ReadLog(o.RunDir)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]int{}
	var phases []runs.DegeneratePhaseEvent
	for _, ev := range log.Events {
		switch e := ev.(type) {
		case runs.WarningEvent:
			kinds[e.Kind] = append(kinds[e.Kind], e.Epoch)
		case runs.DegeneratePhaseEvent:
			phases = append(phases, e)
		}
	}
	return kinds, phases
}

func TestGateSaturationDetector(t *testing.T) {
	for _, tc := range []struct {
		bias      float64
		saturated bool
	}{{8, true}, {0, false}} {
		cfg := tinyConfig(t)
		cfg.Training.NumEpochs = 2
		cfg.Scheduler.WarmupEpochs = 1
		cfg.Model.GateInitBias = &tc.bias
		kinds, _ := runWarnings(t, tinyOptions(t, cfg))
		if got := len(kinds[runs.WarnGateSaturation]) == 2; got != tc.saturated {
			t.Errorf("gate bias %g: saturation warnings at epochs %v, want saturated=%v", tc.bias, kinds[runs.WarnGateSaturation], tc.saturated)
		}
	}
}

func TestDegeneratePhaseDetector(t *testing.T) {
	// A classifier bias of +-30 makes every prediction real; a tiny learning rate
	// keeps it there.
	cfg := tinyConfig(t)
	cfg.Training.NumEpochs = 2
	cfg.Scheduler.WarmupEpochs = 1
	cfg.Optimizer.LR = 1e-9
	o := tinyOptions(t, cfg)
	o.initHook = func(ps *model.Params) {
		b := ps.Get(model.ClassifierPr + "6.bias")
		b.Data[0], b.Data[1] = 30, -30
	}
	kinds, phases := runWarnings(t, o)
	if got := kinds[runs.WarnDegeneratePhase]; len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("degenerate warnings at epochs %v, want [1 2]", got)
	}
	if len(phases) != 1 || phases[0].Start != 1 || phases[0].End != 2 {
		t.Errorf("degenerate phases %+v, want one from 1 to 2", phases)
	}

	// The unmodified run is not degenerate at epoch 1 (its predictions are mixed).
	cfg = tinyConfig(t)
	cfg.Training.NumEpochs = 2
	cfg.Scheduler.WarmupEpochs = 1
	cfg.Training.TrainBatchSize = 64
	o = tinyOptions(t, cfg)
	o.initHook = func(ps *model.Params) {
		b := ps.Get(model.ClassifierPr + "6.bias")
		b.Data[0], b.Data[1] = 0, 0
	}
	kinds, _ = runWarnings(t, o)
	if got := kinds[runs.WarnDegeneratePhase]; len(got) > 0 && got[0] == 1 {
		t.Errorf("unexpected degenerate warning at epoch 1: %v", got)
	}
}

// TestDegeneratePhaseEnds feeds the detector a sequence of validated epochs and
// checks that the phase's start and end are recorded when it ends.
func TestDegeneratePhaseEnds(t *testing.T) {
	r, err := runs.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tr := &trainer{session: session{run: r}, mcfg: model.Config{GateInitBias: 1}}
	seq := []bool{false, true, true, false, true}
	var warned []int
	for i, deg := range seq {
		ev := runs.EpochEvent{Epoch: i + 1, Degenerate: deg, Gate: runs.Gate{Mean: 0.5}}
		if deg {
			ev.Val.PredictedPositiveShare = 1
		}
		for _, w := range tr.detect(i+1, ev) {
			warned = append(warned, w.Epoch)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	evs, err := runs.ReadEvents(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var phases []runs.DegeneratePhaseEvent
	for _, ev := range evs {
		if p, ok := ev.(runs.DegeneratePhaseEvent); ok {
			phases = append(phases, p)
		}
	}
	if len(phases) != 1 || phases[0].Start != 2 || phases[0].End != 3 {
		t.Errorf("phases %+v, want [2, 3]", phases)
	}
	if len(warned) != 3 || tr.state.DegenerateStart != 5 {
		t.Errorf("warnings at %v (want 2 3 5), open phase start %d (want 5)", warned, tr.state.DegenerateStart)
	}
}
