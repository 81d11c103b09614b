package train

import (
	"fmt"

	"github.com/fairclip/fairclip/model"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Multi-token fusion (model.fusion_keys: tokens). The graphs' s1 input becomes the
// attention keys [n, K+1, D]: s1 of the class token (row 0, which the gate uses too)
// and the frozen Stage 1 adapter applied to each of the K pooled patch tokens of the
// feature store, computed with the same fixed-chunk graph as s1 (model.Stage1Exec).
// Every sample has K+1 keys, so batches are dense: no padding, no masks. Token s1 is
// not cached: at K = 16 it would be 16 times the size of the s1 cache.

// tokenSplit is a Split that also holds pooled patch tokens (features.Split).
type tokenSplit interface {
	// Tokens is the number of pooled patch tokens per sample (0: none).
	Tokens() int
	// TokenRows writes the tokens of sample idx[j], view views[j], into
	// dst[j*Tokens*Dim:].
	TokenRows(idx, views []int, dst []float32) error
}

// Tokens implements tokenSplit for a balanced subset.
func (s subsetSplit) Tokens() int {
	if ts, ok := s.Split.(tokenSplit); ok {
		return ts.Tokens()
	}
	return 0
}

// TokenRows implements tokenSplit for a balanced subset.
func (s subsetSplit) TokenRows(idx, views []int, dst []float32) error {
	ts, ok := s.Split.(tokenSplit)
	if !ok {
		return fmt.Errorf("the feature source holds no patch tokens")
	}
	mapped := make([]int, len(idx))
	for j, i := range idx {
		mapped[j] = s.keep[i]
	}
	return ts.TokenRows(mapped, views, dst)
}

// checkTokens rejects splits without the pooled patch tokens fusion_keys: tokens needs.
func checkTokens(s Split, name string, cfg model.Config) error {
	if cfg.Keys != model.KeysTokens || cfg.Tokens == 0 {
		return nil
	}
	ts, ok := s.(tokenSplit)
	if !ok || ts.Tokens() != cfg.Tokens {
		have := 0
		if ok {
			have = ts.Tokens()
		}
		return fmt.Errorf("%s: model.fusion_keys tokens needs %d pooled patch tokens per sample, the feature source has %d (extract with features.tokens: patches:%d)",
			name, cfg.Tokens, have, cfg.Tokens)
	}
	return nil
}

// keys returns the graphs' s1 input for rows idx (views views) of s: s1 itself under
// fusion_keys: cls; otherwise the keys [n, K+1, D], s1 first.
func (e *engine) keys(s Split, idx, views []int, s1 []float32) ([]float32, error) {
	if e.cfg.Keys != model.KeysTokens || e.cfg.Tokens == 0 {
		return s1, nil // [n, D] is [n, 1, D] with no patch tokens
	}
	ts, ok := s.(tokenSplit)
	if !ok {
		return nil, fmt.Errorf("model.fusion_keys tokens: the feature source holds no patch tokens")
	}
	n, k, d := len(idx), e.cfg.Tokens, e.cfg.Dim
	tok := make([]float32, n*k*d)
	if err := ts.TokenRows(idx, views, tok); err != nil {
		return nil, err
	}
	ts1 := make([]float32, n*k*d)
	if err := e.stage1Rows(tok, n*k, ts1); err != nil {
		return nil, err
	}
	out := make([]float32, n*(k+1)*d)
	for j := range n {
		row := out[j*(k+1)*d : (j+1)*(k+1)*d]
		copy(row[:d], s1[j*d:(j+1)*d])
		copy(row[d:], ts1[j*k*d:(j+1)*k*d])
	}
	return out, nil
}

// keysArg is the graphs' s1 input tensor for n rows: [n, D], or [n, K+1, D] under
// fusion_keys: tokens.
func (e *engine) keysArg(s1 []float32, n int) *tensors.Tensor {
	d, t := e.cfg.Dim, e.cfg.KeyTokens()
	if e.cfg.Keys != model.KeysTokens {
		return matrix(s1, n, d)
	}
	return tensors.FromFlatDataAndDimensions(s1[:n*t*d], n, t, d)
}

// meanEntropy averages per-sample, per-head attention entropies (n x heads, row-major)
// over samples; nil when there are none (fusion_keys: cls).
func meanEntropy(ent []float32, heads int) []float64 {
	if len(ent) == 0 || heads <= 0 {
		return nil
	}
	n := len(ent) / heads
	out := make([]float64, heads)
	for i := range n {
		for h := range heads {
			out[h] += float64(ent[i*heads+h])
		}
	}
	for h := range out {
		out[h] /= float64(n)
	}
	return out
}
