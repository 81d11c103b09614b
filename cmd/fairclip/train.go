package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/train"
)

const syntheticHelp = "use synthetic CLIP-like features instead of the feature store: tiny, small or ffpp (FF++-sized; for trying the trainer without data)"

func newTrainCmd() *cobra.Command {
	var (
		cfgPath, resume, runDir, backendSpec, synthetic, weights string
		sets                                                     []string
		dryRun                                                   bool
	)
	cmd := &cobra.Command{
		Use:   "train --config FILE [--set k=v]... [--resume RUNDIR] [--run-dir DIR] [--backend cpu|go|xla:PATH] [--dry-run]",
		Short: "Train the Stage 2 head (adapter, cross-attention fusion with gate, classifier), or the Stage 1 adapter (stage: 1)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if resume != "" && cfgPath == "" {
				cfgPath = filepath.Join(resume, runs.ConfigFile)
			}
			if cfgPath == "" {
				return badInput(errors.New("--config is required (or --resume RUNDIR)"))
			}
			cfg, notices, err := config.Load(cfgPath, sets)
			if err != nil {
				return badInput(err)
			}
			out := cmd.OutOrStdout()
			for _, n := range notices {
				fmt.Fprintln(out, "Notice:", n)
			}
			yaml, err := config.Marshal(cfg)
			if err != nil {
				return err
			}
			src, closeSrc, err := openSource(cfg, synthetic, weights, backendSpec, cmd.ErrOrStderr())
			if err != nil {
				return badInput(err)
			}
			defer closeSrc()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			run := train.Run
			if cfg.Stage == 1 {
				run = train.RunStage1
			}
			res, err := run(ctx, train.Options{Config: cfg, ConfigYAML: yaml, Source: src, RunDir: runDir, Resume: resume,
				Backend: backendSpec, Version: version, Out: out, Progress: isTerminal(out), DryRun: dryRun})
			if err != nil {
				if res.RunDir == "" {
					return badInput(err)
				}
				return fmt.Errorf("%w (run folder %s)", err, res.RunDir)
			}
			if !dryRun {
				fmt.Fprintf(out, "Run folder: %s (%s, %d epochs, best epoch %d)\n", res.RunDir, res.Status, res.EpochsCompleted, res.BestEpoch)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "experiment configuration (YAML)")
	f.StringArrayVar(&sets, "set", nil, "override a configuration key, e.g. --set fairness_loss.sinkhorn_blur=3e-4 (repeatable)")
	f.StringVar(&resume, "resume", "", "continue the run in RUNDIR from its last completed epoch")
	f.StringVar(&runDir, "run-dir", "", "put the run in this folder instead of logs/{experiment}_{time}")
	f.StringVar(&backendSpec, "backend", "", backendFlagHelp)
	f.BoolVar(&dryRun, "dry-run", false, "validate the configuration and data, build the model, print the parameter counts and the plan, and exit")
	f.StringVar(&synthetic, "synthetic-features", "", syntheticHelp)
	f.StringVar(&weights, "weights", "", "CLIP weights file or random spec (overrides clip_weights; identifies the feature store)")
	return cmd
}

// openSource opens the trainer's inputs: synthetic features when preset is given,
// otherwise the feature store (features.mode disk) or the live backbone (mode none).
func openSource(cfg config.Config, preset, weights, backendSpec string, log io.Writer) (train.Source, func(), error) {
	if preset != "" {
		src, err := train.NewSynthetic(preset, cfg.Model.FeatureDim, cfg.Seed)
		return src, func() {}, err
	}
	fs, err := train.NewFeatureSource(cfg, features.Options{Weights: weights, Backend: backendSpec}, log)
	if err != nil {
		return nil, nil, fmt.Errorf("%w\n(without data or weights, --synthetic-features tiny|small|ffpp trains on synthetic features)", err)
	}
	return fs, func() { fs.Close() }, nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
