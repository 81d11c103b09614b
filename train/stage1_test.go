package train

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/safetensors"
)

// stage1TestYAML is configs/stage1.yaml at a small feature size.
const stage1TestYAML = `
base: ../configs/stage1.yaml
model:
  feature_dim: 64
  stage1_hidden_dim: 64
  fusion_num_heads: 4
training:
  num_epochs: 6
stage1:
  attribute_datasets:
    - {name: fairface, layout: fairface, csv: unused.csv}
    - {name: utkface, layout: utkface, root: unused}
`

func loadStage1Test(t *testing.T) config.Config {
	t.Helper()
	cfg, _, err := config.LoadBytes(filepath.Join("..", "train", "stage1_test.yaml"), []byte(stage1TestYAML), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestStage1EndToEnd trains Stage 1 on synthetic features: the adapted features
// hide race and gender from a logistic probe better than the raw CLIP features
// while staying close to them; then Stage 2 trains from the exported adapter.
func TestStage1EndToEnd(t *testing.T) {
	cfg := loadStage1Test(t)
	src, err := NewSynthetic("tiny", cfg.Model.FeatureDim, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	src.Size.TrainPerSubgroup, src.Size.Val = 150, 1000
	dir := t.TempDir()
	fixed := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	res, err := RunStage1(context.Background(), Options{Config: cfg, Source: src, RunDir: filepath.Join(dir, "s1"), Version: "test",
		Now: func() time.Time { return fixed }, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != runs.StatusCompleted || res.EpochsCompleted != cfg.Training.NumEpochs || res.BestEpoch < 1 {
		t.Fatalf("result %+v", res)
	}
	// The stage1_epoch events are in events.jsonl and conform to docs/events.md.
	if err := runs.ValidateLog(res.RunDir); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadStage1Events(res.RunDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != cfg.Training.NumEpochs {
		t.Fatalf("%d stage1_epoch events", len(evs))
	}
	bests := 0
	for i, ev := range evs {
		if ev.Epoch != i+1 {
			t.Errorf("event %d is epoch %d", i, ev.Epoch)
		}
		if ev.Best {
			bests++
		}
	}
	if bests < 1 || !evs[res.BestEpoch-1].Best {
		t.Errorf("best epoch %d not flagged (%d flagged)", res.BestEpoch, bests)
	}
	last := evs[len(evs)-1]
	for _, v := range []float64{last.ValCosine, last.ProbeRaceAcc, last.ProbeGenderAcc, last.ProbeRaceAccCLIP, last.ProbeGenderAccCLIP,
		last.SinkhornGlobalBefore, last.SinkhornGlobalAfter, last.SinkhornPairwiseBefore, last.SinkhornPairwiseAfter} {
		if !finite(v) {
			t.Fatalf("undefined column in %+v", last)
		}
	}
	t.Logf("cos %.4f | race probe %.3f (CLIP %.3f) | gender probe %.3f (CLIP %.3f) | Sinkhorn global %.4g -> %.4g, pairwise %.4g -> %.4g",
		last.ValCosine, last.ProbeRaceAcc, last.ProbeRaceAccCLIP, last.ProbeGenderAcc, last.ProbeGenderAccCLIP,
		last.SinkhornGlobalBefore, last.SinkhornGlobalAfter, last.SinkhornPairwiseBefore, last.SinkhornPairwiseAfter)
	if last.ValCosine <= 0.9 {
		t.Errorf("mean cosine to CLIP %.4f, want > 0.9", last.ValCosine)
	}
	if last.ProbeRaceAcc >= last.ProbeRaceAccCLIP || last.ProbeGenderAcc >= last.ProbeGenderAccCLIP {
		t.Errorf("probes did not drop: race %.3f vs CLIP %.3f, gender %.3f vs CLIP %.3f",
			last.ProbeRaceAcc, last.ProbeRaceAccCLIP, last.ProbeGenderAcc, last.ProbeGenderAccCLIP)
	}
	if last.SinkhornPairwiseAfter >= last.SinkhornPairwiseBefore {
		t.Errorf("pairwise Sinkhorn did not drop: %.4g -> %.4g", last.SinkhornPairwiseBefore, last.SinkhornPairwiseAfter)
	}

	// The export has the original's names and loads as Stage 2's frozen A1.
	export := filepath.Join(res.RunDir, cfg.Stage1.ExportName)
	f, err := safetensors.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 6 || f.Tensors["additive_adapter.adapter.0.weight"].Shape[0] != 64 {
		t.Fatalf("export tensors %v", f.Order)
	}
	mcfg := ModelConfig(cfg.Model)
	for _, path := range []string{export, filepath.Join(res.RunDir, "best.safetensors")} {
		a1, desc, err := LoadStage1(path, false, mcfg, 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if a1.Get(model.A1Prefix + "6.bias").Data[0] != f.Tensors["additive_adapter.adapter.6.bias"].F32[0] {
			t.Errorf("%s (%s): A1 differs from the export", path, desc)
		}
	}

	// Stage 2 trains from that checkpoint.
	s2, _, err := config.LoadBytes("s2.yaml", []byte("model:\n  feature_dim: 64\n  stage1_hidden_dim: 64\n  stage2_hidden_dim: 16\n"+
		"  fusion_num_heads: 4\n  classifier_hidden_dims: [16]\n  gate_init_bias: 0.0\ntraining:\n  num_epochs: 1\n  train_batch_size: 64\nscheduler:\n  warmup_epochs: 0\n"+
		"evaluation:\n  test_datasets: []\nstage1_checkpoint: "+export+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Run(context.Background(), Options{Config: s2, Source: src, RunDir: filepath.Join(dir, "s2"), Version: "test",
		Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Status != runs.StatusCompleted || r2.EpochsCompleted != 1 {
		t.Errorf("stage 2 from the stage 1 export: %+v", r2)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func TestProbeAccuracy(t *testing.T) {
	// Two classes separated along one axis are found; pure noise is at chance.
	const n, d = 400, 6
	x := make([]float32, n*d)
	labels := make([]int, n)
	noise := make([]float32, n*d)
	for i := range n {
		labels[i] = (i / 2) % 2
		for j := range d {
			v := float32(math.Sin(float64(i*7+j*13)) * 0.5)
			x[i*d+j], noise[i*d+j] = v, v
		}
		x[i*d] += float32(2*labels[i]-1) * 2
	}
	if acc := probeAccuracy(x, n, d, labels, 2); acc < 0.95 {
		t.Errorf("separable: accuracy %.3f", acc)
	}
	if acc := probeAccuracy(noise, n, d, labels, 2); acc > 0.65 {
		t.Errorf("noise: accuracy %.3f, want near 0.5", acc)
	}
}

func TestRunStage1Rejects(t *testing.T) {
	cfg := loadStage1Test(t)
	src, _ := NewSynthetic("tiny", 64, 1)
	s2 := cfg
	s2.Stage = 2
	if _, err := RunStage1(context.Background(), Options{Config: s2, Source: src, DryRun: true}); err == nil {
		t.Error("stage 2 config accepted")
	}
	if _, err := RunStage1(context.Background(), Options{Config: cfg, Source: src, Resume: "x", DryRun: true}); err == nil {
		t.Error("resume of a folder without latest.safetensors accepted")
	}
	res, err := RunStage1(context.Background(), Options{Config: cfg, Source: src, DryRun: true})
	if err != nil || res.Plan.BatchesPerEpoch != 12 || res.Plan.TrainSamples != 2*8*48 || res.Plan.BatchSize != 64 {
		t.Errorf("dry run plan %+v, %v", res.Plan, err)
	}
}
