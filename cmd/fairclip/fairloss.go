package main

import (
	"errors"

	"github.com/fairclip/fairclip/fairloss"
	"github.com/spf13/cobra"
)

func newFairlossCmd() *cobra.Command {
	var input string
	cmd := &cobra.Command{
		Use:   "fairloss --input batch.json",
		Short: "Stage 2 fairness loss (pairwise subgroup Sinkhorn divergences per class) and its gradient",
		Long: "Reads {\"features\": [[...], ...], \"labels\": [...], \"subgroups\": [...], \"p\": 2, \"blur\": 1e-4,\n" +
			"\"scaling\": 0.9, \"min_samples_per_subgroup\": 2, \"num_subgroups\": 8} (labels 0 real / 1 fake,\n" +
			"subgroups 0..num_subgroups-1 or -1 unknown) and prints {\"value\", \"grad_features\", \"breakdown\"}.\n" +
			"An undefined loss (no class with two subgroups of enough samples) prints value 0 and the\n" +
			"reason in breakdown.reason.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := fairloss.Stage2Command(input, cmd.OutOrStdout())
			if errors.Is(err, fairloss.ErrInput) {
				return badInput(err)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "JSON file with the batch (- for standard input)")
	return cmd
}
