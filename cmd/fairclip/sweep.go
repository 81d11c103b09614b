package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/sweep"
)

func newSweepCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Search the accuracy/fairness trade-off over many training runs",
	}
	cmd.AddCommand(newSweepRunCmd(), newSweepStatusCmd(), newSweepBestCmd(), newSweepParetoCmd())
	return cmd
}

func newSweepRunCmd() *cobra.Command {
	var spaceFile, out, executor, program string
	var parallel, trials int
	var slurmArgs []string
	cmd := &cobra.Command{
		Use:   "run --space SPACE.yaml --out SWEEPDIR",
		Short: "Run (or resume) a sweep; each trial is a `fairclip train --run-dir` process",
		Long: `Runs the trials of a search space. The space file names base: (a config), params:
(dotted keys as grid/choice/uniform/loguniform/int), objectives: (name: max|min), sampler:
(grid, random, tpe, nsga2), trials:, and optionally seed:, set: (overrides for every trial),
pruning: (degenerate_epochs, median, median_metric, min_epochs, min_trials) and retries:.
Running the same command again resumes: finished trials are kept, Slurm jobs are re-attached.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if spaceFile == "" || out == "" {
				return badInput(fmt.Errorf("--space and --out are required"))
			}
			s, err := sweep.LoadSpace(spaceFile)
			if err != nil {
				return badInput(err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			sum, err := sweep.Run(ctx, s, sweep.Options{
				SweepDir: out, SpaceFile: spaceFile, Executor: executor, Parallel: parallel,
				Trials: trials, SlurmArgs: slurmArgs, Log: cmd.ErrOrStderr(), Command: programCommand(program),
			})
			if errors.Is(err, sweep.ErrAllInvalid) {
				return badInput(err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sweep %s: %d trials: %d complete, %d pruned, %d failed\n",
				out, len(sum.Trials), sum.Complete, sum.Pruned, sum.Failed)
			st, err := sweep.LoadStatus(out)
			if err != nil {
				return err
			}
			if err := st.CheckCompleted(); err != nil {
				return err
			}
			if len(st.Objectives) >= 2 {
				png := filepath.Join(out, "pareto.png")
				if err := sweep.PlotPareto(png, st, 0, 1); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Pareto plot: %s\n", png)
			}
			return st.WriteTable(cmd.OutOrStdout(), sweep.ParetoFront(st.Trials, st.Objectives), false)
		},
	}
	f := cmd.Flags()
	f.StringVar(&spaceFile, "space", "", "search-space YAML file")
	f.StringVar(&out, "out", "", "sweep directory (trials/, sweep.db)")
	f.StringVar(&executor, "executor", "local", "local or slurm")
	f.IntVar(&parallel, "parallel", 1, "trials in flight (Slurm: array concurrency limit)")
	f.IntVar(&trials, "trials", 0, "trial budget (default: the space's)")
	f.StringArrayVar(&slurmArgs, "sbatch-arg", nil, "extra sbatch argument, e.g. --sbatch-arg=--partition=gpu (repeatable)")
	f.StringVar(&program, "fairclip", "", "the fairclip executable trials run (default: this one; Slurm nodes must see the same path)")
	return cmd
}

func programCommand(program string) []string {
	if program == "" {
		return nil
	}
	if abs, err := filepath.Abs(program); err == nil {
		program = abs
	}
	return []string{program}
}

func loadSweepStatus(dir string) (*sweep.Status, error) {
	st, err := sweep.LoadStatus(dir)
	if err != nil {
		return nil, badInput(err)
	}
	return st, nil
}

func newSweepStatusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status SWEEPDIR",
		Short: "List every trial with its state, parameters and objectives",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := loadSweepStatus(args[0])
			if err != nil {
				return err
			}
			if !asJSON {
				var parts []string
				for _, s := range []sweep.State{sweep.StateComplete, sweep.StateRunning, sweep.StatePending, sweep.StatePruned, sweep.StateFailed} {
					parts = append(parts, fmt.Sprintf("%d %s", st.Counts()[s], s))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", args[0], strings.Join(parts, ", "))
			}
			return st.WriteTable(cmd.OutOrStdout(), st.Trials, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}

func newSweepBestCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "best SWEEPDIR",
		Short: "The best completed trial for each objective",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := loadSweepStatus(args[0])
			if err != nil {
				return err
			}
			if err := st.CheckCompleted(); err != nil {
				return err
			}
			var best []sweep.Trial
			for k, o := range st.Objectives {
				t, ok := sweep.Best(st.Trials, st.Objectives, k)
				if !ok {
					return fmt.Errorf("no completed trial yet in %s", args[0])
				}
				if !asJSON {
					fmt.Fprintf(cmd.OutOrStdout(), "best %s (%s): trial %d\n", o.Name, o.Direction, t.ID)
				}
				best = append(best, t)
			}
			return st.WriteTable(cmd.OutOrStdout(), best, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	return cmd
}

func newSweepParetoCmd() *cobra.Command {
	var asJSON, noReport bool
	var plotPath, reportPath string
	cmd := &cobra.Command{
		Use:   "pareto SWEEPDIR",
		Short: "The Pareto front over all objectives, a PNG plot of the first two, and the front's comparison report",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := loadSweepStatus(args[0])
			if err != nil {
				return err
			}
			if err := st.CheckCompleted(); err != nil {
				return err
			}
			front := sweep.ParetoFront(st.Trials, st.Objectives)
			if len(st.Objectives) >= 2 {
				if plotPath == "" {
					plotPath = filepath.Join(args[0], "pareto.png")
				}
				if err := sweep.PlotPareto(plotPath, st, 0, 1); err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(cmd.OutOrStdout(), "Pareto plot: %s\n", plotPath)
				}
			}
			if len(front) > 0 && !noReport {
				if reportPath == "" {
					reportPath = filepath.Join(args[0], "pareto-report.md")
				}
				dirs, err := sweep.ReportFront(st, reportPath)
				if err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(cmd.OutOrStdout(), "Report of the front's %d runs: %s\n", len(dirs), reportPath)
				}
			}
			return st.WriteTable(cmd.OutOrStdout(), front, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON output")
	cmd.Flags().StringVar(&plotPath, "plot", "", "PNG path (default SWEEPDIR/pareto.png)")
	cmd.Flags().StringVar(&reportPath, "report", "", "comparison report of the front's runs (default SWEEPDIR/pareto-report.md)")
	cmd.Flags().BoolVar(&noReport, "no-report", false, "skip the comparison report")
	return cmd
}
