package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fairclip/fairclip/config"
	"github.com/spf13/cobra"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show, validate and compare experiment configurations",
	}
	cmd.AddCommand(newConfigShowCmd(), newConfigValidateCmd(), newConfigDiffCmd())
	return cmd
}

func newConfigShowCmd() *cobra.Command {
	var sets []string
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Print the resolved configuration (base chain, defaults and --set applied) as YAML",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, notices, err := config.Load(args[0], sets)
			if err != nil {
				return badInput(err)
			}
			printNotices(cmd, notices)
			out, err := config.Marshal(c)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a key, e.g. --set optimizer.lr=3e-4 (repeatable)")
	return cmd
}

func newConfigValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check configurations strictly; exit 2 if any is invalid",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := 0
			for _, path := range args {
				_, notices, err := config.Load(path, nil)
				if err != nil {
					failed++
					fmt.Fprintf(cmd.OutOrStdout(), "%s: invalid\n  %s\n", path, strings.ReplaceAll(err.Error(), "\n", "\n  "))
					continue
				}
				printNotices(cmd, notices)
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", path)
			}
			if failed > 0 {
				return badInput(fmt.Errorf("%d of %d configurations invalid", failed, len(args)))
			}
			return nil
		},
	}
}

func newConfigDiffCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff A B [C...]",
		Short: "Table of the keys that differ, one column per configuration (arrows against the first)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" {
				return badInput(fmt.Errorf("--format %q: use markdown or text", format))
			}
			cfgs := make([]config.Config, len(args))
			for i, path := range args {
				c, _, err := config.Load(path, nil)
				if err != nil {
					return badInput(err)
				}
				cfgs[i] = c
			}
			names := columnNames(cfgs, args)
			_, err := fmt.Fprint(cmd.OutOrStdout(), config.RenderDiff(config.Diff(cfgs, names), names, format))
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or markdown")
	return cmd
}

// columnNames labels each configuration by its experiment name, or by its file
// name without extension when names are missing or repeated.
func columnNames(cfgs []config.Config, paths []string) []string {
	names := make([]string, len(cfgs))
	seen := map[string]int{}
	for i, c := range cfgs {
		names[i] = c.Logging.ExperimentName
		seen[names[i]]++
	}
	for i, p := range paths {
		if names[i] == "" || seen[names[i]] > 1 {
			names[i] = strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		}
	}
	return names
}

func printNotices(cmd *cobra.Command, notices []config.Notice) {
	for _, n := range notices {
		fmt.Fprintf(cmd.ErrOrStderr(), "fairclip: notice: %s\n", n)
	}
}
