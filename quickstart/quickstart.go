package quickstart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data/synth"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/report"
	"github.com/fairclip/fairclip/train"
)

// markerFile marks a directory as a quickstart's output, which a later quickstart
// may replace.
const markerFile = ".fairclip-quickstart"

// stages is the number of banners Run prints.
const stages = 8

// Run generates the synthetic data, the tiny random backbone and the Stage 1
// adapter, extracts the features, trains the scaled-down Exp1-3, and writes the
// report. Everything is deterministic from o.Seed (timings and timestamps aside).
func Run(ctx context.Context, o Options) (Result, error) {
	begin := time.Now()
	o, err := o.withDefaults()
	if err != nil {
		return Result{}, err
	}
	l := newLayout(o.Out)
	res := Result{Out: o.Out, BatchSize: o.BatchSize, Data: l.data, Features: l.features, Backbone: backbone(o),
		ConfigDir: l.configs, Configs: map[string]string{}}
	if err := prepareOut(o); err != nil {
		return res, err
	}
	w := o.Log
	arch, _, _, err := features.ParseRandomSpec(res.Backbone)
	if err != nil {
		return res, fmt.Errorf("quickstart: %w", err)
	}
	sc, err := synth.ScaleByName(o.Scale)
	if err != nil {
		return res, err
	}

	banner(w, 1, "Synthetic dataset (%s scale, seed %d)", o.Scale, o.Seed)
	t0 := time.Now()
	sum, err := synth.Generate(ctx, synth.Options{Out: l.data, Scale: o.Scale, Seed: o.Seed})
	if err != nil {
		return res, fmt.Errorf("quickstart: synthetic dataset: %w", err)
	}
	fmt.Fprintf(w, "%d face images (%dx%d) with PG-FDD fairness CSVs for ff++ (train/val/test), celebdf, dfd, dfdc in %.1fs -> %s\n",
		sum.Images, sc.ImageSize, sc.ImageSize, time.Since(t0).Seconds(), l.data)

	banner(w, 2, "CLIP backbone: a TINY RANDOM ViT, not CLIP")
	fmt.Fprintf(w, "Weights %s: a seeded random vision transformer (width %d, %d layers, %d heads, patch %d, %dx%d input, %d-d output).\n",
		res.Backbone, arch.Width, arch.Layers, arch.Heads, arch.Patch, arch.Resolution, arch.Resolution, arch.OutputDim)
	fmt.Fprintln(w, "It has never been trained: its features only carry what the synthetic images make visible to a random network.")
	fmt.Fprintln(w, "The numbers below demonstrate the pipeline and the report; they say nothing about real detectors.")
	if err := writeEmbeddedConfigs(l.configs); err != nil {
		return res, err
	}
	if err := os.MkdirAll(l.resolved, 0o755); err != nil {
		return res, fmt.Errorf("quickstart: %w", err)
	}
	dim, resolution := arch.OutputDim, sc.ImageSize

	// Stage 2 configurations (the Stage 1 checkpoint is filled in below).
	base, _, err := config.Load(filepath.Join(l.configs, Experiments[0].File), nil)
	if err != nil {
		return res, fmt.Errorf("quickstart: %w", err)
	}
	banner(w, 3, "Frozen features -> feature store")
	first, _, _, err := loadConfig(l, Experiments[0].File, Experiments[0].Name,
		stage2Sets(o, l, base, base.Training.NumEpochs, dim, resolution, ""))
	if err != nil {
		return res, err
	}
	if err := extract(ctx, first, nil, o, w); err != nil {
		return res, err
	}

	banner(w, 4, "Stage 1 fairness adapter A1")
	stage1Path, err := stage1(ctx, o, l, dim, resolution, &res)
	if err != nil {
		return res, err
	}
	// The CLIP stores are complete; this adds the trained adapter's outputs to them.
	withS1, _, _, err := loadConfig(l, Experiments[0].File, Experiments[0].Name,
		stage2Sets(o, l, base, base.Training.NumEpochs, dim, resolution, stage1Path))
	if err != nil {
		return res, err
	}
	if err := extract(ctx, withS1, nil, o, w); err != nil {
		return res, err
	}

	for i, e := range Experiments {
		orig, _, err := config.Load(filepath.Join(l.configs, e.File), nil)
		if err != nil {
			return res, fmt.Errorf("quickstart: %w", err)
		}
		cfg, yaml, path, err := loadConfig(l, e.File, e.Name,
			stage2Sets(o, l, orig, base.Training.NumEpochs, dim, resolution, stage1Path))
		if err != nil {
			return res, err
		}
		res.Configs[e.Name] = path
		banner(w, 5, "Train %s (%d/%d): %d epochs (the original: %d), batch %d, %d-d head",
			e.Name, i+1, len(Experiments), cfg.Training.NumEpochs, orig.Training.NumEpochs, cfg.Training.TrainBatchSize, dim)
		fmt.Fprintf(w, "Configuration: %s\n", path)
		dir, err := trainOne(ctx, cfg, yaml, filepath.Join(l.runs, e.Name), o)
		if err != nil {
			return res, err
		}
		res.Runs = append(res.Runs, dir)
	}

	// Exp1 with keys changed: the lambda_fair series and the gate_init_bias contrast.
	exp1, _, err := config.Load(filepath.Join(l.configs, Experiments[0].File), nil)
	if err != nil {
		return res, fmt.Errorf("quickstart: %w", err)
	}
	var exp1Cfg config.Config
	for i, v := range Variants(o.BatchSize) {
		sets := append(stage2Sets(o, l, exp1, base.Training.NumEpochs, dim, resolution, stage1Path), v.Sets...)
		sets = append(sets, "logging.experiment_name="+v.Name)
		cfg, yaml, path, err := loadConfig(l, Experiments[0].File, v.Name, sets)
		if err != nil {
			return res, err
		}
		res.Configs[v.Name] = path
		banner(w, 6, "Train %s (%d/%d): Exp1 with %v", v.Name, i+1, len(Variants(o.BatchSize)), v.Sets)
		dir, err := trainOne(ctx, cfg, yaml, filepath.Join(l.runs, v.Name), o)
		if err != nil {
			return res, err
		}
		res.Runs = append(res.Runs, dir)
	}
	// The lambda_fair series and the gate contrast again at the other training seeds.
	for k := 1; k < o.Seeds; k++ {
		seed := o.Seed + int64(k)
		for _, v := range seedVariants(o.BatchSize) {
			sets := append(stage2Sets(o, l, exp1, base.Training.NumEpochs, dim, resolution, stage1Path), v.Sets...)
			// Validation only: the series and the gate contrast read no test set.
			sets = append(sets, "logging.experiment_name="+v.Name, fmt.Sprintf("seed=%d", seed),
				"evaluation.test_every_n_epochs=0", "evaluation.test_datasets=[]")
			name := fmt.Sprintf("%s_seed%d", v.Name, seed)
			cfg, yaml, path, err := loadConfig(l, Experiments[0].File, name, sets)
			if err != nil {
				return res, err
			}
			res.Configs[name] = path
			banner(w, 6, "Train %s at training seed %d (%d/%d)", v.Name, seed, k+1, o.Seeds)
			dir, err := trainOne(ctx, cfg, yaml, filepath.Join(l.runs, "seeds", fmt.Sprintf("seed%d", seed), v.Name), o)
			if err != nil {
				return res, err
			}
			res.SeedRuns = append(res.SeedRuns, dir)
		}
	}
	if exp1Cfg, _, _, err = loadConfig(l, Experiments[0].File, Experiments[0].Name,
		stage2Sets(o, l, exp1, base.Training.NumEpochs, dim, resolution, stage1Path)); err != nil {
		return res, err
	}

	banner(w, 7, "Report")
	rep, err := report.Write(res.Runs, l.report, true, report.Options{Bootstrap: o.Bootstrap, Seed: o.Seed})
	if err != nil {
		return res, fmt.Errorf("quickstart: report: %w", err)
	}
	res.Report = l.report
	res.ReportHTML = strings.TrimSuffix(l.report, ".md") + ".html"
	res.Plots = strings.TrimSuffix(l.report, ".md") + "_plots"
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "report warning: %s\n", warn)
	}

	banner(w, 8, "What the runs show")
	if err := science(w, res.Runs, res.SeedRuns, res.Plots, &res); err != nil {
		return res, err
	}
	fmt.Fprintf(w, "\nfairclip probe fairloss --run %s --blur 1e-4,1e-3:\n", res.Runs[0])
	if res.Probe, err = probeExp1(ctx, o, exp1Cfg, res.Runs[0], w); err != nil {
		return res, err
	}
	res.Seconds = time.Since(begin).Seconds()
	printSummary(w, res)
	return res, nil
}

