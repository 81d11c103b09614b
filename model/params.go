package model

import (
	"fmt"
	"slices"
)

// Param is one named parameter tensor, row-major float32. Linear weights use
// PyTorch's [out, in] layout.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
}

// Size is the number of scalars in p.
func (p *Param) Size() int { return len(p.Data) }

// Params is an ordered set of parameters; the order is the order of graph inputs.
type Params struct {
	List  []*Param
	index map[string]int
}

// NewParams returns an empty set.
func NewParams() *Params { return &Params{index: map[string]int{}} }

// Add appends a zero-filled parameter and returns it.
func (ps *Params) Add(name string, shape ...int) *Param {
	if _, dup := ps.index[name]; dup {
		panic(fmt.Sprintf("model: duplicate parameter %q", name))
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	p := &Param{Name: name, Shape: slices.Clone(shape), Data: make([]float32, n)}
	ps.index[name] = len(ps.List)
	ps.List = append(ps.List, p)
	return p
}

// Get returns the parameter called name, or nil.
func (ps *Params) Get(name string) *Param {
	i, ok := ps.index[name]
	if !ok {
		return nil
	}
	return ps.List[i]
}

// Index returns the position of name in List, or -1.
func (ps *Params) Index(name string) int {
	i, ok := ps.index[name]
	if !ok {
		return -1
	}
	return i
}

// Count is the number of scalars over all parameters.
func (ps *Params) Count() int64 {
	var n int64
	for _, p := range ps.List {
		n += int64(len(p.Data))
	}
	return n
}

// Clone returns a deep copy.
func (ps *Params) Clone() *Params {
	out := NewParams()
	for _, p := range ps.List {
		q := out.Add(p.Name, p.Shape...)
		copy(q.Data, p.Data)
	}
	return out
}

// Set copies data into the parameter called name, checking the shape.
func (ps *Params) Set(name string, shape []int, data []float32) error {
	p := ps.Get(name)
	if p == nil {
		return fmt.Errorf("unknown parameter %q", name)
	}
	if !slices.Equal(p.Shape, shape) {
		return fmt.Errorf("parameter %q: shape %v, want %v", name, shape, p.Shape)
	}
	if len(data) != len(p.Data) {
		return fmt.Errorf("parameter %q: %d values, want %d", name, len(data), len(p.Data))
	}
	copy(p.Data, data)
	return nil
}
