package features

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
)

// ExtractOptions configure Extract.
type ExtractOptions struct {
	Options
	// Splits to extract (train, val, test); empty: all.
	Splits []string
	// Rebuild removes an existing store of the same key (complete or not) first.
	Rebuild bool
	// DType is "float32" (default) or "float16".
	DType string
	// TokensDType is the patch tokens' dtype (features.tokens patches:K): "float16"
	// (default) or "float32".
	TokensDType string
	// ShardSize is the number of samples per shard (0: 4096).
	ShardSize int
	// Version is fairclip's version, written to meta.json.
	Version string
	// Log receives one line per store and per skipped image (nil: discarded).
	Log io.Writer
	// Progress, when set, is called after every batch.
	Progress func(Progress)
	// AfterShard, when set, is called after each shard is written (tests interrupt
	// extraction here).
	AfterShard func(t *Target, shard int)
	// AfterStage1Shard, when set, is called after each Stage 1 shard is written.
	AfterStage1Shard func(t *Target, shard int)
	// Shard, when N > 0, extracts only the store shards AssignShards gives task K of N,
	// as one of N processes filling the same stores (CreateShared); the process that
	// writes the last shard of a store completes it. Stage 1 outputs are left to
	// Finalize.
	Shard ShardSpec
	// Finalize encodes nothing: it completes stores whose shards are all written
	// (failing when some are missing) and adds the Stage 1 outputs.
	Finalize bool
}

// Progress is the state of one store's extraction.
type Progress struct {
	Target      string // "split/dataset"
	Done, Total int    // samples
	Images      int    // images encoded so far in this call (samples x views)
	Elapsed     time.Duration
}

// Summary reports one store after Extract.
type Summary struct {
	Target        string  `json:"target"`
	Dir           string  `json:"dir"`
	N             int     `json:"n"`
	Views         int     `json:"views"`
	Dim           int     `json:"dim"`
	Bad           int     `json:"bad_samples"`
	ShardsWritten int     `json:"shards_written"`
	ShardsReused  int     `json:"shards_reused"` // already on disk (resumed or up to date)
	Images        int     `json:"images"`        // images encoded by this call
	Seconds       float64 `json:"seconds"`
	// Stage 1 outputs (empty Stage1Dir: none stored).
	Stage1Dir           string  `json:"stage1_dir,omitempty"`
	Stage1ShardsWritten int     `json:"stage1_shards_written,omitempty"`
	Stage1ShardsReused  int     `json:"stage1_shards_reused,omitempty"`
	Stage1Seconds       float64 `json:"stage1_seconds,omitempty"`
}

// extractConfig is the config subset recorded in meta.json.
type extractConfig struct {
	Weights             string                 `json:"weights"`
	Preprocess          data.PreprocessOptions `json:"preprocess"`
	Seed                int64                  `json:"seed"`
	UseDataAugmentation bool                   `json:"use_data_augmentation"`
	Views               int                    `json:"views"`
	FairnessRoot        string                 `json:"fairness_root"`
	OnBadImage          string                 `json:"on_bad_image"`
	SkipUnknown         bool                   `json:"skip_unknown_attributes"`
}

