package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/features"
)

func newFeaturesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "features info|verify DIR [--json]",
		Short: "Inspect and verify feature stores written by `fairclip extract`",
	}
	var infoJSON, verifyJSON bool
	info := &cobra.Command{
		Use:   "info DIR",
		Short: "Print a store's counts, views, dtype, size on disk, labels, key parts and bad samples",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inf, err := features.Describe(args[0])
			if err != nil {
				return badInput(err)
			}
			if infoJSON {
				return writeJSON(cmd.OutOrStdout(), inf)
			}
			return writeInfo(cmd.OutOrStdout(), inf)
		},
	}
	info.Flags().BoolVar(&infoJSON, "json", false, "print JSON")
	verify := &cobra.Command{
		Use:   "verify DIR",
		Short: "Recompute every shard's sha256 and compare it with meta.json",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := features.VerifyReport(args[0])
			if verifyJSON {
				if jerr := writeJSON(cmd.OutOrStdout(), res); jerr != nil {
					return jerr
				}
			} else if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: OK (%d shard files, %d bytes checked)\n", args[0], res.Files, res.Bytes)
			}
			if err != nil {
				return badInput(err)
			}
			return nil
		},
	}
	verify.Flags().BoolVar(&verifyJSON, "json", false, "print JSON")
	cmd.AddCommand(info, verify)
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeInfo(w io.Writer, inf features.Info) error {
	status := "complete"
	if !inf.Complete {
		status = "INCOMPLETE (rerun `fairclip extract` to finish)"
	}
	fmt.Fprintf(w, "store      %s (%s)\n", inf.Dir, status)
	fmt.Fprintf(w, "samples    %d (real %d, fake %d), %d views each, %d bad samples\n", inf.N, inf.Labels[0], inf.Labels[1], inf.Views, inf.Bad)
	fmt.Fprintf(w, "values     clip %d", inf.ClipDim)
	if inf.Stage1Dim > 0 {
		fmt.Fprintf(w, ", stage1 %d", inf.Stage1Dim)
	}
	fmt.Fprintf(w, " x %s, %d shards, %.1f MB on disk\n", inf.DType, inf.Shards, float64(inf.Bytes)/1e6)
	if inf.Tokens > 0 {
		fmt.Fprintf(w, "tokens     %d pooled patch tokens x %d x %s per sample and view (%s)\n", inf.Tokens, inf.ClipDim, inf.TokensDType, inf.Key.Tokens)
	} else {
		fmt.Fprintf(w, "tokens     cls (the pooled embedding only)\n")
	}
	k := inf.Key
	fmt.Fprintf(w, "key        dataset %s, split %s\n", k.Dataset, k.Split)
	fmt.Fprintf(w, "  backbone   %s\n  preprocess %s\n  augment    %s\n  stage1     %q\n  samples    %s\n", k.Backbone, k.Preprocess, k.Augment, k.Stage1, k.Samples)
	for _, a := range inf.Stage1 {
		st := "complete"
		if !a.Complete {
			st = "INCOMPLETE"
		}
		fmt.Fprintf(w, "stage1     %d x %s, %d shards, %.1f MB, %s: %s\n  adapter    %s\n", a.Dim, inf.DType, a.Shards, float64(a.Bytes)/1e6, st, a.Source, a.Identity)
	}
	for _, b := range inf.BadSamples {
		fmt.Fprintf(w, "bad        %s (%s row %d): %s\n", b.ID, b.CSV, b.Row, b.Error)
	}
	return nil
}
