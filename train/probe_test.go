package train

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
)

// probeConfig is a 16-d head over the tiny synthetic features (48 training samples in
// each of the 8 subgroups) with one batch per epoch: 48 per subgroup.
func probeConfig(t *testing.T) config.Config {
	cfg := tinyConfig(t)
	cfg.Training.NumEpochs, cfg.Training.TrainBatchSize = 1, 8*48
	cfg.Evaluation.TestDatasets = nil
	return cfg
}

func probeRun(t *testing.T, o ProbeOptions) ProbeResult {
	t.Helper()
	if o.Source == nil {
		src, err := NewSynthetic("tiny", o.Config.Model.FeatureDim, 7)
		if err != nil {
			t.Fatal(err)
		}
		o.Source = src
	}
	r, err := ProbeFairLoss(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b)) }

// TestProbeMatchesFirstTrainingStep: at initialisation and the configuration's blur,
// the probe's single batch is the first training step, so its losses are the ones
// the trainer logs for an epoch of one batch; then, at the run's checkpoint, the
// weights have moved and so have the losses.
func TestProbeMatchesFirstTrainingStep(t *testing.T) {
	cfg := probeConfig(t)
	o := tinyOptions(t, cfg)
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatalf("run: %v\n%s", err, o.Out)
	}
	evs, err := runs.ReadEvents(o.RunDir)
	if err != nil {
		t.Fatal(err)
	}
	var ep *runs.EpochEvent
	for _, ev := range evs {
		if e, ok := ev.(runs.EpochEvent); ok {
			ep = &e
		} else if e, ok := ev.(*runs.EpochEvent); ok {
			ep = e
		}
	}
	if ep == nil {
		t.Fatalf("no epoch event in %s", o.RunDir)
	}
	if ep.FairUndefinedBatches != 0 {
		t.Fatalf("fixture: %d undefined batches", ep.FairUndefinedBatches)
	}
	r := probeRun(t, ProbeOptions{Config: cfg, Source: o.Source, Batches: 1, Blurs: []float64{cfg.FairnessLoss.SinkhornBlur, 0.5}})
	if r.Batches != 1 || r.BatchSize != 8*48 || len(r.Blurs) != 2 {
		t.Fatalf("probe %+v", r)
	}
	t.Logf("probe cls %.8g fair %.8g; trainer cls %.8g fair %.8g", r.ClsLoss, r.Blurs[0].Mean, ep.TrainClsLoss, ep.TrainFairLoss)
	if !near(r.ClsLoss, ep.TrainClsLoss, 1e-5) {
		t.Errorf("cls loss: probe %.8g, first training step %.8g", r.ClsLoss, ep.TrainClsLoss)
	}
	if got := r.Blurs[0].Mean; !near(got, ep.TrainFairLoss, 1e-5) {
		t.Errorf("fair loss at blur %g: probe %.8g, first training step %.8g", cfg.FairnessLoss.SinkhornBlur, got, ep.TrainFairLoss)
	}
	// A blur of the order of the feature distances smooths the transport: a smaller loss.
	if r.Blurs[1].Mean >= r.Blurs[0].Mean || !(r.Blurs[1].RatioToFirst > 1) {
		t.Errorf("blur 0.5: loss %g vs %g at blur %g, ratio %g", r.Blurs[1].Mean, r.Blurs[0].Mean, cfg.FairnessLoss.SinkhornBlur, r.Blurs[1].RatioToFirst)
	}

	trained := probeRun(t, ProbeOptions{Config: cfg, Source: o.Source, Batches: 1, Run: o.RunDir})
	if !strings.Contains(trained.Weights, "best.safetensors (epoch 1)") {
		t.Errorf("weights %q", trained.Weights)
	}
	if trained.ClsLoss == r.ClsLoss || trained.Blurs[0].Mean == r.Blurs[0].Mean {
		t.Errorf("checkpoint probe equals the initial one: %+v", trained)
	}
}

