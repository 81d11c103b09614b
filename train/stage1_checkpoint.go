package train

import (
	"encoding/json"
	"fmt"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// Stage 1 checkpoint formats (safetensors metadata key "format").
const (
	stage1FormatValue = "fairclip-stage1-checkpoint-v1"
	stage1ExportValue = "fairclip-stage1-adapter-v1"
)

// Stage1CheckpointMeta is a Stage 1 checkpoint's JSON metadata (key "fairclip").
// Besides the epoch's own values it holds what `--resume` needs to continue after
// Epoch: the step count (AdamW's too), the best score so far and its epoch, the
// reversal strength of Epoch (the GRL schedule's position is the epoch), the RNG
// description and the raw CLIP measurements of the validation set.
type Stage1CheckpointMeta struct {
	Epoch      int          `json:"epoch"`
	Step       int          `json:"step"`
	Score      float64      `json:"score"`
	ConfigHash string       `json:"config_hash"`
	Seed       int64        `json:"seed"`
	Model      model.Config `json:"model"`

	LambdaGRL float64 `json:"lambda_grl"`
	BestEpoch int     `json:"best_epoch"` // 0: no best epoch yet
	BestScore float64 `json:"best_score"` // 0 when BestEpoch is 0
	// RNG: dropout masks, views, batches and the global Sinkhorn subsamples are drawn
	// from (seed, epoch, batch); no other random state exists.
	RNG     string         `json:"rng"`
	RawCLIP *Stage1RawCLIP `json:"raw_clip,omitempty"`
}

// Stage1RawCLIP are the validation columns of the raw CLIP features, measured once
// per run (null: undefined).
type Stage1RawCLIP struct {
	ProbeRaceAcc     *float64    `json:"probe_race_acc"`
	ProbeGenderAcc   *float64    `json:"probe_gender_acc"`
	SinkhornGlobal   *float64    `json:"sinkhorn_global"`
	SinkhornPairwise *float64    `json:"sinkhorn_pairwise"`
	SinkhornSubgroup [8]*float64 `json:"sinkhorn_subgroup"`
}

// saveStage1Checkpoint writes A1 under the original's names
// (additive_adapter.adapter.*, so that Stage 2's stage1_checkpoint loads the file
// as it is), the heads, and the AdamW moments when opt is not nil.
func saveStage1Checkpoint(path string, ps *model.Params, opt *AdamW, meta Stage1CheckpointMeta) error {
	names, ts, err := torchA1Tensors(ps)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	add := func(name string, shape []int, data []float32) {
		names = append(names, name)
		ts[name] = safetensors.Tensor{DType: "F32", Shape: shape, F32: data}
	}
	a1 := map[string]bool{}
	if a, err := model.Stage1Adapter(ps); err == nil {
		for _, p := range a.List {
			a1[p.Name] = true
		}
	}
	for i, p := range ps.List {
		if !a1[p.Name] {
			add(p.Name, p.Shape, p.Data)
		}
		if opt != nil {
			add(expAvgPrefix+p.Name, p.Shape, opt.M[i])
			add(expAvgSqPrefix+p.Name, p.Shape, opt.V[i])
		}
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := safetensors.WriteFile(path, names, ts, map[string]string{metaKey: string(js), formatKey: stage1FormatValue}); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// loadStage1Checkpoint reads a checkpoint written by saveStage1Checkpoint into a
// fresh set of Stage 1 trainable parameters of cfg's shape (A1 and both heads) and,
// when opt is not nil, an AdamW of that configuration with the saved moments and
// step count.
func loadStage1Checkpoint(path string, cfg model.Config, opt *config.Optimizer) (*model.Params, *AdamW, Stage1CheckpointMeta, error) {
	var meta Stage1CheckpointMeta
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, meta, fmt.Errorf("checkpoint: %w", err)
	}
	if f.Metadata[formatKey] != stage1FormatValue {
		return nil, nil, meta, fmt.Errorf("checkpoint %s: not a fairclip Stage 1 checkpoint (format %q)", path, f.Metadata[formatKey])
	}
	if err := json.Unmarshal([]byte(f.Metadata[metaKey]), &meta); err != nil {
		return nil, nil, meta, fmt.Errorf("checkpoint %s: metadata: %w", path, err)
	}
	sd := model.FromSafetensors(f.Tensors)
	for k, v := range model.RenamePrefix(sd, model.TorchA1Prefix, model.A1Prefix) {
		sd[k] = v
	}
	ps := model.NewStage1Trainable(cfg, 0)
	if err := model.LoadTorchStateDict(ps, sd, ""); err != nil {
		return nil, nil, meta, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if opt == nil {
		return ps, nil, meta, nil
	}
	a := newAdamW(*opt, ps, 0)
	a.Step = meta.Step
	names := make([]string, len(ps.List))
	for i, p := range ps.List {
		names[i] = p.Name
	}
	if err := loadMoments(a, sd, names, path); err != nil {
		return nil, nil, meta, err
	}
	return ps, a, meta, nil
}

// ExportStage1Adapter writes A1 alone under the original's PyTorch names
// additive_adapter.adapter.{0,3,6}.{weight,bias} (F32, [out, in] weights): load it
// in PyTorch with safetensors.torch.load_file and the additive adapter's
// load_state_dict after stripping "additive_adapter.", or give it to Stage 2 as
// stage1_checkpoint.
func ExportStage1Adapter(path string, ps *model.Params, meta map[string]string) error {
	names, ts, err := torchA1Tensors(ps)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	m := map[string]string{formatKey: stage1ExportValue}
	for k, v := range meta {
		m[k] = v
	}
	if err := safetensors.WriteFile(path, names, ts, m); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// torchA1Tensors are A1's tensors under the original's PyTorch names
// (model.TorchStage1Adapter), in its order.
func torchA1Tensors(ps *model.Params) ([]string, map[string]safetensors.Tensor, error) {
	names, sd, err := model.TorchStage1Adapter(ps)
	if err != nil {
		return nil, nil, err
	}
	ts := map[string]safetensors.Tensor{}
	for _, n := range names {
		ts[n] = safetensors.Tensor{DType: "F32", Shape: sd[n].Shape, F32: sd[n].Data}
	}
	return names, ts, nil
}
