#!/usr/bin/python3
"""Writes the torchfile test archives and their expected contents with PyTorch
(Debian python3-torch). Run from the repository root:

    /usr/bin/python3 torchfile/testdata/gen/gen.py

Outputs (torchfile/testdata/):
  stage1.pt   a Stage-1-like checkpoint {"model_state_dict": ..., "epoch", "best_loss"}
  mixed.pt    dtypes, strided/offset views, shared storages, nesting, numpy scalars
  script.pt   a TorchScript archive (torch.jit.save of a scripted module)
  legacy.pt   the pre-1.6 non-zip format (must be rejected with a clear error)
  expected.json  tensors (shape, dtype, float32 values as repr strings) and values
"""
import json
import os

import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
out = os.path.join(os.path.dirname(__file__), "..")
expected = {}


class Adapter(nn.Module):
    def __init__(self):
        super().__init__()
        self.adapter = nn.Sequential(
            nn.Linear(8, 6), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(6, 6), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(6, 8))


class Stage1(nn.Module):
    def __init__(self):
        super().__init__()
        self.additive_adapter = Adapter()
        self.head = nn.Linear(8, 2)


def describe(t):
    d = {"dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                   torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
                   torch.uint8: "U8", torch.bool: "BOOL"}[t.dtype],
         "shape": list(t.shape)}
    if t.is_floating_point():
        d["f32"] = [repr(x) for x in t.to(torch.float32).flatten().tolist()]
    else:
        d["i64"] = [int(x) for x in t.to(torch.int64).flatten().tolist()]
    return d


def record(name, tensors, values):
    expected[name] = {"tensors": {k: describe(v) for k, v in tensors.items()}, "values": values}


# 1. Stage-1-like checkpoint, as the original training script saves it.
model = Stage1()
ckpt = {"model_state_dict": model.state_dict(), "epoch": 5, "best_loss": 0.3}
torch.save(ckpt, os.path.join(out, "stage1.pt"))
record("stage1.pt", {"model_state_dict." + k: v for k, v in model.state_dict().items()},
       {"epoch": 5, "best_loss": 0.3})

# 2. dtypes, views and nesting.
base = torch.randn(4, 6)
half = torch.randn(3, 2).half()
shared = torch.arange(10, dtype=torch.float32)
mixed = {
    "f32": torch.randn(2, 3),
    "f16": half,
    "bf16": torch.randn(5).bfloat16(),
    "f64": torch.tensor([1.0 / 3.0, 1e-300], dtype=torch.float64),
    "i64": torch.tensor([[-(2**40), 1], [2, 3]]),
    "i32": torch.tensor([7, -7], dtype=torch.int32),
    "u8": torch.tensor([0, 200], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "transposed": base.t(),                      # strides (1, 6)
    "sliced": base[1:, ::2],                     # offset 6, strides (6, 2)
    "shared_a": shared[2:5],                     # two views of one storage
    "shared_b": shared.view(2, 5),
    "half_t": half.t(),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 3),
    "nested": {"list": [torch.ones(2), 4, "x"], "tuple": (1.5, None, True)},
    "np_f64": np.float64(0.125),
    "np_i64": np.int64(-9),
    "name": "mixed",
}
torch.save(mixed, os.path.join(out, "mixed.pt"))
flat_t = {k: v for k, v in mixed.items() if isinstance(v, torch.Tensor)}
flat_t["nested.list.0"] = mixed["nested"]["list"][0]
record("mixed.pt", flat_t, {
    "nested.list.1": 4, "nested.list.2": "x",
    "nested.tuple.0": 1.5, "nested.tuple.1": None, "nested.tuple.2": True,
    "np_f64": 0.125, "np_i64": -9, "name": "mixed"})


# 3. TorchScript archive, the format of OpenAI's released CLIP .pt files.
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(4)
        self.attn = nn.MultiheadAttention(4, 2)
        self.mlp = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 4))

    def forward(self, x):
        return self.mlp(self.ln_1(x))


class Visual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 2, 2, bias=False)
        self.proj = nn.Parameter(torch.randn(4, 3))
        self.resblocks = nn.Sequential(Block(), Block())

    def forward(self, x):
        return self.resblocks(x) @ self.proj


class Top(nn.Module):
    def __init__(self):
        super().__init__()
        self.visual = Visual().half()
        self.logit_scale = nn.Parameter(torch.tensor(4.6))

    def forward(self, x):
        return self.visual(x.half()) * self.logit_scale


top = Top()
torch.jit.save(torch.jit.script(top), os.path.join(out, "script.pt"))
record("script.pt", dict(top.state_dict()), {})

# 4. Legacy format.
torch.save({"w": torch.ones(2)}, os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=0)
