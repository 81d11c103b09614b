package features

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/jobs"
)

// TasksOptions configure ExtractTasks: extraction as N shard tasks run by the same
// executor the sweeps use (package jobs), on this machine or as a Slurm job array.
type TasksOptions struct {
	Executor  string   // "local" (default) or "slurm"
	Tasks     int      // N: shard tasks (each runs `extract ... --shard K/N`)
	Parallel  int      // tasks running at once (Slurm: the array's %P); 0: all
	SlurmArgs []string // extra sbatch arguments (partition, time, cpus, ...)
	Retries   int      // starts of a failed task after its first
	// Command runs fairclip (default: this executable); TaskArgs are the extract
	// arguments every task gets, before `--shard K/N`.
	Command  []string
	TaskArgs []string
	// JobsDir holds task logs, Slurm scripts and the task state (default:
	// <features.dir>/extract-jobs/<hash of the stores and N>/).
	JobsDir string
	Poll    time.Duration
	// Progress, when set, is called after every poll.
	Progress func(TasksProgress)
}

// TasksProgress is the state of a sharded extraction across its tasks.
type TasksProgress struct {
	ShardsDone, ShardsTotal int
	Images                  int // images (samples x views) in shards written since the start
	Elapsed                 time.Duration
}

// TasksResult is the outcome of ExtractTasks.
type TasksResult struct {
	JobsDir   string
	Tasks     []jobs.Status
	Summaries []Summary
	Verified  []VerifyResult
	Images    int // images encoded by the tasks of this call
	Seconds   float64
}

