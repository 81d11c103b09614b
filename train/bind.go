package train

import (
	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/model"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// paramBinding passes a Params' values to the graphs without copying them each call.
// On fairclip's CPU backend, whose shared buffers are plain Go memory that the backend
// never reuses, each parameter's Data is moved once into a shared buffer and Data is
// re-pointed at it: the optimizer then updates the buffer in place and every graph
// reads the current values. A parameter whose Data was replaced since (a checkpoint
// load) is bound again. Other backends get fresh tensors each call (paramArgs).
type paramBinding struct {
	be      backends.Backend
	tensors []*tensors.Tensor
	flats   [][]float32
}

// args returns ps's parameters as graph arguments.
func (b *paramBinding) args(ps *model.Params) []any {
	if !goMemoryBuffers(b.be) {
		return paramArgs(ps)
	}
	if len(b.tensors) != len(ps.List) {
		b.tensors = make([]*tensors.Tensor, len(ps.List))
		b.flats = make([][]float32, len(ps.List))
	}
	out := make([]any, 0, len(ps.List)+8)
	for i, p := range ps.List {
		if f := b.flats[i]; f == nil || len(f) != len(p.Data) || len(f) == 0 || &f[0] != &p.Data[0] {
			t, flat, ok := b.bind(p)
			if !ok {
				return paramArgs(ps)
			}
			b.tensors[i], b.flats[i] = t, flat
		}
		out = append(out, b.tensors[i])
	}
	return out
}

// bind copies p's values into a new shared buffer and points p.Data at it.
func (b *paramBinding) bind(p *model.Param) (*tensors.Tensor, []float32, bool) {
	buf, flatAny, err := b.be.NewSharedBuffer(0, shapes.Make(dtypes.Float32, p.Shape...))
	if err != nil {
		return nil, nil, false
	}
	flat, ok := flatAny.([]float32)
	if !ok || len(flat) != len(p.Data) || len(flat) == 0 {
		return nil, nil, false
	}
	t, err := tensors.FromBuffer(b.be, buf)
	if err != nil {
		return nil, nil, false
	}
	copy(flat, p.Data)
	p.Data = flat
	return t, flat, true
}

// goMemoryBuffers reports whether be is fairclip's CPU backend, whose buffers are plain
// Go memory that the backend never reuses: parameters can be bound once and outputs
// taken without copying.
func goMemoryBuffers(be backends.Backend) bool {
	return be != nil && be.Name() == backend.CPU && be.HasSharedBuffers()
}

// ownedFlat returns an output tensor's values for the caller to keep and change: on
// fairclip's CPU backend the output buffer itself (a step's gradients are 37 MB),
// elsewhere a copy.
func ownedFlat(be backends.Backend, t *tensors.Tensor) []float32 {
	if !goMemoryBuffers(be) {
		return tensors.MustCopyFlatData[float32](t)
	}
	var flat []float32
	tensors.MustConstFlatData(t, func(f []float32) { flat = f })
	return flat
}
