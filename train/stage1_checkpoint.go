package train

import (
	"encoding/json"
	"fmt"

	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// Stage 1 checkpoint formats (safetensors metadata key "format").
const (
	stage1FormatValue = "fairclip-stage1-checkpoint-v1"
	stage1ExportValue = "fairclip-stage1-adapter-v1"
)

// Stage1CheckpointMeta is a Stage 1 checkpoint's JSON metadata (key "fairclip").
type Stage1CheckpointMeta struct {
	Epoch      int          `json:"epoch"`
	Step       int          `json:"step"`
	Score      float64      `json:"score"`
	ConfigHash string       `json:"config_hash"`
	Seed       int64        `json:"seed"`
	Model      model.Config `json:"model"`
}

// saveStage1Checkpoint writes A1 under the original's names
// (additive_adapter.adapter.*, so that Stage 2's stage1_checkpoint loads the file
// as it is), the heads, and the AdamW moments when opt is not nil.
func saveStage1Checkpoint(path string, ps *model.Params, opt *AdamW, meta Stage1CheckpointMeta) error {
	names, sd, err := model.TorchStage1Adapter(ps)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	ts := map[string]safetensors.Tensor{}
	for _, n := range names {
		ts[n] = safetensors.Tensor{DType: "F32", Shape: sd[n].Shape, F32: sd[n].Data}
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

// ExportStage1Adapter writes A1 alone under the original's PyTorch names
// additive_adapter.adapter.{0,3,6}.{weight,bias} (F32, [out, in] weights): load it
// in PyTorch with safetensors.torch.load_file and the additive adapter's
// load_state_dict after stripping "additive_adapter.", or give it to Stage 2 as
// stage1_checkpoint.
func ExportStage1Adapter(path string, ps *model.Params, meta map[string]string) error {
	names, sd, err := model.TorchStage1Adapter(ps)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	ts := map[string]safetensors.Tensor{}
	for _, n := range names {
		ts[n] = safetensors.Tensor{DType: "F32", Shape: sd[n].Shape, F32: sd[n].Data}
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
