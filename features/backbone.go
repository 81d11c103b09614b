package features

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/clip"
)

// RandomPrefix starts a weights spec that asks for a seeded random vision tower instead of
// a file: "random:<arch>[:seed=N]" where <arch> is a name of RandomArchs or
// "w<width>l<layers>h<heads>p<patch>r<resolution>o<output>" (e.g. "random:tiny:seed=1").
const RandomPrefix = "random:"

// RandomArchs are the named architectures a random weights spec may use.
var RandomArchs = map[string]clip.Arch{
	"tiny":        {Width: 32, Layers: 2, Heads: 2, Patch: 8, Resolution: 32, OutputDim: 32},
	"vit-b32":     clip.ArchViTB32,
	"vit-b16":     clip.ArchViTB16,
	"vit-l14":     clip.ArchViTL14,
	"vit-l14@336": clip.ArchViTL14At336,
}

// Backbone is a resolved CLIP vision tower: its weights and the identity that goes into
// a store's key (sha256 of the weights file, or the random spec in canonical form).
type Backbone struct {
	Weights *clip.Weights
	ID      string
}

// LoadBackbone resolves a weights spec: a weights file (any format clip.Load reads) or a
// RandomPrefix spec.
func LoadBackbone(spec string) (*Backbone, error) {
	if spec == "" {
		return nil, fmt.Errorf("no CLIP weights: set clip_weights in the config or pass --weights (a file, or %stiny:seed=1 for a random tiny ViT)", RandomPrefix)
	}
	if strings.HasPrefix(spec, RandomPrefix) {
		arch, name, seed, err := ParseRandomSpec(spec)
		if err != nil {
			return nil, err
		}
		w, err := clip.RandomWeights(arch, seed)
		if err != nil {
			return nil, fmt.Errorf("weights %q: %w", spec, err)
		}
		return &Backbone{Weights: w, ID: fmt.Sprintf("%s%s:seed=%d", RandomPrefix, name, seed)}, nil
	}
	id, err := BackboneID(spec)
	if err != nil {
		return nil, err
	}
	w, err := clip.Load(spec, clip.LoadOptions{})
	if err != nil {
		return nil, err
	}
	return &Backbone{Weights: w, ID: id}, nil
}

// BackboneID is the key identity of a weights spec without loading the weights: the
// random spec in canonical form, or "sha256:<hex>" of the file's bytes followed by
// "+" and clip.Arch.ConfigID when the resolved configuration (e.g. config.json's head
// count) differs from what the shapes alone give.
func BackboneID(spec string) (string, error) {
	if strings.HasPrefix(spec, RandomPrefix) {
		_, name, seed, err := ParseRandomSpec(spec)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s%s:seed=%d", RandomPrefix, name, seed), nil
	}
	f, err := os.Open(spec)
	if err != nil {
		return "", fmt.Errorf("CLIP weights: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("CLIP weights %s: %w", spec, err)
	}
	id := "sha256:" + hex.EncodeToString(h.Sum(nil))
	// The architecture clip.Load resolves (config.json beside the weights, metadata):
	// hyperparameters other than the shapes' defaults are part of the identity.
	arch, err := clip.ReadArch(spec, clip.LoadOptions{})
	if err != nil {
		return "", err
	}
	if c := arch.ConfigID(); c != "" {
		id += "+" + c
	}
	return id, nil
}

// ParseRandomSpec parses "random:<arch>[:seed=N]" (seed 0 when absent) and returns the
// architecture, its canonical name and the seed.
func ParseRandomSpec(spec string) (clip.Arch, string, int64, error) {
	rest, ok := strings.CutPrefix(spec, RandomPrefix)
	if !ok {
		return clip.Arch{}, "", 0, fmt.Errorf("weights %q: not a random spec", spec)
	}
	name, seedPart, hasSeed := strings.Cut(rest, ":")
	var seed int64
	if hasSeed {
		v, ok := strings.CutPrefix(seedPart, "seed=")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			return clip.Arch{}, "", 0, fmt.Errorf("weights %q: want %s<arch>:seed=N", spec, RandomPrefix)
		}
		seed = n
	}
	name = strings.ToLower(name)
	if a, ok := RandomArchs[name]; ok {
		return a, name, seed, nil
	}
	var a clip.Arch
	if _, err := fmt.Sscanf(name, "w%dl%dh%dp%dr%do%d", &a.Width, &a.Layers, &a.Heads, &a.Patch, &a.Resolution, &a.OutputDim); err != nil {
		return clip.Arch{}, "", 0, fmt.Errorf("weights %q: unknown architecture %q (want one of tiny, vit-b32, vit-b16, vit-l14, vit-l14@336, or w<width>l<layers>h<heads>p<patch>r<resolution>o<output>)", spec, name)
	}
	if err := a.Validate(); err != nil {
		return clip.Arch{}, "", 0, fmt.Errorf("weights %q: %w", spec, err)
	}
	return a, fmt.Sprintf("w%dl%dh%dp%dr%do%d", a.Width, a.Layers, a.Heads, a.Patch, a.Resolution, a.OutputDim), seed, nil
}
