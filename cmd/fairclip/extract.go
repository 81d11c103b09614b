package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/features"
)

func newExtractCmd() *cobra.Command {
	var (
		cfgPath, splits string
		sets            []string
		opts            features.ExtractOptions
		shards          extractShardFlags
	)
	cmd := &cobra.Command{
		Use:   "extract --config FILE [--set k=v]... [--splits train,val,test] [--views K] [--batch N] [--weights FILE]",
		Short: "Compute the frozen CLIP features once and store them (features.dir/<key>/)",
		Long: "Runs the CLIP encoder over every sample of the configured datasets (train: dataset.train_dataset,\n" +
			"val: dataset.validation_dataset, test: dataset.test_dataset and evaluation.test_datasets) and\n" +
			"writes one feature store per split and dataset under features.dir, named by the hash of its key\n" +
			"(weights, preprocessing, augmentation, dataset, split, sample list). Training samples get K views\n" +
			"(features.views or --views) when dataset.use_data_augmentation is on; view 0 is unaugmented.\n" +
			"An interrupted extraction resumes at the first missing shard; complete stores are kept.\n" +
			"--weights random:tiny:seed=1 uses a seeded random tiny ViT (tests, benchmarks).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" {
				return badInput(errors.New("--config is required"))
			}
			cfg, notices, err := config.Load(cfgPath, sets)
			if err != nil {
				return badInput(err)
			}
			printNotices(cmd, notices)
			if splits != "" {
				opts.Splits = strings.Split(splits, ",")
			}
			opts.Version = version
			opts.Log = cmd.ErrOrStderr()
			opts.Progress = extractProgress(cmd.ErrOrStderr())
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if asTasks, err := shards.apply(&opts); err != nil {
				return err
			} else if asTasks {
				return runExtractTasks(ctx, cmd, cfg, opts, &shards)
			}
			sums, err := features.Extract(ctx, cfg, opts)
			if opts.Progress != nil {
				opts.Progress(features.Progress{}) // finish the last bar
			}
			out := cmd.OutOrStdout()
			for _, s := range sums {
				rate := ""
				if s.Seconds > 0 && s.Images > 0 {
					rate = fmt.Sprintf(", %d images in %.1f s (%.1f images/s)", s.Images, s.Seconds, float64(s.Images)/s.Seconds)
				}
				fmt.Fprintf(out, "%-16s %6d samples x %d views, dim %d, %d bad -> %s%s\n", s.Target, s.N, s.Views, s.Dim, s.Bad, s.Dir, rate)
				if s.Stage1Dir != "" {
					fmt.Fprintf(out, "%-16s Stage 1 outputs -> %s (%d shards written, %d reused, %.2f s)\n", "", s.Stage1Dir, s.Stage1ShardsWritten, s.Stage1ShardsReused, s.Stage1Seconds)
				}
			}
			if errors.Is(err, context.Canceled) {
				return fmt.Errorf("interrupted: the shards written so far are kept; rerun the same command to resume")
			}
			return extractErr(err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "experiment configuration (YAML)")
	f.StringArrayVar(&sets, "set", nil, "override a configuration key, e.g. --set features.dir=/scratch/features (repeatable)")
	f.StringVar(&splits, "splits", "", "comma-separated splits to extract: train, val, test (default all)")
	f.IntVar(&opts.Views, "views", 0, "augmented views per training sample (default features.views)")
	f.IntVar(&opts.Batch, "batch", 32, "samples per encoder batch")
	f.IntVar(&opts.Workers, "workers", 0, "image decoding goroutines (0: all cores)")
	f.StringVar(&opts.Weights, "weights", "", "CLIP weights file, or random:<arch>:seed=N (default clip_weights)")
	f.StringVar(&opts.Preprocess, "preprocess", "reference-stage2", "image preprocessing: reference-stage2 (dataset.resolution, mean/std from the config) or clip")
	f.StringVar(&opts.Backend, "backend", "", backendFlagHelp)
	f.StringVar(&opts.DType, "dtype", "float32", "stored value type: float32 or float16")
	f.StringVar(&opts.TokensDType, "tokens-dtype", features.DefaultTokensDType, "pooled patch tokens' value type (features.tokens: patches:K): float16 or float32")
	f.BoolVar(&opts.Rebuild, "rebuild", false, "delete an existing store of the same key and extract it again")
	shards.register(f, &opts)
	return cmd
}

// extractErr marks errors caused by the user's files or settings (exit code 2).
func extractErr(err error) error {
	var mm *features.MismatchError
	if errors.As(err, &mm) || errors.Is(err, features.ErrBadInput) || errors.Is(err, data.ErrIndex) || errors.Is(err, data.ErrBadImage) || errors.Is(err, fs.ErrNotExist) {
		return badInput(err)
	}
	return err
}

// extractProgress returns a progress callback drawing one bar per store on stderr
// (images/s, ETA), or nil when stderr is not a terminal. A zero Progress finishes the
// current bar.
func extractProgress(stderr io.Writer) func(features.Progress) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	var current string
	return func(p features.Progress) {
		if p.Target != current && bar != nil {
			_ = bar.Finish()
			bar = nil
		}
		current = p.Target
		if p.Target == "" {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(p.Target), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("samples"),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100_000_000),
				progressbar.OptionFullWidth())
		}
		if s := p.Elapsed.Seconds(); s > 0 {
			bar.Describe(fmt.Sprintf("%s %.1f images/s", p.Target, float64(p.Images)/s))
		}
		_ = bar.Set(p.Done)
	}
}
