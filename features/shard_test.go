package features

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/jobs"
)

func TestParseShard(t *testing.T) {
	cases := []struct {
		in   string
		want ShardSpec
		ok   bool
	}{
		{"0/3", ShardSpec{0, 3}, true},
		{"2/3", ShardSpec{2, 3}, true},
		{"0/1", ShardSpec{0, 1}, true},
		{"3/3", ShardSpec{}, false},
		{"-1/3", ShardSpec{}, false},
		{"1/0", ShardSpec{}, false},
		{"1", ShardSpec{}, false},
		{"a/b", ShardSpec{}, false},
	}
	for _, c := range cases {
		got, err := ParseShard(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestAssignShards checks a plan computed by hand: store A has 10 samples x 3 views
// (shards of 4, 4, 2 samples: 12, 12, 6 images), store B 5 samples x 1 view (4, 1).
// A0 -> task 0 (loads 12, 0); A1 -> 1 (12, 12); A2 -> 0 on the tie (18, 12);
// B0 -> 1 (18, 16); B1 -> 1 (18, 17).
func TestAssignShards(t *testing.T) {
	a := &Target{Samples: make([]data.Sample, 10), Views: 3}
	b := &Target{Samples: make([]data.Sample, 5), Views: 1}
	got := AssignShards([]*Target{a, b}, 4, 2)
	if want := [][]int{{0, 1, 0}, {1, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("plan %v, want %v", got, want)
	}
	// One task gets everything; more tasks than shards leave the last ones idle.
	if got := AssignShards([]*Target{a, b}, 4, 1); !reflect.DeepEqual(got, [][]int{{0, 0, 0}, {0, 0}}) {
		t.Errorf("1 task: %v", got)
	}
	if got := AssignShards([]*Target{b}, 4, 3); !reflect.DeepEqual(got, [][]int{{0, 1}}) {
		t.Errorf("3 tasks over 2 shards: %v", got)
	}
}

const shardBadImage = "ff++/frames/faketrain/f_faketrain-v1_004.png"

// shardDataset writes the dataset of the sharded-extraction tests: 6 rows per CSV
// (train 12 samples x 2 views, val 12, test 6; 8 shards of 4), one training image
// corrupt.
func shardDataset(t *testing.T) string {
	root := t.TempDir()
	writeDataset(t, root, 6)
	if err := os.WriteFile(filepath.Join(root, shardBadImage), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func shardConfig(root, feat, policy string) config.Config {
	cfg := testConfig(root, feat, 2)
	cfg.Dataset.OnBadImage = policy
	return cfg
}

func shardOpts() ExtractOptions {
	return ExtractOptions{Options: Options{Batch: 3}, ShardSize: 4}
}

// sameStores compares every file of the stores under two features.dir roots
// (meta.json without its creation time).
func sameStores(t *testing.T, want, got []Summary) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d stores, want %d", len(got), len(want))
	}
	for i := range want {
		a, b := storeBytes(t, want[i].Dir), storeBytes(t, got[i].Dir)
		if len(a) != len(b) {
			t.Errorf("%s: %d files, single process %d", want[i].Target, len(b), len(a))
		}
		for name, w := range a {
			if !bytes.Equal(b[name], w) {
				t.Errorf("%s: %s differs from the single-process extraction", want[i].Target, name)
			}
		}
	}
}

// TestShardedExtractEqualsSingle runs 3 shard tasks in turn (in the order 2, 0, 1),
// with on_bad_image: skip and one corrupt image: the stores complete when the last
// task ends, and every file equals the single-process extraction's.
func TestShardedExtractEqualsSingle(t *testing.T) {
	root := shardDataset(t)
	single := extract(t, shardConfig(root, filepath.Join(root, "single"), "skip"), shardOpts())
	cfg := shardConfig(root, filepath.Join(root, "sharded"), "skip")
	written := 0
	for n, k := range []int{2, 0, 1} {
		opts := shardOpts()
		opts.Shard = ShardSpec{K: k, N: 3}
		sums := extract(t, cfg, opts)
		for _, s := range sums {
			written += s.ShardsWritten
		}
		m, err := ReadMeta(filepath.Join(root, "sharded", filepath.Base(single[0].Dir)))
		if err != nil {
			t.Fatal(err)
		}
		if m.Complete != (n == 2) {
			t.Errorf("after %d of 3 tasks the training store is complete=%v", n+1, m.Complete)
		}
	}
	if written != 8 {
		t.Errorf("the tasks wrote %d shards, want 8", written)
	}
	merged, err := Extract(context.Background(), cfg, ExtractOptions{Options: Options{Batch: 3}, ShardSize: 4, Finalize: true})
	if err != nil {
		t.Fatal(err)
	}
	sameStores(t, single, merged)
	for _, s := range merged {
		if err := Verify(s.Dir); err != nil {
			t.Error(err)
		}
	}
	if merged[0].Bad != 1 {
		t.Errorf("train: %d bad samples, want 1", merged[0].Bad)
	}
	// A task finding the store laid out differently (here float16) stops with the
	// store's mismatch error.
	os.RemoveAll(filepath.Join(root, "sharded"))
	opts := shardOpts()
	opts.Shard = ShardSpec{K: 0, N: 2}
	extract(t, cfg, opts)
	opts.Shard, opts.DType = ShardSpec{K: 1, N: 2}, "float16"
	_, err = Extract(context.Background(), cfg, opts)
	var mm *MismatchError
	if !errors.As(err, &mm) || !errors.Is(err, ErrBadInput) {
		t.Errorf("task with another dtype: %v, want a *MismatchError", err)
	}
}

// Environment of TestShardTaskHelper, the shard task process of TestExtractTasks.
const (
	taskRootEnv   = "FEATURES_TEST_TASK_ROOT"   // dataset root
	taskFeatEnv   = "FEATURES_TEST_TASK_FEAT"   // features.dir
	taskPolicyEnv = "FEATURES_TEST_TASK_POLICY" // on_bad_image
	taskKillEnv   = "FEATURES_TEST_TASK_KILL"   // "K:marker": task K kills itself mid-shard once
)

// TestShardTaskHelper is `fairclip extract --shard K/N` for TestExtractTasks: it reads
// --shard from the arguments after "--" and the rest from the environment.
func TestShardTaskHelper(t *testing.T) {
	root := os.Getenv(taskRootEnv)
	if root == "" {
		t.Skip("helper process only")
	}
	args := flag.Args()
	if len(args) != 2 || args[0] != "--shard" {
		fmt.Println("want --shard K/N, got", args)
		os.Exit(2)
	}
	spec, err := ParseShard(args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	opts := shardOpts()
	opts.Shard = spec
	if kill := os.Getenv(taskKillEnv); kill != "" {
		k, marker, _ := strings.Cut(kill, ":")
		if k == fmt.Sprint(spec.K) {
			shards := 0
			opts.AfterShard = func(*Target, int) { shards++ }
			opts.Progress = func(p Progress) {
				// Mid-shard: one batch into the task's second shard.
				if _, err := os.Stat(marker); shards == 1 && err != nil && p.Done%4 != 0 {
					os.WriteFile(marker, nil, 0o644)
					fmt.Println("killing myself mid-shard")
					p, _ := os.FindProcess(os.Getpid())
					p.Kill()
					time.Sleep(time.Minute)
				}
			}
		}
	}
	if _, err := Extract(context.Background(), shardConfig(root, os.Getenv(taskFeatEnv), os.Getenv(taskPolicyEnv)), opts); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(0)
}

func haveSlurm(t *testing.T) bool {
	if _, err := exec.LookPath("sbatch"); err != nil || exec.Command("sinfo", "-h").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Slurm cluster not reachable in CI (start it with scripts/slurm-up.sh)")
		}
		return false
	}
	return true
}

// TestExtractTasks runs 3 shard tasks through each executor of package jobs (local
// always; Slurm when a cluster runs, always in CI): the stores equal the single
// process's file for file and verify; a task SIGKILLed mid-shard fails the command,
// and running it again completes the stores, starting only that task; with
// on_bad_image: fail the command fails naming the file and CSV row, as one process
// does.
func TestExtractTasks(t *testing.T) {
	executors := []string{"local"}
	if haveSlurm(t) {
		executors = append(executors, "slurm")
	}
	root := shardDataset(t)
	single := extract(t, shardConfig(root, filepath.Join(root, "single"), "skip"), shardOpts())
	_, singleErr := Extract(context.Background(), shardConfig(root, filepath.Join(root, "single-fail"), "fail"), shardOpts())
	if singleErr == nil {
		t.Fatal("single process with on_bad_image: fail did not fail")
	}
	for _, kind := range executors {
		run := func(t *testing.T, feat, policy, kill string) (TasksResult, error) {
			t.Setenv(taskRootEnv, root)
			t.Setenv(taskFeatEnv, feat)
			t.Setenv(taskPolicyEnv, policy)
			t.Setenv(taskKillEnv, kill)
			var log bytes.Buffer
			res, err := ExtractTasks(context.Background(), shardConfig(root, feat, policy), ExtractOptions{Options: Options{Batch: 3}, ShardSize: 4, Log: &log},
				TasksOptions{Executor: kind, Tasks: 3, Command: []string{os.Args[0], "-test.run=^TestShardTaskHelper$", "--"}, Poll: 100 * time.Millisecond})
			t.Log(log.String())
			return res, err
		}
		t.Run(kind+"/skip", func(t *testing.T) {
			feat := filepath.Join(t.TempDir(), "feat")
			res, err := run(t, feat, "skip", "")
			if err != nil {
				t.Fatal(err)
			}
			sameStores(t, single, res.Summaries)
			if len(res.Verified) != 3 || res.Images != 12*2+12+6 {
				t.Errorf("%d stores verified, %d images; want 3 and 42", len(res.Verified), res.Images)
			}
			for _, v := range res.Verified {
				if !v.OK {
					t.Errorf("verify: %+v", v)
				}
			}
			for _, s := range res.Tasks {
				if s.State != jobs.StateDone || s.Attempts != 1 || (kind == "slurm") != (s.JobID != "") {
					t.Errorf("task %+v", s)
				}
			}
		})
		t.Run(kind+"/kill", func(t *testing.T) {
			dir := t.TempDir()
			feat := filepath.Join(dir, "feat")
			_, err := run(t, feat, "skip", "1:"+filepath.Join(dir, "killed"))
			if err == nil || !strings.Contains(err.Error(), "task 1") {
				t.Fatalf("run with a killed task: %v, want task 1 failed", err)
			}
			res, err := run(t, feat, "skip", "")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res.Tasks {
				if want := map[bool]int{true: 1, false: 0}[s.ID == 1]; s.Attempts != want || s.State != jobs.StateDone {
					t.Errorf("rerun: task %d %s after %d attempts, want done after %d", s.ID, s.State, s.Attempts, want)
				}
			}
			sameStores(t, single, res.Summaries)
		})
		t.Run(kind+"/fail", func(t *testing.T) {
			_, err := run(t, filepath.Join(t.TempDir(), "feat"), "fail", "")
			// The task's error is the single process's, naming the file and CSV row.
			if err == nil || !strings.Contains(err.Error(), singleErr.Error()) || !strings.Contains(singleErr.Error(), "faketrain.csv row 5") {
				t.Fatalf("got %v, want the task's error %q (the single process's)", err, singleErr)
			}
		})
	}
}
