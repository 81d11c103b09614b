package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/features/featuretest"
)

// TestExtractShardCLI runs `extract --shard 0/2` and `--shard 1/2` as two processes of
// one extraction would: the stores complete with the second, hold the same shard
// files as one plain `extract`, and `--finalize` then finds nothing missing. Bad
// --shard and --executor values exit 2.
func TestExtractShardCLI(t *testing.T) {
	root := t.TempDir()
	if err := featuretest.WriteDataset(root, 6); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(root, "exp.yaml")
	yaml := fmt.Sprintf("dataset:\n  fairness_root: %s\n  resolution: 40\n  test_dataset: [ff++]\nevaluation:\n  test_datasets: [ff++]\nclip_weights: random:tiny:seed=1\nfeatures:\n  views: 2\n", root)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"extract", "--config", cfgPath, "--batch", "4", "--shard-size", "5"}
	with := func(feat string, more ...string) []string {
		return append(append(slices.Clone(base), "--set", "features.dir="+feat), more...)
	}
	single, sharded := filepath.Join(root, "single"), filepath.Join(root, "sharded")
	if code, out, errOut := runCLI(t, with(single)...); code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	for _, k := range []string{"1/2", "0/2"} {
		if code, out, errOut := runCLI(t, with(sharded, "--shard", k)...); code != 0 {
			t.Fatalf("extract --shard %s: exit %d\n%s%s", k, code, out, errOut)
		}
	}
	if code, out, errOut := runCLI(t, with(sharded, "--finalize")...); code != 0 || !strings.Contains(out, "train/ff++") {
		t.Fatalf("extract --finalize: exit %d\n%s%s", code, out, errOut)
	}
	stores, _ := filepath.Glob(filepath.Join(single, "*", "meta.json"))
	if len(stores) != 3 {
		t.Fatalf("%d stores, want 3", len(stores))
	}
	for _, m := range stores {
		dir := filepath.Dir(m)
		meta, err := features.ReadMeta(filepath.Join(sharded, filepath.Base(dir)))
		if err != nil || !meta.Complete {
			t.Fatalf("sharded store %s: %v (complete %v)", filepath.Base(dir), err, meta != nil && meta.Complete)
		}
		bins, _ := filepath.Glob(filepath.Join(dir, "clip-*.bin"))
		for _, b := range bins {
			want, _ := os.ReadFile(b)
			got, err := os.ReadFile(filepath.Join(sharded, filepath.Base(dir), filepath.Base(b)))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs between --shard and one process (%v)", filepath.Base(dir), filepath.Base(b), err)
			}
		}
	}
	for _, bad := range [][]string{{"--shard", "2/2"}, {"--shard", "x"}, {"--executor", "pbs"}, {"--executor", "slurm"}, {"--shard", "0/2", "--rebuild"}} {
		if code, _, errOut := runCLI(t, with(filepath.Join(root, "other"), bad...)...); code != 2 {
			t.Errorf("extract %v: exit %d, want 2\n%s", bad, code, errOut)
		}
	}
}

// TestExtractTaskArgs: the tasks get every extract flag given except the ones that
// organize the tasks, with --config absolute.
func TestExtractTaskArgs(t *testing.T) {
	var got []string
	cmd := newExtractCmd()
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		s := extractShardFlags{threads: 1}
		got = s.taskArgs(c)
		return nil
	}
	cmd.SetArgs([]string{"--config", "exp.yaml", "--set", "a=1", "--set", "b=2", "--executor", "slurm", "--tasks", "8",
		"--slurm-arg=--partition=gpu", "--batch", "16", "--retries", "1", "--rebuild"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("exp.yaml")
	want := []string{"extract", "--batch=16", "--config=" + abs, "--set=a=1", "--set=b=2", "--threads=1"}
	if !slices.Equal(got, want) {
		t.Errorf("task args %q, want %q", got, want)
	}
}
