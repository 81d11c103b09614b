package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/safetensors"
)

// tinyConfig is a 3-epoch run on tiny synthetic features with a 16-d head.
func tinyConfig(t *testing.T) config.Config {
	cfg := config.Default()
	cfg.Model.FeatureDim, cfg.Model.Stage1HiddenDim, cfg.Model.Stage2HiddenDim = 16, 12, 10
	cfg.Model.ClassifierHiddenDims = []int{8, 4}
	cfg.Model.RandomStage1, cfg.Stage1Checkpoint = true, ""
	cfg.Training.NumEpochs, cfg.Training.TrainBatchSize, cfg.Training.ValBatchSize = 3, 64, 32
	cfg.Evaluation.TestEveryNEpochs = 2
	cfg.Evaluation.TestDatasets = []string{"celebdf", "dfd"}
	cfg.Optimizer.LR = 1e-3
	cfg.Logging.LogDir = t.TempDir()
	return cfg
}

func tinyOptions(t *testing.T, cfg config.Config) Options {
	src, err := NewSynthetic("tiny", cfg.Model.FeatureDim, 7)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Config: cfg, Source: src, RunDir: filepath.Join(t.TempDir(), "run"), Version: "test", Out: &bytes.Buffer{}}
}

func TestEndToEndTinyRun(t *testing.T) {
	cfg := tinyConfig(t)
	o := tinyOptions(t, cfg)
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, o.Out)
	}
	t.Log(o.Out)
	if res.Status != runs.StatusCompleted || res.EpochsCompleted != 3 {
		t.Fatalf("result %+v", res)
	}
	dir := o.RunDir
	for _, f := range []string{"config.yaml", "run.json", "events.jsonl", "latest.safetensors", "best.safetensors"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run folder: %v", err)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "best_ep*.safetensors"))
	if len(matches) == 0 || len(matches) > 3 {
		t.Errorf("best_ep checkpoints: %v", matches)
	}
	pattern := regexp.MustCompile(`^best_ep\d+_auc\d\.\d{4}_acc\d\.\d{4}\.safetensors$`)
	for _, m := range matches {
		if !pattern.MatchString(filepath.Base(m)) {
			t.Errorf("checkpoint name %s does not follow best_ep{E}_auc{AUC:.4f}_acc{ACC:.4f}", m)
		}
	}
	in, err := metrics.ReadScoresCSV(runs.ScoresPath(dir, "val", "ff++", 3))
	if err != nil {
		t.Fatalf("scores CSV: %v", err)
	}
	if in.Len() != 256 || len(in.Paths) != 256 {
		t.Errorf("val scores: %d rows, %d paths", in.Len(), len(in.Paths))
	}
	if _, err := metrics.ReadScoresCSV(runs.ScoresPath(dir, "test", "celebdf", 2)); err != nil {
		t.Errorf("test scores at epoch 2 (test_every_n_epochs): %v", err)
	}
	if err := runs.ValidateLog(dir); err != nil {
		t.Errorf("events.jsonl does not conform to the documented schema: %v", err)
	}
	log, err := runs.ReadLog(dir)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	var types []string
	epochs := 0
	for _, ev := range log.Events {
		types = append(types, ev.EventType())
		if e, ok := ev.(runs.EpochEvent); ok {
			epochs++
			if !finite(e.Val.AUC) || !finite(e.Gate.Mean) || !finite(e.TrainFairLoss) || e.LR <= 0 {
				t.Errorf("epoch event %+v", e)
			}
		}
	}
	if epochs != 3 || types[0] != runs.TypeRunStart || types[len(types)-1] != runs.TypeRunEnd {
		t.Errorf("event types %v", types)
	}
	for _, want := range []string{runs.TypeTest, runs.TypeBest, runs.TypeCheckpoint} {
		if !slices.Contains(types, want) {
			t.Errorf("no %s event in %v", want, types)
		}
	}
	f, err := safetensors.ReadFile(filepath.Join(dir, "latest.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata[formatKey] != formatValue || f.Tensors[expAvgPrefix+"fusion.norm1.weight"].F32 == nil {
		t.Errorf("latest checkpoint lacks metadata or optimizer state: %v", f.Metadata)
	}
}

// TestResumeAfterKillMatchesUninterrupted kills a run mid-epoch 2, resumes it, and
// compares its final weights and events with an uninterrupted run.
func TestResumeAfterKillMatchesUninterrupted(t *testing.T) {
	cfg := tinyConfig(t)
	full := tinyOptions(t, cfg)
	if _, err := Run(context.Background(), full); err != nil {
		t.Fatal(err)
	}

	killed := tinyOptions(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	killed.AfterBatch = func(epoch, batch int) {
		if epoch == 2 && batch == 2 {
			cancel()
		}
	}
	if _, err := Run(ctx, killed); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed run: err %v, want context.Canceled", err)
	}
	resumed := killed
	resumed.AfterBatch = nil
	resumed.Resume = killed.RunDir
	res, err := Run(context.Background(), resumed)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if res.EpochsCompleted != 3 {
		t.Fatalf("resumed run completed %d epochs", res.EpochsCompleted)
	}
	a, err := safetensors.ReadFile(filepath.Join(full.RunDir, "latest.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := safetensors.ReadFile(filepath.Join(killed.RunDir, "latest.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for name, ta := range a.Tensors {
		if !slices.Equal(ta.F32, b.Tensors[name].F32) {
			t.Fatalf("tensor %s differs between the uninterrupted and the resumed run", name)
		}
	}
	lastVal := func(dir string) runs.EpochEvent {
		log, err := runs.ReadLog(dir)
		if err != nil {
			t.Fatal(err)
		}
		var last runs.EpochEvent
		for _, ev := range log.Events {
			if e, ok := ev.(runs.EpochEvent); ok {
				last = e
			}
		}
		return last
	}
	ea, eb := lastVal(full.RunDir), lastVal(killed.RunDir)
	if ea.Val != eb.Val || ea.TrainLoss != eb.TrainLoss || ea.Gate != eb.Gate {
		t.Errorf("final epoch differs:\n full    %+v\n resumed %+v", ea, eb)
	}
}
