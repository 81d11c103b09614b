package model

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Bind names the graph inputs nodes[i] after ps.List[i].
func Bind(ps *Params, nodes []*graph.Node) Nodes {
	out := make(Nodes, len(ps.List))
	for i, p := range ps.List {
		out[p.Name] = nodes[i]
	}
	return out
}

// Tensors returns one float32 tensor per parameter, in order.
func Tensors(ps *Params) []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(ps.List))
	for i, p := range ps.List {
		out[i] = tensors.FromFlatDataAndDimensions(p.Data, p.Shape...)
	}
	return out
}
