package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/train"
)

// syntheticFlag is the temporary data source of train and eval until the feature
// store lands: synthetic CLIP-like features of the named size.
const syntheticHelp = "use synthetic CLIP features instead of a feature store: tiny, small or ffpp (FF++-sized)"

func newTrainCmd() *cobra.Command {
	var (
		cfgPath, resume, runDir, backendSpec, synthetic string
		sets                                            []string
		dryRun                                          bool
	)
	cmd := &cobra.Command{
		Use:   "train --config FILE [--set k=v]... [--resume RUNDIR] [--run-dir DIR] [--backend go|xla:PATH] [--dry-run]",
		Short: "Train the Stage 2 head (adapter, cross-attention fusion with gate, classifier)",
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
			src, err := syntheticSource(synthetic, cfg)
			if err != nil {
				return badInput(err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := train.Run(ctx, train.Options{Config: cfg, ConfigYAML: yaml, Source: src, RunDir: runDir, Resume: resume,
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
	f.StringVar(&backendSpec, "backend", "", "GoMLX backend: go (default) or xla:/abs/path/plugin.so")
	f.BoolVar(&dryRun, "dry-run", false, "validate the configuration and data, build the model, print the parameter counts and the plan, and exit")
	f.StringVar(&synthetic, "synthetic-features", "", syntheticHelp)
	return cmd
}

func syntheticSource(preset string, cfg config.Config) (train.Source, error) {
	if preset == "" {
		return nil, errors.New("no feature source: the feature store is not available yet; pass --synthetic-features tiny|small|ffpp")
	}
	return train.NewSynthetic(preset, cfg.Model.FeatureDim, cfg.Seed)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
