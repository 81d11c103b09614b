package detect

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkDetectFolder scores the synthetic celebdf test folder (320 face images,
// 64x64) with the tiny random ViT run: images/s includes decoding, face detection,
// cropping, preprocessing, the backbone and the head; cores-busy is the process's
// CPU time over wall time (at most GOMAXPROCS).
func BenchmarkDetectFolder(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts Options
	}{{"faces", Options{}}, {"no-face-detect", Options{NoFaceDetect: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			d, err := Load(fx.Run, tc.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			dir := filepath.Join(fx.Data, "celebdf")
			n := 0
			cpu0 := processCPU()
			for b.Loop() {
				res, _ := d.DetectPaths(context.Background(), []string{dir}, nil)
				n += len(res)
			}
			wall := b.Elapsed().Seconds()
			b.ReportMetric(float64(n)/wall, "images/s")
			// CPU seconds per wall second: how many cores the process kept busy.
			b.ReportMetric((processCPU()-cpu0).Seconds()/wall, "cores-busy")
		})
	}
}
