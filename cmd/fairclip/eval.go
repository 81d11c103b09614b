package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/train"
)

func newEvalCmd() *cobra.Command {
	var (
		runDir, ckpt, cfgPath, datasets, convention, backendSpec, synthetic, weights string
	)
	cmd := &cobra.Command{
		Use:   "eval --run RUNDIR | --checkpoint CK --config FILE [--datasets a,b] [--convention fairclip|pgfdd|deepfakebench]",
		Short: "Score datasets with a trained model: score CSVs and the detection and fairness metrics table",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := train.EvalOptions{Run: runDir, Checkpoint: ckpt, Convention: convention, Backend: backendSpec, Out: cmd.OutOrStdout()}
			if datasets != "" {
				o.Datasets = strings.Split(datasets, ",")
			}
			var cfg config.Config
			switch {
			case cfgPath != "":
				c, _, err := config.Load(cfgPath, nil)
				if err != nil {
					return badInput(err)
				}
				cfg, o.Config = c, &c
			case runDir != "":
				c, _, err := config.Load(runDir+"/config.yaml", nil)
				if err != nil {
					return badInput(err)
				}
				cfg = c
			}
			src, closeSrc, err := openSource(cfg, synthetic, weights, backendSpec, cmd.ErrOrStderr())
			if err != nil {
				return badInput(err)
			}
			defer closeSrc()
			o.Source = src
			_, err = train.Eval(o)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&runDir, "run", "", "run folder (uses its config.yaml and best.safetensors)")
	f.StringVar(&ckpt, "checkpoint", "", "checkpoint file (.safetensors) to evaluate; needs --config")
	f.StringVar(&cfgPath, "config", "", "configuration of the checkpoint")
	f.StringVar(&datasets, "datasets", "", "comma-separated datasets (default: evaluation.test_datasets)")
	f.StringVar(&convention, "convention", "", "metric convention: fairclip, pgfdd or deepfakebench (default: the configuration's)")
	f.StringVar(&backendSpec, "backend", "", backendFlagHelp)
	f.StringVar(&synthetic, "synthetic-features", "", syntheticHelp)
	f.StringVar(&weights, "weights", "", "CLIP weights file or random spec (overrides clip_weights; identifies the feature store)")
	return cmd
}
