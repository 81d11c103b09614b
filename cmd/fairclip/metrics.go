package main

import (
	"errors"

	"github.com/fairclip/fairclip/metrics"
	"github.com/spf13/cobra"
)

func newMetricsCmd() *cobra.Command {
	var opts metrics.CommandOptions
	cmd := &cobra.Command{
		Use: "metrics --scores FILE.csv [--convention fairclip|pgfdd|deepfakebench] " +
			"[--threshold T | --threshold-rule R --threshold-from VAL.csv] [--bootstrap N --seed S] " +
			"[--compare OTHER.csv] [--json]",
		Short: "Detection and fairness metrics of a score file, with intervals and comparisons",
		Long: "Reads a score CSV (header score,label,group[,video][,path]; group is a name such as\n" +
			"male-asian or female-white, an id 0-7 = race + 4*female, or -1/empty for unknown) and\n" +
			"prints AUC, ACC, EER, AP, video-level metrics when video ids exist, and the fairness\n" +
			"metrics over the intersectional, gender and race subgroups under the named convention.\n" +
			"Human output shows fairness in percent; --json gives fractions (null = undefined).\n" +
			"Threshold rules: youden, eer, fpr=X (e.g. fpr=0.05), max-acc.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := metrics.RunCommand(opts, cmd.OutOrStdout())
			if errors.Is(err, metrics.ErrBadInput) {
				return badInput(err)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Scores, "scores", "", "score CSV to evaluate (required)")
	f.StringVar(&opts.Convention, "convention", "fairclip", "metric convention: fairclip, pgfdd or deepfakebench")
	f.Float64Var(&opts.Threshold, "threshold", 0, "decision threshold (0: 0.5)")
	f.StringVar(&opts.ThresholdRule, "threshold-rule", "", "choose a threshold by rule: youden, eer, fpr=X, max-acc")
	f.StringVar(&opts.ThresholdFrom, "threshold-from", "", "score CSV the threshold rule is applied to (e.g. validation)")
	f.IntVar(&opts.Bootstrap, "bootstrap", 0, "bootstrap resamples for confidence intervals (0: none)")
	f.Int64Var(&opts.Seed, "seed", 1, "bootstrap seed")
	f.IntVar(&opts.MinSubgroup, "min-subgroup", 0, "smallest subgroup in the fairness gaps (0: the convention's own, 10 for fairclip, none for pgfdd and deepfakebench)")
	f.StringVar(&opts.Compare, "compare", "", "second score CSV of the same samples: DeLong test and paired bootstrap")
	f.BoolVar(&opts.JSON, "json", false, "print JSON (fractions) instead of the text report")
	return cmd
}
