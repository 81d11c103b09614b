package features

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
)

// The split names the trainer asks for, and the data index mode each reads.
const (
	SplitTrain = "train"
	SplitVal   = "val"
	SplitTest  = "test"
)

// Splits are the split names in extraction order.
var Splits = []string{SplitTrain, SplitVal, SplitTest}

// pipelineVersion is part of the preprocessing and augmentation key parts: bump it when
// the image pipeline changes in a way that changes pixels, so old stores are not reused.
const pipelineVersion = "v1"

// Options are the settings of extraction and store reading that the config file does
// not hold, or overrides of it (command-line flags).
type Options struct {
	// Weights overrides clip_weights: a weights file or a random spec (RandomPrefix).
	Weights string
	// Views overrides features.views (K views per training sample; 0: the config's).
	Views int
	// Preprocess is the preprocessing mode: data.PreprocessReferenceStage2 (default,
	// the reference Stage 2 pipeline) or data.PreprocessCLIP.
	Preprocess string
	// Dir overrides features.dir, the root holding one directory per store.
	Dir string
	// Backend overrides the config's backend ("go", "xla:/abs/plugin.so").
	Backend string
	// Batch is the number of samples per encoder batch (0: 32).
	Batch int
	// Workers decode and augment images in parallel (0: GOMAXPROCS).
	Workers int
}

// Setup is a configuration resolved for the feature store: the backbone identity
// (the weights file is hashed once), preprocessing and augmentation.
type Setup struct {
	Config      config.Config
	Opts        Options
	WeightsSpec string
	BackboneID  string
	Root        string
	prep        data.PreprocessOptions // without ModelResolution (it follows the backbone)
}

// NewSetup resolves cfg and opts; it hashes the weights file but does not load it.
func NewSetup(cfg config.Config, opts Options) (*Setup, error) {
	s := &Setup{Config: cfg, Opts: opts, WeightsSpec: cfg.ClipWeights, Root: cfg.Features.Dir}
	if opts.Weights != "" {
		s.WeightsSpec = opts.Weights
	}
	if opts.Dir != "" {
		s.Root = opts.Dir
	}
	if s.Root == "" {
		s.Root = "feature_store"
	}
	if s.WeightsSpec == "" {
		return nil, fmt.Errorf("no CLIP weights: set clip_weights in the config or pass --weights (a file, or %stiny:seed=1 for a random tiny ViT)", RandomPrefix)
	}
	id, err := BackboneID(s.WeightsSpec)
	if err != nil {
		return nil, err
	}
	s.BackboneID = id
	mode := opts.Preprocess
	if mode == "" {
		mode = data.PreprocessReferenceStage2
	}
	s.prep = data.PreprocessOptions{Mode: mode, ModelResolution: 1}
	if mode == data.PreprocessReferenceStage2 {
		s.prep.Resolution, s.prep.Mean, s.prep.Std = cfg.Dataset.Resolution, cfg.Mean, cfg.Std
	}
	if s.prep, err = s.prep.Validate(); err != nil {
		return nil, err
	}
	if _, err := data.ParseBadImagePolicy(cfg.Dataset.OnBadImage); err != nil {
		return nil, fmt.Errorf("dataset.%w", err)
	}
	return s, nil
}

// backendSpec is the backend override when given, else the configuration's.
func (s *Setup) backendSpec() string {
	if s.Opts.Backend != "" {
		return s.Opts.Backend
	}
	return s.Config.Backend
}

// preprocessID is the key part describing preprocessing (the model resolution is implied
// by the backbone).
func (s *Setup) preprocessID() string {
	p := s.prep
	if p.Mode == data.PreprocessCLIP {
		return fmt.Sprintf("%s %s mean=%v std=%v", p.Mode, pipelineVersion, p.Mean, p.Std)
	}
	return fmt.Sprintf("%s %s resolution=%d mean=%v std=%v", p.Mode, pipelineVersion, p.Resolution, p.Mean, p.Std)
}

// Views is the number of views stored per sample of split: K for training with
// augmentation on, 1 otherwise.
func (s *Setup) Views(split string) int {
	if split != SplitTrain || !s.Config.Dataset.UseDataAugmentation {
		return 1
	}
	k := s.Config.Features.Views
	if s.Opts.Views > 0 {
		k = s.Opts.Views
	}
	return max(k, 1)
}

