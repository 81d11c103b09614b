package train

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
	"github.com/fairclip/fairclip/torchfile"
)

// torchStage1Prefix is where the original Stage 1 checkpoint keeps A1.
const torchStage1Prefix = "additive_adapter.adapter."

// LoadStage1 returns the frozen Stage 1 adapter: from path (the original's
// checkpoint_best.pth, a safetensors export under either name, or a fairclip
// checkpoint), or, when random is set, a seeded random A1. A
// missing or unreadable file is an error (the original silently used a random A1).
func LoadStage1(path string, random bool, cfg model.Config, seed int64) (*model.Params, string, error) {
	if random {
		desc := "Stage 1 adapter: random (model.random_stage1)"
		if path != "" {
			desc += "; stage1_checkpoint " + path + " is not used"
		}
		return model.NewStage1(cfg, seed), desc, nil
	}
	if path == "" {
		return nil, "", errors.New("stage1_checkpoint is empty: set it to the Stage 1 checkpoint, or set model.random_stage1: true for a random Stage 1 adapter")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, "", fmt.Errorf("stage1_checkpoint: %w", err)
	}
	var sd map[string]model.Tensor
	if strings.HasSuffix(path, ".safetensors") {
		f, err := safetensors.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("stage1_checkpoint: %w", err)
		}
		sd = fromSafetensors(f.Tensors)
	} else {
		ts, _, err := torchfile.Load(path)
		if err != nil {
			return nil, "", fmt.Errorf("stage1_checkpoint: %w", err)
		}
		sd = fromSafetensors(ts)
	}
	ps := model.NewStage1(cfg, seed)
	var lastErr error
	for _, try := range []struct{ from string }{
		{"model_state_dict." + torchStage1Prefix}, {torchStage1Prefix}, {model.A1Prefix}, {"model_state_dict." + model.A1Prefix},
	} {
		renamed := model.RenamePrefix(sd, try.from, model.A1Prefix)
		if len(renamed) == 0 {
			continue
		}
		if err := model.LoadTorchStateDict(ps, renamed, ""); err != nil {
			lastErr = err
			continue
		}
		return ps, fmt.Sprintf("Stage 1 adapter from %s (%s*)", path, try.from), nil
	}
	if lastErr != nil {
		return nil, "", fmt.Errorf("stage1_checkpoint %s: %w", path, lastErr)
	}
	return nil, "", fmt.Errorf("stage1_checkpoint %s: no Stage 1 adapter weights (looked for %s{0,3,6}.{weight,bias}, optionally under model_state_dict.)", path, torchStage1Prefix)
}

func fromSafetensors(ts map[string]safetensors.Tensor) map[string]model.Tensor {
	out := make(map[string]model.Tensor, len(ts))
	for k, t := range ts {
		if t.F32 != nil {
			out[k] = model.Tensor{Shape: t.Shape, Data: t.F32}
		}
	}
	return out
}
