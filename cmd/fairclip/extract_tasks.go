package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
)

// extractShardFlags are the flags of `fairclip extract` that split it into shard
// tasks or make it one of them.
type extractShardFlags struct {
	shard    string // K/N: this process is task K of N
	finalize bool
	executor string // local or slurm: run the tasks
	tasks    int
	parallel int
	threads  int
	retries  int
	program  string
	sbatch   []string
	tasksSet features.TasksOptions
}

// orchestration flags are not passed on to the tasks.
var orchestrationFlags = map[string]bool{"executor": true, "tasks": true, "parallel": true, "retries": true,
	"slurm-arg": true, "fairclip": true, "rebuild": true, "threads": true, "shard": true, "finalize": true}

func (s *extractShardFlags) register(f *pflag.FlagSet, opts *features.ExtractOptions) {
	f.IntVar(&opts.ShardSize, "shard-size", 4096, "samples per store shard (the unit of resuming and of --shard)")
	f.StringVar(&s.shard, "shard", "", "K/N: extract only the store shards of task K (0-based) of N, into the same stores as the other tasks")
	f.BoolVar(&s.finalize, "finalize", false, "encode nothing: complete stores whose shards the tasks wrote, add Stage 1 outputs")
	f.StringVar(&s.executor, "executor", "", "run the extraction as --tasks shard tasks: local (processes here) or slurm (one job array)")
	f.IntVar(&s.tasks, "tasks", 0, "shard tasks (default with --executor local: one per core)")
	f.IntVar(&s.parallel, "parallel", 0, "tasks running at once (Slurm: the array's %P limit; default all)")
	f.IntVar(&s.threads, "threads", 0, "cores each process uses (GOMAXPROCS; default with --executor local: 1, else all)")
	f.IntVar(&s.retries, "retries", 2, "starts of a failed task after its first (--executor)")
	f.StringArrayVar(&s.sbatch, "slurm-arg", nil, "extra sbatch argument, e.g. --slurm-arg=--partition=gpu (repeatable)")
	f.StringVar(&s.program, "fairclip", "", "fairclip executable the tasks run (default: this one; on Slurm it must be reachable from the nodes)")
}

// apply sets this process's part of the work; true when --executor asks for tasks.
func (s *extractShardFlags) apply(opts *features.ExtractOptions) (bool, error) {
	if s.shard != "" {
		spec, err := features.ParseShard(s.shard)
		if err != nil {
			return false, badInput(err)
		}
		opts.Shard = spec
	}
	opts.Finalize = s.finalize
	if s.executor == "" {
		if s.threads > 0 {
			runtime.GOMAXPROCS(s.threads)
		}
		return false, nil
	}
	if s.executor != "local" && s.executor != "slurm" {
		return false, badInput(fmt.Errorf("--executor %q: use local or slurm", s.executor))
	}
	if s.tasks == 0 {
		if s.executor == "slurm" {
			return false, badInput(errors.New("--executor slurm needs --tasks N"))
		}
		s.tasks = runtime.NumCPU()
	}
	if s.threads == 0 && s.executor == "local" {
		s.threads = max(1, runtime.NumCPU()/s.tasks)
	}
	return true, nil
}

// taskArgs are the extract arguments of every task: the flags given to this command
// except the orchestration ones, with --config made absolute.
func (s *extractShardFlags) taskArgs(cmd *cobra.Command) []string {
	args := []string{"extract"}
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if orchestrationFlags[fl.Name] {
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, "--"+fl.Name+"="+v)
			}
			return
		}
		v := fl.Value.String()
		if fl.Name == "config" {
			if abs, err := filepath.Abs(v); err == nil {
				v = abs
			}
		}
		args = append(args, "--"+fl.Name+"="+v)
	})
	if s.threads > 0 {
		args = append(args, "--threads="+strconv.Itoa(s.threads))
	}
	return args
}

// runExtractTasks is `fairclip extract --executor ...`.
func runExtractTasks(ctx context.Context, cmd *cobra.Command, cfg config.Config, opts features.ExtractOptions, s *extractShardFlags) error {
	stderr := cmd.ErrOrStderr()
	opts.Progress = nil
	res, err := features.ExtractTasks(ctx, cfg, opts, features.TasksOptions{Executor: s.executor, Tasks: s.tasks, Parallel: s.parallel,
		SlurmArgs: s.sbatch, Retries: s.retries, Command: programCommand(s.program), TaskArgs: s.taskArgs(cmd),
		Progress: tasksProgress(stderr)})
	out := cmd.OutOrStdout()
	for _, sum := range res.Summaries {
		fmt.Fprintf(out, "%-16s %6d samples x %d views, dim %d, %d bad -> %s\n", sum.Target, sum.N, sum.Views, sum.Dim, sum.Bad, sum.Dir)
		if sum.Stage1Dir != "" {
			fmt.Fprintf(out, "%-16s Stage 1 outputs -> %s (%d shards written, %d reused)\n", "", sum.Stage1Dir, sum.Stage1ShardsWritten, sum.Stage1ShardsReused)
		}
	}
	for _, v := range res.Verified {
		fmt.Fprintf(out, "verified %s: %d shard files, %d bytes ok\n", v.Dir, v.Files, v.Bytes)
	}
	if err == nil && res.Seconds > 0 {
		fmt.Fprintf(out, "%d tasks (%s), %d images in %.1f s (%.2f images/s); task logs in %s\n", s.tasks, s.executor, res.Images, res.Seconds, float64(res.Images)/res.Seconds, res.JobsDir)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return extractErr(err)
}

// tasksProgress draws shards done / total and images/s on a terminal, or prints a
// line whenever a shard is added otherwise (batch logs).
func tasksProgress(stderr io.Writer) func(features.TasksProgress) {
	rate := func(p features.TasksProgress) float64 {
		if s := p.Elapsed.Seconds(); s > 0 {
			return float64(p.Images) / s
		}
		return 0
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(p features.TasksProgress) {
			if bar == nil {
				bar = progressbar.NewOptions(p.ShardsTotal, progressbar.OptionSetWriter(stderr), progressbar.OptionShowCount(),
					progressbar.OptionSetItsString("shards"), progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth())
			}
			bar.Describe(fmt.Sprintf("shards (%.1f images/s)", rate(p)))
			_ = bar.Set(p.ShardsDone)
		}
	}
	last := -1
	return func(p features.TasksProgress) {
		if p.ShardsDone != last {
			last = p.ShardsDone
			fmt.Fprintf(stderr, "extract: %d/%d shards, %d images this run, %.1f images/s\n", p.ShardsDone, p.ShardsTotal, p.Images, rate(p))
		}
	}
}
