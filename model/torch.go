package model

import (
	"fmt"
	"slices"
	"strings"
)

// Tensor is a named array in PyTorch's layout, for import and export.
type Tensor struct {
	Shape []int
	Data  []float32
}

// packed lists the PyTorch tensors that fairclip keeps as parts (see head.go), with
// the parts in concatenation order along axis 0 (in_proj) or axis 1 (gate weight).
var packed = []struct {
	torch string
	parts []string
	axis  int
}{
	{"fusion.cross_attn.in_proj_weight", []string{AttnQWeight, AttnKWeight, AttnVWeight}, 0},
	{"fusion.cross_attn.in_proj_bias", []string{AttnQBias, AttnKBias, AttnVBias}, 0},
	{"fusion.gate_net.0.weight", []string{GateW1X, GateW1S}, 1},
}

// TorchStateDict returns ps under the original's PyTorch state-dict names, packing
// the split tensors back (in_proj_weight [3d, d], in_proj_bias [3d], gate weight
// [d, 2d]).
func TorchStateDict(ps *Params) map[string]Tensor {
	out := map[string]Tensor{}
	inPacked := map[string]bool{}
	for _, pk := range packed {
		var parts []*Param
		for _, name := range pk.parts {
			if p := ps.Get(name); p != nil {
				parts = append(parts, p)
				inPacked[name] = true
			}
		}
		if len(parts) != len(pk.parts) {
			continue
		}
		out[pk.torch] = concat(parts, pk.axis)
	}
	for _, p := range ps.List {
		if !inPacked[p.Name] {
			out[p.Name] = Tensor{Shape: slices.Clone(p.Shape), Data: slices.Clone(p.Data)}
		}
	}
	return out
}

// LoadTorchStateDict sets every parameter of ps from a PyTorch state dict (names as
// TorchStateDict writes them; prefix is stripped from the dict's keys first, e.g.
// "model_state_dict."). Every parameter must be present with its shape.
func LoadTorchStateDict(ps *Params, sd map[string]Tensor, prefix string) error {
	get := func(name string) (Tensor, bool) {
		t, ok := sd[prefix+name]
		return t, ok
	}
	done := map[string]bool{}
	for _, pk := range packed {
		t, ok := get(pk.torch)
		if !ok || ps.Get(pk.parts[0]) == nil {
			continue
		}
		if err := split(ps, pk.parts, pk.axis, t); err != nil {
			return fmt.Errorf("%s%s: %w", prefix, pk.torch, err)
		}
		for _, n := range pk.parts {
			done[n] = true
		}
	}
	for _, p := range ps.List {
		if done[p.Name] {
			continue
		}
		t, ok := get(p.Name)
		if !ok {
			return fmt.Errorf("state dict has no %s%s (have %d tensors)", prefix, p.Name, len(sd))
		}
		if err := ps.Set(p.Name, t.Shape, t.Data); err != nil {
			return fmt.Errorf("state dict %s%s: %w", prefix, p.Name, err)
		}
	}
	return nil
}

// RenamePrefix maps a state dict's keys from one prefix to another, keeping those
// that start with from (e.g. the Stage 1 checkpoint's "additive_adapter.adapter."
// to fairclip's "stage1_adapter.adapter.").
func RenamePrefix(sd map[string]Tensor, from, to string) map[string]Tensor {
	out := map[string]Tensor{}
	for k, v := range sd {
		if rest, ok := strings.CutPrefix(k, from); ok {
			out[to+rest] = v
		}
	}
	return out
}

func concat(parts []*Param, axis int) Tensor {
	shape := slices.Clone(parts[0].Shape)
	if axis == 0 {
		var data []float32
		for _, p := range parts {
			data = append(data, p.Data...)
		}
		shape[0] *= len(parts)
		return Tensor{Shape: shape, Data: data}
	}
	// Axis 1 of 2-D parts [rows, cols_i].
	rows := shape[0]
	total := 0
	for _, p := range parts {
		total += p.Shape[1]
	}
	data := make([]float32, 0, rows*total)
	for r := range rows {
		for _, p := range parts {
			c := p.Shape[1]
			data = append(data, p.Data[r*c:(r+1)*c]...)
		}
	}
	return Tensor{Shape: []int{rows, total}, Data: data}
}

func split(ps *Params, names []string, axis int, t Tensor) error {
	var parts []*Param
	total := 0
	for _, n := range names {
		p := ps.Get(n)
		parts = append(parts, p)
		total += p.Shape[axis]
	}
	want := slices.Clone(parts[0].Shape)
	want[axis] = total
	if !slices.Equal(t.Shape, want) {
		return fmt.Errorf("shape %v, want %v", t.Shape, want)
	}
	if axis == 0 {
		off := 0
		for _, p := range parts {
			copy(p.Data, t.Data[off:off+len(p.Data)])
			off += len(p.Data)
		}
		return nil
	}
	rows := want[0]
	for r := range rows {
		off := r * total
		for _, p := range parts {
			c := p.Shape[1]
			copy(p.Data[r*c:(r+1)*c], t.Data[off:off+c])
			off += c
		}
	}
	return nil
}
