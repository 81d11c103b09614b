package train

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data/synth"
	"github.com/fairclip/fairclip/features"
)

// ffppEnv names the directory of the FF++-sized store used by the measurements in
// docs/features.md; they are skipped when it is unset.
const ffppEnv = "FAIRCLIP_FFPP_DIR"

// ffppConfig is Exp1's configuration over the FF++-sized synthetic index in dir
// (76,139 training samples, 12,000 validation samples, one view, no tests).
func ffppConfig(dir string) config.Config {
	cfg := config.Default()
	cfg.Dataset.FairnessRoot = filepath.Join(dir, "data")
	cfg.Model.RandomStage1, cfg.Stage1Checkpoint = true, ""
	cfg.Evaluation.TestDatasets, cfg.Dataset.TestDataset = nil, nil
	cfg.ClipWeights = "random:vit-l14:seed=0" // identity only: the store is written from synthetic features
	cfg.Features = config.Features{Mode: features.ModeDisk, Dir: filepath.Join(dir, "features"), Views: 1}
	cfg.Logging.LogDir = filepath.Join(dir, "logs")
	// FAIRCLIP_FFPP_TOKENS=K: stores with K pooled patch tokens (in their own
	// directories) and the head with fusion_keys: tokens.
	if k := envInt(ffppTokensEnv, 0); k > 0 {
		cfg.Features.Tokens, cfg.Model.FusionKeys = fmt.Sprintf("patches:%d", k), "tokens"
	}
	if be := os.Getenv("FAIRCLIP_BENCH_BACKEND"); be != "" {
		cfg.Backend = be
	}
	return cfg
}

// ffppTokensEnv sets the number of pooled patch tokens of the FF++-sized stores.
const ffppTokensEnv = "FAIRCLIP_FFPP_TOKENS"

// TestBuildFFPPStore writes the FF++-sized index (CSV rows naming images that need
// not exist) and its stores, filled with synthetic CLIP-like features (data/synth).
func TestBuildFFPPStore(t *testing.T) {
	dir := os.Getenv(ffppEnv)
	if dir == "" {
		t.Skip(ffppEnv + " not set")
	}
	cfg := ffppConfig(dir)
	setup, err := features.NewSetup(cfg, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range []struct {
		split string
		files []string
		opts  synth.FeatureOptions
	}{
		{"train", []string{"faketrain", "realtrain"}, synth.FeatureOptions{Split: "train", Counts: synth.FFPPTrainCounts}},
		{"val", []string{"fakeval", "realval"}, synth.FeatureOptions{Split: "val", N: 12000}},
	} {
		o := sp.opts
		o.Dataset, o.Dim, o.Seed, o.StructureSeed = "ff++", 768, 1, 1
		fs, err := synth.Features(o)
		if err != nil {
			t.Fatal(err)
		}
		row := map[string]int{}
		var csv [2]strings.Builder // fake, real
		for i := range fs.Len() {
			rel := fmt.Sprintf("ff++/frames/%s/%s_%d.png", sp.split, strings.ReplaceAll(fs.Videos[i], "_", "-"), i)
			row[rel] = i
			g := fs.Subgroups[i]
			race := [4][3]int{{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {-1, -1, -1}}[g%4]
			fmt.Fprintf(&csv[1-fs.Labels[i]], "%s,%d,%d,%d,%d,%d,%d\n", rel, fs.Labels[i], 1-2*(g/4), race[0], race[1], race[2], g)
		}
		os.MkdirAll(filepath.Join(cfg.Dataset.FairnessRoot, "ff++"), 0o755)
		for k, f := range sp.files {
			head := "img_path,label,ismale,isasian,iswhite,isblack,intersec_label\n"
			body := csv[k].String()
			if err := os.WriteFile(filepath.Join(cfg.Dataset.FairnessRoot, "ff++", f+".csv"), []byte(head+body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tg, err := setup.Target(sp.split, "ff++")
		if err != nil {
			t.Fatal(err)
		}
		k := envInt(ffppTokensEnv, 0)
		spec := features.Spec{Key: tg.Key, Views: 1, ClipDim: 768, Tokens: k}
		for i, s := range tg.Samples {
			spec.Samples = append(spec.Samples, features.Sample{ID: tg.IDs[i], Label: s.Label, Subgroup: s.Subgroup, Video: s.Video})
		}
		w, err := features.Create(tg.Dir, spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range w.Pending() {
			start, count := w.ShardRange(s)
			vals := make([]float32, 0, count*768)
			for i := start; i < start+count; i++ {
				vals = append(vals, fs.Row(row[tg.IDs[i]])...)
			}
			if k > 0 {
				if err := w.WriteTokens(s, synthTokens(vals, k, int64(start))); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.WriteShard(s, vals, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Finish(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d samples in %s", sp.split, len(tg.Samples), tg.Dir)
	}
}

// BenchmarkTrainFromStoreFFPP trains Exp1's head from the FF++-sized store for
// FAIRCLIP_BENCH_EPOCHS epochs (default 1) or FAIRCLIP_BENCH_BATCHES batches, and
// reports seconds per batch and per epoch and the peak resident memory (VmHWM).
func BenchmarkTrainFromStoreFFPP(b *testing.B) {
	dir := os.Getenv(ffppEnv)
	if dir == "" {
		b.Skip(ffppEnv + " not set")
	}
	cfg := ffppConfig(dir)
	cfg.Training.NumEpochs = envInt("FAIRCLIP_BENCH_EPOCHS", 1)
	maxBatches := envInt("FAIRCLIP_BENCH_BATCHES", 0)
	for i := 0; i < b.N; i++ {
		src, err := NewFeatureSource(cfg, features.Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		batches := 0
		var first, last time.Time // ends of the first and last batch
		var out bytes.Buffer
		begin := time.Now()
		res, err := Run(ctx, Options{Config: cfg, Source: src, RunDir: b.TempDir() + "/run", Version: "bench", Out: &out,
			AfterBatch: func(epoch, batch int) {
				batches++
				if last = time.Now(); batches == 1 {
					first = last
				}
				if maxBatches > 0 && batches >= maxBatches {
					cancel()
				}
			}})
		secs := time.Since(begin).Seconds()
		cancel()
		src.Close()
		if err != nil && maxBatches == 0 {
			b.Fatalf("%v\n%s", err, out.String())
		}
		b.ReportMetric(secs/float64(batches), "s/batch")
		if batches > 1 { // without start-up and the first batch (graph compilation)
			b.ReportMetric(last.Sub(first).Seconds()/float64(batches-1), "s/batch-steady")
		}
		b.ReportMetric(float64(res.Plan.BatchesPerEpoch), "batches/epoch")
		if maxBatches == 0 {
			b.ReportMetric(secs/float64(cfg.Training.NumEpochs), "s/epoch")
		}
	}
	if raw, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				kb, _ := strconv.ParseFloat(f[1], 64)
				b.ReportMetric(kb/1024, "MiB-peak-RSS")
			}
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// synthTokens makes k stand-in patch tokens per 768-d row of rows: the row plus
// Gaussian noise of the same scale, seeded by the first row's index (timing and size
// measurements only; no claim about real patch tokens).
func synthTokens(rows []float32, k int, seed int64) []float32 {
	const d = 768
	rng := rand.New(rand.NewPCG(uint64(seed), 19))
	out := make([]float32, 0, len(rows)*k)
	for r := 0; r < len(rows)/d; r++ {
		for range k {
			for _, v := range rows[r*d : (r+1)*d] {
				out = append(out, v+float32(rng.NormFloat64()/math.Sqrt(d)))
			}
		}
	}
	return out
}
