// Package cpu is fairclip's own GoMLX backend for the CPU: the graphs GoMLX builds and
// differentiates run as a flat, topologically ordered program of per-op Go functions over
// typed slices, with matrix products on fairclip's kernels package (SIMD GEMM).
//
// It implements backends.Backend for the operations fairclip's graphs use (model heads,
// Stage 1 adapters, fairness losses, AdamW, dropout, the CLIP ViT); every other operation
// answers "not implemented" through GoMLX's backends/notimplemented. Importing the package
// registers the backend as "cpu".
//
// Execution is deterministic: every op splits its work into chunks fixed by the data's
// shape (never by the number of threads) and every output element is produced by exactly
// one goroutine in a fixed order, so the same graph and inputs give bit-identical outputs
// at any GOMAXPROCS. Ops run one after another; parallelism is inside an op (chunks over
// goroutines that all finish before the op returns), so execution cannot deadlock.
package cpu

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/fairclip/fairclip/kernels"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/notimplemented"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Name is the name the backend is registered under.
const Name = "cpu"

func init() {
	backends.Register(Name, New)
}

// maxPooledBytes bounds the memory the backend keeps for reuse between ops and executions.
const maxPooledBytes = 256 << 20

// Backend is fairclip's CPU backend. It is safe for concurrent use.
type Backend struct {
	pool      *pool
	mu        sync.Mutex
	finalized bool
}

var _ backends.Backend = (*Backend)(nil)

// New creates the backend. config must be empty: the backend has no options.
func New(config string) (backends.Backend, error) {
	if config != "" {
		return nil, fmt.Errorf("backend %q: takes no options, got %q", Name, config)
	}
	return &Backend{pool: newPool(maxPooledBytes)}, nil
}

// Name implements backends.Backend.
func (b *Backend) Name() string { return Name }

// String implements backends.Backend.
func (b *Backend) String() string { return Name }

// Description implements backends.Backend.
func (b *Backend) Description() string {
	return fmt.Sprintf("fairclip CPU backend (GEMM kernel %q, GOMAXPROCS %d)", kernels.Name(), runtime.GOMAXPROCS(0))
}

// NumDevices implements backends.Backend: one device, the CPU.
func (b *Backend) NumDevices() int { return 1 }

// DeviceDescription implements backends.Backend.
func (b *Backend) DeviceDescription(backends.DeviceNum) string { return "CPU" }

// Capabilities implements backends.Backend.
func (b *Backend) Capabilities() backends.Capabilities {
	c := backends.Capabilities{Operations: map[backends.OpType]bool{}, DTypes: map[dtypes.DType]bool{}}
	for op := range implemented {
		c.Operations[op] = true
	}
	for _, dt := range supportedDTypes {
		c.DTypes[dt] = true
	}
	return c
}

// Builder implements backends.Backend.
func (b *Backend) Builder(name string) backends.Builder {
	return &Builder{backend: b, name: name, Builder: notimplemented.Builder{ErrFn: func(op backends.OpType) error {
		return fmt.Errorf("backend %q: op %s is not implemented (fairclip's graphs do not use it; use backend \"go\")", Name, op)
	}}}
}

// Finalize implements backends.Backend.
func (b *Backend) Finalize() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.finalized = true
	b.pool.clear()
}

// IsFinalized implements backends.Backend.
func (b *Backend) IsFinalized() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.finalized
}

// Buffer is the backend's buffer: a shape and its flat data as a Go slice of the dtype's
// type ([]float32, []int64, []bool, ...).
type Buffer struct {
	shape shapes.Shape
	flat  any
}

func (b *Backend) buffer(buf backends.Buffer) (*Buffer, error) {
	bb, ok := buf.(*Buffer)
	if !ok || bb == nil {
		return nil, fmt.Errorf("backend %q: buffer of type %T is not one of this backend's", Name, buf)
	}
	if bb.flat == nil {
		return nil, fmt.Errorf("backend %q: buffer %s was already finalized", Name, bb.shape)
	}
	return bb, nil
}

// BufferFinalize implements backends.DataInterface.
func (b *Backend) BufferFinalize(buf backends.Buffer) error {
	bb, err := b.buffer(buf)
	if err != nil {
		return err
	}
	bb.flat = nil // the memory goes back to the Go runtime; shared views may still hold it
	return nil
}

// BufferShape implements backends.DataInterface.
func (b *Backend) BufferShape(buf backends.Buffer) (shapes.Shape, error) {
	bb, err := b.buffer(buf)
	if err != nil {
		return shapes.Invalid(), err
	}
	return bb.shape, nil
}

// BufferDeviceNum implements backends.DataInterface.
func (b *Backend) BufferDeviceNum(buf backends.Buffer) (backends.DeviceNum, error) {
	if _, err := b.buffer(buf); err != nil {
		return 0, err
	}
	return 0, nil
}

// BufferToFlatData implements backends.DataInterface.
func (b *Backend) BufferToFlatData(buf backends.Buffer, flat any) error {
	bb, err := b.buffer(buf)
	if err != nil {
		return err
	}
	if !copyFlat(flat, bb.flat) {
		return fmt.Errorf("backend %q: BufferToFlatData: buffer %s (%T, %d values) does not fit %T of %d values",
			Name, bb.shape, bb.flat, flatLen(bb.flat), flat, flatLen(flat))
	}
	return nil
}

// BufferFromFlatData implements backends.DataInterface.
func (b *Backend) BufferFromFlatData(_ backends.DeviceNum, flat any, shape shapes.Shape) (backends.Buffer, error) {
	dst, err := makeFlat(shape.DType, shape.Size())
	if err != nil {
		return nil, err
	}
	if !copyFlat(dst, flat) {
		return nil, fmt.Errorf("backend %q: BufferFromFlatData: %T of %d values does not fit shape %s",
			Name, flat, flatLen(flat), shape)
	}
	return &Buffer{shape: shape.Clone(), flat: dst}, nil
}

// HasSharedBuffers implements backends.DataInterface: buffers are Go slices, shared with
// tensors without copying.
func (b *Backend) HasSharedBuffers() bool { return true }

// NewSharedBuffer implements backends.DataInterface.
func (b *Backend) NewSharedBuffer(_ backends.DeviceNum, shape shapes.Shape) (backends.Buffer, any, error) {
	flat, err := makeFlat(shape.DType, shape.Size())
	if err != nil {
		return nil, nil, err
	}
	return &Buffer{shape: shape.Clone(), flat: flat}, flat, nil
}

// BufferData implements backends.DataInterface.
func (b *Backend) BufferData(buf backends.Buffer) (any, error) {
	bb, err := b.buffer(buf)
	if err != nil {
		return nil, err
	}
	return bb.flat, nil
}

// BufferCopyToDevice implements backends.DataInterface (there is only device 0).
func (b *Backend) BufferCopyToDevice(source backends.Buffer, deviceNum backends.DeviceNum) (backends.Buffer, error) {
	bb, err := b.buffer(source)
	if err != nil {
		return nil, err
	}
	if deviceNum != 0 {
		return nil, fmt.Errorf("backend %q: no device %d", Name, deviceNum)
	}
	return b.BufferFromFlatData(0, bb.flat, bb.shape)
}
