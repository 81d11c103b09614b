package features

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// stage1Config is testConfig with a random Stage 1 adapter sized for the tiny ViT.
func stage1Config(t *testing.T, views int) config.Config {
	t.Helper()
	root := t.TempDir()
	writeDataset(t, root, 10)
	cfg := testConfig(root, filepath.Join(root, "features"), views)
	cfg.Model.FeatureDim, cfg.Model.Stage1HiddenDim = 32, 12
	cfg.Model.RandomStage1, cfg.Stage1Checkpoint = true, ""
	return cfg
}

// wantStage1 computes s1 of one CLIP row alone (a chunk holding that row only).
func wantStage1(t *testing.T, cfg config.Config) (string, func(clip []float32) []float32) {
	t.Helper()
	a1, _, err := model.LoadStage1Config(cfg)
	if err != nil {
		t.Fatal(err)
	}
	be, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	mcfg := model.ConfigFrom(cfg.Model)
	ex, err := model.NewStage1Exec(be, mcfg, a1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ex.Close)
	return model.Stage1Identity(a1, mcfg.Normalize), func(clip []float32) []float32 {
		out := make([]float32, len(clip))
		if err := ex.Rows(clip, 1, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// TestStage1WrittenAndReadBack extracts a store with a Stage 1 adapter: every stored s1
// row equals the adapter run on that row's stored CLIP embedding alone, verify and
// info cover the add-on, and a corrupted s1 shard is caught.
func TestStage1WrittenAndReadBack(t *testing.T) {
	cfg := stage1Config(t, 2)
	sums := extract(t, cfg, ExtractOptions{Splits: []string{SplitTrain, SplitVal}})
	id, want := wantStage1(t, cfg)
	for _, s := range sums {
		shards := (s.N + 3) / 4
		if s.Stage1Dir != Stage1Dir(s.Dir, id) || s.Stage1ShardsWritten != shards || shards < 2 {
			t.Fatalf("%s: stage 1 dir %q (want %q), %d shards written, want %d", s.Target, s.Stage1Dir, Stage1Dir(s.Dir, id), s.Stage1ShardsWritten, shards)
		}
		r, err := OpenAny(s.Dir)
		if err != nil {
			t.Fatal(err)
		}
		s1, err := OpenStage1(s.Dir, id)
		if err != nil {
			t.Fatal(err)
		}
		clip, got := make([]float32, 32), make([]float32, 32)
		for i := range r.Len() {
			for v := range r.Views() {
				if err := r.CLIP(i, v, clip); err != nil {
					t.Fatal(err)
				}
				if err := s1.Row(i, v, got); err != nil {
					t.Fatal(err)
				}
				w := want(clip)
				for k := range got {
					if math.Float32bits(got[k]) != math.Float32bits(w[k]) {
						t.Fatalf("%s sample %d view %d [%d]: stored %v, computed %v", s.Target, i, v, k, got[k], w[k])
					}
				}
			}
		}
		s1.Close()
		r.Close()
		inf, err := Describe(s.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(inf.Stage1) != 1 || inf.Stage1[0].Identity != id || !inf.Stage1[0].Complete || inf.Stage1[0].Dim != 32 {
			t.Errorf("%s: info stage1 %+v", s.Target, inf.Stage1)
		}
		res, err := VerifyReport(s.Dir)
		if err != nil || res.Files != 2*shards {
			t.Fatalf("%s: verify %+v: %v (want %d clip + %d stage1 files)", s.Target, res, err, shards, shards)
		}
	}
	// A second run reuses everything.
	again := extract(t, cfg, ExtractOptions{Splits: []string{SplitTrain}})
	if again[0].Stage1ShardsWritten != 0 || again[0].Stage1ShardsReused != (again[0].N+3)/4 {
		t.Errorf("rerun: %+v", again[0])
	}
	// Corruption of one s1 value is caught.
	shard := shardFile(sums[0].Stage1Dir, "stage1", 1)
	raw, err := os.ReadFile(shard)
	if err != nil {
		t.Fatal(err)
	}
	raw[7] ^= 1
	if err := os.WriteFile(shard, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Verify(sums[0].Dir); err == nil || !strings.Contains(err.Error(), "stage1-00001.bin") {
		t.Errorf("verify after corrupting %s: %v", shard, err)
	}
}

// TestStage1Resume interrupts the Stage 1 outputs after their first shard: the rerun
// resumes there and gives the same bytes as an uninterrupted extraction.
func TestStage1Resume(t *testing.T) {
	cfg := stage1Config(t, 2)
	full := extract(t, cfg, ExtractOptions{Splits: []string{SplitTrain}})
	want := storeBytes(t, full[0].Dir)

	cfg.Features.Dir = filepath.Join(t.TempDir(), "features")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Extract(ctx, cfg, ExtractOptions{Splits: []string{SplitTrain}, ShardSize: 4, Options: Options{Batch: 3},
		AfterStage1Shard: func(*Target, int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted extraction: %v", err)
	}
	again := extract(t, cfg, ExtractOptions{Splits: []string{SplitTrain}})
	if again[0].ShardsWritten != 0 || again[0].Stage1ShardsReused != 1 || again[0].Stage1ShardsWritten != (again[0].N+3)/4-1 {
		t.Fatalf("resume: %+v", again[0])
	}
	got := storeBytes(t, again[0].Dir)
	if len(got) != len(want) {
		t.Fatalf("resumed store has %d files, uninterrupted %d", len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs after resume", name)
		}
	}
}

// TestStage1ChangedAdapter: another Stage 1 checkpoint gets its own add-on next to
// the first one, without touching the CLIP shards; a Stage 1 configuration stores none.
func TestStage1ChangedAdapter(t *testing.T) {
	cfg := stage1Config(t, 1)
	first := extract(t, cfg, ExtractOptions{Splits: []string{SplitVal}})
	clipBefore := storeBytes(t, first[0].Dir)

	// The same A1 values from a file (the original's names) give the same identity;
	// a changed weight gives another add-on.
	a1, _, err := model.LoadStage1Config(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names, ts, err := model.TorchStage1Adapter(a1)
	if err != nil {
		t.Fatal(err)
	}
	ts[names[len(names)-1]].Data[0] += 0.25
	st := map[string]safetensors.Tensor{}
	for _, n := range names {
		st[n] = safetensors.Tensor{DType: "F32", Shape: ts[n].Shape, F32: ts[n].Data}
	}
	ckpt := filepath.Join(t.TempDir(), "a1.safetensors")
	if err := safetensors.WriteFile(ckpt, names, st, nil); err != nil {
		t.Fatal(err)
	}
	other := cfg
	other.Model.RandomStage1, other.Stage1Checkpoint = false, ckpt
	second := extract(t, other, ExtractOptions{Splits: []string{SplitVal}})
	if second[0].ShardsWritten != 0 || second[0].Dir != first[0].Dir {
		t.Fatalf("CLIP store rewritten: %+v", second[0])
	}
	if second[0].Stage1Dir == first[0].Stage1Dir || second[0].Stage1ShardsWritten == 0 {
		t.Fatalf("changed adapter: add-on %s (first %s), %d shards written", second[0].Stage1Dir, first[0].Stage1Dir, second[0].Stage1ShardsWritten)
	}
	after := storeBytes(t, first[0].Dir)
	for name, b := range clipBefore {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed", name)
		}
	}
	inf, err := Describe(first[0].Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inf.Stage1) != 2 {
		t.Errorf("info lists %d add-ons, want 2", len(inf.Stage1))
	}
	if err := Verify(first[0].Dir); err != nil {
		t.Error(err)
	}

	s1cfg := cfg
	s1cfg.Stage = 1
	s1cfg.Features.Dir = filepath.Join(t.TempDir(), "features")
	if got := extract(t, s1cfg, ExtractOptions{Splits: []string{SplitVal}}); got[0].Stage1Dir != "" {
		t.Errorf("stage 1 configuration stored Stage 1 outputs in %s", got[0].Stage1Dir)
	}
}
