package features

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fairclip/fairclip/clip"
	"github.com/fairclip/fairclip/config"
)

func extract(t *testing.T, cfg config.Config, opts ExtractOptions) []Summary {
	t.Helper()
	if opts.ShardSize == 0 {
		opts.ShardSize = 4
	}
	if opts.Batch == 0 {
		opts.Batch = 3
	}
	sums, err := Extract(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestExtractStoreEqualsLive checks every row of every store against the live
// encoder (features.mode: none) on the same sample and view, bit for bit.
func TestExtractStoreEqualsLive(t *testing.T) {
	root, feat := t.TempDir(), t.TempDir()
	writeDataset(t, root, 10)
	cfg := testConfig(root, feat, 3)
	sums := extract(t, cfg, ExtractOptions{})
	if len(sums) != 3 {
		t.Fatalf("%d stores, want train, val, test", len(sums))
	}
	wantViews := map[string]int{"train/ff++": 3, "val/ff++": 1, "test/ff++": 1}
	for _, s := range sums {
		if s.N != map[string]int{"train/ff++": 20, "val/ff++": 20, "test/ff++": 10}[s.Target] || s.Views != wantViews[s.Target] || s.Dim != 32 {
			t.Errorf("%s: %d samples x %d views dim %d", s.Target, s.N, s.Views, s.Dim)
		}
		if err := Verify(s.Dir); err != nil {
			t.Error(err)
		}
	}
	// A second run finds every store up to date.
	for _, s := range extract(t, cfg, ExtractOptions{}) {
		if s.ShardsWritten != 0 || s.Images != 0 {
			t.Errorf("%s: rerun wrote %d shards", s.Target, s.ShardsWritten)
		}
	}
	disk, err := NewSource(cfg, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	live := cfg
	live.Features.Mode = ModeNone
	liveSrc, err := NewSource(live, Options{Batch: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer liveSrc.Close()
	for _, split := range Splits {
		a, err := disk.Split(split, "ff++")
		if err != nil {
			t.Fatal(err)
		}
		b, err := liveSrc.Split(split, "ff++")
		if err != nil {
			t.Fatal(err)
		}
		if a.Len() != b.Len() || a.Views() != b.Views() || a.Dim() != b.Dim() {
			t.Fatalf("%s: store %dx%dx%d, live %dx%dx%d", split, a.Len(), a.Views(), a.Dim(), b.Len(), b.Views(), b.Dim())
		}
		var idx, views []int
		for i := range a.Len() {
			for v := range a.Views() {
				idx, views = append(idx, i), append(views, v)
			}
		}
		ra, rb := make([]float32, len(idx)*a.Dim()), make([]float32, len(idx)*a.Dim())
		if err := a.Rows(idx, views, ra); err != nil {
			t.Fatal(err)
		}
		if err := b.Rows(idx, views, rb); err != nil {
			t.Fatal(err)
		}
		for k := range ra {
			if math.Float32bits(ra[k]) != math.Float32bits(rb[k]) {
				t.Fatalf("%s: row %d (sample %d view %d) [%d]: store %v, live %v", split, k/a.Dim(), idx[k/a.Dim()], views[k/a.Dim()], k%a.Dim(), ra[k], rb[k])
			}
		}
		if a.Label(3) != b.Label(3) || a.Subgroup(3) != b.Subgroup(3) || a.ID(3) != b.ID(3) || a.Video(3) != b.Video(3) {
			t.Errorf("%s: annotations differ", split)
		}
		if split == SplitTrain {
			d := a.Dim()
			if equalRows(ra[0:d], ra[d:2*d]) {
				t.Errorf("train: views 0 and 1 of sample 0 are equal: augmentation did not run")
			}
		}
	}
}

func equalRows(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// storeBytes reads every file of a store; meta.json without its creation time.
func storeBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if e.Name() == "meta.json" {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			delete(m, "created")
			raw, _ = json.Marshal(m)
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = raw
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const killEnv = "FEATURES_TEST_KILL_ROOT"

// TestExtractKillHelper is the child process of TestExtractResumeAfterKill: it
// extracts and SIGKILLs itself after the second shard of the training store.
func TestExtractKillHelper(t *testing.T) {
	root := os.Getenv(killEnv)
	if root == "" {
		t.Skip("helper process only")
	}
	cfg := testConfig(root, filepath.Join(root, "feat-killed"), 3)
	_, _ = Extract(context.Background(), cfg, ExtractOptions{Options: Options{Batch: 3}, ShardSize: 4, AfterShard: func(tg *Target, shard int) {
		if tg.Split == SplitTrain && shard == 1 {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}})
	t.Fatal("not killed")
}

func TestExtractResumeAfterKill(t *testing.T) {
	root := t.TempDir()
	writeDataset(t, root, 10)
	cmd := exec.Command(os.Args[0], "-test.run=^TestExtractKillHelper$")
	cmd.Env = append(os.Environ(), killEnv+"="+root)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper: %v, want killed by SIGKILL", err)
	}
	killedCfg := testConfig(root, filepath.Join(root, "feat-killed"), 3)
	setup, err := NewSetup(killedCfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := setup.Target(SplitTrain, "ff++")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadMeta(tg.Dir)
	if err != nil || m.Complete || len(m.Shards) != 2 {
		t.Fatalf("after kill: meta %v, err %v; want 2 of 5 shards, incomplete", m != nil && m.Complete, err)
	}
	if _, err := Find(tg); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Fatalf("opening an interrupted store: %v, want an incomplete-store error", err)
	}
	var log bytes.Buffer
	sums := extract(t, killedCfg, ExtractOptions{Log: &log})
	if sums[0].ShardsReused != 2 || sums[0].ShardsWritten != 3 {
		t.Errorf("resume: reused %d wrote %d shards, want 2 and 3", sums[0].ShardsReused, sums[0].ShardsWritten)
	}
	if !strings.Contains(log.String(), "resuming") {
		t.Errorf("log does not say it resumed:\n%s", log.String())
	}
	fresh := extract(t, testConfig(root, filepath.Join(root, "feat-fresh"), 3), ExtractOptions{})
	for i := range fresh {
		a, b := storeBytes(t, sums[i].Dir), storeBytes(t, fresh[i].Dir)
		if len(a) != len(b) {
			t.Fatalf("%s: %d files after resume, %d uninterrupted", fresh[i].Target, len(a), len(b))
		}
		for name, want := range b {
			if !bytes.Equal(a[name], want) {
				t.Errorf("%s: %s differs between resumed and uninterrupted extraction", fresh[i].Target, name)
			}
		}
	}
}

func TestExtractCancelKeepsShards(t *testing.T) {
	root, feat := t.TempDir(), t.TempDir()
	writeDataset(t, root, 10)
	cfg := testConfig(root, feat, 2)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Extract(ctx, cfg, ExtractOptions{Options: Options{Batch: 2}, ShardSize: 4, Splits: []string{SplitTrain},
		AfterShard: func(*Target, int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract after cancel: %v, want context.Canceled", err)
	}
	sums := extract(t, cfg, ExtractOptions{Splits: []string{SplitTrain}})
	if sums[0].ShardsReused != 1 {
		t.Errorf("after cancel: %d shards reused, want 1", sums[0].ShardsReused)
	}
}

// TestKeyChangeDetected changes one setting at a time after extraction: the store is
// never used, and the error names the key part that changed.
func TestKeyChangeDetected(t *testing.T) {
	root, feat := t.TempDir(), t.TempDir()
	writeDataset(t, root, 6)
	weights := filepath.Join(root, "w.safetensors")
	saveRandom := func(seed int64) {
		w, err := clip.RandomWeights(RandomArchs["tiny"], seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Save(weights); err != nil {
			t.Fatal(err)
		}
	}
	saveRandom(1)
	base := testConfig(root, feat, 2)
	base.ClipWeights = weights
	extract(t, base, ExtractOptions{Splits: []string{SplitTrain}})
	open := func(cfg config.Config, opts Options) error {
		src, err := NewSource(cfg, opts, nil)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = src.Split(SplitTrain, "ff++")
		return err
	}
	if err := open(base, Options{}); err != nil {
		t.Fatalf("unchanged config: %v", err)
	}
	cases := []struct {
		name   string
		parts  []string
		change func(c *config.Config, o *Options)
	}{
		{"mean", []string{"preprocess"}, func(c *config.Config, _ *Options) { c.Mean = []float64{0.5, 0.5, 0.5} }},
		{"resolution", []string{"preprocess", "augment"}, func(c *config.Config, _ *Options) { c.Dataset.Resolution = 36 }},
		{"clip preprocessing", []string{"preprocess"}, func(_ *config.Config, o *Options) { o.Preprocess = "clip" }},
		{"views", []string{"augment"}, func(c *config.Config, _ *Options) { c.Features.Views = 3 }},
		{"seed", []string{"augment"}, func(c *config.Config, _ *Options) { c.Seed = 6 }},
		{"random weights", []string{"backbone"}, func(c *config.Config, _ *Options) { c.ClipWeights = "random:tiny:seed=3" }},
		{"weights file", []string{"backbone"}, func(*config.Config, *Options) { saveRandom(2) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, opts := base, Options{}
			tc.change(&cfg, &opts)
			err := open(cfg, opts)
			var mm *MismatchError
			if !errors.As(err, &mm) {
				t.Fatalf("got %v, want a *MismatchError", err)
			}
			if len(mm.Diffs) != len(tc.parts) {
				t.Fatalf("diffs %q, want %v", mm.Diffs, tc.parts)
			}
			for k, p := range tc.parts {
				if !strings.HasPrefix(mm.Diffs[k], p+":") {
					t.Errorf("diffs %q, want %v", mm.Diffs, tc.parts)
				}
			}
		})
	}
	// --rebuild replaces the store of the current key.
	sums := extract(t, base, ExtractOptions{Splits: []string{SplitTrain}, Rebuild: true})
	if sums[0].ShardsWritten == 0 || sums[0].ShardsReused != 0 {
		t.Errorf("rebuild: wrote %d, reused %d shards", sums[0].ShardsWritten, sums[0].ShardsReused)
	}
}

func TestBadImagePolicy(t *testing.T) {
	root := t.TempDir()
	writeDataset(t, root, 6)
	badRel := "ff++/frames/faketrain/f_faketrain-v1_004.png"
	if err := os.WriteFile(filepath.Join(root, badRel), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("fail", func(t *testing.T) {
		cfg := testConfig(root, t.TempDir(), 2)
		cfg.Dataset.OnBadImage = "fail"
		_, err := Extract(context.Background(), cfg, ExtractOptions{Splits: []string{SplitTrain}, ShardSize: 4})
		if err == nil || !strings.Contains(err.Error(), "f_faketrain-v1_004.png") || !strings.Contains(err.Error(), "faketrain.csv row 5") {
			t.Fatalf("got %v, want an error naming the file and faketrain.csv row 5", err)
		}
	})
	t.Run("skip", func(t *testing.T) {
		cfg := testConfig(root, t.TempDir(), 2)
		cfg.Dataset.OnBadImage = "skip"
		var log bytes.Buffer
		sums := extract(t, cfg, ExtractOptions{Splits: []string{SplitTrain}, Log: &log})
		if sums[0].Bad != 1 || !strings.Contains(log.String(), "f_faketrain-v1_004.png") {
			t.Fatalf("bad %d, log %q; want 1 bad sample reported", sums[0].Bad, log.String())
		}
		m, err := ReadMeta(sums[0].Dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Bad) != 1 || m.Bad[0].ID != badRel || m.Bad[0].Row != 5 {
			t.Errorf("meta bad_samples %+v", m.Bad)
		}
		live := cfg
		live.Features.Mode = ModeNone
		for _, c := range []config.Config{cfg, live} {
			src, err := NewSource(c, Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := src.Split(SplitTrain, "ff++")
			if err != nil {
				t.Fatal(err)
			}
			if sp.Len() != 11 || sp.ID(4) == badRel || sp.ID(10) != "ff++/frames/realtrain/f_realtrain-v1_005.png" {
				t.Errorf("%s: %d samples, ID(4) %s; want 11 without the bad image", c.Features.Mode, sp.Len(), sp.ID(4))
			}
			src.Close()
		}
	})
}
