package detect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"

	"github.com/fairclip/fairclip/data"
)

// detect scores one input read from r. path is the file r reads (videos are
// decoded from it directly), or "" for an upload.
func (d *Detector) detect(ctx context.Context, name string, r io.Reader, path string) FileResult {
	res := FileResult{File: name, Threshold: d.info.Threshold}
	if err := ctx.Err(); err != nil {
		return d.fail(res, ErrCanceled, fmt.Errorf("%s: %w", name, err))
	}
	head, err := readHead(r, sniffLen)
	if err != nil {
		return d.fail(res, kindOfOpenError(err), fmt.Errorf("%s: %w", name, err))
	}
	res.Kind = sniff(head)
	switch res.Kind {
	case KindImage:
		rest, err := io.ReadAll(r)
		if err != nil {
			return d.fail(res, kindOfOpenError(err), fmt.Errorf("%s: %w", name, err))
		}
		return d.detectImage(ctx, res, append(head, rest...))
	case KindVideo:
		if path != "" {
			return d.detectVideo(ctx, res, path)
		}
		dir, err := os.MkdirTemp(d.opts.TempDir, "fairclip-detect-*")
		if err != nil {
			return d.fail(res, ErrInternal, fmt.Errorf("%s: temporary folder: %w", name, err))
		}
		defer os.RemoveAll(dir)
		tmp := filepath.Join(dir, "upload")
		if err := writeUpload(tmp, io.MultiReader(bytes.NewReader(head), r)); err != nil {
			return d.fail(res, ErrUnreadable, fmt.Errorf("%s: %w", name, err))
		}
		return d.detectVideo(ctx, res, tmp)
	}
	if len(head) == 0 {
		return d.fail(res, ErrUnreadable, fmt.Errorf("%s: empty file", name))
	}
	return d.fail(res, ErrUnreadable, fmt.Errorf("%s: not a JPEG, PNG or WebP image nor a video container ffmpeg reads", name))
}

func writeUpload(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// decodeImage decodes an image held in memory, refusing more than MaxPixels.
func (d *Detector) decodeImage(name string, b []byte) (*data.RGB, string, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, ErrUnreadable, fmt.Errorf("%s: unreadable image header: %w", name, err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > int64(d.opts.MaxPixels) {
		return nil, ErrTooLarge, fmt.Errorf("%s: %dx%d image has %d pixels, over the limit of %d", name, cfg.Width, cfg.Height, px, d.opts.MaxPixels)
	}
	img, err := data.DecodeImageFrom(bytes.NewReader(b), name)
	if err != nil {
		return nil, ErrUnreadable, err
	}
	return data.ToRGB(img), "", nil
}

// faceCrops finds the faces of img and preprocesses their crops. Under
// NoFaceDetect the whole image is the one face. No face is not an error here.
func (d *Detector) faceCrops(img *data.RGB) ([]Face, [][]float32, error) {
	var faces []Face
	if d.opts.NoFaceDetect {
		whole := Box{W: img.W, H: img.H}
		faces = []Face{{Box: whole, Crop: whole}}
	} else {
		for _, det := range d.faces.find(img) {
			faces = append(faces, Face{Box: det.box, Crop: cropBox(det.box, img.W, img.H), DetectorScore: det.quality})
		}
	}
	pixels := make([][]float32, len(faces))
	for i, f := range faces {
		x, err := d.enc.Preprocess(crop(img, f.Crop))
		if err != nil {
			return nil, nil, err
		}
		pixels[i] = x
	}
	return faces, pixels, nil
}

// labelFaces stores the probabilities in faces and returns the maximum (FrameRule).
func (d *Detector) labelFaces(faces []Face, probs []float64) float64 {
	best := 0.0
	for i := range faces {
		faces[i].Prob = probs[i]
		faces[i].Label = d.label(probs[i])
		best = max(best, probs[i])
	}
	return best
}

func (d *Detector) detectImage(ctx context.Context, res FileResult, b []byte) FileResult {
	if err := d.acquire(ctx); err != nil {
		return d.fail(res, ErrCanceled, fmt.Errorf("%s: %w", res.File, err))
	}
	img, kind, err := d.decodeImage(res.File, b)
	if err != nil {
		d.release()
		return d.fail(res, kind, err)
	}
	res.Width, res.Height = img.W, img.H
	faces, pixels, err := d.faceCrops(img)
	d.release()
	if err != nil {
		return d.fail(res, ErrInternal, fmt.Errorf("%s: %w", res.File, err))
	}
	if len(faces) == 0 {
		return d.fail(res, ErrNoFace, fmt.Errorf("%s: no face found (use --no-face-detect for images that are already face crops)", res.File))
	}
	probs, err := d.score(ctx, pixels)
	if err != nil {
		return d.scoreFail(res, err)
	}
	p := d.labelFaces(faces, probs)
	res.Faces, res.Prob, res.Label = faces, &p, d.label(p)
	return res
}

// scoreFail reports a model call that did not happen or failed.
func (d *Detector) scoreFail(res FileResult, err error) FileResult {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return d.fail(res, ErrCanceled, fmt.Errorf("%s: %w", res.File, err))
	}
	return d.fail(res, ErrInternal, fmt.Errorf("%s: model: %w", res.File, err))
}