func banner(w io.Writer, n int, format string, args ...any) {
	fmt.Fprintf(w, "\n== [%d/%d] %s ==\n", n, stages, fmt.Sprintf(format, args...))
}

// prepareOut makes sure o.Out is empty, missing, or a previous quickstart's output,
// and removes what a previous quickstart wrote there.
func prepareOut(o Options) error {
	entries, err := os.ReadDir(o.Out)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("quickstart: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(o.Out, markerFile)); err != nil {
			return fmt.Errorf("quickstart: %s is not empty and holds no earlier quickstart (%s): choose another --out", o.Out, markerFile)
		}
		l := newLayout(o.Out)
		for _, p := range []string{l.data, l.configs, l.features, l.stage1, l.runs, l.report,
			strings.TrimSuffix(l.report, ".md") + ".html", strings.TrimSuffix(l.report, ".md") + "_plots"} {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("quickstart: remove the previous output: %w", err)
			}
		}
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("quickstart: %w", err)
	}
	marker, _ := json.Marshal(map[string]any{"scale": o.Scale, "seed": o.Seed})
	return atomicfile.WriteFile(filepath.Join(o.Out, markerFile), append(marker, '\n'), 0o644)
}

// extract writes the feature stores of cfg's splits (all when splits is nil).
func extract(ctx context.Context, cfg config.Config, splits []string, o Options, w io.Writer) error {
	sums, err := features.Extract(ctx, cfg, features.ExtractOptions{Splits: splits, Version: o.Version, Log: io.Discard,
		Options: features.Options{Backend: o.Backend}})
	for _, s := range sums {
		rate := ""
		if s.Seconds > 0 {
			rate = fmt.Sprintf(" in %.1fs", s.Seconds)
		}
		fmt.Fprintf(w, "%-14s %5d samples x %d view(s), %d-d%s -> %s\n", s.Target, s.N, s.Views, s.Dim, rate, s.Dir)
	}
	if err != nil {
		return fmt.Errorf("quickstart: extract: %w", err)
	}
	return nil
}

// trainOne trains one configuration on the feature stores into dir.
func trainOne(ctx context.Context, cfg config.Config, yaml []byte, dir string, o Options) (string, error) {
	src, err := train.NewFeatureSource(cfg, features.Options{Backend: o.Backend}, o.Log)
	if err != nil {
		return "", fmt.Errorf("quickstart: %s: %w", cfg.Logging.ExperimentName, err)
	}
	defer src.Close()
	r, err := train.Run(ctx, train.Options{Config: cfg, ConfigYAML: yaml, Source: src, RunDir: dir, Backend: o.Backend,
		Version: o.Version, Out: o.Log, Progress: o.Progress})
	if err != nil {
		return r.RunDir, fmt.Errorf("quickstart: train %s: %w", cfg.Logging.ExperimentName, err)
	}
	fmt.Fprintf(o.Log, "Run folder: %s (%s, %d epochs, best epoch %d)\n", r.RunDir, r.Status, r.EpochsCompleted, r.BestEpoch)
	return r.RunDir, nil
}
