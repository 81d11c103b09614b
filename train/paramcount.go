package train

import (
	"fmt"
	"io"

	"github.com/fairclip/fairclip/model"
)

// CLIP ViT-L/14 as the original loads it: the visual encoder plus what stays of the
// text side after it deletes `transformer` (token and positional embeddings, final
// LayerNorm, text projection, logit scale). Counted from the architecture.
const (
	vitWidth, vitLayers, vitPatch, vitRes, vitOut = 1024, 24, 14, 224, 768
	textVocab, textCtx, textWidth                 = 49408, 77, 768
)

// ClipViTL14Visual is the number of parameters of CLIP ViT-L/14's visual encoder.
func ClipViTL14Visual() int64 {
	w := int64(vitWidth)
	tokens := int64((vitRes/vitPatch)*(vitRes/vitPatch) + 1)
	conv := 3 * w * vitPatch * vitPatch // no bias
	embed := w + tokens*w               // class embedding + positional
	lnPrePost := 2 * 2 * w
	layer := (3*w*w + 3*w) + (w*w + w) + 2*w + (w*4*w + 4*w) + (4*w*w + w) + 2*w
	proj := w * vitOut
	return conv + embed + lnPrePost + int64(vitLayers)*layer + proj
}

// ClipViTL14TextRemainder is what the original keeps of the text side.
func ClipViTL14TextRemainder() int64 {
	return int64(textVocab*textWidth) + int64(textCtx*textWidth) + 2*textWidth + int64(textWidth*vitOut) + 1
}

// ParamCounts are the model's parameter counts, the report's 1.2 line.
type ParamCounts struct {
	CLIP, Stage1, Trainable int64
}

// Total is every parameter.
func (c ParamCounts) Total() int64 { return c.CLIP + c.Stage1 + c.Trainable }

// Frozen is CLIP plus Stage 1.
func (c ParamCounts) Frozen() int64 { return c.CLIP + c.Stage1 }

// CountParams counts the head and the frozen parts.
func CountParams(stage1, trainable *model.Params, extra int) ParamCounts {
	return ParamCounts{CLIP: ClipViTL14Visual() + ClipViTL14TextRemainder(), Stage1: stage1.Count(), Trainable: trainable.Count() + int64(extra)}
}

// Print writes the counts with percentages.
func (c ParamCounts) Print(w io.Writer) {
	t := float64(c.Total())
	fmt.Fprintf(w, "Parameters: total %s | trainable %s (%.2f%%) | frozen %s (%.2f%%)\n",
		comma(c.Total()), comma(c.Trainable), 100*float64(c.Trainable)/t, comma(c.Frozen()), 100*float64(c.Frozen())/t)
	fmt.Fprintf(w, "  frozen: CLIP ViT-L/14 %s (visual %s; features are precomputed) + Stage 1 adapter %s\n",
		comma(c.CLIP), comma(ClipViTL14Visual()), comma(c.Stage1))
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
