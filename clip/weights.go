package clip

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/safetensors"
)

// Layouts of parameter names a checkpoint can use.
const (
	LayoutOpenAI      = "openai"      // visual.conv1.weight, visual.transformer.resblocks.N...
	LayoutHuggingFace = "huggingface" // vision_model.embeddings..., visual_projection.weight
)

// Weights are a vision tower's parameters under canonical (OpenAI, prefix-free) names,
// as float32 row-major arrays.
type Weights struct {
	Arch    Arch
	Layout  string // the layout the weights were imported from
	Prefix  string // the name prefix found in the file, e.g. "visual." or "vision_model."
	Tensors map[string][]float32
	// Notice is a one-line message about an assumption made while importing (the head
	// count when no configuration gives it), or "".
	Notice string
}

// LoadOptions tunes weight import.
type LoadOptions struct {
	// Heads overrides the number of attention heads, which the weights do not determine.
	// 0 uses the configuration (Load: config.json beside the weights, the safetensors
	// metadata's "config" or "clip.heads"), else OpenAI's rule Width/64 with a notice.
	Heads int
	// Act and LayerNormEps override the configuration's hidden_act and layer_norm_eps
	// ("" and 0: the configuration's, else quick_gelu and 1e-5).
	Act          string
	LayerNormEps float64
}

func (o LoadOptions) hparams() HParams {
	return HParams{Heads: o.Heads, Act: o.Act, LayerNormEps: o.LayerNormEps}
}

// source describes where one canonical tensor comes from in a file.
type source struct {
	names []string // file tensor names concatenated along axis 0 (q, k, v) or just one
	shape []int    // expected shape of each file tensor
	trans bool     // stored transposed (HuggingFace's visual_projection)
}

// layout finds the naming layout and prefix used by a tensor map.
func layout(shapes map[string][]int) (kind, prefix string, err error) {
	type cand struct{ kind, prefix string }
	var cands []cand
	for name := range shapes {
		if p, ok := strings.CutSuffix(name, "conv1.weight"); ok && (p == "" || strings.HasSuffix(p, ".")) {
			if _, has := shapes[p+"class_embedding"]; has {
				cands = append(cands, cand{LayoutOpenAI, p})
			}
		}
		if p, ok := strings.CutSuffix(name, "embeddings.patch_embedding.weight"); ok && (p == "" || strings.HasSuffix(p, ".")) {
			cands = append(cands, cand{LayoutHuggingFace, p})
		}
	}
	switch len(cands) {
	case 1:
		return cands[0].kind, cands[0].prefix, nil
	case 0:
		return "", "", fmt.Errorf("no CLIP vision weights found: expected OpenAI names (visual.conv1.weight, visual.class_embedding, ...) or HuggingFace names (vision_model.embeddings.patch_embedding.weight, ...)")
	}
	var found []string
	for _, c := range cands {
		found = append(found, c.prefix+"*")
	}
	sort.Strings(found)
	return "", "", fmt.Errorf("several CLIP vision towers found (%s); keep one per file", strings.Join(found, ", "))
}

// sources maps each canonical tensor of arch to the file tensors holding it.
func sources(kind, prefix string, arch Arch) map[string]source {
	out := map[string]source{}
	w := arch.Width
	for _, s := range arch.tensorSpecs() {
		if kind == LayoutOpenAI {
			out[s.name] = source{names: []string{prefix + s.name}, shape: s.shape}
		}
	}
	if kind == LayoutOpenAI {
		return out
	}
	for _, m := range hfTopNames {
		out[m[1]] = source{names: []string{prefix + m[0]}}
	}
	root := strings.TrimSuffix(prefix, "vision_model.")
	out["proj"] = source{names: []string{root + "visual_projection.weight"}, shape: []int{arch.OutputDim, w}, trans: true}
	for i := 0; i < arch.Layers; i++ {
		layer := prefix + "encoder.layers." + strconv.Itoa(i) + "."
		for _, m := range hfBlockNames {
			out[blockName(i, m[1])] = source{names: []string{layer + m[0]}}
		}
		var ws, bs []string
		for _, qkv := range []string{"q", "k", "v"} {
			ws = append(ws, layer+"self_attn."+qkv+"_proj.weight")
			bs = append(bs, layer+"self_attn."+qkv+"_proj.bias")
		}
		out[blockName(i, "attn.in_proj_weight")] = source{names: ws, shape: []int{w, w}}
		out[blockName(i, "attn.in_proj_bias")] = source{names: bs, shape: []int{w}}
	}
	// Names mapped one to one keep the canonical shape.
	for _, s := range arch.tensorSpecs() {
		if src := out[s.name]; src.shape == nil {
			src.shape = s.shape
			out[s.name] = src
		}
	}
	return out
}

// InferArch determines the architecture from tensor shapes (any supported layout). heads
// overrides the head count (0: Width/64). It also returns the layout and name prefix.
func InferArch(shapes map[string][]int, heads int) (arch Arch, kind, prefix string, err error) {
	arch, kind, prefix, err = inferShapes(shapes)
	if err != nil {
		return Arch{}, "", "", err
	}
	if _, err := (HParams{Heads: heads}).apply(&arch); err != nil {
		return Arch{}, "", "", err
	}
	return arch, kind, prefix, nil
}

