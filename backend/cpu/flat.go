package cpu

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// supportedDTypes are the dtypes the backend stores and computes with.
var supportedDTypes = []dtypes.DType{
	dtypes.Bool, dtypes.Int8, dtypes.Int16, dtypes.Int32, dtypes.Int64,
	dtypes.Uint8, dtypes.Uint16, dtypes.Uint32, dtypes.Uint64,
	dtypes.Float32, dtypes.Float64,
}

// makeFlat allocates a zeroed flat slice of n values of dtype dt.
func makeFlat(dt dtypes.DType, n int) (any, error) {
	switch dt {
	case dtypes.Bool:
		return make([]bool, n), nil
	case dtypes.Int8:
		return make([]int8, n), nil
	case dtypes.Int16:
		return make([]int16, n), nil
	case dtypes.Int32:
		return make([]int32, n), nil
	case dtypes.Int64:
		return make([]int64, n), nil
	case dtypes.Uint8:
		return make([]uint8, n), nil
	case dtypes.Uint16:
		return make([]uint16, n), nil
	case dtypes.Uint32:
		return make([]uint32, n), nil
	case dtypes.Uint64:
		return make([]uint64, n), nil
	case dtypes.Float32:
		return make([]float32, n), nil
	case dtypes.Float64:
		return make([]float64, n), nil
	}
	return nil, fmt.Errorf("backend %q: dtype %s is not supported", Name, dt)
}

// flatLen is the length of a flat slice (-1 if it is not one).
func flatLen(flat any) int {
	switch f := flat.(type) {
	case []bool:
		return len(f)
	case []int8:
		return len(f)
	case []int16:
		return len(f)
	case []int32:
		return len(f)
	case []int64:
		return len(f)
	case []uint8:
		return len(f)
	case []uint16:
		return len(f)
	case []uint32:
		return len(f)
	case []uint64:
		return len(f)
	case []float32:
		return len(f)
	case []float64:
		return len(f)
	}
	return -1
}

// copyFlat copies src into dst when both are slices of the same type and length.
func copyFlat(dst, src any) bool {
	if flatLen(dst) != flatLen(src) || flatLen(dst) < 0 {
		return false
	}
	switch d := dst.(type) {
	case []bool:
		return copyT(d, src)
	case []int8:
		return copyT(d, src)
	case []int16:
		return copyT(d, src)
	case []int32:
		return copyT(d, src)
	case []int64:
		return copyT(d, src)
	case []uint8:
		return copyT(d, src)
	case []uint16:
		return copyT(d, src)
	case []uint32:
		return copyT(d, src)
	case []uint64:
		return copyT(d, src)
	case []float32:
		return copyT(d, src)
	case []float64:
		return copyT(d, src)
	}
	return false
}

func copyT[T any](dst []T, src any) bool {
	s, ok := src.([]T)
	if !ok {
		return false
	}
	copy(dst, s)
	return true
}

// pool keeps flat slices for reuse, keyed by dtype and length, up to a byte budget.
type pool struct {
	mu       sync.Mutex
	free     map[poolKey][]any
	bytes    int64
	maxBytes int64
}

type poolKey struct {
	dtype dtypes.DType
	n     int
}

func newPool(maxBytes int64) *pool {
	return &pool{free: map[poolKey][]any{}, maxBytes: maxBytes}
}

// get returns a slice of n values of dt with unspecified contents.
func (p *pool) get(dt dtypes.DType, n int) (any, error) {
	k := poolKey{dt, n}
	p.mu.Lock()
	if l := p.free[k]; len(l) > 0 {
		f := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[k] = l[:len(l)-1]
		p.bytes -= int64(n) * int64(dt.Size())
		p.mu.Unlock()
		return f, nil
	}
	p.mu.Unlock()
	return makeFlat(dt, n)
}

// put gives a slice back for reuse; the caller must not use it afterwards.
func (p *pool) put(dt dtypes.DType, flat any) {
	n := flatLen(flat)
	size := int64(n) * int64(dt.Size())
	if n <= 0 || size > p.maxBytes/4 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes+size > p.maxBytes {
		return
	}
	k := poolKey{dt, n}
	p.free[k] = append(p.free[k], flat)
	p.bytes += size
}

func (p *pool) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = map[poolKey][]any{}
	p.bytes = 0
}

// parallelChunks calls fn(lo, hi) for the chunks [0, grain), [grain, 2 grain), ... of
// [0, n), on up to GOMAXPROCS goroutines, and returns when all have run. The chunk
// boundaries depend only on n and grain, so any per-chunk computation is the same at every
// GOMAXPROCS. fn must not block on other chunks.
func parallelChunks(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := (n + grain - 1) / grain
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for lo := 0; lo < n; lo += grain {
			fn(lo, min(lo+grain, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func() {
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			lo := c * grain
			fn(lo, min(lo+grain, n))
		}
	}
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// grainFor is the chunk length for n items costing about cost units each: chunks of
// roughly 64K units, so that small ops run on one goroutine.
func grainFor(n, cost int) int {
	const unitsPerChunk = 1 << 16
	if cost < 1 {
		cost = 1
	}
	g := unitsPerChunk / cost
	if g < 1 {
		g = 1
	}
	return g
}
