package train

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/model"
)

// BenchmarkEvalChunkTokens is one validation chunk (256 rows) of the default head (768-d,
// A1 512, A2 384, 8 heads) with one key and with 1+16 keys: the token rows' Stage 1
// outputs (engine.keys) and the eval graph. With the training batches of
// BenchmarkTrainFromStoreFFPP it gives the FF++-sized epoch time (docs/model.md).
func BenchmarkEvalChunkTokens(b *testing.B) {
	for _, k := range []int{0, 16} {
		b.Run(fmt.Sprintf("tokens=%d", k), func(b *testing.B) {
			cfg := model.Config{Dim: 768, Stage1Hidden: 512, Stage2Hidden: 384, Heads: 8, ClassifierHidden: []int{384, 192},
				NumClasses: 2, Dropout: 0.1, GateInitBias: 0, Normalize: true}
			if k > 0 {
				cfg.Keys, cfg.Tokens = model.KeysTokens, k
			}
			be, err := backend.New("")
			if err != nil {
				b.Fatal(err)
			}
			params, err := model.NewStage2(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			eng, err := newEngine(be, cfg, ClsLoss{Type: "cross_entropy"}, Weighting{LambdaCls: 1}, model.NewStage1(cfg, 2), params)
			if err != nil {
				b.Fatal(err)
			}
			n, d := evalChunk, cfg.Dim
			rng := rand.New(rand.NewPCG(1, 2))
			split := &memTokenSplit{clip: make([]float32, n*d), tokens: make([]float32, n*max(k, 1)*d), n: n, d: d, k: k}
			for i := range split.clip {
				split.clip[i] = float32(rng.NormFloat64())
			}
			for i := range split.tokens {
				split.tokens[i] = float32(rng.NormFloat64())
			}
			idx, views := make([]int, n), make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			s1 := make([]float32, n*d)
			chunk := func() {
				if err := eng.stage1Rows(split.clip, n, s1); err != nil {
					b.Fatal(err)
				}
				keys, err := eng.keys(split, idx, views, s1)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := eng.evalRows(split.clip, keys, n); err != nil {
					b.Fatal(err)
				}
			}
			chunk() // compiles the graphs
			b.ResetTimer()
			for range b.N {
				chunk()
			}
		})
	}
}
