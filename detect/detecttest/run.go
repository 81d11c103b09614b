// Package detecttest makes a small trained run on synthetic face images for tests
// of the detector and the server: `fairclip synth` data at the tiny scale, a seeded
// tiny random ViT as the backbone (features.mode: none), and a Stage 2 head
// trained for one epoch. It takes a few seconds.
package detecttest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data/synth"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/train"
)

// Fixture is a trained run and the data it was trained on.
type Fixture struct {
	Dir    string // parent of everything below
	Data   string // synthetic fairness root (PG-FDD layout)
	Run    string // run folder (config.yaml, best.safetensors, scores/)
	Config config.Config
}

// configYAML is the run's configuration; %s is the fairness root.
const configYAML = `model:
  clip_name: random:tiny:seed=1
  feature_dim: 32
  stage1_hidden_dim: 32
  stage2_hidden_dim: 16
  classifier_hidden_dims: [16, 8]
  random_stage1: true
  fusion_num_heads: 4
stage1_checkpoint: ""
clip_weights: random:tiny:seed=1
dataset:
  fairness_root: %s
  resolution: 64
  train_dataset: [ff++]
  validation_dataset: [ff++]
  test_dataset: [celebdf]
  use_data_augmentation: false
features:
  mode: none
training:
  num_epochs: 1
  train_batch_size: 64
optimizer:
  lr: 0.003
scheduler:
  warmup_epochs: 0
evaluation:
  test_datasets: [celebdf]
logging:
  experiment_name: detecttest
seed: 1
`

// TrainedRun generates the data under dir and trains the run into dir/run.
// log receives the trainer's output (nil: discarded).
func TrainedRun(ctx context.Context, dir string, log io.Writer) (Fixture, error) {
	if log == nil {
		log = io.Discard
	}
	f := Fixture{Dir: dir, Data: filepath.Join(dir, "data"), Run: filepath.Join(dir, "run")}
	if _, err := synth.Generate(ctx, synth.Options{Out: f.Data, Scale: "tiny", Seed: 1}); err != nil {
		return f, fmt.Errorf("detecttest: synthetic data: %w", err)
	}
	cfgPath := filepath.Join(dir, "detecttest.yaml")
	yaml := fmt.Sprintf(configYAML, f.Data)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		return f, err
	}
	cfg, _, err := config.Load(cfgPath, nil)
	if err != nil {
		return f, fmt.Errorf("detecttest: %w", err)
	}
	f.Config = cfg
	src, err := train.NewFeatureSource(cfg, features.Options{}, log)
	if err != nil {
		return f, fmt.Errorf("detecttest: %w", err)
	}
	defer src.Close()
	if _, err := train.Run(ctx, train.Options{Config: cfg, Source: src, RunDir: f.Run, Out: log}); err != nil {
		return f, fmt.Errorf("detecttest: train: %w", err)
	}
	return f, nil
}
