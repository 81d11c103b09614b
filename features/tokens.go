package features

import (
	"fmt"
	"io"
	"math"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/config"
)

// Patch tokens (features.tokens: patches:K). Besides the pooled embedding, a store can
// keep K tokens per sample and view: the last layer's patch tokens, each through
// ln_post like the class token, average-pooled to a sqrt(K) x sqrt(K) grid (adaptive
// pooling: clip.PatchTokens) and projected with the visual projection, so that they
// live in the embedding's space and the Stage 1 adapter applies to them as to the class
// token. They sit in tokens-NNNNN.bin shards next to the clip shards (same samples,
// sample-major, then view, then token), float16 by default: they are 16x the
// embedding's size at K=16 and only feed attention keys.

// DefaultTokensDType is the token shards' dtype unless told otherwise.
const DefaultTokensDType = "float16"

// Tokens is the number of pooled patch tokens the setup stores per sample (0: none).
// The configuration was validated, so a malformed value reads as none.
func (s *Setup) Tokens() int {
	k, err := config.ParseTokens(s.Config.Features.Tokens)
	if err != nil {
		return 0
	}
	return k
}

// tokensKey is the key part of the token setting: "" for the class token alone.
func (s *Setup) tokensKey() string {
	if k := s.Tokens(); k > 0 {
		return fmt.Sprintf("patches:%d", k)
	}
	return ""
}

// tokenGrid is sqrt(k) (0 for no tokens).
func tokenGrid(k int) int {
	if k <= 0 {
		return 0
	}
	return int(math.Round(math.Sqrt(float64(k))))
}

func (s Spec) tokensDType() string {
	switch {
	case s.Tokens == 0:
		return ""
	case s.TokensDType == "":
		return DefaultTokensDType
	}
	return s.TokensDType
}

func (m *Meta) tokenBytes() int {
	if m.TokensDType == "float32" {
		return 4
	}
	return 2
}

// WriteTokens stores the pooled patch tokens of shard i (count*views*Tokens*ClipDim
// values); call it before WriteShard, which records its checksum.
func (w *Writer) WriteTokens(i int, tokens []float32) error {
	m := w.meta
	if m.Tokens == 0 {
		return fmt.Errorf("feature store %s keeps no patch tokens", w.dir)
	}
	if m.TokensDType != "float16" && m.TokensDType != "float32" {
		return fmt.Errorf("feature store %s: tokens dtype %q, want float16 or float32", w.dir, m.TokensDType)
	}
	start, count := w.ShardRange(i)
	per := m.Views * m.Tokens * m.ClipDim
	if len(tokens) != count*per {
		return fmt.Errorf("feature store %s shard %d: %d token values, want %d", w.dir, i, len(tokens), count*per)
	}
	for j, v := range tokens {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("feature store %s shard %d: non-finite patch token for sample %s", w.dir, i, m.Samples[start+j/per].ID)
		}
	}
	var sum string
	err := atomicfile.Write(shardFile(w.dir, "tokens", i), 0o644, func(f io.Writer) error {
		var err error
		sum, err = encode(f, tokens, m.TokensDType)
		return err
	})
	if err != nil {
		return err
	}
	if w.tokens == nil {
		w.tokens = map[int]string{}
	}
	w.tokens[i] = sum
	return nil
}

// mapTokens maps the token shards of an opened store.
func (r *Reader) mapTokens() error {
	m := r.meta
	if m.Tokens == 0 {
		return nil
	}
	for _, sh := range m.Shards {
		b, err := mapFile(shardFile(r.dir, "tokens", sh.Index), sh.Count*m.Views*m.Tokens*m.ClipDim*m.tokenBytes())
		if err != nil {
			return err
		}
		r.tokens = append(r.tokens, b)
	}
	return nil
}

// Tokens is the number of pooled patch tokens per sample and view (0: none stored).
func (r *Reader) Tokens() int { return r.meta.Tokens }

// TokenRow copies the Tokens pooled patch tokens of sample i, view v into dst
// (len >= Tokens*Dim).
func (r *Reader) TokenRow(i, v int, dst []float32) error {
	m := r.meta
	if m.Tokens == 0 {
		return fmt.Errorf("feature store %s holds no patch tokens (extract with features.tokens: patches:K)", r.dir)
	}
	if i < 0 || i >= m.N || v < 0 || v >= m.Views {
		return fmt.Errorf("feature store %s: sample %d view %d out of range (%d samples, %d views)", r.dir, i, v, m.N, m.Views)
	}
	readRow(r.tokens, m.TokensDType, m.ShardSize, m.Views, m.Tokens*m.ClipDim, i, v, dst)
	return nil
}

// Tokens is the number of pooled patch tokens per sample (0: the store or encoder
// keeps none).
func (s *Split) Tokens() int {
	if s.reader != nil {
		return s.reader.Tokens()
	}
	return s.enc.grid * s.enc.grid
}

// TokenRows writes the pooled patch tokens of sample idx[j], view views[j], into
// dst[j*Tokens*Dim:].
func (s *Split) TokenRows(idx, views []int, dst []float32) error {
	k := s.Tokens()
	if k == 0 {
		return fmt.Errorf("%s: no patch tokens (set features.tokens to patches:K and extract again)", s.target.Name())
	}
	per := k * s.dim
	if len(views) < len(idx) || len(dst) < len(idx)*per {
		return fmt.Errorf("%s: TokenRows: %d indices, %d views, %d values of room", s.target.Name(), len(idx), len(views), len(dst))
	}
	for j, i := range idx {
		if i < 0 || i >= len(s.keep) {
			return fmt.Errorf("%s: sample %d out of range (%d samples)", s.target.Name(), i, len(s.keep))
		}
		if s.reader != nil {
			if err := s.reader.TokenRow(s.keep[i], views[j], dst[j*per:(j+1)*per]); err != nil {
				return err
			}
		}
	}
	if s.reader != nil {
		return nil
	}
	return s.liveTokenRows(idx, views, dst)
}

// liveTokenRows returns the tokens of the requested rows (features.mode: none): those
// the last Rows call computed with the embeddings (the trainer asks for a batch's
// tokens right after its rows), the others encoded again one sample at a time.
func (s *Split) liveTokenRows(idx, views []int, dst []float32) error {
	t, per := s.target, s.Tokens()*s.dim
	for j, i := range idx {
		if tok, ok := s.liveTok[[2]int{i, views[j]}]; ok && len(tok) == per {
			copy(dst[j*per:(j+1)*per], tok)
			continue
		}
		px, err := s.enc.pixels(t, s.keep[i], views[j:j+1])
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name(), err)
		}
		_, tok, err := s.enc.embedTokens(px, 1)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name(), err)
		}
		copy(dst[j*per:(j+1)*per], tok)
	}
	return nil
}
