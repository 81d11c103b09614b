package data

import (
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// writeBenchImages writes n textured 256x256 PNGs (the reference's face-crop
// size) and returns their paths.
func writeBenchImages(b *testing.B, n int) []string {
	b.Helper()
	dir := b.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("frame_%03d.png", i))
		f, err := os.Create(paths[i])
		if err != nil {
			b.Fatal(err)
		}
		m := testRGB(256, 256, uint64(i))
		if err := png.Encode(f, rgbToNRGBA(m)); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	return paths
}

// BenchmarkPipeline measures decoded + augmented + preprocessed images per
// second through the Loader with one worker per GOMAXPROCS (run with -cpu 2
// for the 2-core figure in docs/pipeline.md).
func BenchmarkPipeline(b *testing.B) {
	paths := writeBenchImages(b, 32)
	for _, c := range []struct {
		name    string
		augment bool
		opts    PreprocessOptions
	}{
		{"reference-stage2/augmented", true, PreprocessOptions{Mode: PreprocessReferenceStage2, Resolution: 256, ModelResolution: 224}},
		{"reference-stage2/plain", false, PreprocessOptions{Mode: PreprocessReferenceStage2, Resolution: 256, ModelResolution: 224}},
		{"clip/augmented", true, PreprocessOptions{Mode: PreprocessCLIP, ModelResolution: 224}},
		{"clip/plain", false, PreprocessOptions{Mode: PreprocessCLIP, ModelResolution: 224}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := Pipeline{Preprocess: c.opts}
			if c.augment {
				p.Augment = &Augmenter{Seed: 1, Resolution: 256}
			}
			n := b.N
			all := make([]string, n)
			for i := range all {
				all[i] = paths[i%len(paths)]
			}
			b.ResetTimer()
			l, err := NewLoader(all, consecutiveBatches(n, 32), func(i int) ([]float32, error) {
				return p.Load(all[i], i, 1+i%4)
			}, LoaderOptions{Prefetch: 2})
			if err != nil {
				b.Fatal(err)
			}
			for {
				_, err := l.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			l.Close()
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
