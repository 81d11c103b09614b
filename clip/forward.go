package clip

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's idiom for graph code.
)

// layerNormEps is CLIP's (and PyTorch's default) LayerNorm epsilon; GoMLX's default of
// 1e-3 would change the embeddings.
const layerNormEps = 1e-5

// quickGELUAlpha is the constant of CLIP's QuickGELU, x * sigmoid(1.702 x).
const quickGELUAlpha = 1.702

// Outputs are the nodes Forward builds.
type Outputs struct {
	Embedding *Node   // [batch, OutputDim]: ln_post(class token) @ proj (not normalized)
	Pooled    *Node   // [batch, Width]: ln_post(class token), before the projection
	States    []*Node // [batch, Tokens, Width] residual streams after the requested layers
}

// Forward builds the vision transformer on pixels ([batch, 3, Resolution, Resolution],
// normalized). get returns the node of a canonical weight (see Weights.Tensors; the
// attention input projection is read as "...attn.in_proj_weight" [3W, W]). layers lists
// the residual-stream states to return: k in 1..Layers is the stream after block k, and 0 the
// stream entering block 1 (after ln_pre).
func Forward(arch Arch, get func(name string) *Node, pixels *Node, layers []int) (Outputs, error) {
	dims := pixels.Shape().Dimensions
	if len(dims) != 4 || dims[1] != 3 || dims[2] != arch.Resolution || dims[3] != arch.Resolution {
		return Outputs{}, fmt.Errorf("clip: pixels have shape %v, want [batch, 3, %d, %d]", dims, arch.Resolution, arch.Resolution)
	}
	want := map[int]int{} // layer -> position in States
	for i, l := range layers {
		if l < 0 || l > arch.Layers {
			return Outputs{}, fmt.Errorf("clip: layer %d out of range 0..%d", l, arch.Layers)
		}
		want[l] = i
	}
	batch, width := dims[0], arch.Width
	out := Outputs{States: make([]*Node, len(layers))}

	x := patchEmbed(arch, get("conv1.weight"), pixels)
	cls := BroadcastToDims(Reshape(get("class_embedding"), 1, 1, width), batch, 1, width)
	x = Concatenate([]*Node{cls, x}, 1)
	x = Add(x, BroadcastToDims(Reshape(get("positional_embedding"), 1, arch.Tokens(), width), batch, arch.Tokens(), width))
	x = layerNorm(x, get("ln_pre.weight"), get("ln_pre.bias"), arch.lnEps())
	record := func(l int) {
		if i, ok := want[l]; ok {
			out.States[i] = x
		}
	}
	record(0)
	for l := 0; l < arch.Layers; l++ {
		p := func(s string) *Node { return get(blockName(l, s)) }
		h := layerNorm(x, p("ln_1.weight"), p("ln_1.bias"), arch.lnEps())
		x = Add(x, attention(arch, h, p("attn.in_proj_weight"), p("attn.in_proj_bias"), p("attn.out_proj.weight"), p("attn.out_proj.bias")))
		h = layerNorm(x, p("ln_2.weight"), p("ln_2.bias"), arch.lnEps())
		h = linear(h, p("mlp.c_fc.weight"), p("mlp.c_fc.bias"))
		h = activation(arch, h)
		x = Add(x, linear(h, p("mlp.c_proj.weight"), p("mlp.c_proj.bias")))
		record(l + 1)
	}
	cls = Reshape(Slice(x, AxisRange(), AxisElem(0), AxisRange()), batch, width)
	out.Pooled = layerNorm(cls, get("ln_post.weight"), get("ln_post.bias"), arch.lnEps())
	out.Embedding = Einsum("bw,wo->bo", out.Pooled, get("proj"))
	return out, nil
}

// patchEmbed is the stride=patch, bias-free convolution conv1, computed as patch
// extraction (reshape/transpose) plus one matmul, which is exact because the patches do
// not overlap. Returns [batch, grid*grid, width], patches in row-major order.
func patchEmbed(arch Arch, kernel, pixels *Node) *Node {
	b, g, p := pixels.Shape().Dimensions[0], arch.Grid(), arch.Patch
	x := Reshape(pixels, b, 3, g, p, g, p)    // b c gy py gx px
	x = TransposeAllDims(x, 0, 2, 4, 1, 3, 5) // b gy gx c py px
	x = Reshape(x, b, g*g, 3*p*p)             // b tokens (c py px)
	k := Reshape(kernel, arch.Width, 3*p*p)   // w (c py px)
	return Einsum("btk,wk->btw", x, k)
}

// linear is x @ weight^T + bias with PyTorch's [out, in] weight layout.
func linear(x, weight, bias *Node) *Node {
	y := Einsum("btk,ok->bto", x, weight)
	return Add(y, broadcastLeft(bias, y.Shape().Dimensions))
}

// activation is the MLP's activation: QuickGELU, or the exact GELU under ActGELU.
func activation(arch Arch, h *Node) *Node {
	if arch.Act == ActGELU {
		return Mul(MulScalar(h, 0.5), AddScalar(Erf(MulScalar(h, 1/math.Sqrt2)), 1))
	}
	return Mul(h, Sigmoid(MulScalar(h, quickGELUAlpha)))
}

// layerNorm normalizes over the last axis with epsilon eps.
func layerNorm(x, gain, bias *Node, eps float64) *Node {
	last := x.Rank() - 1
	mean := ReduceAndKeep(x, ReduceMean, last)
	centered := Sub(x, mean)
	variance := ReduceAndKeep(Square(centered), ReduceMean, last)
	y := Mul(centered, Rsqrt(AddScalar(variance, eps)))
	dims := x.Shape().Dimensions
	return Add(Mul(y, broadcastLeft(gain, dims)), broadcastLeft(bias, dims))
}

// attention is multi-head self-attention with logits scaled by 1/sqrt(head_dim), with
// PyTorch's packed in_proj ([q; k; v] rows) and out_proj.
func attention(arch Arch, x, inW, inB, outW, outB *Node) *Node {
	dims := x.Shape().Dimensions
	b, t, w, h, d := dims[0], dims[1], arch.Width, arch.Heads, arch.HeadDim()
	// [3W, W] -> [3, H, D, W]: one matmul gives q, k, v for every head.
	qkv := Einsum("btk,shdk->bshtd", x, Reshape(inW, 3, h, d, w))
	qkv = Add(qkv, BroadcastToDims(Reshape(inB, 1, 3, h, 1, d), b, 3, h, t, d))
	q := Reshape(Slice(qkv, AxisRange(), AxisElem(0)), b, h, t, d)
	k := Reshape(Slice(qkv, AxisRange(), AxisElem(1)), b, h, t, d)
	v := Reshape(Slice(qkv, AxisRange(), AxisElem(2)), b, h, t, d)
	logits := MulScalar(Einsum("bhqd,bhkd->bhqk", q, k), 1/math.Sqrt(float64(d)))
	att := Einsum("bhqk,bhkd->bhqd", Softmax(logits, -1), v)
	// [b, h, t, d] x out_proj [W, (h d)] -> [b, t, W]
	y := Einsum("bhtd,ohd->bto", att, Reshape(outW, w, h, d))
	return Add(y, broadcastLeft(outB, []int{b, t, w}))
}

// broadcastLeft broadcasts x to dims, aligning x's axes with the last axes of dims
// (NumPy's rule; GoMLX's BroadcastToDims aligns the first axes).
func broadcastLeft(x *Node, dims []int) *Node {
	return BroadcastToDims(ExpandLeftToRank(x, len(dims)), dims...)
}
