#!/usr/bin/python3
"""Builds a small random CLIP vision transformer in PyTorch (Debian python3-torch),
written from OpenAI's published architecture (openai/CLIP clip/model.py:
VisionTransformer, ResidualAttentionBlock with nn.MultiheadAttention, QuickGELU), and
writes the parity test data for package clip. Run from the repository root:

    /usr/bin/python3 clip/testdata/gen/gen.py

Outputs (clip/testdata/):
  tiny_openai.safetensors  OpenAI names ("visual.*") plus a few text-tower tensors, F32
  tiny_hf.safetensors      HuggingFace CLIPModel names (q/k/v split, visual_projection
                           transposed, position_ids buffer, a text tensor), F32
  tiny_openai_f16.safetensors  the OpenAI file in float16
  tiny.pt                  torch.save(model.state_dict()) (zip format)
  expected.safetensors     pixel_values, state.0..state.L (residual stream entering block 1
                           and after each block), pooled, embedding, and embedding_f16
                           (the model with float16-rounded weights, run in float32)
Architecture: width 32, 3 layers, 4 heads, patch 8, resolution 32, output 24.
"""
import json
import os
import struct
from collections import OrderedDict

import torch
from torch import nn

WIDTH, LAYERS, HEADS, PATCH, RES, OUT = 32, 3, 4, 8, 32, 24
out_dir = os.path.join(os.path.dirname(__file__), "..")
torch.manual_seed(20240531)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(d_model, d_model * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(d_model * 4, d_model))]))
        self.ln_2 = nn.LayerNorm(d_model)

    def forward(self, x):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class VisionTransformer(nn.Module):
    def __init__(self, res, patch, width, layers, heads, output_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((res // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1])
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        states = [x]
        x = x.permute(1, 0, 2)  # NLD -> LND, as OpenAI's code does
        for blk in self.transformer.resblocks:
            x = blk(x)
            states.append(x.permute(1, 0, 2))
        x = x.permute(1, 0, 2)
        pooled = self.ln_post(x[:, 0, :])
        return states, pooled, pooled @ self.proj


class CLIPLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.visual = VisionTransformer(RES, PATCH, WIDTH, LAYERS, HEADS, OUT)


model = CLIPLike().eval()
# Non-trivial LayerNorm gains and biases everywhere (PyTorch initializes them to 1 and 0
# and MultiheadAttention's biases to 0, which would hide mistakes).
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            p.copy_(0.1 * torch.randn_like(p))
        elif ".ln_" in name:  # LayerNorm gains
            p.copy_(1 + 0.2 * torch.randn_like(p))

sd = OrderedDict((k, v.detach().clone().contiguous()) for k, v in model.state_dict().items())
pixels = torch.randn(2, 3, RES, RES)
with torch.no_grad():
    states, pooled, emb = model.visual(pixels)


def write_safetensors(path, tensors, meta=None):
    codes = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}
    header, blobs, off = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    for name, t in tensors.items():
        b = t.contiguous().numpy().tobytes()  # little-endian machine
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# OpenAI layout (plus text-tower tensors the loader must ignore).
openai = OrderedDict(sd)
openai["token_embedding.weight"] = torch.randn(10, WIDTH)
openai["logit_scale"] = torch.tensor(4.6052)
write_safetensors(os.path.join(out_dir, "tiny_openai.safetensors"), openai, {"format": "pt", "clip.heads": str(HEADS)})
write_safetensors(os.path.join(out_dir, "tiny_openai_f16.safetensors"),
                  OrderedDict((k, v.half()) for k, v in openai.items()), {"clip.heads": str(HEADS)})
torch.save(sd, os.path.join(out_dir, "tiny.pt"))

# HuggingFace CLIPModel layout.
hf = OrderedDict()
v = "vision_model."
hf["text_model.embeddings.token_embedding.weight"] = torch.randn(10, WIDTH)
hf["logit_scale"] = torch.tensor(4.6052)
hf[v + "embeddings.class_embedding"] = sd["visual.class_embedding"]
hf[v + "embeddings.patch_embedding.weight"] = sd["visual.conv1.weight"]
hf[v + "embeddings.position_embedding.weight"] = sd["visual.positional_embedding"]
hf[v + "embeddings.position_ids"] = torch.arange((RES // PATCH) ** 2 + 1).unsqueeze(0)
hf[v + "pre_layrnorm.weight"] = sd["visual.ln_pre.weight"]
hf[v + "pre_layrnorm.bias"] = sd["visual.ln_pre.bias"]
for i in range(LAYERS):
    o, h = f"visual.transformer.resblocks.{i}.", f"{v}encoder.layers.{i}."
    W, B = sd[o + "attn.in_proj_weight"], sd[o + "attn.in_proj_bias"]
    for j, n in enumerate("qkv"):
        hf[h + f"self_attn.{n}_proj.weight"] = W[j * WIDTH:(j + 1) * WIDTH].clone()
        hf[h + f"self_attn.{n}_proj.bias"] = B[j * WIDTH:(j + 1) * WIDTH].clone()
    pairs = [("self_attn.out_proj", "attn.out_proj"), ("layer_norm1", "ln_1"), ("mlp.fc1", "mlp.c_fc"),
             ("mlp.fc2", "mlp.c_proj"), ("layer_norm2", "ln_2")]
    for hn, on in pairs:
        for s in ("weight", "bias"):
            hf[h + hn + "." + s] = sd[o + on + "." + s]
hf[v + "post_layernorm.weight"] = sd["visual.ln_post.weight"]
hf[v + "post_layernorm.bias"] = sd["visual.ln_post.bias"]
hf["visual_projection.weight"] = sd["visual.proj"].t().contiguous()
write_safetensors(os.path.join(out_dir, "tiny_hf.safetensors"), hf)

# Expected outputs, including those of the float16-rounded weights.
exp = OrderedDict(pixel_values=pixels)
for i, s in enumerate(states):
    exp[f"state.{i}"] = s.contiguous()
exp["pooled"] = pooled
exp["embedding"] = emb
model16 = CLIPLike().eval()
model16.load_state_dict(OrderedDict((k, t.half().float()) for k, t in sd.items()))
with torch.no_grad():
    exp["embedding_f16"] = model16.visual(pixels)[2]
write_safetensors(os.path.join(out_dir, "expected.safetensors"), exp)
print("max |embedding|", emb.abs().max().item(), "f16 diff", (exp["embedding_f16"] - emb).abs().max().item())
