package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
)

// BenchmarkFFPPEpoch measures seconds per epoch of the default head on FF++-sized
// synthetic features (76,139 training samples with FF++'s subgroup sizes, so 34
// subgroup-balanced batches of 256; 25,000 validation samples; fairness loss on),
// on the configured backend. It runs 2 epochs and reports the second (Stage 1
// outputs cached) as sec/epoch, split into train and validation.
//
//	go test -run '^$' -bench FFPPEpoch -benchtime 1x ./train/
func BenchmarkFFPPEpoch(b *testing.B) {
	for range b.N {
		cfg := config.Default()
		cfg.Model.RandomStage1, cfg.Stage1Checkpoint = true, ""
		one := 1.0
		cfg.Model.GateInitBias = &one
		cfg.Training.NumEpochs = 2
		cfg.Scheduler.WarmupEpochs = 1
		cfg.Evaluation.TestDatasets = nil
		if spec := os.Getenv(backend.EnvVar); spec != "" {
			cfg.Backend = spec // e.g. GOMLX_BACKEND=cpu; the config's default otherwise
		}
		src, err := NewSynthetic("ffpp", 768, 42)
		if err != nil {
			b.Fatal(err)
		}
		dir := filepath.Join(b.TempDir(), "run")
		var out bytes.Buffer
		if _, err := Run(context.Background(), Options{Config: cfg, Source: src, RunDir: dir, Out: &out}); err != nil {
			b.Fatal(err)
		}
		evs, err := runs.ReadEvents(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range evs {
			if e, ok := ev.(runs.EpochEvent); ok && e.Epoch == 2 {
				b.ReportMetric(e.Seconds, "sec/epoch")
				b.ReportMetric(e.Seconds-e.ValSeconds, "train-sec/epoch")
				b.ReportMetric(e.ValSeconds, "val-sec/epoch")
			}
		}
		b.Log(out.String())
	}
}
