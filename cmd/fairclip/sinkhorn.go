package main

import (
	"errors"

	"github.com/fairclip/fairclip/fairloss"
	"github.com/spf13/cobra"
)

func newSinkhornCmd() *cobra.Command {
	var input string
	cmd := &cobra.Command{
		Use:   "sinkhorn --input clouds.json",
		Short: "Debiased Sinkhorn divergence of two point clouds (geomloss 0.2.6 semantics)",
		Long: "Reads {\"x\": [...], \"y\": [...], \"a\": [...], \"b\": [...], \"p\": 2, \"blur\": 1e-4, \"scaling\": 0.9}\n" +
			"(x, y: lists of points, a list of numbers being a 1-D cloud; a, b: optional weights, uniform\n" +
			"when absent) and prints {\"value\", \"grad_x\", \"grad_y\", \"iterations\"} as geomloss's\n" +
			"SamplesLoss(\"sinkhorn\", p, blur, scaling, debias=True) with torch autograd gives them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := fairloss.SinkhornCommand(input, cmd.OutOrStdout())
			if errors.Is(err, fairloss.ErrInput) {
				return badInput(err)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "JSON file with the clouds (- for standard input)")
	return cmd
}
