package quickstart

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/config"
)

// layout is where a quickstart writes.
type layout struct {
	out, data, configs, resolved, features, stage1, runs, report string
}

func newLayout(out string) layout {
	return layout{
		out:      out,
		data:     filepath.Join(out, "data"),
		configs:  filepath.Join(out, "configs"),
		resolved: filepath.Join(out, "configs", "quickstart"),
		features: filepath.Join(out, "features"),
		stage1:   filepath.Join(out, "stage1"),
		runs:     filepath.Join(out, "runs"),
		report:   filepath.Join(out, "report.md"),
	}
}

// backbone is the random ViT's weights spec.
func backbone(o Options) string {
	return fmt.Sprintf("random:%s:seed=%d", o.Arch, o.Seed)
}

// commonSets are the overrides every quickstart configuration gets: the synthetic
// data, the random backbone, the store and the scaled-down shapes.
func commonSets(o Options, l layout, dim, resolution int) []string {
	sets := []string{
		"dataset.fairness_root=" + l.data,
		fmt.Sprintf("dataset.resolution=%d", resolution),
		"clip_weights=" + backbone(o),
		"model.clip_name=" + backbone(o),
		"features.dir=" + l.features,
		fmt.Sprintf("seed=%d", o.Seed),
		fmt.Sprintf("model.feature_dim=%d", dim),
		fmt.Sprintf("model.stage1_hidden_dim=%d", dim),
		fmt.Sprintf("training.train_batch_size=%d", o.BatchSize),
	}
	if o.Backend != "" {
		sets = append(sets, "backend="+o.Backend)
	}
	return sets
}

// stage2Sets scale an experiment down: epochs in proportion to Exp1's (Exp2 runs
// 25 of Exp1's 30; warmup capped below them), the learning rate times LRScale,
// the head's widths in proportion to the feature size, tests every TestEvery
// epochs. stage1 is the Stage 1 checkpoint ("" for a random adapter).
func stage2Sets(o Options, l layout, orig config.Config, exp1Epochs, dim, resolution int, stage1 string) []string {
	n := max(1, int(math.Round(float64(orig.Training.NumEpochs)*float64(o.Epochs)/float64(exp1Epochs))))
	sets := append(commonSets(o, l, dim, resolution),
		fmt.Sprintf("optimizer.lr=%.10g", orig.Optimizer.LR*o.LRScale), // 3e-4*10 prints 0.003
		fmt.Sprintf("model.stage2_hidden_dim=%d", max(1, dim/2)),
		fmt.Sprintf("model.classifier_hidden_dims=[%d, %d]", max(1, dim/2), max(1, dim/4)),
		fmt.Sprintf("training.num_epochs=%d", n),
		// WarmupCosine needs warmup < epochs.
		fmt.Sprintf("scheduler.warmup_epochs=%d", min(orig.Scheduler.WarmupEpochs, n-1)),
		fmt.Sprintf("evaluation.test_every_n_epochs=%d", o.TestEvery),
		"logging.log_dir="+l.runs,
	)
	if stage1 == "" {
		return append(sets, "model.random_stage1=true", "stage1_checkpoint=")
	}
	return append(sets, "model.random_stage1=false", "stage1_checkpoint="+stage1)
}

// stage1Sets train A1 on the synthetic ff++ training faces (their race and gender
// annotations) for Stage1Epochs epochs.
func stage1Sets(o Options, l layout, dim, resolution int) []string {
	csv, _ := json.Marshal(filepath.Join(l.data, "ff++", "realtrain.csv"))
	root, _ := json.Marshal(l.data)
	return append(commonSets(o, l, dim, resolution),
		fmt.Sprintf("training.num_epochs=%d", o.Stage1Epochs),
		"logging.log_dir="+l.stage1,
		fmt.Sprintf(`stage1.attribute_datasets=[{name: "ff++", layout: generic, csv: %s, root: %s}]`, csv, root),
	)
}

// loadConfig loads file from the written configs with sets, and writes the
// resolved configuration (no base:, every key) to resolved/name.yaml.
func loadConfig(l layout, file, name string, sets []string) (config.Config, []byte, string, error) {
	cfg, _, err := config.Load(filepath.Join(l.configs, file), sets)
	if err != nil {
		return cfg, nil, "", fmt.Errorf("quickstart config %s: %w", file, err)
	}
	yaml, err := config.Marshal(cfg)
	if err != nil {
		return cfg, nil, "", fmt.Errorf("quickstart config %s: %w", file, err)
	}
	path := filepath.Join(l.resolved, name+".yaml")
	if err := atomicfile.WriteFile(path, yaml, 0o644); err != nil {
		return cfg, nil, "", err
	}
	return cfg, yaml, path, nil
}
