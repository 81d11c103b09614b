package features

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/model"
)

// stage1Adapter is the frozen Stage 1 adapter whose outputs extraction stores.
type stage1Adapter struct {
	exec     *model.Stage1Exec
	identity string
	source   string
}

// newStage1Adapter loads the configuration's Stage 1 adapter as the trainer does
// (model.LoadStage1Config). It returns nil, after a log line, when the configuration
// has none (stage 1, or no random_stage1 and no stage1_checkpoint), when the
// checkpoint file does not exist, or when model.feature_dim is not the backbone's
// output size: the CLIP store is useful without Stage 1 outputs.
func newStage1Adapter(s *Setup, clipDim int, log io.Writer) (*stage1Adapter, error) {
	cfg := s.Config
	if !model.HasStage1Adapter(cfg) {
		return nil, nil
	}
	if !cfg.Model.RandomStage1 {
		if _, err := os.Stat(cfg.Stage1Checkpoint); err != nil {
			fmt.Fprintf(log, "Stage 1 outputs not stored: stage1_checkpoint %s: %v\n", cfg.Stage1Checkpoint, err)
			return nil, nil
		}
	}
	mcfg := model.ConfigFrom(cfg.Model)
	if mcfg.Dim != clipDim {
		fmt.Fprintf(log, "Stage 1 outputs not stored: model.feature_dim %d is not the backbone's output size %d\n", mcfg.Dim, clipDim)
		return nil, nil
	}
	a1, desc, err := model.LoadStage1Config(cfg)
	if err != nil {
		return nil, badInput(err)
	}
	be, err := backend.New(s.backendSpec())
	if err != nil {
		return nil, err
	}
	exec, err := model.NewStage1Exec(be, mcfg, a1)
	if err != nil {
		return nil, err
	}
	return &stage1Adapter{exec: exec, identity: model.Stage1Identity(a1, mcfg.Normalize), source: desc}, nil
}

func (a *stage1Adapter) close() {
	if a != nil {
		a.exec.Close()
	}
}

// extractStage1 computes the Stage 1 add-on of t's complete CLIP store, resuming at
// the first missing shard. s1 of a shard is computed from its stored CLIP rows with
// the same fixed-chunk graph the trainer uses.
func extractStage1(ctx context.Context, a *stage1Adapter, t *Target, opts ExtractOptions, sum *Summary) error {
	begin := time.Now()
	w, err := CreateStage1(t.Dir, a.identity, a.source, a.exec.Dim(), opts.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Name(), err)
	}
	sum.Stage1Dir = w.Dir()
	pending := w.Pending()
	sum.Stage1ShardsReused = len(w.Meta().Shards)
	if len(pending) > 0 {
		r, err := OpenAny(t.Dir)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name(), err)
		}
		defer r.Close()
		m := r.Meta()
		d, k := m.ClipDim, m.Views
		for _, s := range pending {
			if err := ctx.Err(); err != nil {
				return err
			}
			start := s * m.ShardSize
			count := min(m.ShardSize, m.N-start)
			clip := make([]float32, count*k*d)
			for i := range count {
				for v := range k {
					if err := r.CLIP(start+i, v, clip[(i*k+v)*d:(i*k+v+1)*d]); err != nil {
						return err
					}
				}
			}
			s1 := make([]float32, len(clip))
			if err := a.exec.Rows(clip, count*k, s1); err != nil {
				return fmt.Errorf("%s shard %d: %w", t.Name(), s, err)
			}
			if err := w.WriteShard(s, s1); err != nil {
				return err
			}
			sum.Stage1ShardsWritten++
			if opts.AfterStage1Shard != nil {
				opts.AfterStage1Shard(t, s)
			}
		}
	}
	if !w.Meta().Complete {
		if err := w.Finish(); err != nil {
			return err
		}
	}
	sum.Stage1Seconds = time.Since(begin).Seconds()
	if sum.Stage1ShardsWritten > 0 {
		fmt.Fprintf(opts.Log, "%s: Stage 1 outputs (%s) in %s, %.2fs\n", t.Name(), a.source, w.Dir(), sum.Stage1Seconds)
	}
	return nil
}
