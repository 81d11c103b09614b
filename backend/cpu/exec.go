package cpu

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Executable is a compiled graph: the ops reachable from the outputs in topological
// (recording) order, with the step after which each intermediate buffer is dead so that
// its memory returns to the pool (or is overwritten in place by an elementwise op).
type Executable struct {
	backend *Backend
	name    string
	params  []*node
	outputs []*node
	nodes   []*node // all the builder's nodes, by id
	steps   []*node
	root    []int   // node id -> id of the node owning its storage (Reshape/Identity are views)
	free    [][]int // step -> roots dead after it
	lastUse []int   // root id -> last step reading it (-1: none)
	isOut   []bool  // root id -> storage is returned as an output
}

var _ backends.Executable = (*Executable)(nil)

// isView reports whether op's output shares its operand's storage.
func isView(op backends.OpType) bool {
	return op == backends.OpTypeReshape || op == backends.OpTypeIdentity
}

// Compile implements backends.Builder.
func (b *Builder) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	for _, s := range shardings {
		if s != nil {
			return nil, fmt.Errorf("backend %q: builder %q: sharding is not supported", Name, b.name)
		}
	}
	outs, err := b.in(backends.OpTypeInvalid, outputs...)
	if err != nil {
		return nil, fmt.Errorf("builder %q: Compile: %w", b.name, err)
	}
	b.compiled = true
	n := len(b.nodes)
	reach := make([]bool, n)
	var mark func(x *node)
	mark = func(x *node) {
		if reach[x.id] {
			return
		}
		reach[x.id] = true
		for _, in := range x.inputs {
			mark(in)
		}
	}
	for _, o := range outs {
		mark(o)
	}
	e := &Executable{backend: b.backend, name: b.name, params: b.params, outputs: outs, nodes: b.nodes,
		root: make([]int, n), lastUse: make([]int, n), isOut: make([]bool, n)}
	for i := range e.lastUse {
		e.lastUse[i] = -1
	}
	for _, x := range b.nodes {
		if !reach[x.id] {
			continue
		}
		step := len(e.steps)
		e.steps = append(e.steps, x)
		e.root[x.id] = x.id
		if isView(x.op) {
			e.root[x.id] = e.root[x.inputs[0].id]
		}
		for _, in := range x.inputs {
			e.lastUse[e.root[in.id]] = step
		}
	}
	for _, o := range outs {
		e.isOut[e.root[o.id]] = true
	}
	e.free = make([][]int, len(e.steps))
	for id, step := range e.lastUse {
		if step < 0 || e.isOut[id] || b.nodes[id].op == backends.OpTypeConstant {
			continue
		}
		e.free[step] = append(e.free[step], id)
	}
	return e, nil
}

// Finalize implements backends.Executable.
func (e *Executable) Finalize() {}

// Inputs implements backends.Executable.
func (e *Executable) Inputs() ([]string, []shapes.Shape) {
	names := make([]string, len(e.params))
	ss := make([]shapes.Shape, len(e.params))
	for i, p := range e.params {
		names[i], ss[i] = p.name, p.shape
	}
	return names, ss
}

// Outputs implements backends.Executable.
func (e *Executable) Outputs() []shapes.Shape {
	ss := make([]shapes.Shape, len(e.outputs))
	for i, o := range e.outputs {
		ss[i] = o.shape
	}
	return ss
}

// Execute implements backends.Executable. Donated inputs become the executable's to
// overwrite or return.
func (e *Executable) Execute(inputs []backends.Buffer, donate []bool, _ backends.DeviceNum) ([]backends.Buffer, error) {
	if len(inputs) != len(e.params) {
		return nil, fmt.Errorf("backend %q: graph %q takes %d inputs, got %d", Name, e.name, len(e.params), len(inputs))
	}
	n := len(e.root)
	flats := make([]any, n)
	owned := make([]bool, n) // root storage this execution may reuse
	for i, p := range e.params {
		bb, err := e.backend.buffer(inputs[i])
		if err != nil {
			return nil, fmt.Errorf("graph %q input #%d (%q): %w", e.name, i, p.name, err)
		}
		if !bb.shape.Equal(p.shape) {
			return nil, fmt.Errorf("backend %q: graph %q input #%d (%q) has shape %s, want %s", Name, e.name, i, p.name, bb.shape, p.shape)
		}
		flats[p.id] = bb.flat
		owned[p.id] = i < len(donate) && donate[i]
	}
	pool := e.backend.pool
	ins := make([]any, 0, 4)
	for step, x := range e.steps {
		switch {
		case x.op == backends.OpTypeParameter:
		case x.op == backends.OpTypeConstant:
			flats[x.id] = x.constant
		case isView(x.op):
			flats[x.id] = flats[x.inputs[0].id]
		default:
			ins = ins[:0]
			for _, in := range x.inputs {
				ins = append(ins, flats[in.id])
			}
			out := e.inPlace(x, step, flats, owned)
			if out == nil {
				var err error
				if out, err = pool.get(x.shape.DType, x.shape.Size()); err != nil {
					return nil, fmt.Errorf("graph %q op #%d %s: %w", e.name, x.id, x.op, err)
				}
			}
			if err := run(x, out, ins); err != nil {
				return nil, fmt.Errorf("backend %q: graph %q op #%d %s -> %s: %w", Name, e.name, x.id, x.op, x.shape, err)
			}
			flats[x.id] = out
			owned[x.id] = true
		}
		for _, r := range e.free[step] {
			if owned[r] && flats[r] != nil {
				pool.put(e.nodes[r].shape.DType, flats[r])
				owned[r] = false
			}
		}
	}
	results := make([]backends.Buffer, len(e.outputs))
	given := make([]bool, n)
	for i, o := range e.outputs {
		r := e.root[o.id]
		flat := flats[o.id]
		if !owned[r] || given[r] {
			c, err := makeFlat(o.shape.DType, o.shape.Size())
			if err != nil {
				return nil, err
			}
			copyFlat(c, flat)
			flat = c
		}
		given[r] = true
		results[i] = &Buffer{shape: o.shape, flat: flat}
	}
	return results, nil
}

// inPlace returns an operand's storage for x's output when x is elementwise, the operand
// has x's dtype and size, and this step is the operand's last use; nil otherwise.
func (e *Executable) inPlace(x *node, step int, flats []any, owned []bool) any {
	if !elementwise(x.op) {
		return nil
	}
	for _, in := range x.inputs {
		r := e.root[in.id]
		if !owned[r] || e.lastUse[r] != step || e.isOut[r] ||
			in.shape.DType != x.shape.DType || in.shape.Size() != x.shape.Size() {
			continue
		}
		owned[r] = false // now x's: not returned to the pool after this step
		return flats[in.id]
	}
	return nil
}