// ExtractTasks extracts the configured stores as opts.Tasks shard tasks: each task is
// `fairclip extract <TaskArgs> --shard K/N`, started through package jobs (local
// processes or one Slurm job array), tracked, retried when it ends with shards of its
// part missing, and re-attached to when this command is run again while Slurm still
// runs them. Stores already complete and shards already written are not redone. When
// every task is done, the stores are finalized in this process (meta.json completed,
// Stage 1 outputs added, as `extract --finalize` does) and verified (`features verify`).
func ExtractTasks(ctx context.Context, cfg config.Config, opts ExtractOptions, t TasksOptions) (TasksResult, error) {
	res := TasksResult{}
	begin := time.Now()
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if t.Tasks < 1 {
		return res, badInput(fmt.Errorf("--tasks %d: want at least 1", t.Tasks))
	}
	if opts.Shard.N > 0 || opts.Finalize {
		return res, badInput(errors.New("--shard and --finalize are for single tasks, not with --executor"))
	}
	setup, err := NewSetup(cfg, opts.Options)
	if err != nil {
		return res, badInput(err)
	}
	targets, err := setup.Targets(opts.Splits)
	if err != nil {
		return res, badInput(err)
	}
	shardSize := opts.ShardSize
	if shardSize <= 0 {
		shardSize = defaultShardSize
	}
	plan := AssignShards(targets, shardSize, t.Tasks)
	// A store of another key stops everything before any task starts.
	id := sha256.New()
	for _, tg := range targets {
		if opts.Rebuild {
			if err := os.RemoveAll(tg.Dir); err != nil {
				return res, fmt.Errorf("rebuild %s: %w", tg.Dir, err)
			}
		} else if m, err := ReadMeta(tg.Dir); err == nil {
			if diffs := m.Key.Diff(tg.Key); len(diffs) > 0 {
				return res, badInput(fmt.Errorf("%s: %w (pass --rebuild to replace it)", tg.Name(), &MismatchError{Dir: tg.Dir, Diffs: diffs}))
			}
		}
		fmt.Fprintf(id, "%s\n", tg.Dir)
	}
	fmt.Fprintf(id, "tasks=%d shard_size=%d\n", t.Tasks, shardSize)
	if t.JobsDir == "" {
		t.JobsDir = filepath.Join(setup.Root, "extract-jobs", hex.EncodeToString(id.Sum(nil))[:16])
	}
	if t.JobsDir, err = filepath.Abs(t.JobsDir); err != nil {
		return res, err
	}
	res.JobsDir = t.JobsDir
	if len(t.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return res, fmt.Errorf("extract: find the fairclip executable: %w", err)
		}
		t.Command = []string{exe}
	}
	limit := t.Parallel
	if limit <= 0 {
		limit = t.Tasks
	}
	ex, err := jobs.New(t.Executor, jobs.Options{Command: t.Command, Dir: t.JobsDir, Limit: limit,
		SlurmArgs: t.SlurmArgs, Name: "fairclip-extract", LogName: "task.log"})
	if err != nil {
		return res, badInput(err)
	}
	// done reports which shards of each target are written (by any task).
	done := func() ([]map[int]bool, int, int) {
		out := make([]map[int]bool, len(targets))
		n, images := 0, 0
		for ti, tg := range targets {
			out[ti] = writtenShards(tg.Dir, len(plan[ti]))
			for s := range out[ti] {
				n++
				images += min(shardSize, len(tg.Samples)-s*shardSize) * tg.Views
			}
		}
		return out, n, images
	}
	total := 0
	for _, p := range plan {
		total += len(p)
	}
	_, doneAtStart, imagesAtStart := done()
	fmt.Fprintf(opts.Log, "extract: %d shards in %d stores, %d already written; %d %s tasks (logs in %s)\n",
		total, len(targets), doneAtStart, t.Tasks, cmp.Or(t.Executor, "local"), t.JobsDir)
	tasks := make([]*jobs.Task, t.Tasks)
	for k := range tasks {
		tasks[k] = &jobs.Task{ID: k, Dir: filepath.Join(t.JobsDir, "task-"+strconv.Itoa(k))}
	}
	check := func(task *jobs.Task) error {
		written, _, _ := done()
		var missing []string
		for ti, tg := range targets {
			for s, k := range plan[ti] {
				if k == task.ID && !written[ti][s] {
					missing = append(missing, fmt.Sprintf("%s shard %d", tg.Name(), s))
				}
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if len(missing) > 3 {
			missing = append(missing[:3], fmt.Sprintf("%d more", len(missing)-3))
		}
		return fmt.Errorf("%s not written; %s: %s", strings.Join(missing, ", "), filepath.Join(task.Dir, "task.log"), jobs.LastLogLine(filepath.Join(task.Dir, "task.log")))
	}
	args := func(task *jobs.Task) []string {
		return append(append([]string{}, t.TaskArgs...), "--shard", ShardSpec{K: task.ID, N: t.Tasks}.String())
	}
	progress := func() {
		if t.Progress == nil {
			return
		}
		_, n, images := done()
		t.Progress(TasksProgress{ShardsDone: n, ShardsTotal: total, Images: images - imagesAtStart, Elapsed: time.Since(begin)})
	}
	progress()
	inFlight := 0
	if t.Executor != "slurm" {
		inFlight = t.Parallel
		if t.Poll <= 0 {
			t.Poll = 250 * time.Millisecond // local processes: ending is known at once
		}
	}
	res.Tasks, err = jobs.RunAll(ctx, ex, tasks, args, jobs.RunOptions{StateFile: filepath.Join(t.JobsDir, "tasks.json"),
		InFlight: inFlight, Retries: t.Retries, Poll: t.Poll, Check: check, Progress: progress, Log: opts.Log})
	progress()
	_, _, imagesNow := done()
	res.Images = imagesNow - imagesAtStart
	if err != nil {
		return res, fmt.Errorf("extract: %w", err)
	}
	fin := opts
	fin.Finalize = true
	if res.Summaries, err = Extract(ctx, cfg, fin); err != nil {
		return res, err
	}
	for _, s := range res.Summaries {
		v, err := VerifyReport(s.Dir)
		if err != nil {
			return res, fmt.Errorf("verify %s: %w", s.Dir, err)
		}
		res.Verified = append(res.Verified, v)
	}
	res.Seconds = time.Since(begin).Seconds()
	return res, nil
}

// writtenShards lists the shards of the store in dir that are written: recorded in
// meta.json or, while tasks fill it, under parts/. parts/ is read first: a task that
// completes the store merges it into meta.json before removing it.
func writtenShards(dir string, n int) map[int]bool {
	out := map[int]bool{}
	for i := range n {
		if _, err := os.Stat(recordFile(dir, i)); err == nil {
			out[i] = true
		}
	}
	if m, err := ReadMeta(dir); err == nil {
		for _, s := range m.Shards {
			out[s.Index] = true
		}
	}
	return out
}
