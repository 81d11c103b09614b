package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/data/synth"
	"github.com/spf13/cobra"
)

// attributeFacesPerSubgroup is the default --per-subgroup of an attribute set per
// --scale: the sizes of the Stage 1 synthetic feature presets.
var attributeFacesPerSubgroup = map[string]int{"tiny": 48, "small": 500, "full": 5000}

func newSynthCmd() *cobra.Command {
	var opts synth.Options
	var attributes, visibility, lookalike string
	var perSubgroup int
	var biasScale, lookalikeStrength float64
	cmd := &cobra.Command{
		Use:   "synth --out DIR [--scale tiny|small|full] [--seed S] [--bias K] [--visibility v0,..,v7] [--real-lookalike r0,..,r7] [--attributes fairface|utkface|generic [--per-subgroup N]]",
		Short: "Write a synthetic, demographically annotated face-forgery dataset (PG-FDD layout)",
		Long: "Writes ff++ (realtrain, faketrain, realval, fakeval, test), celebdf, dfd and dfdc (test)\n" +
			"as PG-FDD fairness CSVs with procedural face PNGs, plus DIR/README.txt. Use DIR as\n" +
			"dataset.fairness_root. The output depends only on --scale, --seed and the bias flags.\n\n" +
			"A demographic bias is planted (docs/data.md): per subgroup (race + 4*female), fake artifacts\n" +
			"fainter (--visibility), real faces retouched by a beauty filter that carries a swap's colour\n" +
			"change without its grid or seam (--real-lookalike, at --lookalike-strength of a fake's).\n" +
			"--bias K scales the default bias (0: none, 1: default); --visibility and --real-lookalike\n" +
			"replace its vectors. DIR/synth.json records it.\n\n" +
			"With --attributes LAYOUT it writes instead a face-attribute set for Stage 1 (real faces\n" +
			"only, --per-subgroup faces per subgroup, the --scale's image size) in the FairFace, UTKFace\n" +
			"or generic layout, and prints the stage1.attribute_datasets entry that reads it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Out == "" {
				return badInput(fmt.Errorf("--out DIR is required"))
			}
			scale, err := synth.ScaleByName(opts.Scale)
			if err != nil {
				return badInput(err)
			}
			if attributes != "" {
				return synthAttributes(cmd, attributes, synth.AttributeImageOptions{Out: opts.Out, Layout: attributes,
					PerSubgroup: perSubgroup, ImageSize: scale.ImageSize, Seed: opts.Seed}, opts.Overwrite)
			}
			if cmd.Flags().Changed("per-subgroup") {
				return badInput(errors.New("--per-subgroup needs --attributes"))
			}
			bias := synth.ScaledBias(biasScale)
			if cmd.Flags().Changed("visibility") {
				if bias.Visibility, err = synth.ParseSubgroupValues(visibility); err != nil {
					return badInput(fmt.Errorf("--visibility %w", err))
				}
			}
			if cmd.Flags().Changed("real-lookalike") {
				if bias.RealLookalike, err = synth.ParseSubgroupValues(lookalike); err != nil {
					return badInput(fmt.Errorf("--real-lookalike %w", err))
				}
			}
			bias.LookalikeStrength = lookalikeStrength
			if err := bias.Validate(); err != nil {
				return badInput(err)
			}
			opts.Bias = &bias
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
	f.Float64Var(&biasScale, "bias", 1, "strength of the planted demographic bias (0: none, 1: the default, >1: exaggerated)")
	f.StringVar(&visibility, "visibility", "", "fake artifact visibility per subgroup 0..7, comma-separated (replaces --bias's)")
	f.StringVar(&lookalike, "real-lookalike", "", "share of retouched real videos per subgroup 0..7, comma-separated (replaces --bias's)")
	f.Float64Var(&lookalikeStrength, "lookalike-strength", synth.DefaultBias.LookalikeStrength, "retouching filter's colour change relative to a fake's colour mismatch")
	f.StringVar(&attributes, "attributes", "", "write a Stage 1 face-attribute set in this layout instead: fairface, utkface or generic")
	f.IntVar(&perSubgroup, "per-subgroup", 0, "with --attributes: faces per subgroup (0: 48, 500 or 5000 for tiny, small, full)")
	return cmd
}

// synthAttributes writes a face-attribute set (synth.GenerateAttributes) and prints
// the config entry that reads it.
func synthAttributes(cmd *cobra.Command, layout string, o synth.AttributeImageOptions, overwrite bool) error {
	switch layout {
	case data.LayoutFairFace, data.LayoutUTKFace, data.LayoutGeneric:
	default:
		return badInput(fmt.Errorf("--attributes %q: want fairface, utkface or generic", layout))
	}
	if o.PerSubgroup == 0 {
		o.PerSubgroup = attributeFacesPerSubgroup[cmd.Flag("scale").Value.String()]
	}
	if o.PerSubgroup < 1 {
		return badInput(fmt.Errorf("--per-subgroup %d: want at least 1", o.PerSubgroup))
	}
	if entries, err := os.ReadDir(o.Out); err == nil && len(entries) > 0 && !overwrite {
		return badInput(fmt.Errorf("%s is not empty (pass --overwrite to write into it)", o.Out))
	}
	start := time.Now()
	path, err := synth.GenerateAttributes(cmd.Context(), o)
	if err != nil {
		return err
	}
	key := "csv"
	if layout == data.LayoutUTKFace {
		key = "root"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %d faces (%s layout, %d per subgroup, %dpx, seed %d) to %s in %.1fs\n",
		o.PerSubgroup*data.NumSubgroups, layout, o.PerSubgroup, o.ImageSize, o.Seed, o.Out, time.Since(start).Seconds())
	fmt.Fprintf(cmd.OutOrStdout(), "stage1.attribute_datasets entry: {name: synth_%s, layout: %s, %s: %q}\n", layout, layout, key, path)
	return nil
}
