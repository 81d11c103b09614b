#!/usr/bin/python3
"""Pooled patch tokens of the tiny CLIP tower (gen.py's tiny.pt) in PyTorch (Debian
python3-torch), for package clip's PatchTokens test. Run from the repository root after
gen.py:

    /usr/bin/python3 clip/testdata/gen/patches.py

The tower is run from the state dict with torch.nn.functional (OpenAI's published
architecture, as gen.py); the class-token embedding is checked against gen.py's
expected.safetensors first. Patch tokens: the last block's output without the class
token, ln_post, projection, then F.adaptive_avg_pool2d over the 4 x 4 patch grid to
g x g (g = 1, 2, 3, 4; 3 does not divide 4, so cells overlap as adaptive pooling does).

Output: clip/testdata/patches.safetensors with tokens.g<g> [batch, g*g, out].
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
WIDTH, LAYERS, HEADS, PATCH, RES, OUTDIM = 32, 3, 4, 8, 32, 24


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        assert h["dtype"] == "F32", name
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(h["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def tower(sd, pixels):
    v = lambda k: sd["visual." + k]
    x = F.conv2d(pixels, v("conv1.weight"), stride=PATCH)
    x = x.reshape(x.shape[0], WIDTH, -1).permute(0, 2, 1)
    cls = v("class_embedding") + torch.zeros(x.shape[0], 1, WIDTH)
    x = torch.cat([cls, x], dim=1) + v("positional_embedding")
    x = F.layer_norm(x, (WIDTH,), v("ln_pre.weight"), v("ln_pre.bias"))
    x = x.permute(1, 0, 2)
    for i in range(LAYERS):
        b = lambda k: v(f"transformer.resblocks.{i}.{k}")
        h = F.layer_norm(x, (WIDTH,), b("ln_1.weight"), b("ln_1.bias"))
        a, _ = F.multi_head_attention_forward(h, h, h, WIDTH, HEADS, b("attn.in_proj_weight"), b("attn.in_proj_bias"),
                                              None, None, False, 0.0, b("attn.out_proj.weight"), b("attn.out_proj.bias"),
                                              training=False, need_weights=False)
        x = x + a
        h = F.layer_norm(x, (WIDTH,), b("ln_2.weight"), b("ln_2.bias"))
        h = F.linear(h, b("mlp.c_fc.weight"), b("mlp.c_fc.bias"))
        x = x + F.linear(h * torch.sigmoid(1.702 * h), b("mlp.c_proj.weight"), b("mlp.c_proj.bias"))
    x = F.layer_norm(x.permute(1, 0, 2), (WIDTH,), v("ln_post.weight"), v("ln_post.bias"))
    return x @ v("proj")  # [batch, tokens, out]: class token first


def main():
    sd = torch.load(os.path.join(OUT, "tiny.pt"))
    exp = read_safetensors(os.path.join(OUT, "expected.safetensors"))
    pixels = exp["pixel_values"]
    with torch.no_grad():
        y = tower(sd, pixels)
    err = (y[:, 0] - exp["embedding"]).abs().max().item()
    print(f"class-token embedding vs expected.safetensors: max |diff| {err:.2g}")
    assert err < 1e-5
    n, grid = pixels.shape[0], RES // PATCH
    patches = y[:, 1:].reshape(n, grid, grid, OUTDIM).permute(0, 3, 1, 2)  # [n, out, gy, gx]
    out = {}
    for g in (1, 2, 3, 4):
        pooled = F.adaptive_avg_pool2d(patches, g)  # [n, out, g, g]
        out[f"tokens.g{g}"] = pooled.permute(0, 2, 3, 1).reshape(n, g * g, OUTDIM)
    write_safetensors(os.path.join(OUT, "patches.safetensors"), out)


if __name__ == "__main__":
    main()
