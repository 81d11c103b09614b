package clip

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/fairclip/fairclip/backend"
)

// benchmarkEmbed measures images per second for random weights of arch on the default
// backend ($GOMLX_BACKEND, else cpu), batch images per execution. The first execution
// (graph compilation) is excluded. cpu-s/image is the process CPU time per image, which,
// unlike images/s, does not depend on other load on a shared machine.
//
//	go test ./clip -run XXX -bench 'Embed/ViT-B16' -benchtime 2x
func benchmarkEmbed(b *testing.B, arch Arch, batch int) {
	w, err := RandomWeights(arch, 1)
	if err != nil {
		b.Fatal(err)
	}
	be, err := backend.New(os.Getenv(backend.EnvVar))
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewModel(be, w, ModelOptions{BatchSize: batch})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	pixels := make([]float32, batch*3*arch.Resolution*arch.Resolution)
	for i := range pixels {
		pixels[i] = float32(rng.NormFloat64())
	}
	if _, err := m.Embed(pixels, batch); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := m.Embed(pixels, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N*batch), "cpu-s/image")
}

func BenchmarkEmbed(b *testing.B) {
	for _, tc := range []struct {
		name  string
		arch  Arch
		batch int
	}{
		{"tiny", tinyArch, 8},
		{"ViT-B16", ArchViTB16, 2},
		{"ViT-L14", ArchViTL14, 1},
	} {
		b.Run(tc.name, func(b *testing.B) { benchmarkEmbed(b, tc.arch, tc.batch) })
	}
}
