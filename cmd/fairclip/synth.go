package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/fairclip/fairclip/data/synth"
	"github.com/spf13/cobra"
)

func newSynthCmd() *cobra.Command {
	var opts synth.Options
	cmd := &cobra.Command{
		Use:   "synth --out DIR [--scale tiny|small|full] [--seed S]",
		Short: "Write a synthetic, demographically annotated face-forgery dataset (PG-FDD layout)",
		Long: "Writes ff++ (realtrain, faketrain, realval, fakeval, test), celebdf, dfd and dfdc (test)\n" +
			"as PG-FDD fairness CSVs with procedural face PNGs, plus DIR/README.txt. Use DIR as\n" +
			"dataset.fairness_root. The output depends only on --scale and --seed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Out == "" {
				return badInput(fmt.Errorf("--out DIR is required"))
			}
			if _, err := synth.ScaleByName(opts.Scale); err != nil {
				return badInput(err)
			}
			start := time.Now()
			sum, err := synth.Generate(cmd.Context(), opts)
			if err != nil {
				if errors.Is(err, synth.ErrExists) {
					return badInput(err)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d images (%s, seed %d) to %s in %.1fs\n",
				sum.Images, sum.Scale.Name, sum.Seed, sum.Out, time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Out, "out", "", "output directory (the fairness root)")
	f.StringVar(&opts.Scale, "scale", "tiny", "tiny (64px, ~1.7k images), small (96px, ~12k) or full (128px, FF++-sized)")
	f.Int64Var(&opts.Seed, "seed", 42, "random seed")
	f.BoolVar(&opts.Overwrite, "overwrite", false, "write into a directory that already holds a dataset")
	f.IntVar(&opts.Workers, "workers", 0, "parallel renderers (0: number of CPUs)")
	return cmd
}