// Target is one (split, dataset) store: its samples in index order, key and directory.
type Target struct {
	Split, Dataset string
	// Samples are every sample of the index, in order; a sample's position is the
	// sample number of its augmentation seed (Seed, i, view).
	Samples []data.Sample
	IDs     []string // sample paths relative to dataset.fairness_root
	Views   int
	Key     Key
	Dir     string
	// Augment draws views 1..K-1 (nil when Views is 1).
	Augment *data.Augmenter
}

// Name is "split/dataset".
func (t *Target) Name() string { return t.Split + "/" + t.Dataset }

// modeOf maps a split name to the data index mode.
func modeOf(split string) (string, error) {
	switch split {
	case SplitTrain:
		return data.ModeTrain, nil
	case SplitVal:
		return data.ModeValidation, nil
	case SplitTest:
		return data.ModeTest, nil
	}
	return "", fmt.Errorf("unknown split %q (want train, val or test)", split)
}

// Datasets lists the configured datasets of split: dataset.train_dataset,
// dataset.validation_dataset, or dataset.test_dataset followed by
// evaluation.test_datasets (without repeats).
func (s *Setup) Datasets(split string) []string {
	d := s.Config.Dataset
	switch split {
	case SplitTrain:
		return d.TrainDataset
	case SplitVal:
		return d.ValidationDataset
	}
	var out []string
	for _, ds := range append(slices.Clone(d.TestDataset), s.Config.Evaluation.TestDatasets...) {
		if !slices.Contains(out, ds) {
			out = append(out, ds)
		}
	}
	return out
}

// Target reads the index of (split, dataset) and computes its key and directory.
func (s *Setup) Target(split, dataset string) (*Target, error) {
	mode, err := modeOf(split)
	if err != nil {
		return nil, err
	}
	root := s.Config.Dataset.FairnessRoot
	ix, err := data.LoadFairness([]string{dataset}, mode, data.IndexOptions{Root: root, SkipUnknownAttributes: s.Config.Dataset.SkipUnknownAttributes})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", split, dataset, err)
	}
	if len(ix.Samples) == 0 {
		return nil, fmt.Errorf("%s %s: the index has no samples (%v)", split, dataset, ix.Files)
	}
	t := &Target{Split: split, Dataset: dataset, Samples: ix.Samples, Views: s.Views(split)}
	for _, smp := range ix.Samples {
		rel, err := filepath.Rel(root, smp.Path)
		if err != nil {
			rel = smp.Path
		}
		t.IDs = append(t.IDs, filepath.ToSlash(rel))
	}
	augment := "none"
	if t.Views > 1 {
		t.Augment = &data.Augmenter{Seed: s.Config.Seed, Resolution: s.Config.Dataset.Resolution}
		augment = fmt.Sprintf("%s seed=%d views=%d resolution=%d", pipelineVersion, s.Config.Seed, t.Views, s.Config.Dataset.Resolution)
	}
	t.Key = Key{Backbone: s.BackboneID, Preprocess: s.preprocessID(), Augment: augment,
		Dataset: dataset, Split: split, Samples: SamplesHash(t.IDs), Tokens: s.tokensKey()}
	t.Dir = filepath.Join(s.Root, t.Key.Hash())
	return t, nil
}

// Targets lists the targets of splits (all when empty), in order.
func (s *Setup) Targets(splits []string) ([]*Target, error) {
	if len(splits) == 0 {
		splits = Splits
	}
	var out []*Target
	for _, sp := range splits {
		if _, err := modeOf(sp); err != nil {
			return nil, err
		}
		for _, ds := range s.Datasets(sp) {
			t, err := s.Target(sp, ds)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// prepFor returns the preprocessing options for a backbone's input resolution.
func (s *Setup) prepFor(modelResolution int) data.PreprocessOptions {
	p := s.prep
	p.ModelResolution = modelResolution
	return p
}

// ErrBadInput is matched (errors.Is) by errors caused by the user's settings or files:
// configuration, weights spec, dataset index, unknown split, key mismatch.
var ErrBadInput = errors.New("bad input")

type inputError struct{ err error }

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{e.err, ErrBadInput} }

func badInput(err error) error {
	if err == nil {
		return nil
	}
	return inputError{err}
}
