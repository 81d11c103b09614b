package features

import (
	"context"
	"testing"
)

// BenchmarkExtract measures extraction throughput (decode, augment, preprocess, CLIP,
// write) on the configured backend: images/s over the training split, 2 views.
// ViT-L/14-shaped: go test ./features -run '^$' -bench 'Extract/vit-l14' -benchtime 1x
func BenchmarkExtract(b *testing.B) {
	for _, bc := range []struct {
		name, weights string
		n             int // rows per CSV: the train split has 2n samples
	}{
		{"tiny", "random:tiny:seed=1", 64},
		{"vit-b32", "random:vit-b32:seed=1", 2},
		{"vit-l14", "random:vit-l14:seed=1", 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			root := b.TempDir()
			writeDataset(b, root, bc.n)
			cfg := testConfig(root, b.TempDir(), 2)
			cfg.ClipWeights = bc.weights
			cfg.Dataset.Resolution = 256
			images := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sums, err := Extract(context.Background(), cfg, ExtractOptions{Splits: []string{SplitTrain}, Rebuild: true, Options: Options{Batch: 8}})
				if err != nil {
					b.Fatal(err)
				}
				images += sums[0].Images
			}
			b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkExtractStage1 measures the Stage 1 outputs' share of extraction: a tiny
// random ViT, 2 views, A1 of the default hidden size, reported as the Stage 1 seconds
// per CLIP extraction second (stage1/clip) and Stage 1 rows/s.
// go test ./features -run '^$' -bench ExtractStage1 -benchtime 3x
func BenchmarkExtractStage1(b *testing.B) {
	root := b.TempDir()
	writeDataset(b, root, 64)
	cfg := testConfig(root, b.TempDir(), 2)
	cfg.Model.FeatureDim, cfg.Model.RandomStage1, cfg.Stage1Checkpoint = 32, true, ""
	var clipSec, s1Sec float64
	rows := 0
	for i := 0; i < b.N; i++ {
		sums, err := Extract(context.Background(), cfg, ExtractOptions{Splits: []string{SplitTrain}, Rebuild: true, Options: Options{Batch: 8}})
		if err != nil {
			b.Fatal(err)
		}
		clipSec += sums[0].Seconds
		s1Sec += sums[0].Stage1Seconds
		rows += sums[0].N * sums[0].Views
	}
	b.ReportMetric(s1Sec/clipSec, "stage1/clip")
	b.ReportMetric(float64(rows)/s1Sec, "stage1-rows/s")
}
