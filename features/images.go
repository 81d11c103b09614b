package features

import (
	"fmt"
	"image"

	"github.com/fairclip/fairclip/data"
)

// InputSize is the number of float32 values of one preprocessed image.
func (e *Encoder) InputSize() int { return 3 * e.arch.Resolution * e.arch.Resolution }

// Preprocess turns a decoded image into the encoder's input exactly as extraction
// does for view 0 (no augmentation): the setup's preprocessing at the backbone's
// resolution. Callers outside the feature store (fairclip detect) use it so that
// their crops see the pipeline the training features saw.
func (e *Encoder) Preprocess(img image.Image) ([]float32, error) {
	x, err := data.Preprocess(img, e.prep)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %w", err)
	}
	return x, nil
}

// Embed encodes n images preprocessed by Preprocess (concatenated) and returns n
// embeddings of Dim values each. Calls are serialized.
func (e *Encoder) Embed(pixels []float32, n int) ([]float32, error) { return e.embed(pixels, n) }

// PreprocessID describes the preprocessing applied to images (mode, resolution,
// mean, std), as it appears in the store key.
func (s *Setup) PreprocessID() string { return s.preprocessID() }
