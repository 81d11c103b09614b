package clip

import (
	"fmt"
	"strconv"
)

// Weights use OpenAI's parameter names, without the "visual." prefix, as the canonical
// names (e.g. "transformer.resblocks.3.attn.in_proj_weight").

// tensorSpec is one canonical weight and its expected shape.
type tensorSpec struct {
	name  string
	shape []int
}

func blockName(i int, suffix string) string {
	return "transformer.resblocks." + strconv.Itoa(i) + "." + suffix
}

// tensorSpecs lists every canonical weight of the architecture with its shape, in the order
// of OpenAI's state dict.
func (a Arch) tensorSpecs() []tensorSpec {
	w, p := a.Width, a.Patch
	specs := []tensorSpec{
		{"class_embedding", []int{w}},
		{"positional_embedding", []int{a.Tokens(), w}},
		{"proj", []int{w, a.OutputDim}},
		{"conv1.weight", []int{w, 3, p, p}},
		{"ln_pre.weight", []int{w}},
		{"ln_pre.bias", []int{w}},
	}
	for i := 0; i < a.Layers; i++ {
		specs = append(specs,
			tensorSpec{blockName(i, "attn.in_proj_weight"), []int{3 * w, w}},
			tensorSpec{blockName(i, "attn.in_proj_bias"), []int{3 * w}},
			tensorSpec{blockName(i, "attn.out_proj.weight"), []int{w, w}},
			tensorSpec{blockName(i, "attn.out_proj.bias"), []int{w}},
			tensorSpec{blockName(i, "ln_1.weight"), []int{w}},
			tensorSpec{blockName(i, "ln_1.bias"), []int{w}},
			tensorSpec{blockName(i, "mlp.c_fc.weight"), []int{a.MLPWidth(), w}},
			tensorSpec{blockName(i, "mlp.c_fc.bias"), []int{a.MLPWidth()}},
			tensorSpec{blockName(i, "mlp.c_proj.weight"), []int{w, a.MLPWidth()}},
			tensorSpec{blockName(i, "mlp.c_proj.bias"), []int{w}},
			tensorSpec{blockName(i, "ln_2.weight"), []int{w}},
			tensorSpec{blockName(i, "ln_2.bias"), []int{w}},
		)
	}
	return append(specs,
		tensorSpec{"ln_post.weight", []int{w}},
		tensorSpec{"ln_post.bias", []int{w}},
	)
}

// hfBlockNames maps HuggingFace per-layer suffixes to OpenAI ones (q/k/v are handled apart).
var hfBlockNames = [][2]string{
	{"self_attn.out_proj.weight", "attn.out_proj.weight"},
	{"self_attn.out_proj.bias", "attn.out_proj.bias"},
	{"layer_norm1.weight", "ln_1.weight"},
	{"layer_norm1.bias", "ln_1.bias"},
	{"mlp.fc1.weight", "mlp.c_fc.weight"},
	{"mlp.fc1.bias", "mlp.c_fc.bias"},
	{"mlp.fc2.weight", "mlp.c_proj.weight"},
	{"mlp.fc2.bias", "mlp.c_proj.bias"},
	{"layer_norm2.weight", "ln_2.weight"},
	{"layer_norm2.bias", "ln_2.bias"},
}

// hfTopNames maps HuggingFace names (relative to the vision_model prefix) to OpenAI ones.
var hfTopNames = [][2]string{
	{"embeddings.patch_embedding.weight", "conv1.weight"},
	{"embeddings.class_embedding", "class_embedding"},
	{"embeddings.position_embedding.weight", "positional_embedding"},
	{"pre_layrnorm.weight", "ln_pre.weight"},
	{"pre_layrnorm.bias", "ln_pre.bias"},
	{"post_layernorm.weight", "ln_post.weight"},
	{"post_layernorm.bias", "ln_post.bias"},
}

func shapeEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ShapeError reports a weight whose shape differs from what the architecture needs.
type ShapeError struct {
	Name     string // the tensor's name in the file
	Expected []int
	Found    []int
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("tensor %q: expected shape %v, found %v", e.Name, e.Expected, e.Found)
}

// MissingError reports a weight the architecture needs but the file lacks.
type MissingError struct {
	Name     string // the tensor's name in the file's layout
	Expected []int
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("tensor %q (expected shape %v) is missing", e.Name, e.Expected)
}
