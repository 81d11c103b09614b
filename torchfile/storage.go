package torchfile

import (
	"fmt"

	"github.com/fairclip/fairclip/safetensors"
	"github.com/nlpodyssey/gopickle/types"
)

// storage is one record of the archive's data/ folder: a flat typed array that tensors view.
type storage struct {
	arc    *archive
	dtype  string
	record string // relative to the archive prefix, e.g. "data/3"
	raw    []byte // read on first use
}

// tensorRef is a tensor as pickled: a strided view into a storage.
type tensorRef struct {
	st     *storage
	offset int
	size   []int
	stride []int
}

// persistentLoad resolves ('storage', torch.XStorage, key, location, numel) ids.
func (a *archive) persistentLoad(id any) (any, error) {
	t, ok := id.(*types.Tuple)
	if !ok || t.Len() < 3 {
		return nil, fmt.Errorf("persistent id %v: want a tuple ('storage', class, key, ...)", id)
	}
	if kind, _ := t.Get(0).(string); kind != "storage" {
		return nil, fmt.Errorf("persistent id kind %v is not supported", t.Get(0))
	}
	cls, ok := t.Get(1).(*storageClass)
	if !ok {
		return nil, fmt.Errorf("persistent id %v: unsupported storage type %v", id, t.Get(1))
	}
	key := fmt.Sprint(t.Get(2))
	if st, ok := a.storages[key]; ok {
		return st, nil
	}
	st := &storage{arc: a, dtype: cls.dtype, record: "data/" + key}
	a.storages[key] = st
	return st, nil
}

// rebuildTensor implements torch._utils._rebuild_tensor(_v2)(storage, offset, size, stride, ...).
func rebuildTensor(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor: %d arguments, want at least 4", len(args))
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: first argument %T is not a storage", args[0])
	}
	off, ok := normalizeInt(args[1])
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor: storage offset %v is not an integer", args[1])
	}
	size, err := intTuple(args[2])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor: size: %w", err)
	}
	stride, err := intTuple(args[3])
	if err != nil {
		return nil, fmt.Errorf("_rebuild_tensor: stride: %w", err)
	}
	if len(size) != len(stride) {
		return nil, fmt.Errorf("_rebuild_tensor: size %v and stride %v differ in rank", size, stride)
	}
	return &tensorRef{st: st, offset: int(off), size: size, stride: stride}, nil
}

func intTuple(v any) ([]int, error) {
	var items []any
	switch t := v.(type) {
	case *types.Tuple:
		items = *t
	case *types.List:
		items = *t
	default:
		return nil, fmt.Errorf("%T is not a tuple", v)
	}
	out := make([]int, len(items))
	for i, it := range items {
		n, ok := normalizeInt(it)
		if !ok {
			return nil, fmt.Errorf("element %d (%v) is not an integer", i, it)
		}
		out[i] = int(n)
	}
	return out, nil
}

// load reads the storage's record once.
func (s *storage) load() error {
	if s.raw != nil {
		return nil
	}
	b, err := s.arc.readRecord(s.record)
	if err != nil {
		return err
	}
	if len(b)%safetensors.DTypeSize(s.dtype) != 0 {
		return fmt.Errorf("storage %s: %d bytes is not a whole number of %s elements: %w", s.record, len(b), s.dtype, ErrFormat)
	}
	s.raw = b
	return nil
}

// materialize copies the strided view into a contiguous tensor.
func (r *tensorRef) materialize() (safetensors.Tensor, error) {
	if err := r.st.load(); err != nil {
		return safetensors.Tensor{}, err
	}
	es := safetensors.DTypeSize(r.st.dtype)
	numel := len(r.st.raw) / es
	n := 1
	last := r.offset // highest element index the view touches
	for i, d := range r.size {
		if d < 0 || r.stride[i] < 0 {
			return safetensors.Tensor{}, fmt.Errorf("size %v / stride %v not supported: %w", r.size, r.stride, ErrFormat)
		}
		n *= d
		if d > 0 {
			last += (d - 1) * r.stride[i]
		}
	}
	if n > 0 && (r.offset < 0 || last >= numel) {
		return safetensors.Tensor{}, fmt.Errorf("view (offset %d, size %v, stride %v) reaches element %d of a %d-element storage %s (truncated file?): %w",
			r.offset, r.size, r.stride, last, numel, r.st.record, ErrFormat)
	}
	raw := make([]byte, n*es)
	if contiguous(r.size, r.stride) {
		copy(raw, r.st.raw[r.offset*es:(r.offset+n)*es])
	} else {
		idx := make([]int, len(r.size))
		for out := 0; out < n; out++ {
			src := r.offset
			for i, k := range idx {
				src += k * r.stride[i]
			}
			copy(raw[out*es:(out+1)*es], r.st.raw[src*es:(src+1)*es])
			for i := len(idx) - 1; i >= 0; i-- {
				idx[i]++
				if idx[i] < r.size[i] {
					break
				}
				idx[i] = 0
			}
		}
	}
	return safetensors.Decode(r.st.dtype, r.size, raw)
}

// contiguous reports whether stride is the row-major stride of size (dimensions of size 1
// may carry any stride).
func contiguous(size, stride []int) bool {
	want := 1
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] != 1 && stride[i] != want {
			return false
		}
		want *= size[i]
	}
	return true
}
