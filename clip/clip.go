// Package clip is CLIP's vision transformer (the image encoder of OpenAI's CLIP) as GoMLX
// graphs, for frozen inference: weight import from HuggingFace or OpenAI checkpoints
// (safetensors or PyTorch files), architecture inferred from the weight shapes, and
// image embeddings plus optional residual-stream states per layer.
package clip

import "fmt"

// Arch is the shape of a CLIP vision transformer.
type Arch struct {
	Width      int `json:"width"`      // residual stream width (768 for ViT-B, 1024 for ViT-L)
	Layers     int `json:"layers"`     // number of residual attention blocks
	Heads      int `json:"heads"`      // attention heads; OpenAI's models use Width/64
	Patch      int `json:"patch"`      // patch size in pixels (the patch-embedding convolution's kernel and stride)
	Resolution int `json:"resolution"` // input image side in pixels
	OutputDim  int `json:"output_dim"` // embedding size after the projection
	// Act is the MLP activation: "" or ActQuickGELU (every OpenAI CLIP model), ActGELU.
	Act string `json:"act,omitempty"`
	// LayerNormEps is the LayerNorm epsilon; 0 means CLIP's 1e-5.
	LayerNormEps float64 `json:"layer_norm_eps,omitempty"`
}

// MLP activations of Arch.Act (HuggingFace's hidden_act names).
const (
	ActQuickGELU = "quick_gelu" // x * sigmoid(1.702 x)
	ActGELU      = "gelu"       // exact (erf) GELU
)

// lnEps is the LayerNorm epsilon of the architecture.
func (a Arch) lnEps() float64 {
	if a.LayerNormEps == 0 {
		return layerNormEps
	}
	return a.LayerNormEps
}

// The published CLIP vision towers. Treat them as constants.
var (
	ArchViTB32      = Arch{Width: 768, Layers: 12, Heads: 12, Patch: 32, Resolution: 224, OutputDim: 512}
	ArchViTB16      = Arch{Width: 768, Layers: 12, Heads: 12, Patch: 16, Resolution: 224, OutputDim: 512}
	ArchViTL14      = Arch{Width: 1024, Layers: 24, Heads: 16, Patch: 14, Resolution: 224, OutputDim: 768}
	ArchViTL14At336 = Arch{Width: 1024, Layers: 24, Heads: 16, Patch: 14, Resolution: 336, OutputDim: 768}
)

// Grid is the number of patches along each side of the image.
func (a Arch) Grid() int { return a.Resolution / a.Patch }

// Tokens is the sequence length: one class token plus one token per patch.
func (a Arch) Tokens() int { return a.Grid()*a.Grid() + 1 }

// HeadDim is the width of one attention head.
func (a Arch) HeadDim() int { return a.Width / a.Heads }

// MLPWidth is the hidden width of each block's MLP (4x the residual width in CLIP).
func (a Arch) MLPWidth() int { return 4 * a.Width }

// Name returns the conventional name of a published architecture (e.g. "ViT-L/14@336px")
// or a description of a custom one.
func (a Arch) Name() string {
	switch a {
	case ArchViTB32:
		return "ViT-B/32"
	case ArchViTB16:
		return "ViT-B/16"
	case ArchViTL14:
		return "ViT-L/14"
	case ArchViTL14At336:
		return "ViT-L/14@336px"
	}
	extra := ""
	if a.Act != "" && a.Act != ActQuickGELU {
		extra += ", act=" + a.Act
	}
	if a.LayerNormEps != 0 && a.LayerNormEps != layerNormEps {
		extra += fmt.Sprintf(", layer_norm_eps=%g", a.LayerNormEps)
	}
	return fmt.Sprintf("ViT(width=%d, layers=%d, heads=%d, patch=%d, resolution=%d, output=%d%s)",
		a.Width, a.Layers, a.Heads, a.Patch, a.Resolution, a.OutputDim, extra)
}

// Validate checks that the dimensions are consistent.
func (a Arch) Validate() error {
	switch {
	case a.Width <= 0 || a.Layers <= 0 || a.Heads <= 0 || a.Patch <= 0 || a.Resolution <= 0 || a.OutputDim <= 0:
		return fmt.Errorf("clip: architecture %s: every dimension must be positive", a.Name())
	case a.Width%a.Heads != 0:
		return fmt.Errorf("clip: architecture %s: width %d is not divisible by %d heads", a.Name(), a.Width, a.Heads)
	case a.Act != "" && a.Act != ActQuickGELU && a.Act != ActGELU:
		return fmt.Errorf("clip: architecture %s: activation %q is not supported (%s or %s)", a.Name(), a.Act, ActQuickGELU, ActGELU)
	case a.LayerNormEps < 0:
		return fmt.Errorf("clip: architecture %s: negative layer_norm_eps", a.Name())
	case a.Resolution%a.Patch != 0:
		return fmt.Errorf("clip: architecture %s: resolution %d is not a multiple of patch %d", a.Name(), a.Resolution, a.Patch)
	}
	return nil
}

// NumParams is the number of weights of the vision tower.
func (a Arch) NumParams() int {
	n := 0
	for _, s := range a.tensorSpecs() {
		n += numel(s.shape)
	}
	return n
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