// Extract runs the frozen backbone over every sample of the configured splits and
// writes one store per (split, dataset) under features.dir. When the configuration
// has a Stage 1 adapter (stage 2 with model.random_stage1 or a stage1_checkpoint),
// each store also gets the adapter's outputs as an add-on keyed by its identity. Complete stores of the same
// key are left as they are; interrupted ones resume at the first missing shard. When
// ctx ends, the shards written so far stay and ctx's error is returned.
func Extract(ctx context.Context, cfg config.Config, opts ExtractOptions) ([]Summary, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	setup, err := NewSetup(cfg, opts.Options)
	if err != nil {
		return nil, badInput(err)
	}
	targets, err := setup.Targets(opts.Splits)
	if err != nil {
		return nil, badInput(err)
	}
	var enc *Encoder
	defer func() {
		if enc != nil {
			enc.Close()
		}
	}()
	var s1 *stage1Adapter
	s1Tried := false
	defer func() { s1.close() }()
	withStage1 := func(t *Target, sum *Summary) error {
		if !s1Tried {
			s1Tried = true
			if s1, err = newStage1Adapter(setup, sum.Dim, opts.Log); err != nil {
				return err
			}
		}
		if s1 == nil {
			return nil
		}
		return extractStage1(ctx, s1, t, opts, sum)
	}
	sharded := opts.Shard.N > 0
	if sharded && opts.Rebuild {
		return nil, badInput(fmt.Errorf("--rebuild with --shard %s: remove the stores once before starting the tasks", opts.Shard))
	}
	if sharded && opts.Finalize {
		return nil, badInput(errors.New("--finalize runs once, without --shard"))
	}
	var plan [][]int
	if sharded {
		plan = AssignShards(targets, opts.ShardSize, opts.Shard.N)
	}
	var out []Summary
	for ti, t := range targets {
		var mine func(int) bool
		if sharded {
			mine = func(s int) bool { return plan[ti][s] == opts.Shard.K }
			if !slices.Contains(plan[ti], opts.Shard.K) {
				continue
			}
		}
		if opts.Finalize {
			sum, err := finalizeOne(t, opts)
			if err == nil {
				err = withStage1(t, &sum)
			}
			out = append(out, sum)
			if err != nil {
				return out, err
			}
			continue
		}
		if opts.Rebuild {
			if err := os.RemoveAll(t.Dir); err != nil {
				return out, fmt.Errorf("rebuild %s: %w", t.Dir, err)
			}
		} else if m, err := ReadMeta(t.Dir); err == nil && m.Complete && len(m.Key.Diff(t.Key)) == 0 {
			fmt.Fprintf(opts.Log, "%s: up to date in %s (%d samples x %d views)\n", t.Name(), t.Dir, m.N, m.Views)
			sum := Summary{Target: t.Name(), Dir: t.Dir, N: m.N, Views: m.Views, Dim: m.ClipDim, Bad: len(m.Bad), ShardsReused: len(m.Shards)}
			if sharded {
				out = append(out, sum)
				continue
			}
			err := withStage1(t, &sum)
			out = append(out, sum)
			if err != nil {
				return out, err
			}
			continue
		}
		if enc == nil {
			if enc, err = NewEncoder(setup); err != nil {
				return out, err
			}
		}
		sum, err := extractOne(ctx, setup, enc, t, opts, mine)
		if err == nil && !sharded {
			err = withStage1(t, &sum)
		}
		out = append(out, sum)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// extractOne writes the pending shards of t for which mine is true (nil: all).
func extractOne(ctx context.Context, setup *Setup, enc *Encoder, t *Target, opts ExtractOptions, mine func(int) bool) (Summary, error) {
	begin := time.Now()
	cfg := setup.Config
	spec := Spec{Key: t.Key, Views: t.Views, ClipDim: enc.Dim(), DType: opts.DType, ShardSize: opts.ShardSize, Version: opts.Version,
		Tokens: setup.Tokens(), TokensDType: opts.TokensDType,
		Config: extractConfig{Weights: setup.WeightsSpec, Preprocess: enc.prep, Seed: cfg.Seed, UseDataAugmentation: cfg.Dataset.UseDataAugmentation,
			Views: t.Views, FairnessRoot: cfg.Dataset.FairnessRoot, OnBadImage: cfg.Dataset.OnBadImage, SkipUnknown: cfg.Dataset.SkipUnknownAttributes}}
	for i, s := range t.Samples {
		spec.Samples = append(spec.Samples, Sample{ID: t.IDs[i], Label: s.Label, Subgroup: s.Subgroup, Video: s.Video})
	}
	create := Create
	if opts.Shard.N > 0 {
		create = CreateShared
	}
	w, err := create(t.Dir, spec)
	var mm *MismatchError
	if errors.As(err, &mm) {
		return Summary{Target: t.Name(), Dir: t.Dir}, badInput(fmt.Errorf("%s: %w (pass --rebuild to replace it)", t.Name(), err))
	}
	if err != nil {
		return Summary{Target: t.Name(), Dir: t.Dir}, fmt.Errorf("%s: %w", t.Name(), err)
	}
	m := w.Meta()
	sum := Summary{Target: t.Name(), Dir: t.Dir, N: m.N, Views: m.Views, Dim: m.ClipDim, ShardsReused: len(m.Shards)}
	pending := w.Pending()
	if mine != nil {
		pending = slices.DeleteFunc(pending, func(s int) bool { return !mine(s) })
	}
	if sum.ShardsReused > 0 && len(pending) > 0 {
		fmt.Fprintf(opts.Log, "%s: resuming in %s at shard %d (%d of %d written)\n", t.Name(), t.Dir, pending[0], len(m.Shards), len(m.Shards)+len(w.Pending()))
	}
	done := 0
	for _, sh := range m.Shards {
		done += sh.Count
	}
	batch := setup.Opts.Batch
	if batch <= 0 {
		batch = defaultBatch
	}
	// Batches never cross shards: shardOf[b] is batch b's shard.
	var batches [][]int
	var shardOf []int
	for _, s := range pending {
		start, count := w.ShardRange(s)
		for lo := start; lo < start+count; lo += batch {
			b := make([]int, 0, batch)
			for i := lo; i < min(lo+batch, start+count); i++ {
				b = append(b, i)
			}
			batches = append(batches, b)
			shardOf = append(shardOf, s)
		}
	}
	allViews := make([]int, t.Views)
	for v := range allViews {
		allViews[v] = v
	}
	var bad []BadSample
	onSkip := func(se *data.SampleError) {
		bad = append(bad, BadSample{ID: t.IDs[se.Index], CSV: se.CSV, Row: se.Row, Error: se.Err.Error()})
		fmt.Fprintf(opts.Log, "%s: skipped bad image (on_bad_image: skip): %v\n", t.Name(), se)
	}
	policy := data.BadImagePolicy(cfg.Dataset.OnBadImage)
	ld, err := enc.loader(t, batches, func(int) []int { return allViews }, policy, onSkip)
	if err != nil {
		return sum, err
	}
	defer ld.Close()
	d, k := m.ClipDim, m.Views
	var rows, toks []float32 // one shard's embeddings and pooled patch tokens
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		s := shardOf[b]
		start, count := w.ShardRange(s)
		if rows == nil {
			rows = make([]float32, count*k*d)
			toks = make([]float32, count*k*m.Tokens*d)
		}
		lb, err := ld.Next()
		if err != nil {
			return sum, fmt.Errorf("%s: %w", t.Name(), err)
		}
		if len(lb.Indices) > 0 {
			var px []float32
			for _, v := range lb.Values {
				px = append(px, v...)
			}
			emb, tok, err := enc.embedTokens(px, len(lb.Indices)*k)
			if err != nil {
				return sum, fmt.Errorf("%s: %w", t.Name(), err)
			}
			for j, i := range lb.Indices {
				copy(rows[(i-start)*k*d:(i-start+1)*k*d], emb[j*k*d:(j+1)*k*d])
				if kt := k * m.Tokens * d; kt > 0 {
					copy(toks[(i-start)*kt:(i-start+1)*kt], tok[j*kt:(j+1)*kt])
				}
			}
		}
		done += len(batches[b])
		sum.Images += len(lb.Indices) * k
		if opts.Progress != nil {
			opts.Progress(Progress{Target: t.Name(), Done: done, Total: m.N, Images: sum.Images, Elapsed: time.Since(begin)})
		}
		if b+1 == len(batches) || shardOf[b+1] != s {
			if m.Tokens > 0 {
				if err := w.WriteTokens(s, toks); err != nil {
					return sum, err
				}
			}
			if err := w.WriteShard(s, rows, nil, bad); err != nil {
				return sum, err
			}
			rows, bad = nil, nil
			sum.ShardsWritten++
			if opts.AfterShard != nil {
				opts.AfterShard(t, s)
			}
		}
	}
	if opts.Shard.N > 0 {
		complete, err := w.TryFinish()
		if err != nil {
			return sum, err
		}
		sum.Seconds = time.Since(begin).Seconds()
		if !complete {
			fmt.Fprintf(opts.Log, "%s: shards of task %s written in %s (%d shards, %d images); other tasks complete the store\n", t.Name(), opts.Shard, t.Dir, sum.ShardsWritten, sum.Images)
			return sum, nil
		}
	} else if err := w.Finish(); err != nil {
		return sum, err
	}
	sum.Bad = len(w.Meta().Bad)
	sum.Seconds = time.Since(begin).Seconds()
	fmt.Fprintf(opts.Log, "%s: %d samples x %d views (dim %d) in %s; %d bad samples skipped\n", t.Name(), m.N, k, d, t.Dir, sum.Bad)
	return sum, nil
}

// finalizeOne completes t's store from the shards the tasks recorded.
func finalizeOne(t *Target, opts ExtractOptions) (Summary, error) {
	sum := Summary{Target: t.Name(), Dir: t.Dir}
	m, err := ReadMeta(t.Dir)
	if err != nil {
		return sum, fmt.Errorf("%s: no task has started this store: %w", t.Name(), err)
	}
	if diffs := m.Key.Diff(t.Key); len(diffs) > 0 {
		return sum, badInput(fmt.Errorf("%s: %w (pass --rebuild to replace it)", t.Name(), &MismatchError{Dir: t.Dir, Diffs: diffs}))
	}
	if !m.Complete {
		spec := Spec{Key: m.Key, Samples: m.Samples, Views: m.Views, ClipDim: m.ClipDim, Stage1Dim: m.Stage1Dim, DType: m.DType,
			ShardSize: m.ShardSize, Version: m.FairclipVersion, Config: m.Config, Tokens: m.Tokens, TokensDType: m.TokensDType}
		w, err := Create(t.Dir, spec)
		if err != nil {
			return sum, fmt.Errorf("%s: %w", t.Name(), err)
		}
		if err := w.Finish(); err != nil {
			return sum, fmt.Errorf("%s: %w: run the missing shard tasks again (or the same command without --finalize)", t.Name(), err)
		}
		m = w.Meta()
		fmt.Fprintf(opts.Log, "%s: complete in %s (%d shards)\n", t.Name(), t.Dir, len(m.Shards))
	}
	sum.N, sum.Views, sum.Dim, sum.Bad, sum.ShardsReused = m.N, m.Views, m.ClipDim, len(m.Bad), len(m.Shards)
	return sum, nil
}
