package detect

import (
	"context"
	"errors"
)

// job is a set of preprocessed face crops waiting for the model.
type job struct {
	pixels [][]float32
	reply  chan jobResult
}

type jobResult struct {
	probs []float64
	err   error
}

var errClosed = errors.New("detector closed")

// score sends crops to the batcher and waits for their probabilities.
func (d *Detector) score(ctx context.Context, pixels [][]float32) ([]float64, error) {
	if len(pixels) == 0 {
		return nil, nil
	}
	j := &job{pixels: pixels, reply: make(chan jobResult, 1)}
	select {
	case d.jobs <- j:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-d.quit:
		return nil, errClosed
	}
	// The batcher always replies once it has taken a job.
	r := <-j.reply
	return r.probs, r.err
}

// batcher collects the jobs waiting at the moment the model becomes free (up to
// Options.Batch faces, more when one job is larger) and scores them in one pass, so
// that faces of concurrent files and requests share model calls.
func (d *Detector) batcher() {
	defer close(d.done)
	for {
		var batch []*job
		select {
		case j := <-d.jobs:
			batch = append(batch, j)
		case <-d.quit:
			return
		}
		n := len(batch[0].pixels)
	gather:
		for n < d.opts.Batch {
			select {
			case j := <-d.jobs:
				batch = append(batch, j)
				n += len(j.pixels)
			default:
				break gather
			}
		}
		var all [][]float32
		for _, j := range batch {
			all = append(all, j.pixels...)
		}
		probs, err := d.run(all)
		off := 0
		for _, j := range batch {
			k := len(j.pixels)
			if err != nil {
				j.reply <- jobResult{err: err}
			} else {
				j.reply <- jobResult{probs: probs[off : off+k]}
			}
			off += k
		}
	}
}

// run embeds and scores crops in chunks of Options.Batch. A chunk is padded to the
// next power of two so that the backbone compiles a handful of batch sizes only.
func (d *Detector) run(pixels [][]float32) ([]float64, error) {
	per := d.enc.InputSize()
	out := make([]float64, 0, len(pixels))
	for lo := 0; lo < len(pixels); lo += d.opts.Batch {
		chunk := pixels[lo:min(lo+d.opts.Batch, len(pixels))]
		m := len(chunk)
		padded := bucket(m, d.opts.Batch)
		buf := make([]float32, padded*per)
		for i, p := range chunk {
			copy(buf[i*per:], p)
		}
		emb, err := d.enc.Embed(buf, padded)
		if err != nil {
			return nil, err
		}
		probs, err := d.scorer.Score(emb[:m*d.enc.Dim()], m)
		if err != nil {
			return nil, err
		}
		out = append(out, probs...)
	}
	return out, nil
}

// bucket is the smallest power of two >= n, capped at limit.
func bucket(n, limit int) int {
	b := 1
	for b < n {
		b *= 2
	}
	return min(b, limit)
}
