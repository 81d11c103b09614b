// Package model builds fairclip's Stage 2 head as GoMLX graphs: the frozen Stage 1
// adapter, the trainable Stage 2 adapter, cross-attention fusion with a dynamic gate,
// and the classifier (REFERENCE.md section 1), with PyTorch's initialisations.
//
// Parameters live in Go (Params, PyTorch layout [out, in] for Linear weights) and enter
// graphs as inputs; every matmul of a differentiated graph carries an explicit
// gradient (two einsums) instead of GoMLX's stock one, which materialises a
// batch x out x in broadcast.
package model
