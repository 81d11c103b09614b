package train

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// Checkpoint tensor names besides the model's own: the optimizer's moments per
// parameter and the dynamic weighting's log-variances.
const (
	expAvgPrefix   = "optimizer.exp_avg."
	expAvgSqPrefix = "optimizer.exp_avg_sq."
	logVarCls      = "loss_weighting.log_var_cls"
	logVarFair     = "loss_weighting.log_var_fair"
	metaKey        = "fairclip"
	formatKey      = "format"
	formatValue    = "fairclip-stage2-checkpoint-v1"
)

// CheckpointMeta is the checkpoint's JSON metadata (safetensors __metadata__ key
// "fairclip").
type CheckpointMeta struct {
	Epoch      int                `json:"epoch"`
	Step       int                `json:"step"`
	ConfigHash string             `json:"config_hash"`
	Seed       int64              `json:"seed"`
	Model      model.Config       `json:"model"`
	Metrics    map[string]float64 `json:"metrics,omitempty"` // validation metrics of Epoch (NaN left out)
	// RNG: dropout masks and views are drawn from (seed, epoch, batch); no other
	// random state exists, so the seed is the whole RNG state.
	RNG     string       `json:"rng"`
	Trainer trainerState `json:"trainer"`
}

// trainerState is what the epoch loop needs to continue after a resume.
type trainerState struct {
	HasBest         bool     `json:"has_best"`
	BestValue       float64  `json:"best_value"`
	BestEpoch       int      `json:"best_epoch"`
	BestFiles       []string `json:"best_files"` // best_ep* files kept, oldest first
	DegenerateStart int      `json:"degenerate_start"`
	DegenerateLast  int      `json:"degenerate_last"`
}

// checkpoint is everything saved.
type checkpoint struct {
	meta    CheckpointMeta
	stage1  *model.Params
	params  *model.Params
	opt     *AdamW // nil: weights only
	logVars []float32
}

func finiteMetrics(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[k] = v
		}
	}
	return out
}

// save writes the checkpoint atomically (safetensors.WriteFile writes a temporary
// file, fsyncs and renames).
func (c checkpoint) save(path string) error {
	var names []string
	ts := map[string]safetensors.Tensor{}
	add := func(name string, shape []int, data []float32) {
		names = append(names, name)
		ts[name] = safetensors.Tensor{DType: "F32", Shape: shape, F32: data}
	}
	for _, ps := range []*model.Params{c.params, c.stage1} {
		for _, p := range ps.List {
			add(p.Name, p.Shape, p.Data)
		}
	}
	lv := []string{logVarCls, logVarFair}
	for i, v := range c.logVars {
		add(lv[i], []int{}, []float32{v})
	}
	if c.opt != nil {
		for i, p := range c.params.List {
			add(expAvgPrefix+p.Name, p.Shape, c.opt.M[i])
			add(expAvgSqPrefix+p.Name, p.Shape, c.opt.V[i])
		}
		for i := range c.logVars {
			j := len(c.params.List) + i
			add(expAvgPrefix+lv[i], []int{}, c.opt.M[j])
			add(expAvgSqPrefix+lv[i], []int{}, c.opt.V[j])
		}
	}
	c.meta.Metrics = finiteMetrics(c.meta.Metrics)
	meta, err := json.Marshal(c.meta)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := safetensors.WriteFile(path, names, ts, map[string]string{metaKey: string(meta), formatKey: formatValue}); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// loadCheckpoint reads a fairclip checkpoint. withOptimizer also restores the
// AdamW moments (for resume); opt's step count comes from the metadata.
func loadCheckpoint(path string, dynamic bool, betas [2]float64, eps, wd float64, withOptimizer bool) (checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	var c checkpoint
	if f.Metadata[formatKey] != formatValue {
		return c, fmt.Errorf("checkpoint %s: not a fairclip Stage 2 checkpoint (format %q)", path, f.Metadata[formatKey])
	}
	if err := json.Unmarshal([]byte(f.Metadata[metaKey]), &c.meta); err != nil {
		return c, fmt.Errorf("checkpoint %s: metadata: %w", path, err)
	}
	cfg := c.meta.Model
	if c.params, err = model.NewStage2(cfg, 0); err != nil {
		return c, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	c.stage1 = model.NewStage1(cfg, 0)
	sd := model.FromSafetensors(f.Tensors)
	for _, ps := range []*model.Params{c.params, c.stage1} {
		if err := model.LoadTorchStateDict(ps, sd, ""); err != nil {
			return c, fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	lv := []string{logVarCls, logVarFair}
	if dynamic {
		for _, name := range lv {
			t, ok := sd[name]
			if !ok || len(t.Data) != 1 {
				return c, fmt.Errorf("checkpoint %s: no %s (the run uses dynamic loss weighting)", path, name)
			}
			c.logVars = append(c.logVars, t.Data[0])
		}
	}
	if !withOptimizer {
		return c, nil
	}
	var sizes []int
	for _, p := range c.params.List {
		sizes = append(sizes, p.Size())
	}
	for range c.logVars {
		sizes = append(sizes, 1)
	}
	c.opt = NewAdamW(betas[0], betas[1], eps, wd, sizes)
	c.opt.Step = c.meta.Step
	names := make([]string, 0, len(sizes))
	for _, p := range c.params.List {
		names = append(names, p.Name)
	}
	names = append(names, lv[:len(c.logVars)]...)
	return c, loadMoments(c.opt, sd, names, path)
}

// loadMoments sets opt's moments M[i] and V[i] from a checkpoint's
// optimizer.exp_avg.NAME and optimizer.exp_avg_sq.NAME for NAME = names[i].
func loadMoments(opt *AdamW, sd map[string]model.Tensor, names []string, path string) error {
	get := func(name string, dst []float32) error {
		t, ok := sd[name]
		if !ok || len(t.Data) != len(dst) {
			return fmt.Errorf("checkpoint %s: optimizer state %s missing or of the wrong size", path, name)
		}
		copy(dst, t.Data)
		return nil
	}
	for i, n := range names {
		if err := get(expAvgPrefix+n, opt.M[i]); err != nil {
			return err
		}
		if err := get(expAvgSqPrefix+n, opt.V[i]); err != nil {
			return err
		}
	}
	return nil
}