func TestProbeLambdaAndStatistics(t *testing.T) {
	cfg := probeConfig(t)
	cfg.Training.TrainBatchSize = 8 * 6 // 8 batches per epoch
	blurs := []float64{1e-4, 0.3, 1}
	r := probeRun(t, ProbeOptions{Config: cfg, Batches: 10, Blurs: blurs, LambdaTarget: 0.2}) // runs into epoch 2
	if r.Batches != 10 || len(r.Blurs) != 3 {
		t.Fatalf("probe %+v", r)
	}
	for i, b := range r.Blurs {
		if b.Blur != blurs[i] || b.Defined+b.Undefined != 10 || b.Defined == 0 {
			t.Fatalf("blur %d: %+v", i, b)
		}
		if !(b.Min <= b.Median && b.Median <= b.Max && b.Min <= b.Mean && b.Mean <= b.Max) {
			t.Errorf("blur %g: statistics out of order %+v", b.Blur, b)
		}
		lam := b.LambdaForTarget
		if share := lam * b.Mean / (r.ClsLoss + lam*b.Mean); !near(share, 0.2, 1e-12) {
			t.Errorf("blur %g: lambda %g gives share %g, want 0.2", b.Blur, lam, share)
		}
		l := cfg.LossWeighting.LambdaFair
		if want := l * b.Mean / (r.ClsLoss + l*b.Mean); !near(b.ConfigContribution, want, 1e-12) {
			t.Errorf("blur %g: config share %g, want %g", b.Blur, b.ConfigContribution, want)
		}
		if want := r.Blurs[0].Mean / b.Mean; !near(b.RatioToFirst, want, 1e-12) {
			t.Errorf("blur %g: ratio %g, want %g", b.Blur, b.RatioToFirst, want)
		}
	}
	if r.Blurs[0].RatioToFirst != 1 {
		t.Errorf("ratio of the first blur %g", r.Blurs[0].RatioToFirst)
	}
	if !(r.Blurs[2].Mean < r.Blurs[1].Mean && r.Blurs[1].Mean < r.Blurs[0].Mean) {
		t.Errorf("loss does not shrink with the blur: %+v", r.Blurs)
	}
	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0.0001 ", "0.3 ", "1 ", "lambda@target", "10 batches of 48", "0/10"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}

// TestProbeUndefined: a batch size of one sample per subgroup leaves no class with
// two subgroups of min_samples_per_subgroup samples: every batch is undefined, and
// the undefined values are null in JSON.
func TestProbeUndefined(t *testing.T) {
	cfg := probeConfig(t)
	cfg.Training.TrainBatchSize = 8
	r := probeRun(t, ProbeOptions{Config: cfg, Batches: 3, Blurs: []float64{1e-4, 1e-3}})
	for _, b := range r.Blurs {
		if b.Undefined != 3 || b.Defined != 0 || !math.IsNaN(b.Mean) || !math.IsNaN(b.LambdaForTarget) {
			t.Errorf("blur %g: %+v", b.Blur, b)
		}
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Batches int `json:"batches"`
		Blurs   []struct {
			Mean      *float64 `json:"mean_fair_loss"`
			Lambda    *float64 `json:"lambda_for_target"`
			Undefined int      `json:"undefined_batches"`
		} `json:"blurs"`
		ClsLoss *float64 `json:"cls_loss"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if back.Batches != 3 || len(back.Blurs) != 2 || back.Blurs[0].Mean != nil || back.Blurs[0].Lambda != nil ||
		back.Blurs[0].Undefined != 3 || back.ClsLoss == nil {
		t.Errorf("json %s", js)
	}
}

func TestProbeBadOptions(t *testing.T) {
	cfg := probeConfig(t)
	src, err := NewSynthetic("tiny", cfg.Model.FeatureDim, 7)
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]ProbeOptions{
		"target 1":     {LambdaTarget: 1},
		"negative":     {Blurs: []float64{-1}},
		"no source":    {Source: nil},
		"missing run":  {Run: filepath.Join(t.TempDir(), "nope")},
		"zero batches": {Batches: -1},
	} {
		o.Config = cfg
		if name != "no source" {
			o.Source = src
		}
		if _, err := ProbeFairLoss(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
