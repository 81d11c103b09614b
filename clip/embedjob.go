package clip

import (
	"errors"
	"fmt"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/safetensors"
)

// ErrBadInput is wrapped by RunEmbed errors caused by the caller's files or options
// (unreadable weights or images, wrong tensor shapes, bad layer numbers).
var ErrBadInput = errors.New("bad input")

// inputError marks err as caused by bad input without changing its message.
type inputError struct{ err error }

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{e.err, ErrBadInput} }

func badInput(err error) error { return inputError{err} }

// PixelsKey is the tensor name RunEmbed reads from a --tensor file.
const PixelsKey = "pixel_values"

// EmbedJob describes one `fairclip embed` run: weights, inputs, and what to compute.
type EmbedJob struct {
	Weights string                 // weights file (see Load)
	Heads   int                    // LoadOptions.Heads
	Images  []string               // image files, or
	Tensor  string                 // a safetensors file holding normalized NCHW float32 "pixel_values"
	Prep    data.PreprocessOptions // Mode and, for reference-stage2, Resolution; ModelResolution is set from the weights
	Layers  []int                  // residual-stream states to return (1..Layers; 0 = after ln_pre)
	Batch   int                    // images per execution (0: DefaultBatchSize)
	Backend string                 // backend spec for backend.New ("" = the default, cpu)
	// Progress, if set, is called after each batch with the number of images done.
	Progress func(done, total int)
}

// Embedded is the result of RunEmbed.
type Embedded struct {
	Arch   Arch
	Layers []int
	Names  []string // image paths, or "pixel_values[i]"
	Notice string   // Weights.Notice: an assumption made while importing the weights, or ""
	*Result
}

// RunEmbed loads the weights and embeds every input, batch by batch (images are decoded
// and preprocessed one batch at a time, so memory stays bounded by the outputs).
func RunEmbed(job EmbedJob) (*Embedded, error) {
	if (len(job.Images) == 0) == (job.Tensor == "") {
		return nil, badInput(errors.New("give image files or a pixel tensor file, not both or neither"))
	}
	w, err := Load(job.Weights, LoadOptions{Heads: job.Heads})
	if err != nil {
		return nil, badInput(err)
	}
	for _, l := range job.Layers {
		if l < 0 || l > w.Arch.Layers {
			return nil, badInput(fmt.Errorf("layer %d out of range 1..%d for %s", l, w.Arch.Layers, w.Arch.Name()))
		}
	}
	per := 3 * w.Arch.Resolution * w.Arch.Resolution
	var pixels []float32
	var names []string
	if job.Tensor != "" {
		if pixels, names, err = readPixels(job.Tensor, w.Arch); err != nil {
			return nil, badInput(err)
		}
	} else {
		names = job.Images
		job.Prep.ModelResolution = w.Arch.Resolution
		if _, err := job.Prep.Validate(); err != nil {
			return nil, badInput(err)
		}
	}
	b, err := backend.New(job.Backend)
	if err != nil {
		return nil, badInput(err)
	}
	m, err := NewModel(b, w, ModelOptions{Layers: job.Layers, BatchSize: job.Batch})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	out := &Embedded{Arch: w.Arch, Layers: append([]int{}, job.Layers...), Names: names, Notice: w.Notice,
		Result: &Result{States: make([][]float32, len(job.Layers))}}
	bs := m.opts.BatchSize
	n := len(names)
	for start := 0; start < n; start += bs {
		k := min(bs, n-start)
		var batch []float32
		if pixels != nil {
			batch = pixels[start*per : (start+k)*per]
		} else {
			batch = make([]float32, 0, k*per)
			for _, path := range names[start : start+k] {
				img, err := data.DecodeImage(path)
				if err != nil {
					return nil, badInput(err)
				}
				x, err := data.Preprocess(img, job.Prep)
				if err != nil {
					return nil, badInput(fmt.Errorf("%s: %w", path, err))
				}
				batch = append(batch, x...)
			}
		}
		r, err := m.Embed(batch, k)
		if err != nil {
			return nil, err
		}
		out.N += k
		out.Embedding = append(out.Embedding, r.Embedding...)
		out.Pooled = append(out.Pooled, r.Pooled...)
		for i := range r.States {
			out.States[i] = append(out.States[i], r.States[i]...)
		}
		if job.Progress != nil {
			job.Progress(start+k, n)
		}
	}
	return out, nil
}

// readPixels reads the "pixel_values" tensor of a safetensors file and checks its shape.
func readPixels(path string, arch Arch) ([]float32, []string, error) {
	f, err := safetensors.ReadFileFunc(path, func(name string) bool { return name == PixelsKey })
	if err != nil {
		return nil, nil, err
	}
	t, ok := f.Tensors[PixelsKey]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no tensor %q (want normalized NCHW float32 pixels)", path, PixelsKey)
	}
	r := arch.Resolution
	if len(t.Shape) != 4 || t.Shape[1] != 3 || t.Shape[2] != r || t.Shape[3] != r || t.F32 == nil {
		return nil, nil, fmt.Errorf("%s: tensor %q is %s%v, want float [N, 3, %d, %d] for %s", path, PixelsKey, t.DType, t.Shape, r, r, arch.Name())
	}
	names := make([]string, t.Shape[0])
	for i := range names {
		names[i] = fmt.Sprintf("%s[%d]", PixelsKey, i)
	}
	return t.F32, names, nil
}
