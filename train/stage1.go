package train

import (
	"github.com/fairclip/fairclip/model"
)

// LoadStage1 returns the frozen Stage 1 adapter (model.LoadStage1: the original's
// checkpoint_best.pth, a safetensors export, a fairclip checkpoint, or, when random is
// set, a seeded random A1) and a description of where it came from.
func LoadStage1(path string, random bool, cfg model.Config, seed int64) (*model.Params, string, error) {
	return model.LoadStage1(path, random, cfg, seed)
}
