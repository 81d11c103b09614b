package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/quickstart"
)

func newQuickstartCmd() *cobra.Command {
	var o quickstart.Options
	cmd := &cobra.Command{
		Use:   "quickstart [--out DIR] [--scale tiny|small] [--seed S]",
		Short: "Synthetic data + a tiny random CLIP: extract, train Exp1-3 scaled down, evaluate, report",
		Long: "Runs the whole pipeline on a machine with no data and no weights: generates the synthetic\n" +
			"PG-FDD dataset with a planted demographic bias, builds a seeded tiny RANDOM ViT in place of CLIP,\n" +
			"extracts the frozen features into a store, makes the Stage 1 adapter (seeded random unless\n" +
			"--stage1-epochs N), trains Exp1, Exp2 and Exp3 (the repository's configs, scaled down), a\n" +
			"lambda_fair series and Exp1 with gate_init_bias 0.0 (the series and the gate contrast at --seeds\n" +
			"training seeds), evaluates them on the synthetic ff++ validation and celebdf/dfd/dfdc tests, probes\n" +
			"the fairness loss, writes the report (Markdown, HTML, PNG plots, Pareto plots) to DIR/report.md\n" +
			"and prints what the runs show, with the training-seed noise. Deterministic from --seed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Scale != "tiny" && o.Scale != "small" {
				return badInput(fmt.Errorf("--scale %q: want tiny or small", o.Scale))
			}
			if o.Arch != "" {
				if _, _, _, err := features.ParseRandomSpec(features.RandomPrefix + o.Arch); err != nil {
					return badInput(fmt.Errorf("--arch: %w", err))
				}
			}
			if o.Epochs < 1 || o.BatchSize < 8 {
				return badInput(fmt.Errorf("--epochs %d and --batch %d: want >= 1 and >= 8", o.Epochs, o.BatchSize))
			}
			o.Version = version
			o.Log = cmd.OutOrStdout()
			o.Progress = isTerminal(o.Log)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			_, err := quickstart.Run(ctx, o)
			if errors.Is(err, context.Canceled) {
				return fmt.Errorf("interrupted: rerun the same command to start over")
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "quickstart-out", "output directory (empty, new, or a previous quickstart's, which is replaced)")
	f.StringVar(&o.Scale, "scale", "tiny", "synthetic dataset scale: tiny (~4.6k 64px images, default) or small (~13k 96px)")
	f.Int64Var(&o.Seed, "seed", 42, "seed of the data, the random ViT, the adapters and the runs")
	f.IntVar(&o.Epochs, "epochs", 30, "Exp1's epochs (Exp2 and Exp3 keep their ratio to Exp1: 25 and 30 of 30)")
	f.IntVar(&o.BatchSize, "batch", 32, "training batch size")
	f.IntVar(&o.Seeds, "seeds", 3, "training seeds of the lambda_fair series and the gate contrast (seed, seed+1, ...; their means are reported)")
	f.Float64Var(&o.LRScale, "lr-scale", 10, "multiply every experiment's learning rate (the tiny runs take ~240 steps, the originals ~9,000)")
	f.IntVar(&o.Stage1Epochs, "stage1-epochs", -1, "train the Stage 1 adapter this many epochs (-1: a seeded random adapter, the default; see docs/quickstart.md)")
	f.StringVar(&o.Arch, "arch", "", "the random ViT's architecture: a named one or w<width>l<layers>h<heads>p<patch>r<resolution>o<output> (default w64l2h4p8r64o64)")
	f.StringVar(&o.Backend, "backend", "", backendFlagHelp)
	return cmd
}
