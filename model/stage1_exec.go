package model

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Stage1Chunk is the fixed batch of the frozen Stage 1 graph: rows are always run in
// chunks of this many, the last one zero-padded, so the graph compiles once and the
// extraction and the trainer run the very same computation.
const Stage1Chunk = 256

// Stage1Exec computes the frozen Stage 1 output s1 = normalize(clip + A1(clip)) (eval
// mode) from CLIP embeddings. The feature store's extraction and the trainer both
// use it, so stored and computed s1 agree bit for bit on the same backend. Not safe
// for concurrent use.
type Stage1Exec struct {
	cfg  Config
	a1   *Params
	args []any
	exec *graph.Exec
}

// NewStage1Exec compiles the Stage 1 graph for A1 on be.
func NewStage1Exec(be backends.Backend, cfg Config, a1 *Params) (*Stage1Exec, error) {
	n := len(a1.List)
	exec, err := graph.NewExec(be, func(in []*graph.Node) *graph.Node {
		b := &Builder{Cfg: cfg}
		return b.Stage1(Bind(a1, in[:n]), b.CLIP(in[n]))
	})
	if err != nil {
		return nil, fmt.Errorf("stage 1 graph: %w", err)
	}
	e := &Stage1Exec{cfg: cfg, a1: a1, exec: exec}
	for _, t := range Tensors(a1) {
		e.args = append(e.args, t)
	}
	return e, nil
}

// Dim is the size of a row (CLIP and s1).
func (e *Stage1Exec) Dim() int { return e.cfg.Dim }

// Rows computes s1 of the n rows of clip (n*Dim values, any n) into dst.
func (e *Stage1Exec) Rows(clip []float32, n int, dst []float32) error {
	d := e.cfg.Dim
	if len(clip) < n*d || len(dst) < n*d {
		return fmt.Errorf("stage 1 adapter: %d rows of %d, with %d input and %d output values", n, d, len(clip), len(dst))
	}
	padded := make([]float32, Stage1Chunk*d)
	for lo := 0; lo < n; lo += Stage1Chunk {
		m := min(Stage1Chunk, n-lo)
		copy(padded, clip[lo*d:(lo+m)*d])
		clear(padded[m*d:])
		args := append(append([]any{}, e.args...), tensors.FromFlatDataAndDimensions(padded, Stage1Chunk, d))
		out, err := e.exec.Exec(args...)
		if err != nil {
			return fmt.Errorf("stage 1 adapter: %w", err)
		}
		s1 := tensors.MustCopyFlatData[float32](out[0])
		out[0].FinalizeAll()
		copy(dst[lo*d:(lo+m)*d], s1[:m*d])
	}
	return nil
}

// Close releases the compiled graph.
func (e *Stage1Exec) Close() {
	if e.exec != nil {
		e.exec.Finalize()
		e.exec = nil
	}
}