// inferShapes is InferArch without the head count (left 0).
func inferShapes(shapes map[string][]int) (arch Arch, kind, prefix string, err error) {
	kind, prefix, err = layout(shapes)
	if err != nil {
		return Arch{}, "", "", err
	}
	convName, posName, projName := prefix+"conv1.weight", prefix+"positional_embedding", prefix+"proj"
	blockPrefix := func(i int) string { return prefix + "transformer.resblocks." + strconv.Itoa(i) + "." }
	projOut := 1
	if kind == LayoutHuggingFace {
		convName = prefix + "embeddings.patch_embedding.weight"
		posName = prefix + "embeddings.position_embedding.weight"
		projName = strings.TrimSuffix(prefix, "vision_model.") + "visual_projection.weight"
		blockPrefix = func(i int) string { return prefix + "encoder.layers." + strconv.Itoa(i) + "." }
		projOut = 0
	}
	conv := shapes[convName]
	if len(conv) != 4 || conv[1] != 3 || conv[2] != conv[3] {
		return Arch{}, "", "", &ShapeError{Name: convName, Expected: []int{-1, 3, -1, -1}, Found: conv}
	}
	arch.Width, arch.Patch = conv[0], conv[2]
	pos, ok := shapes[posName]
	if !ok {
		return Arch{}, "", "", &MissingError{Name: posName, Expected: []int{-1, arch.Width}}
	}
	if len(pos) != 2 || pos[0] < 2 {
		return Arch{}, "", "", fmt.Errorf("tensor %q: shape %v is not [grid*grid+1, width]", posName, pos)
	}
	grid := int(math.Round(math.Sqrt(float64(pos[0] - 1))))
	if grid*grid+1 != pos[0] {
		return Arch{}, "", "", fmt.Errorf("tensor %q: shape %v is not [grid*grid+1, width]", posName, pos)
	}
	arch.Resolution = grid * arch.Patch
	proj, ok := shapes[projName]
	if !ok {
		return Arch{}, "", "", &MissingError{Name: projName, Expected: []int{-1, -1}}
	}
	if len(proj) != 2 {
		return Arch{}, "", "", &ShapeError{Name: projName, Expected: []int{-1, -1}, Found: proj}
	}
	arch.OutputDim = proj[projOut]
	has := func(p string) bool {
		for name := range shapes {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
	for has(blockPrefix(arch.Layers)) {
		arch.Layers++
	}
	return arch, kind, prefix, nil
}

// FromTensors imports vision-tower weights from a tensor map in either layout (other
// tensors, e.g. the text tower's, are ignored). A missing tensor is a *MissingError and a
// mis-shaped one a *ShapeError, both naming the tensor as the file does.
func FromTensors(tensors map[string]safetensors.Tensor, opts LoadOptions) (*Weights, error) {
	return fromTensors(tensors, opts.hparams())
}

// fromTensors is FromTensors with the resolved configuration hp.
func fromTensors(tensors map[string]safetensors.Tensor, hp HParams) (*Weights, error) {
	shapes := make(map[string][]int, len(tensors))
	for name, t := range tensors {
		shapes[name] = t.Shape
	}
	arch, kind, prefix, err := inferShapes(shapes)
	if err != nil {
		return nil, fmt.Errorf("clip: %w", err)
	}
	notice, err := hp.apply(&arch)
	if err != nil {
		return nil, err
	}
	out := &Weights{Arch: arch, Layout: kind, Prefix: prefix, Tensors: map[string][]float32{}, Notice: notice}
	srcs := sources(kind, prefix, arch)
	for _, spec := range arch.tensorSpecs() {
		src := srcs[spec.name]
		data, err := gather(tensors, src)
		if err != nil {
			return nil, fmt.Errorf("clip: %w", err)
		}
		if src.trans {
			data = transpose2D(data, src.shape[0], src.shape[1])
		}
		out.Tensors[spec.name] = data
	}
	return out, nil
}

// gather checks and concatenates the file tensors of one canonical tensor.
func gather(tensors map[string]safetensors.Tensor, src source) ([]float32, error) {
	var data []float32
	for _, name := range src.names {
		t, ok := tensors[name]
		if !ok {
			return nil, &MissingError{Name: name, Expected: src.shape}
		}
		if !shapeEqual(t.Shape, src.shape) {
			return nil, &ShapeError{Name: name, Expected: src.shape, Found: t.Shape}
		}
		if t.F32 == nil {
			return nil, fmt.Errorf("tensor %q has dtype %s, want a floating-point type", name, t.DType)
		}
		if len(src.names) == 1 {
			return t.F32, nil
		}
		data = append(data, t.F32...)
	}
	return data, nil
}

func transpose2D(x []float32, rows, cols int) []float32 {
	out := make([]float32, len(x))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = x[r*cols+c]
		}
	}
	return out
}
