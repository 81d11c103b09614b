package quickstart

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/train"
)

// stage1 makes the Stage 1 adapter: trained for o.Stage1Epochs epochs on the
// synthetic ff++ training faces (configs/stage1.yaml scaled down, with CLIP
// normalisation as in the original, hence its own feature stores), or a seeded
// random adapter when o.Stage1Epochs is -1 or the training fails (said so). It
// returns the exported checkpoint, "" for a random adapter.
func stage1(ctx context.Context, o Options, l layout, dim, resolution int, res *Result) (string, error) {
	w := o.Log
	random := func(why string) (string, error) {
		res.Stage1 = "seeded random (model.random_stage1: true): " + why
		fmt.Fprintf(w, "Stage 1 adapter: %s\n", res.Stage1)
		return "", nil
	}
	if o.Stage1Epochs < 0 {
		return random("Stage 1 training skipped")
	}
	cfg, yaml, path, err := loadConfig(l, stage1File, "stage1", stage1Sets(o, l, dim, resolution))
	if err != nil {
		return "", err
	}
	res.Configs["stage1"] = path
	fmt.Fprintf(w, "Training A1 for %d epochs on the synthetic ff++ training faces (race and gender heads behind gradient reversal, Sinkhorn losses); configuration %s\n",
		cfg.Training.NumEpochs, path)
	if err := extract(ctx, cfg, []string{"train", "val"}, o, w); err != nil {
		return "", err
	}
	src, err := train.NewFeatureSource(cfg, features.Options{Backend: o.Backend}, w)
	if err != nil {
		return "", fmt.Errorf("quickstart: stage 1: %w", err)
	}
	defer src.Close()
	r, err := train.RunStage1(ctx, train.Options{Config: cfg, ConfigYAML: yaml, Source: src, RunDir: filepath.Join(l.stage1, "stage1"),
		Backend: o.Backend, Version: o.Version, Out: w, Progress: o.Progress})
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if err != nil {
		return random(fmt.Sprintf("Stage 1 training failed (%v)", err))
	}
	export := filepath.Join(r.RunDir, cfg.Stage1.ExportName)
	if _, err := os.Stat(export); err != nil {
		return random(fmt.Sprintf("the Stage 1 run wrote no adapter (%v)", err))
	}
	res.Stage1Run = r.RunDir
	res.Stage1 = fmt.Sprintf("trained %d epochs on the synthetic ff++ training faces, best epoch %d: %s", r.EpochsCompleted, r.BestEpoch, export)
	fmt.Fprintf(w, "Stage 1 adapter: %s\n", res.Stage1)
	return export, nil
}
