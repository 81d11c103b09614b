package features

import (
	"fmt"
	"sync"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/clip"
	"github.com/fairclip/fairclip/data"
)

// defaultBatch is the number of samples per encoder batch.
const defaultBatch = 32

// Encoder is the frozen backbone as extraction and `features.mode: none` run it:
// decode, augment view v of sample i with the seed (Seed, i, v), preprocess, CLIP.
// Both paths call the same methods, so a store and the live encoder give the same
// numbers. It is safe for concurrent use (calls to the model are serialized).
type Encoder struct {
	ID      string // backbone identity (key part)
	arch    clip.Arch
	prep    data.PreprocessOptions
	workers int
	batch   int
	grid    int // pooled patch-token grid (features.tokens patches:grid²; 0: none)

	mu    sync.Mutex
	model *clip.Model
}

// NewEncoder loads the setup's weights onto its backend.
func NewEncoder(s *Setup) (*Encoder, error) {
	bb, err := LoadBackbone(s.WeightsSpec)
	if err != nil {
		return nil, err
	}
	if bb.ID != s.BackboneID {
		return nil, fmt.Errorf("CLIP weights %s changed while loading (%s, then %s)", s.WeightsSpec, s.BackboneID, bb.ID)
	}
	b, err := backend.New(s.backendSpec())
	if err != nil {
		return nil, err
	}
	batch := s.Opts.Batch
	if batch <= 0 {
		batch = defaultBatch
	}
	grid := tokenGrid(s.Tokens())
	m, err := clip.NewModel(b, bb.Weights, clip.ModelOptions{BatchSize: batch, PatchGrid: grid})
	if err != nil {
		return nil, err
	}
	return &Encoder{ID: bb.ID, arch: bb.Weights.Arch, prep: s.prepFor(bb.Weights.Arch.Resolution),
		workers: s.Opts.Workers, batch: batch, grid: grid, model: m}, nil
}

// Dim is the embedding size.
func (e *Encoder) Dim() int { return e.arch.OutputDim }

// Arch is the vision tower's shape.
func (e *Encoder) Arch() clip.Arch { return e.arch }

// Close releases the model.
func (e *Encoder) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.model != nil {
		e.model.Close()
		e.model = nil
	}
}

// pixels decodes sample i of t once and returns the preprocessed views, concatenated.
// Decoding errors match data.ErrBadImage.
func (e *Encoder) pixels(t *Target, i int, views []int) ([]float32, error) {
	img, err := data.DecodeImage(t.Samples[i].Path)
	if err != nil {
		return nil, err
	}
	per := 3 * e.arch.Resolution * e.arch.Resolution
	out := make([]float32, 0, len(views)*per)
	for _, v := range views {
		view := img
		if v != 0 {
			if t.Augment == nil {
				return nil, fmt.Errorf("%s: view %d asked of a split with one view", t.Name(), v)
			}
			view = t.Augment.Apply(img, i, v)
		}
		x, err := data.Preprocess(view, e.prep)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Samples[i].Path, err)
		}
		out = append(out, x...)
	}
	return out, nil
}

// embed runs the encoder on n preprocessed images.
func (e *Encoder) embed(pixels []float32, n int) ([]float32, error) {
	emb, _, err := e.embedTokens(pixels, n)
	return emb, err
}

// embedTokens runs the encoder on n preprocessed images and returns the embeddings
// and, when the encoder keeps patch tokens, the pooled tokens (n x Tokens x Dim).
func (e *Encoder) embedTokens(pixels []float32, n int) (emb, tokens []float32, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.model == nil {
		return nil, nil, fmt.Errorf("encoder closed")
	}
	res, err := e.model.Embed(pixels, n)
	if err != nil {
		return nil, nil, err
	}
	return res.Embedding, res.Tokens, nil
}

// loader starts decoding batches of sample numbers of t, each sample's views given by
// views(i), with t's bad-image policy.
func (e *Encoder) loader(t *Target, batches [][]int, views func(i int) []int, policy data.BadImagePolicy, onSkip func(*data.SampleError)) (*data.Loader[[]float32], error) {
	paths := make([]string, len(t.Samples))
	for i, s := range t.Samples {
		paths[i] = s.Path
	}
	return data.NewLoader(paths, batches, func(i int) ([]float32, error) { return e.pixels(t, i, views(i)) },
		data.LoaderOptions{Workers: e.workers, OnBadImage: policy, OnSkip: onSkip,
			Origin: func(i int) (string, int) { return t.Samples[i].CSV, t.Samples[i].Row }})
}
