package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/train"
)

func newProbeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Measure quantities before training (probe fairloss)",
	}
	cmd.AddCommand(newProbeFairlossCmd())
	return cmd
}

func newProbeFairlossCmd() *cobra.Command {
	var (
		cfgPath, run, blurs, synthetic, weights, backendSpec string
		sets                                                 []string
		opts                                                 train.ProbeOptions
		asJSON                                               bool
	)
	cmd := &cobra.Command{
		Use:   "fairloss --config FILE [--set k=v]... [--run RUNDIR] --blur 1e-4,3e-4,5e-4,1e-3 [--lambda-target 0.03] [--batches N] [--json]",
		Short: "Fairness-loss magnitude per Sinkhorn blur on real batches, and the lambda_fair for a target contribution",
		Long: "Runs real training batches (the trainer's batches, views and dropout masks of epoch 1, 2, ...)\n" +
			"from the configured feature source through the model at initialisation (or at the best/latest\n" +
			"checkpoint of --run), computes the Stage 2 fairness loss on the normalized fused features for each\n" +
			"blur (fairness_loss p, scaling and min_samples_per_subgroup from the config), and prints per blur\n" +
			"the raw loss over the batches, the undefined batches, the ratio to the first blur, and the\n" +
			"lambda_fair giving lambda*L_fair/(L_cls + lambda*L_fair) = --lambda-target.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" && run != "" {
				cfgPath = filepath.Join(run, runs.ConfigFile)
			}
			if cfgPath == "" {
				return badInput(errors.New("--config is required (or --run RUNDIR)"))
			}
			cfg, notices, err := config.Load(cfgPath, sets)
			if err != nil {
				return badInput(err)
			}
			if !asJSON {
				printNotices(cmd, notices)
			}
			if opts.Blurs, err = parseBlurs(blurs); err != nil {
				return badInput(err)
			}
			if opts.LambdaTarget <= 0 || opts.LambdaTarget >= 1 {
				return badInput(fmt.Errorf("--lambda-target %g: must be in (0, 1)", opts.LambdaTarget))
			}
			if opts.Batches < 1 {
				return badInput(fmt.Errorf("--batches %d: must be >= 1", opts.Batches))
			}
			src, closeSrc, err := openSource(cfg, synthetic, weights, backendSpec, cmd.ErrOrStderr())
			if err != nil {
				return badInput(err)
			}
			defer closeSrc()
			opts.Config, opts.Source, opts.Run, opts.Backend = cfg, src, run, backendSpec
			res, err := train.ProbeFairLoss(opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				b, err := json.MarshalIndent(res, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(out, string(b))
				return err
			}
			return res.WriteTable(out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "experiment configuration (YAML); default with --run: the run's config.yaml")
	f.StringArrayVar(&sets, "set", nil, "override a configuration key (repeatable)")
	f.StringVar(&run, "run", "", "use the run folder's best (else latest) checkpoint instead of the initial weights")
	f.StringVar(&blurs, "blur", "", "comma-separated Sinkhorn blurs (default: fairness_loss.sinkhorn_blur)")
	f.Float64Var(&opts.LambdaTarget, "lambda-target", 0.03, "wanted effective contribution lambda*L_fair/(L_cls + lambda*L_fair)")
	f.IntVar(&opts.Batches, "batches", train.DefaultProbeBatches, "training batches to measure")
	f.BoolVar(&asJSON, "json", false, "print JSON instead of the table")
	f.StringVar(&synthetic, "synthetic-features", "", syntheticHelp)
	f.StringVar(&weights, "weights", "", "CLIP weights for features.mode none, or to find the store (default clip_weights)")
	f.StringVar(&backendSpec, "backend", "", backendFlagHelp)
	return cmd
}

// parseBlurs reads "1e-4,3e-4"; empty means the configuration's blur.
func parseBlurs(s string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []float64
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !(v > 0) {
			return nil, fmt.Errorf("--blur %q: %q is not a positive number", s, part)
		}
		out = append(out, v)
	}
	return out, nil
}
