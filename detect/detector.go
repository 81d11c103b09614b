package detect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/train"
)

// defaultBatch is the largest number of faces per model call.
const defaultBatch = 32

// Detector is a run's model loaded once: face detector, backbone, Stage 1 and
// Stage 2 head. It is safe for concurrent use; faces submitted by concurrent
// calls are scored together in batches.
type Detector struct {
	opts    Options
	info    ModelInfo
	faces   *faceFinder
	enc     *features.Encoder
	scorer  *train.Scorer
	workers int
	// cpu bounds the goroutines decoding and cropping at once (Options.Workers);
	// the model runs in the batcher, outside it.
	cpu chan struct{}

	jobs      chan *job
	quit      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Load opens runDir (its config.yaml, checkpoint and validation scores) and loads
// the model. Errors name the file at fault.
func Load(runDir string, opts Options) (*Detector, error) {
	if opts.Frames < 0 || opts.MaxPixels < 0 || opts.Workers < 0 || opts.Batch < 0 || opts.MinFaceSize < 0 {
		return nil, errors.New("detect: frames, max pixels, workers, batch and min face size must not be negative")
	}
	if opts.Frames == 0 {
		opts.Frames = DefaultFrames
	}
	if opts.MaxPixels == 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	if opts.Batch == 0 {
		opts.Batch = defaultBatch
	}
	cfg, _, err := config.Load(filepath.Join(runDir, runs.ConfigFile), nil)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", runDir, err)
	}
	ckpt, err := train.RunCheckpoint(runDir, opts.Checkpoint)
	if err != nil {
		return nil, err
	}
	setup, err := features.NewSetup(cfg, features.Options{Backend: opts.Backend, Batch: opts.Batch})
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", runDir, err)
	}
	thr, err := chooseThreshold(opts.Threshold, runDir, cfg, ckpt)
	if err != nil {
		return nil, err
	}
	scorer, err := train.LoadScorer(ckpt, cfg, opts.Backend)
	if err != nil {
		return nil, err
	}
	enc, err := features.NewEncoder(setup)
	if err != nil {
		scorer.Close()
		return nil, fmt.Errorf("run %s: backbone: %w", runDir, err)
	}
	if enc.Dim() != scorer.Dim() {
		enc.Close()
		scorer.Close()
		return nil, fmt.Errorf("run %s: backbone %s gives %d-d embeddings, checkpoint %s expects %d", runDir, enc.ID, enc.Dim(), ckpt, scorer.Dim())
	}
	ff, err := newFaceFinder(opts.Cascade, opts.MinFaceSize)
	if err != nil {
		enc.Close()
		scorer.Close()
		return nil, err
	}
	meta := scorer.Meta()
	d := &Detector{opts: opts, faces: ff, enc: enc, scorer: scorer,
		workers: opts.Workers, jobs: make(chan *job), quit: make(chan struct{}), done: make(chan struct{})}
	if d.workers == 0 {
		d.workers = runtime.GOMAXPROCS(0)
	}
	d.cpu = make(chan struct{}, d.workers)
	d.info = ModelInfo{Run: runDir, Checkpoint: ckpt, Epoch: meta.Epoch, ConfigHash: meta.ConfigHash, Backbone: enc.ID,
		Preprocess: setup.PreprocessID(), Threshold: thr.value, ThresholdRule: thr.rule, ThresholdFrom: thr.from,
		ValMetrics: meta.Metrics, FaceDetector: "pigo facefinder (pico cascade)", CropScale: CropScale, Frames: opts.Frames}
	if opts.Cascade != "" {
		d.info.FaceDetector = "pigo, cascade " + opts.Cascade
	}
	if opts.NoFaceDetect {
		d.info.FaceDetector = "none (--no-face-detect: whole image)"
	}
	go d.batcher()
	return d, nil
}

// Model returns the model identity, threshold and validation metrics.
func (d *Detector) Model() ModelInfo { return d.info }

// Close stops the batcher and releases the model. Calls after Close report
// ErrInternal results.
func (d *Detector) Close() error {
	d.closeOnce.Do(func() {
		close(d.quit)
		<-d.done
		d.enc.Close()
		d.scorer.Close()
	})
	return nil
}

// acquire takes a decoding slot; it fails when ctx ends first.
func (d *Detector) acquire(ctx context.Context) error {
	select {
	case d.cpu <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Detector) release() { <-d.cpu }

// label names a probability at the detector's threshold.
func (d *Detector) label(p float64) string {
	if p >= d.info.Threshold {
		return LabelFake
	}
	return LabelReal
}

// DetectFile scores one image or video (told apart by content, not by name). Every
// problem is reported in the result (Error, ErrorKind); it never panics on bad input.
func (d *Detector) DetectFile(ctx context.Context, path string) FileResult {
	f, err := os.Open(path)
	if err != nil {
		return d.fail(FileResult{File: path}, kindOfOpenError(err), fmt.Errorf("%s: %w", path, err))
	}
	defer f.Close()
	return d.detect(ctx, path, f, path)
}

// DetectReader scores an upload read from r; name is only echoed in the result
// (FileResult.File) and never used as a path. Images are decoded in memory; a
// video is written to a private temporary folder (Options.TempDir) that is removed
// before DetectReader returns.
func (d *Detector) DetectReader(ctx context.Context, name string, r io.Reader) FileResult {
	return d.detect(ctx, name, r, "")
}

// fail fills in an error.
func (d *Detector) fail(r FileResult, kind string, err error) FileResult {
	r.Error, r.ErrorKind, r.Prob, r.Label = err.Error(), kind, nil, ""
	r.Threshold = d.info.Threshold
	return r
}
