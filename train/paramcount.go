package train

import (
	"fmt"
	"io"
	"strings"

	"github.com/fairclip/fairclip/clip"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// The part of CLIP's text side the original keeps after deleting `transformer`: token and
// positional embeddings, final LayerNorm, text projection, logit scale (ViT-L/14 sizes).
const textVocab, textCtx, textWidth, textProj = 49408, 77, 768, 768

// clipTextRemainder is what the original keeps of ViT-L/14's text side.
func clipTextRemainder() int64 {
	return int64(textVocab*textWidth) + int64(textCtx*textWidth) + 2*textWidth + int64(textWidth*textProj) + 1
}

// Backbone is the frozen image encoder as the parameter count describes it.
type Backbone struct {
	Name   string
	Visual int64 // visual encoder parameters
	Other  int64 // frozen parameters loaded with it that the head never uses (CLIP's text remainder)
}

// BackboneOf describes the encoder the configuration's features come from: a random spec
// or a safetensors weights file is counted from its architecture; otherwise the model is
// the one `model.clip_name` names (ViT-L/14 by default, counted as the original loads it).
func BackboneOf(cfg config.Config) Backbone {
	spec := cfg.ClipWeights
	if strings.HasPrefix(spec, features.RandomPrefix) {
		if arch, name, seed, err := features.ParseRandomSpec(spec); err == nil {
			return Backbone{Name: fmt.Sprintf("random %s ViT (seed %d, not CLIP)", name, seed), Visual: int64(arch.NumParams())}
		}
	}
	if strings.HasSuffix(spec, ".safetensors") {
		if hdr, err := safetensors.ReadHeader(spec); err == nil {
			shapes := map[string][]int{}
			for name, t := range hdr.Tensors {
				shapes[name] = t.Shape
			}
			if arch, _, _, err := clip.InferArch(shapes, 0); err == nil {
				return Backbone{Name: "CLIP " + arch.Name(), Visual: int64(arch.NumParams())}
			}
		}
	}
	arch := clip.ArchViTL14
	switch strings.ToUpper(strings.ReplaceAll(cfg.Model.ClipName, "-", "/")) {
	case "VIT/B/32":
		arch = clip.ArchViTB32
	case "VIT/B/16":
		arch = clip.ArchViTB16
	case "VIT/L/14@336PX", "VIT/L/14@336":
		arch = clip.ArchViTL14At336
	}
	b := Backbone{Name: "CLIP " + arch.Name(), Visual: int64(arch.NumParams())}
	if arch == clip.ArchViTL14 || arch == clip.ArchViTL14At336 {
		b.Other = clipTextRemainder()
	}
	return b
}

// ParamCounts are the model's parameter counts, the report's 1.2 line.
type ParamCounts struct {
	Backbone          Backbone
	Stage1, Trainable int64
}

// Total is every parameter.
func (c ParamCounts) Total() int64 { return c.Frozen() + c.Trainable }

// Frozen is the backbone plus Stage 1.
func (c ParamCounts) Frozen() int64 { return c.Backbone.Visual + c.Backbone.Other + c.Stage1 }

// CountParams counts the head and the frozen parts.
func CountParams(cfg config.Config, stage1, trainable *model.Params, extra int) ParamCounts {
	c := ParamCounts{Backbone: BackboneOf(cfg), Trainable: trainable.Count() + int64(extra)}
	if stage1 != nil {
		c.Stage1 = stage1.Count()
	}
	return c
}

// Print writes the counts with percentages.
func (c ParamCounts) Print(w io.Writer) {
	t := float64(c.Total())
	fmt.Fprintf(w, "Parameters: total %s | trainable %s (%.2f%%) | frozen %s (%.2f%%)\n",
		comma(c.Total()), comma(c.Trainable), 100*float64(c.Trainable)/t, comma(c.Frozen()), 100*float64(c.Frozen())/t)
	other := ""
	if c.Backbone.Other > 0 {
		other = fmt.Sprintf(" + text-side remainder %s", comma(c.Backbone.Other))
	}
	fmt.Fprintf(w, "  frozen: %s visual %s%s (features are precomputed) + Stage 1 adapter %s\n",
		c.Backbone.Name, comma(c.Backbone.Visual), other, comma(c.Stage1))
}

func comma(n int64) string {
	s := fmt.Sprint(n)
	out := []byte{}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
