package clip

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/safetensors"
)

// ConfigFileName is the HuggingFace configuration file read from the weights' directory.
const ConfigFileName = "config.json"

// ConfigMetadataKey is the safetensors __metadata__ entry that may hold a HuggingFace
// configuration (the JSON text of a config.json).
const ConfigMetadataKey = "config"

// HParams are the hyperparameters of a vision tower that a configuration states and its
// tensor shapes do not all determine; a zero field is not stated.
type HParams struct {
	Heads         int     // num_attention_heads
	Act           string  // hidden_act: quick_gelu (OpenAI CLIP) or gelu
	LayerNormEps  float64 // layer_norm_eps
	ImageSize     int     // image_size
	PatchSize     int     // patch_size
	ProjectionDim int     // projection_dim
}

// hfVision holds the keys of a HuggingFace CLIPVisionConfig that fairclip reads.
type hfVision struct {
	NumAttentionHeads int     `json:"num_attention_heads"`
	HiddenAct         string  `json:"hidden_act"`
	LayerNormEps      float64 `json:"layer_norm_eps"`
	ImageSize         int     `json:"image_size"`
	PatchSize         int     `json:"patch_size"`
	ProjectionDim     int     `json:"projection_dim"`
}

// ParseHFConfig reads the vision tower's hyperparameters from a HuggingFace config: a
// CLIPModel's (vision_config inside, projection_dim at the top) or a vision model's
// (the keys at the top).
func ParseHFConfig(data []byte) (HParams, error) {
	var top struct {
		hfVision
		VisionConfig *hfVision `json:"vision_config"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return HParams{}, err
	}
	v := top.hfVision
	if top.VisionConfig != nil {
		v = *top.VisionConfig
		if v.ProjectionDim == 0 {
			v.ProjectionDim = top.ProjectionDim
		}
	}
	hp := HParams{Heads: v.NumAttentionHeads, Act: v.HiddenAct, LayerNormEps: v.LayerNormEps,
		ImageSize: v.ImageSize, PatchSize: v.PatchSize, ProjectionDim: v.ProjectionDim}
	if hp.Heads < 0 || hp.LayerNormEps < 0 || hp.ImageSize < 0 || hp.PatchSize < 0 || hp.ProjectionDim < 0 {
		return HParams{}, fmt.Errorf("negative value in %+v", hp)
	}
	return hp, nil
}

// hpSource is a configuration source with its name for messages.
type hpSource struct {
	name string
	hp   HParams
}

// configSources collects the configurations of a weights file: config.json in its
// directory and, for safetensors, the metadata's "config" and "clip.heads" entries.
func configSources(path string, meta map[string]string) ([]hpSource, error) {
	var srcs []hpSource
	cfgPath := filepath.Join(filepath.Dir(path), ConfigFileName)
	data, err := os.ReadFile(cfgPath)
	switch {
	case err == nil:
		hp, err := ParseHFConfig(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfgPath, err)
		}
		srcs = append(srcs, hpSource{cfgPath, hp})
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if c, ok := meta[ConfigMetadataKey]; ok {
		hp, err := ParseHFConfig([]byte(c))
		if err != nil {
			return nil, fmt.Errorf("%s: metadata %q: %w", path, ConfigMetadataKey, err)
		}
		srcs = append(srcs, hpSource{path + " metadata " + ConfigMetadataKey, hp})
	}
	if h, ok := meta[HeadsMetadataKey]; ok {
		n, err := strconv.Atoi(h)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: metadata %s=%q is not a positive integer", path, HeadsMetadataKey, h)
		}
		srcs = append(srcs, hpSource{path + " metadata " + HeadsMetadataKey, HParams{Heads: n}})
	}
	return srcs, nil
}

// resolveHParams merges the sources field by field: a field of flag (the caller's
// explicit choice) wins; otherwise the sources stating it must agree.
func resolveHParams(flag HParams, srcs []hpSource) (HParams, error) {
	out := flag
	var errs []error
	pick := func(key string, isSet func(HParams) bool, get func(HParams) any, set func(*HParams, HParams)) {
		if isSet(flag) {
			return
		}
		var from *hpSource
		for i := range srcs {
			s := &srcs[i]
			if !isSet(s.hp) {
				continue
			}
			if from == nil {
				from = s
				set(&out, s.hp)
			} else if get(s.hp) != get(from.hp) {
				errs = append(errs, fmt.Errorf("%s: %s says %v, %s says %v (pass it explicitly to choose)",
					key, from.name, get(from.hp), s.name, get(s.hp)))
			}
		}
	}
	pick("num_attention_heads", func(h HParams) bool { return h.Heads != 0 }, func(h HParams) any { return h.Heads },
		func(o *HParams, h HParams) { o.Heads = h.Heads })
	pick("hidden_act", func(h HParams) bool { return h.Act != "" }, func(h HParams) any { return h.Act },
		func(o *HParams, h HParams) { o.Act = h.Act })
	pick("layer_norm_eps", func(h HParams) bool { return h.LayerNormEps != 0 }, func(h HParams) any { return h.LayerNormEps },
		func(o *HParams, h HParams) { o.LayerNormEps = h.LayerNormEps })
	pick("image_size", func(h HParams) bool { return h.ImageSize != 0 }, func(h HParams) any { return h.ImageSize },
		func(o *HParams, h HParams) { o.ImageSize = h.ImageSize })
	pick("patch_size", func(h HParams) bool { return h.PatchSize != 0 }, func(h HParams) any { return h.PatchSize },
		func(o *HParams, h HParams) { o.PatchSize = h.PatchSize })
	pick("projection_dim", func(h HParams) bool { return h.ProjectionDim != 0 }, func(h HParams) any { return h.ProjectionDim },
		func(o *HParams, h HParams) { o.ProjectionDim = h.ProjectionDim })
	if len(errs) > 0 {
		return HParams{}, fmt.Errorf("conflicting CLIP configuration: %w", errors.Join(errs...))
	}
	return out, nil
}

// apply sets the stated hyperparameters on an architecture inferred from the shapes,
// checking those the shapes determine. A missing head count is Width/64, with a notice.
func (hp HParams) apply(arch *Arch) (notice string, err error) {
	check := func(key string, stated, fromShapes int) {
		if stated != 0 && stated != fromShapes && err == nil {
			err = fmt.Errorf("clip: configuration %s %d disagrees with the weights' shapes (%d)", key, stated, fromShapes)
		}
	}
	check("image_size", hp.ImageSize, arch.Resolution)
	check("patch_size", hp.PatchSize, arch.Patch)
	check("projection_dim", hp.ProjectionDim, arch.OutputDim)
	if err != nil {
		return "", err
	}
	switch hp.Act {
	case "", ActQuickGELU, ActGELU:
		arch.Act = hp.Act
	default:
		return "", fmt.Errorf("clip: hidden_act %q is not supported (quick_gelu or gelu)", hp.Act)
	}
	arch.LayerNormEps = hp.LayerNormEps
	arch.Heads = hp.Heads
	if arch.Heads == 0 {
		if arch.Width%64 != 0 {
			return "", fmt.Errorf("clip: width %d is not a multiple of 64 and no configuration gives num_attention_heads: pass the head count", arch.Width)
		}
		arch.Heads = arch.Width / 64
		notice = fmt.Sprintf("clip: no %s, config metadata or head count given: assuming width/64 = %d attention heads", ConfigFileName, arch.Heads)
	}
	return notice, arch.Validate()
}

// ReadArch resolves a weights file's architecture exactly as Load does, reading only the
// header of a safetensors file (a PyTorch archive is loaded whole).
func ReadArch(path string, opts LoadOptions) (Arch, error) {
	isZip, err := hasZipMagic(path)
	if err != nil {
		return Arch{}, fmt.Errorf("clip: read architecture: %w", err)
	}
	if isZip {
		w, err := Load(path, opts)
		if err != nil {
			return Arch{}, err
		}
		return w.Arch, nil
	}
	h, err := safetensors.ReadHeader(path)
	if err != nil {
		return Arch{}, fmt.Errorf("clip: read architecture: %w", err)
	}
	shapes := make(map[string][]int, len(h.Tensors))
	for name, t := range h.Tensors {
		shapes[name] = t.Shape
	}
	srcs, err := configSources(path, h.Metadata)
	if err != nil {
		return Arch{}, fmt.Errorf("clip: read architecture: %w", err)
	}
	hp, err := resolveHParams(opts.hparams(), srcs)
	if err != nil {
		return Arch{}, fmt.Errorf("clip: %s: %w", path, err)
	}
	arch, _, _, err := inferShapes(shapes)
	if err != nil {
		return Arch{}, fmt.Errorf("clip: %s: %w", path, err)
	}
	if _, err := hp.apply(&arch); err != nil {
		return Arch{}, err
	}
	return arch, nil
}

// ConfigID names the hyperparameters that differ from what the shapes alone give
// (Width/64 heads, QuickGELU, LayerNorm epsilon 1e-5), e.g. "heads=4"; "" when none does.
// Feature-store keys include it, so that stores computed under the old assumption for a
// model whose configuration says otherwise are not reused.
func (a Arch) ConfigID() string {
	var parts []string
	if a.Width%64 != 0 || a.Heads != a.Width/64 {
		parts = append(parts, "heads="+strconv.Itoa(a.Heads))
	}
	if a.Act != "" && a.Act != ActQuickGELU {
		parts = append(parts, "act="+a.Act)
	}
	if a.LayerNormEps != 0 && a.LayerNormEps != layerNormEps {
		parts = append(parts, "eps="+strconv.FormatFloat(a.LayerNormEps, 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}
