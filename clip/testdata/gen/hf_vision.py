#!/usr/bin/python3
"""A tiny HuggingFace-layout CLIP vision tower whose attention heads are not 64 wide, for
package clip's configuration test (config.json read beside the weights).

The model is HuggingFace's CLIPVisionModelWithProjection forward written here in PyTorch
(Debian python3-torch; transformers is not used) from its published architecture:
CLIPVisionEmbeddings (bias-free patch convolution, class embedding, learned position
embedding), pre_layrnorm, encoder layers (layer_norm1, self-attention with separate
q/k/v/out projections and logits scaled by head_dim**-0.5, residual, layer_norm2,
fc1-act-fc2, residual), post_layernorm of the class token and the bias-free
visual_projection. hidden_act is "gelu" (exact) and layer_norm_eps 1e-6, so that the
activation and the epsilon are read from the configuration too.

Run from the repository root:

    /usr/bin/python3 clip/testdata/gen/hf_vision.py

Outputs (clip/testdata/):
  hf_vision/model.safetensors  HuggingFace names (vision_model.*, visual_projection.weight)
  hf_vision/config.json        CLIPVisionConfig keys, num_attention_heads 4 (head dim 16)
  hf_vision_expected.safetensors  pixel_values, pooled, embedding
"""
import json
import os
import struct
from collections import OrderedDict

import torch
from torch import nn
import torch.nn.functional as F

CFG = {
    "architectures": ["CLIPVisionModelWithProjection"],
    "model_type": "clip_vision_model",
    "hidden_size": 64, "intermediate_size": 256, "num_attention_heads": 4,
    "num_hidden_layers": 1, "image_size": 32, "patch_size": 8, "projection_dim": 24,
    "hidden_act": "gelu", "layer_norm_eps": 1e-6, "num_channels": 3,
}
W, HEADS, LAYERS, RES, PATCH, OUT = (CFG["hidden_size"], CFG["num_attention_heads"],
                                     CFG["num_hidden_layers"], CFG["image_size"],
                                     CFG["patch_size"], CFG["projection_dim"])
EPS = CFG["layer_norm_eps"]
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.dirname(HERE)
torch.manual_seed(20261205)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q_proj, self.k_proj = nn.Linear(W, W), nn.Linear(W, W)
        self.v_proj, self.out_proj = nn.Linear(W, W), nn.Linear(W, W)

    def forward(self, x):
        b, t, _ = x.shape
        d = W // HEADS
        split = lambda y: y.reshape(b, t, HEADS, d).transpose(1, 2)  # b h t d
        q = split(self.q_proj(x)) * d ** -0.5
        k, v = split(self.k_proj(x)), split(self.v_proj(x))
        a = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        return self.out_proj((a @ v).transpose(1, 2).reshape(b, t, W))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn = Attention()
        self.layer_norm1 = nn.LayerNorm(W, eps=EPS)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(W, CFG["intermediate_size"])
        self.mlp.fc2 = nn.Linear(CFG["intermediate_size"], W)
        self.layer_norm2 = nn.LayerNorm(W, eps=EPS)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.layer_norm2(x))))


class VisionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = nn.Module()
        self.embeddings.class_embedding = nn.Parameter(torch.randn(W))
        self.embeddings.patch_embedding = nn.Conv2d(3, W, PATCH, PATCH, bias=False)
        self.embeddings.position_embedding = nn.Embedding((RES // PATCH) ** 2 + 1, W)
        self.pre_layrnorm = nn.LayerNorm(W, eps=EPS)
        self.encoder = nn.Module()
        self.encoder.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.post_layernorm = nn.LayerNorm(W, eps=EPS)

    def forward(self, pixels):
        e = self.embeddings
        x = e.patch_embedding(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([e.class_embedding.expand(x.shape[0], 1, W), x], dim=1) + e.position_embedding.weight
        x = self.pre_layrnorm(x)
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x[:, 0, :])


class WithProjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.vision_model = VisionModel()
        self.visual_projection = nn.Linear(W, OUT, bias=False)

    def forward(self, pixels):
        pooled = self.vision_model(pixels)
        return pooled, self.visual_projection(pooled)


model = WithProjection().eval()
with torch.no_grad():  # non-trivial LayerNorm gains and biases
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            p.copy_(0.1 * torch.randn_like(p))
        elif "norm" in name:
            p.copy_(1 + 0.2 * torch.randn_like(p))
pixels = torch.randn(2, 3, RES, RES)
with torch.no_grad():
    pooled, emb = model(pixels)


def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().tobytes()  # little-endian machine
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


os.makedirs(os.path.join(OUT_DIR, "hf_vision"), exist_ok=True)
write_safetensors(os.path.join(OUT_DIR, "hf_vision", "model.safetensors"),
                  OrderedDict((k, v.detach()) for k, v in model.state_dict().items()))
with open(os.path.join(OUT_DIR, "hf_vision", "config.json"), "w") as f:
    json.dump(CFG, f, indent=2)
    f.write("\n")
write_safetensors(os.path.join(OUT_DIR, "hf_vision_expected.safetensors"),
                  OrderedDict(pixel_values=pixels, pooled=pooled, embedding=emb))
print("max |embedding|", emb.abs().max().item())
