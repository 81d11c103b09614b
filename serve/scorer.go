package serve

import (
	"context"
	"io"

	"github.com/fairclip/fairclip/detect"
)

// Scorer is what the server needs of a model: *detect.Detector is one. Tests use fakes
// where the point is the server (a slow scorer fills the queue).
type Scorer interface {
	// DetectReader scores one upload; name is only echoed in the result.
	DetectReader(ctx context.Context, name string, r io.Reader) detect.FileResult
	// Model is the model's identity, threshold and validation metrics.
	Model() detect.ModelInfo
}
