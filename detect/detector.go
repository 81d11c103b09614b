package detect

import (
	"context"
	"errors"
	"io"
)

// Detector is a run's model loaded once: face detector, backbone, Stage 1 and
// Stage 2 head. It is safe for concurrent use; model calls from concurrent
// requests are batched together.
type Detector struct {
	opts Options
	info ModelInfo
}

// Load opens runDir (its config.yaml, checkpoint and validation scores) and loads
// the model. Errors name the file at fault.
func Load(runDir string, opts Options) (*Detector, error) {
	return nil, errors.New("detect: not implemented yet")
}

// Model returns the model identity, threshold and validation metrics.
func (d *Detector) Model() ModelInfo { return d.info }

// Close releases the model. Calls after Close return an ErrInternal result.
func (d *Detector) Close() error { return nil }

// DetectFile scores one image or video (told apart by content, not by name). Every
// problem is reported in the result (Error, ErrorKind); it never panics on bad input.
func (d *Detector) DetectFile(ctx context.Context, path string) FileResult {
	return FileResult{File: path, Error: "not implemented", ErrorKind: ErrInternal}
}

// DetectReader scores an upload read from r; name is only echoed in the result
// (FileResult.File) and never used as a path. Images are decoded in memory; a
// video is written to a private temporary folder (Options.TempDir) that is removed
// before DetectReader returns.
func (d *Detector) DetectReader(ctx context.Context, name string, r io.Reader) FileResult {
	return FileResult{File: name, Error: "not implemented", ErrorKind: ErrInternal}
}

// DetectPaths scores every input: files, and folders walked recursively (entries in
// lexical order; symbolic links followed, loops reported as ErrSymlinkLoop). Files
// are decoded and cropped by a bounded pool of Options.Workers goroutines and their
// faces scored in batches. progress, when not nil, is called after each file with
// the number done and the total found so far. Results are in input order.
func (d *Detector) DetectPaths(ctx context.Context, inputs []string, progress func(done, total int)) []FileResult {
	var out []FileResult
	for _, in := range inputs {
		out = append(out, d.DetectFile(ctx, in))
	}
	return out
}
