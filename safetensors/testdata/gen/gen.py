#!/usr/bin/python3
"""Writes safetensors/testdata/mixed.safetensors and mixed.json.

The safetensors file is written by hand following the format specification
(8-byte little-endian header length, JSON header, raw little-endian data), with
PyTorch (Debian python3-torch) producing the F16/BF16 bit patterns and the
expected float32 values they convert to. Run from the repository root:

    /usr/bin/python3 safetensors/testdata/gen/gen.py
"""
import json
import os
import struct

import torch

torch.manual_seed(7)
out = os.path.join(os.path.dirname(__file__), "..")

vals = torch.randn(2, 3) * 3
tensors = {
    # name: (dtype name, tensor in that dtype)
    "f32.matrix": ("F32", vals.clone()),
    "f16.matrix": ("F16", vals.to(torch.float16)),
    "bf16.matrix": ("BF16", vals.to(torch.bfloat16)),
    "f64.vector": ("F64", torch.tensor([1.0 / 3.0, -2.5e-300, 1e10], dtype=torch.float64)),
    "i64.vector": ("I64", torch.tensor([-(2**40), 0, 7], dtype=torch.int64)),
    "i32.vector": ("I32", torch.tensor([-5, 2**30], dtype=torch.int32)),
    "u8.vector": ("U8", torch.tensor([0, 255], dtype=torch.uint8)),
    "f32.scalar": ("F32", torch.tensor(1.5)),
    "f16.special": ("F16", torch.tensor([65504.0, 6e-8, float("inf"), -0.0], dtype=torch.float16)),
}


def raw_bytes(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().tobytes()  # the machine is little-endian


header = {"__metadata__": {"format": "pt", "source": "gen.py"}}
data = b""
order = ["bf16.matrix", "f32.matrix", "f16.matrix", "f64.vector", "i64.vector", "i32.vector", "u8.vector", "f32.scalar", "f16.special"]
for name in order:
    dtype, t = tensors[name]
    b = raw_bytes(t)
    header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(b)]}
    data += b
hjs = json.dumps(header).encode()
with open(os.path.join(out, "mixed.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(hjs)))
    f.write(hjs)
    f.write(data)


def expect(t):
    if t.is_floating_point():
        v = t.to(torch.float32).flatten().tolist()
        return {"f32": [repr(x) for x in v]}
    return {"i64": t.flatten().tolist()}


golden = {"order": order, "metadata": header["__metadata__"], "tensors": {}}
for name in order:
    dtype, t = tensors[name]
    e = {"dtype": dtype, "shape": list(t.shape)}
    e.update(expect(t))
    if dtype == "F64":
        e["f64"] = [repr(x) for x in t.flatten().tolist()]
    golden["tensors"][name] = e
with open(os.path.join(out, "mixed.json"), "w") as f:
    json.dump(golden, f, indent=1)
