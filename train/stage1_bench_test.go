package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
)

// BenchmarkStage1Epoch measures seconds per epoch of Stage 1 (configs/stage1.yaml:
// A1 768 -> 512 -> 512 -> 768, race and gender heads behind gradient reversal,
// similarity, global and pairwise Sinkhorn losses, batches of 64 from the
// subgroup-balanced sampler) on the "ffpp" synthetic features: 2 attribute sets of
// 5,000 samples per subgroup (80,000 samples, 1,250 batches) and FF++'s 25,000
// validation samples, on the configured backend. It runs 2 epochs and reports the
// second as sec/epoch (the first is the same work; graph compilation and the raw CLIP
// columns happen before it), split into training (train-s) and the validation pass
// (val-s: eval graph, logistic probes, Sinkhorn distances, checkpoints).
// The validation pass without the probes is the work the original's Stage 1 does;
// stage1.probe_every=0 (FAIRCLIP_STAGE1_BENCH_PROBES=0) leaves them out.
//
//	go test -run '^$' -bench Stage1Epoch -benchtime 1x ./train/
func BenchmarkStage1Epoch(b *testing.B) {
	sets := []string{"training.num_epochs=2"}
	if os.Getenv("FAIRCLIP_STAGE1_BENCH_PROBES") == "0" {
		sets = append(sets, "stage1.probe_every=0")
	}
	for range b.N {
		cfg, _, err := config.Load(filepath.Join("..", "configs", "stage1.yaml"), sets)
		if err != nil {
			b.Fatal(err)
		}
		if spec := os.Getenv(backend.EnvVar); spec != "" {
			cfg.Backend = spec // e.g. GOMLX_BACKEND=go; the config's default otherwise
		}
		src, err := NewSynthetic("ffpp", cfg.Model.FeatureDim, cfg.Seed)
		if err != nil {
			b.Fatal(err)
		}
		// Batch end times of epoch 2: the training part is the span from the first to
		// the last batch, scaled by n/(n-1) for the first batch's own time.
		var first, last time.Time
		batches := 0
		after := func(epoch, _ int) {
			if epoch != 2 {
				return
			}
			now := time.Now()
			if batches == 0 {
				first = now
			}
			last = now
			batches++
		}
		var out bytes.Buffer
		res, err := RunStage1(context.Background(), Options{Config: cfg, Source: src, RunDir: filepath.Join(b.TempDir(), "run"),
			Out: &out, AfterBatch: after})
		if err != nil {
			b.Fatal(err)
		}
		evs, err := ReadStage1Events(res.RunDir)
		if err != nil {
			b.Fatal(err)
		}
		if len(evs) != 2 || batches < 2 {
			b.Fatalf("%d epochs, %d batches in epoch 2", len(evs), batches)
		}
		train := last.Sub(first).Seconds() * float64(batches) / float64(batches-1)
		b.ReportMetric(evs[1].Seconds, "sec/epoch")
		b.ReportMetric(train, "train-s")
		b.ReportMetric(evs[1].Seconds-train, "val-s")
		b.ReportMetric(float64(batches), "batches")
		b.Log(out.String())
	}
}
