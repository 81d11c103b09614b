package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/safetensors"
	"github.com/fairclip/fairclip/torchfile"
)

// ConfigFrom is the head's shape from the experiment configuration.
func ConfigFrom(m config.Model) Config {
	gate := 0.0
	if m.GateInitBias != nil {
		gate = *m.GateInitBias
	}
	return Config{
		Dim: m.FeatureDim, Stage1Hidden: m.Stage1HiddenDim, Stage2Hidden: m.Stage2HiddenDim,
		Heads: m.FusionNumHeads, ClassifierHidden: append([]int(nil), m.ClassifierHiddenDims...),
		NumClasses: m.NumClasses, Dropout: m.Dropout, GateInitBias: gate, Normalize: m.NormalizeFeatures,
		Keys: fusionKeys(m.FusionKeys),
	}
}

// fusionKeys maps model.fusion_keys to Config.Keys: "cls", the original's attention,
// is the zero value (checkpoints of it are unchanged).
func fusionKeys(k string) string {
	if k == KeysCLS {
		return ""
	}
	return k
}

// ConfigFromAll is ConfigFrom with the pooled patch-token count of features.tokens
// (used under fusion_keys: tokens).
func ConfigFromAll(cfg config.Config) (Config, error) {
	c := ConfigFrom(cfg.Model)
	if c.Keys != KeysTokens {
		return c, nil
	}
	k, err := config.ParseTokens(cfg.Features.Tokens)
	if err != nil {
		return c, fmt.Errorf("features.tokens %q: %w", cfg.Features.Tokens, err)
	}
	c.Tokens = k
	return c, nil
}

// HasStage1Adapter reports whether cfg trains a Stage 2 head on a frozen Stage 1
// adapter (stage 2 with model.random_stage1 or a stage1_checkpoint).
func HasStage1Adapter(cfg config.Config) bool {
	return cfg.Stage != 1 && (cfg.Model.RandomStage1 || cfg.Stage1Checkpoint != "")
}

// LoadStage1Config loads the frozen Stage 1 adapter of a Stage 2 configuration the
// way the trainer does (a random A1 is seeded with seed+1).
func LoadStage1Config(cfg config.Config) (*Params, string, error) {
	return LoadStage1(cfg.Stage1Checkpoint, cfg.Model.RandomStage1, ConfigFrom(cfg.Model), cfg.Seed+1)
}

// LoadStage1 returns the frozen Stage 1 adapter: from path (the original's
// checkpoint_best.pth, a safetensors export under either name, or a fairclip
// checkpoint), or, when random is set, a seeded random A1. A missing or unreadable
// file is an error (the original silently used a random A1). The string describes
// where A1 came from.
func LoadStage1(path string, random bool, cfg Config, seed int64) (*Params, string, error) {
	if random {
		desc := fmt.Sprintf("Stage 1 adapter: random (model.random_stage1, seed=%d)", seed)
		if path != "" {
			desc += "; stage1_checkpoint " + path + " is not used"
		}
		return NewStage1(cfg, seed), desc, nil
	}
	if path == "" {
		return nil, "", errors.New("stage1_checkpoint is empty: set it to the Stage 1 checkpoint, or set model.random_stage1: true for a random Stage 1 adapter")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, "", fmt.Errorf("stage1_checkpoint: %w", err)
	}
	var sd map[string]Tensor
	if strings.HasSuffix(path, ".safetensors") {
		f, err := safetensors.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("stage1_checkpoint: %w", err)
		}
		sd = FromSafetensors(f.Tensors)
	} else {
		ts, _, err := torchfile.Load(path)
		if err != nil {
			return nil, "", fmt.Errorf("stage1_checkpoint: %w", err)
		}
		sd = FromSafetensors(ts)
	}
	ps := NewStage1(cfg, seed)
	var lastErr error
	for _, from := range []string{"model_state_dict." + TorchA1Prefix, TorchA1Prefix, A1Prefix, "model_state_dict." + A1Prefix} {
		renamed := RenamePrefix(sd, from, A1Prefix)
		if len(renamed) == 0 {
			continue
		}
		if err := LoadTorchStateDict(ps, renamed, ""); err != nil {
			lastErr = err
			continue
		}
		return ps, fmt.Sprintf("Stage 1 adapter from %s (%s*)", path, from), nil
	}
	if lastErr != nil {
		return nil, "", fmt.Errorf("stage1_checkpoint %s: %w", path, lastErr)
	}
	return nil, "", fmt.Errorf("stage1_checkpoint %s: no Stage 1 adapter weights (looked for %s{0,3,6}.{weight,bias}, optionally under model_state_dict.)", path, TorchA1Prefix)
}

// FromSafetensors converts the float32 tensors of a safetensors file to state-dict tensors.
func FromSafetensors(ts map[string]safetensors.Tensor) map[string]Tensor {
	out := make(map[string]Tensor, len(ts))
	for k, t := range ts {
		if t.F32 != nil {
			out[k] = Tensor{Shape: t.Shape, Data: t.F32}
		}
	}
	return out
}

// Stage1Identity names what s1 = normalize(clip + A1(clip)) is a function of: the A1
// parameter values (names, shapes, float32 bits, in order) and whether the features
// are normalised. Two adapters with the same identity give the same s1, whichever file
// they were loaded from (a .pth and its safetensors export, a resumed run's
// checkpoint); any changed weight gives another identity.
func Stage1Identity(a1 *Params, normalize bool) string {
	h := sha256.New()
	fmt.Fprintf(h, "fairclip-stage1-identity-v1 normalize=%t\n", normalize)
	var buf [4]byte
	for _, p := range a1.List {
		fmt.Fprintf(h, "%s %v\n", p.Name, p.Shape)
		for _, v := range p.Data {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			h.Write(buf[:])
		}
	}
	shape := ""
	if w := a1.Get(linearName(A1Prefix, 0, "weight")); w != nil && len(w.Shape) == 2 {
		shape = fmt.Sprintf(" dim=%d hidden=%d", w.Shape[1], w.Shape[0])
	}
	return fmt.Sprintf("a1:sha256:%s%s normalize=%t", hex.EncodeToString(h.Sum(nil)), shape, normalize)
}
