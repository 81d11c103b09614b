package clip

import (
	"fmt"
	"slices"
	"sort"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// DefaultBatchSize is the number of images Model runs per graph execution unless told otherwise.
const DefaultBatchSize = 8

// ModelOptions configures a Model.
type ModelOptions struct {
	// Layers lists the residual-stream states to return (see Forward); empty for none.
	Layers []int
	// BatchSize is the largest number of images per execution (0: DefaultBatchSize). The
	// graph is compiled once per batch size met (at most two per Embed call: full batches and
	// the remainder) and cached for later calls.
	BatchSize int
	// PatchGrid, when > 0, also returns the last layer's patch tokens pooled to a
	// PatchGrid x PatchGrid grid (PatchTokens), in Result.Tokens.
	PatchGrid int
}

// Model runs a vision tower on a GoMLX backend. The weights are uploaded once as graph
// parameters; the compiled graph is reused for every batch. A Model is not safe for
// concurrent use.
type Model struct {
	arch   Arch
	opts   ModelOptions
	names  []string
	params []*tensors.Tensor
	exec   *graph.Exec
}

// Result holds a batch's outputs as row-major float32 arrays.
type Result struct {
	N         int         // images
	Embedding []float32   // N x Arch.OutputDim
	Pooled    []float32   // N x Arch.Width
	States    [][]float32 // per requested layer: N x Arch.Tokens x Arch.Width
	Tokens    []float32   // N x PatchGrid² x Arch.OutputDim (ModelOptions.PatchGrid > 0)
}

// NewModel prepares w for inference on backend b.
func NewModel(b backends.Backend, w *Weights, opts ModelOptions) (*Model, error) {
	if err := w.Arch.Validate(); err != nil {
		return nil, err
	}
	for _, l := range opts.Layers {
		if l < 0 || l > w.Arch.Layers {
			return nil, fmt.Errorf("clip: layer %d out of range 0..%d", l, w.Arch.Layers)
		}
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if err := checkPatchGrid(w.Arch, opts.PatchGrid); err != nil {
		return nil, err
	}
	m := &Model{arch: w.Arch, opts: opts}
	for name := range w.Tensors {
		m.names = append(m.names, name)
	}
	sort.Strings(m.names)
	index := make(map[string]int, len(m.names))
	specs := map[string][]int{}
	for _, s := range w.Arch.tensorSpecs() {
		specs[s.name] = s.shape
	}
	for i, name := range m.names {
		shape, ok := specs[name]
		if !ok {
			return nil, fmt.Errorf("clip: unexpected weight %q", name)
		}
		if data := w.Tensors[name]; len(data) != numel(shape) {
			return nil, fmt.Errorf("clip: weight %q has %d values, want %d for shape %v", name, len(data), numel(shape), shape)
		}
		m.params = append(m.params, tensors.FromFlatDataAndDimensions(w.Tensors[name], shape...))
		index[name] = i
	}
	if len(m.names) != len(specs) {
		return nil, fmt.Errorf("clip: %d weights given, architecture %s needs %d", len(m.names), w.Arch.Name(), len(specs))
	}
	arch, layers, grid := m.arch, opts.Layers, opts.PatchGrid
	exec, err := graph.NewExec(b, func(inputs []*graph.Node) []*graph.Node {
		get := func(name string) *graph.Node { return inputs[1+index[name]] }
		last := slices.Index(layers, arch.Layers) // the patch tokens' state
		all := layers
		if grid > 0 && last < 0 {
			all, last = append(slices.Clone(layers), arch.Layers), len(layers)
		}
		out, err := Forward(arch, get, inputs[0], all)
		if err != nil {
			panic(err)
		}
		outs := append([]*graph.Node{out.Embedding, out.Pooled}, out.States[:len(layers)]...)
		if grid > 0 {
			outs = append(outs, PatchTokens(arch, get, out.States[last], grid))
		}
		return outs
	})
	if err != nil {
		return nil, fmt.Errorf("clip: %w", err)
	}
	m.exec = exec
	return m, nil
}

// Arch returns the model's architecture.
func (m *Model) Arch() Arch { return m.arch }

// Layers returns the residual-stream layers the model outputs.
func (m *Model) Layers() []int { return append([]int{}, m.opts.Layers...) }

// Embed encodes n images given as normalized NCHW float32 pixels
// (n x 3 x Resolution x Resolution values).
func (m *Model) Embed(pixels []float32, n int) (*Result, error) {
	r := m.arch.Resolution
	per := 3 * r * r
	if n < 0 || len(pixels) != n*per {
		return nil, fmt.Errorf("clip: %d pixel values for %d images, want %d (3x%dx%d each)", len(pixels), n, n*per, r, r)
	}
	res := &Result{N: n, States: make([][]float32, len(m.opts.Layers))}
	bs := m.opts.BatchSize
	for start := 0; start < n; start += bs {
		k := min(bs, n-start)
		outs, err := m.run(pixels[start*per:(start+k)*per], k)
		if err != nil {
			return nil, err
		}
		res.Embedding = append(res.Embedding, outs[0][:k*m.arch.OutputDim]...)
		res.Pooled = append(res.Pooled, outs[1][:k*m.arch.Width]...)
		for i := range res.States {
			res.States[i] = append(res.States[i], outs[2+i][:k*m.arch.Tokens()*m.arch.Width]...)
		}
		if g := m.opts.PatchGrid; g > 0 {
			res.Tokens = append(res.Tokens, outs[2+len(res.States)][:k*g*g*m.arch.OutputDim]...)
		}
	}
	return res, nil
}

// run executes the compiled graph on one batch of bs images.
func (m *Model) run(batch []float32, bs int) ([][]float32, error) {
	r := m.arch.Resolution
	args := make([]any, 0, 1+len(m.params))
	args = append(args, tensors.FromFlatDataAndDimensions(batch, bs, 3, r, r))
	for _, p := range m.params {
		args = append(args, p)
	}
	outs, err := m.exec.Exec(args...)
	if err != nil {
		return nil, fmt.Errorf("clip: running the encoder: %w", err)
	}
	flat := make([][]float32, len(outs))
	for i, t := range outs {
		if flat[i], err = tensors.CopyFlatData[float32](t); err != nil {
			return nil, fmt.Errorf("clip: output %d: %w", i, err)
		}
		t.FinalizeAll()
	}
	return flat, nil
}

// Close releases the compiled graph and the uploaded weights.
func (m *Model) Close() {
	m.exec.Finalize()
	for _, p := range m.params {
		p.FinalizeAll()
	}
}
