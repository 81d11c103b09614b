package train

import (
	"io"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
)

// FeatureSource is the Source over fairclip's feature stores (features.mode: disk,
// written by `fairclip extract`) or the live frozen backbone (features.mode: none).
// In both the trainer picks each row's view (data.ViewForEpoch), so both give the
// same numbers.
type FeatureSource struct {
	src *features.Source
}

// NewFeatureSource resolves cfg's feature settings; opts overrides them (weights,
// feature directory, views, preprocessing, backend). log receives notices.
func NewFeatureSource(cfg config.Config, opts features.Options, log io.Writer) (*FeatureSource, error) {
	src, err := features.NewSource(cfg, opts, log)
	if err != nil {
		return nil, err
	}
	return &FeatureSource{src: src}, nil
}

// Split implements Source.
func (f *FeatureSource) Split(split, dataset string) (Split, error) {
	sp, err := f.src.Split(split, dataset)
	if err != nil {
		return nil, err
	}
	return sp, nil
}

// Describe implements Source.
func (f *FeatureSource) Describe() string { return f.src.Describe() }

// Close releases the stores' mappings and the encoder.
func (f *FeatureSource) Close() error { return f.src.Close() }
