package clip

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/safetensors"
	"github.com/fairclip/fairclip/torchfile"
)

// HeadsMetadataKey is the safetensors metadata key Save writes the head count under.
const HeadsMetadataKey = "clip.heads"

// Load imports a vision tower from a safetensors file (HuggingFace or OpenAI names, full
// CLIP model or vision tower only) or a PyTorch torch.save / TorchScript archive (.pt,
// .pth), detected from the file's content. The architecture is inferred from the shapes;
// the head count, activation and LayerNorm epsilon come from opts, else from the
// HuggingFace config.json in the weights' directory and the safetensors metadata's
// "config" (HuggingFace JSON) or "clip.heads" entries, which must agree (the sizes they
// state must match the shapes); with none, Width/64 heads and Weights.Notice says so.
func Load(path string, opts LoadOptions) (*Weights, error) {
	isZip, err := hasZipMagic(path)
	if err != nil {
		return nil, fmt.Errorf("clip: load weights: %w", err)
	}
	var tensors map[string]safetensors.Tensor
	var meta map[string]string
	if isZip {
		tensors, _, err = torchfile.Load(path)
		if err != nil {
			return nil, fmt.Errorf("clip: load weights: %w (convert the checkpoint to safetensors, or use HuggingFace's model.safetensors for the same CLIP model)", err)
		}
	} else {
		// Decode only the vision tower of full CLIP files, found from the header's names.
		h, err := safetensors.ReadHeader(path)
		if err != nil {
			return nil, fmt.Errorf("clip: load weights: %w", err)
		}
		shapes := make(map[string][]int, len(h.Tensors))
		for name, t := range h.Tensors {
			shapes[name] = t.Shape
		}
		_, kind, prefix, err := InferArch(shapes, 1)
		if err != nil {
			return nil, fmt.Errorf("clip: load weights %s: %w", path, err)
		}
		projection := strings.TrimSuffix(prefix, "vision_model.") + "visual_projection.weight"
		f, err := safetensors.ReadFileFunc(path, func(name string) bool {
			return strings.HasPrefix(name, prefix) || (kind == LayoutHuggingFace && name == projection)
		})
		if err != nil {
			return nil, fmt.Errorf("clip: load weights: %w", err)
		}
		tensors, meta = f.Tensors, f.Metadata
	}
	srcs, err := configSources(path, meta)
	if err != nil {
		return nil, fmt.Errorf("clip: load weights: %w", err)
	}
	hp, err := resolveHParams(opts.hparams(), srcs)
	if err != nil {
		return nil, fmt.Errorf("clip: load weights %s: %w", path, err)
	}
	w, err := fromTensors(tensors, hp)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return w, nil
}

func hasZipMagic(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return false, fmt.Errorf("%s: file too short to hold weights", path)
		}
		return false, err
	}
	return string(magic[:]) == "PK\x03\x04", nil
}

// Save writes the weights as safetensors with OpenAI names under the "visual." prefix and
// the head count in the metadata, so that Load restores the same architecture.
func (w *Weights) Save(path string) error {
	specs := w.Arch.tensorSpecs()
	names := make([]string, len(specs))
	ts := make(map[string]safetensors.Tensor, len(specs))
	for i, s := range specs {
		data, ok := w.Tensors[s.name]
		if !ok {
			return fmt.Errorf("clip: save %s: tensor %q missing from the weights", path, s.name)
		}
		names[i] = "visual." + s.name
		ts[names[i]] = safetensors.Tensor{Shape: s.shape, F32: data}
	}
	meta := map[string]string{HeadsMetadataKey: strconv.Itoa(w.Arch.Heads), "format": "pt"}
	if w.Arch.Act != "" || w.Arch.LayerNormEps != 0 {
		cfg, err := json.Marshal(hfVision{NumAttentionHeads: w.Arch.Heads, HiddenAct: w.Arch.Act,
			LayerNormEps: w.Arch.LayerNormEps, ImageSize: w.Arch.Resolution, PatchSize: w.Arch.Patch,
			ProjectionDim: w.Arch.OutputDim})
		if err != nil {
			return fmt.Errorf("clip: save %s: %w", path, err)
		}
		meta[ConfigMetadataKey] = string(cfg)
	}
	return safetensors.WriteFile(path, names, ts, meta)
}
