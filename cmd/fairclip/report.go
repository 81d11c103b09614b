package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/report"
)

func newReportCmd() *cobra.Command {
	var (
		baseline, out, lang string
		html, noPlots       bool
		bootstrap           int
		seed                int64
	)
	cmd := &cobra.Command{
		Use:   "report RUNDIR...",
		Short: "Compare runs from their run folders: tables, confidence intervals, findings, plots",
		Long: "Writes the tuning report (Markdown, optionally HTML) for the given run folders. " +
			"Missing or partial runs are reported as such. Plots go to {out}_plots/.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			opts := report.Options{Baseline: baseline, Lang: lang, Bootstrap: bootstrap, Seed: seed}
			if lang != "en" && lang != "ko" {
				return badInput(fmt.Errorf("--lang %q: want en or ko", lang))
			}
			if bootstrap < 0 {
				return badInput(fmt.Errorf("--bootstrap %d: want >= 0", bootstrap))
			}
			if out == "-" {
				rep, err := report.Build(dirs, opts)
				if err != nil {
					return badInput(err)
				}
				_, err = fmt.Fprint(cmd.OutOrStdout(), rep.Markdown())
				return err
			}
			opts.NoPlots = noPlots
			rep, err := report.Write(dirs, out, html, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d runs)\n", out, len(rep.Runs))
			for _, r := range rep.Runs {
				if len(r.Problems) > 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "note: %s is %s (see the report)\n", r.Dir, r.Status())
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&baseline, "baseline", "", "run folder to compare against (default: the first)")
	f.StringVar(&out, "out", "report.md", "output Markdown file (\"-\": stdout, no plots)")
	f.BoolVar(&html, "html", false, "also write an HTML version next to --out")
	f.StringVar(&lang, "lang", "en", "report language: en or ko")
	f.IntVar(&bootstrap, "bootstrap", 1000, "bootstrap resamples for AUC confidence intervals (0: none)")
	f.Int64Var(&seed, "seed", 1, "bootstrap seed")
	f.BoolVar(&noPlots, "no-plots", false, "do not draw plots")
	return cmd
}
