package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Inspect dataset indexes",
	}
	cmd.AddCommand(newDataStatsCmd())
	return cmd
}

func newDataStatsCmd() *cobra.Command {
	var (
		configPath, root string
		asJSON, check    bool
		skipUnknown      bool
		workers          int
	)
	cmd := &cobra.Command{
		Use:   "stats (--config FILE | --root DIR)",
		Short: "Samples per dataset, split, label and subgroup; unknowns, missing files, majority-class share",
		Long: "Summarizes the PG-FDD fairness CSVs a configuration reads (--config) or that lie under\n" +
			"DIR/<dataset>/ (--root). Every image is checked for existence in parallel; --check-images\n" +
			"decodes each one instead. Bad images are listed with their CSV and row, and the command\n" +
			"then exits 1; index errors (missing CSV or column, bad label, escaping path) exit 2.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (configPath == "") == (root == "") {
				return badInput(errors.New("give exactly one of --config FILE or --root DIR"))
			}
			opts := data.StatsOptions{CheckImages: check, Workers: workers}
			var sources []data.StatsSource
			var err error
			if configPath != "" {
				c, notices, err := config.Load(configPath, nil)
				if err != nil {
					return badInput(err)
				}
				printNotices(cmd, notices)
				opts.Root = c.Dataset.FairnessRoot
				opts.SkipUnknownAttributes = c.Dataset.SkipUnknownAttributes || skipUnknown
				if sources, err = data.SourcesFromConfig(c); err != nil {
					return badInput(err)
				}
			} else {
				opts.Root, opts.SkipUnknownAttributes = root, skipUnknown
				if sources, err = data.SourcesFromRoot(root); err != nil {
					return badInput(err)
				}
			}
			if check {
				var bar *progressbar.ProgressBar
				opts.Progress = func(done, total int) {
					if bar == nil {
						bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
							progressbar.OptionSetDescription("decoding images"), progressbar.OptionShowCount(),
							progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
					}
					_ = bar.Set(done)
				}
			}
			st, err := data.ComputeStats(cmd.Context(), sources, opts)
			if err != nil {
				if errors.Is(err, data.ErrIndex) {
					return badInput(err)
				}
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(st); err != nil {
					return err
				}
			} else if err := st.WriteText(out); err != nil {
				return err
			}
			if len(st.Bad) > 0 {
				return fmt.Errorf("%d missing or unreadable images (listed above)", len(st.Bad))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&configPath, "config", "", "experiment configuration whose dataset section to summarize")
	f.StringVar(&root, "root", "", "fairness root holding <dataset>/{realtrain,faketrain,realval,fakeval,test}.csv")
	f.BoolVar(&asJSON, "json", false, "print JSON instead of tables")
	f.BoolVar(&check, "check-images", false, "decode every image (in parallel) instead of checking existence")
	f.BoolVar(&skipUnknown, "skip-unknown", false, "drop samples with unknown gender or race (dataset.skip_unknown_attributes)")
	f.IntVar(&workers, "workers", 0, "parallel file checks (0: number of CPUs)")
	return cmd
}
