package model

import (
	"math"
	"testing"

	"github.com/fairclip/fairclip/backend"
)

// TestStage1ExecRowsIndependent: a row's s1 is the same alone, inside a batch, and in
// the padded second chunk of a batch longer than Stage1Chunk.
func TestStage1ExecRowsIndependent(t *testing.T) {
	cfg := Config{Dim: 16, Stage1Hidden: 8, Normalize: true}
	be, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewStage1Exec(be, cfg, NewStage1(cfg, 3))
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	n := Stage1Chunk + 7
	clip := make([]float32, n*cfg.Dim)
	for i := range clip {
		clip[i] = float32(math.Sin(float64(i) * 0.37))
	}
	all := make([]float32, len(clip))
	if err := ex.Rows(clip, n, all); err != nil {
		t.Fatal(err)
	}
	d := cfg.Dim
	for _, r := range []int{0, 5, Stage1Chunk - 1, Stage1Chunk, n - 1} {
		one := make([]float32, d)
		if err := ex.Rows(clip[r*d:(r+1)*d], 1, one); err != nil {
			t.Fatal(err)
		}
		var norm float64
		for k := range one {
			if math.Float32bits(one[k]) != math.Float32bits(all[r*d+k]) {
				t.Fatalf("row %d [%d]: alone %v, in a batch of %d %v", r, k, one[k], n, all[r*d+k])
			}
			norm += float64(one[k]) * float64(one[k])
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Errorf("row %d: |s1|^2 = %v, want 1 (normalised)", r, norm)
		}
	}
}

// TestStage1Identity: the identity follows A1's values and the normalisation only.
func TestStage1Identity(t *testing.T) {
	cfg := Config{Dim: 16, Stage1Hidden: 8}
	a, b := NewStage1(cfg, 1), NewStage1(cfg, 1)
	if Stage1Identity(a, true) != Stage1Identity(b, true) {
		t.Error("equal adapters: identities differ")
	}
	if Stage1Identity(a, true) == Stage1Identity(a, false) {
		t.Error("normalisation not part of the identity")
	}
	if Stage1Identity(a, true) == Stage1Identity(NewStage1(cfg, 2), true) {
		t.Error("another seed: same identity")
	}
	b.List[len(b.List)-1].Data[0] += 1e-6
	if Stage1Identity(a, true) == Stage1Identity(b, true) {
		t.Error("a changed weight: same identity")
	}
}

// BenchmarkStage1Exec measures the frozen Stage 1 graph on ViT-L/14-sized rows (768,
// hidden 512) in chunks of Stage1Chunk: go test ./model -run '^$' -bench Stage1Exec
func BenchmarkStage1Exec(b *testing.B) {
	cfg := Config{Dim: 768, Stage1Hidden: 512, Normalize: true}
	be, err := backend.New("")
	if err != nil {
		b.Fatal(err)
	}
	ex, err := NewStage1Exec(be, cfg, NewStage1(cfg, 1))
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	n := 4 * Stage1Chunk
	clip := make([]float32, n*cfg.Dim)
	for i := range clip {
		clip[i] = float32(i%97) / 97
	}
	out := make([]float32, len(clip))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ex.Rows(clip, n, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
