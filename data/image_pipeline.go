package data

import "fmt"

// Pipeline is the one image pipeline: decode, optionally augment, preprocess.
// Its Load method is the load function a Loader runs for training, feature
// extraction and serving alike.
type Pipeline struct {
	// Augment, when set, augments view v of sample i (view 0 stays as is).
	Augment *Augmenter
	// Preprocess turns the (augmented) image into the model input.
	Preprocess PreprocessOptions
}

// Load decodes path and returns view of sample as a CHW float32 tensor.
// Decoding failures are *ImageError values matching ErrBadImage.
func (p Pipeline) Load(path string, sample, view int) ([]float32, error) {
	img, err := DecodeImage(path)
	if err != nil {
		return nil, err
	}
	if p.Augment != nil {
		img = p.Augment.Apply(img, sample, view)
	}
	x, err := Preprocess(img, p.Preprocess)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}
