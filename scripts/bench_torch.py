#!/usr/bin/python3
"""PyTorch side of scripts/bench-vs-pytorch.sh: one measurement per run, printed as
lines "RESULT <name> <value> <unit>" so the shell script can compare it with fairclip.
Names ending in @cpu use the process CPU time instead of the wall clock: on a machine
shared with other work they show the code's own speed.

  bench_torch.py matmul M K N [--seconds S]   GFLOP/s of (M×K)·(K×N) (NN) and of
                                              F.linear with a N×K weight (NT), best of repeats
  bench_torch.py vit [--batch B] [--runs R]   seconds per image of a ViT-L/14 image tower
                                              (OpenAI CLIP layout, random weights, 224²)
  bench_torch.py epoch                        train/testdata/gen/parity.py --bench (Stage 2
                                              FF++-sized epoch), seconds per epoch
  bench_torch.py stage1 [--batches N]         train/testdata/gen/stage1_bench.py (Stage 1
                                              FF++-sized epoch), seconds per epoch and for its
                                              training part; --batches N times N of the 1,250
                                              training batches and scales (default: all)

--threads T sets torch.set_num_threads(T). Thread/BLAS environment (OMP_WAIT_POLICY,
OPENBLAS_CORETYPE) is set by the caller, since OpenBLAS reads it at load time.
"""
import argparse
import os
import re
import runpy
import sys
import time
import io
import contextlib

import torch
import torch.nn as nn
import torch.nn.functional as F


def matmul(m, k, n, seconds):
    torch.manual_seed(0)
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    w = b.t().contiguous()  # N×K, PyTorch's Linear layout
    flops = 2.0 * m * k * n
    for name, fn in (("NN", lambda: torch.mm(a, b)), ("NT", lambda: F.linear(a, w))):
        fn()
        best, best_cpu = 0.0, 0.0
        for _ in range(3):
            reps, t0, c0 = 0, time.perf_counter(), time.process_time()
            while True:
                fn()
                reps += 1
                dt = time.perf_counter() - t0
                if dt >= seconds / 3:
                    break
            best = max(best, flops * reps / dt / 1e9)
            best_cpu = max(best_cpu, flops * reps / (time.process_time() - c0) / 1e9)
        print(f"RESULT matmul/{m}x{k}x{n}/{name} {best:.1f} GFLOP/s")
        print(f"RESULT matmul/{m}x{k}x{n}/{name}@cpu {best_cpu:.1f} GFLOP/cpu-s")


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), QuickGELU(), nn.Linear(4 * width, width))
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class VisionTower(nn.Module):
    """CLIP ViT image tower: patch conv, class token, positions, pre-LN blocks, projection."""

    def __init__(self, width=1024, layers=24, heads=16, patch=14, resolution=224, output_dim=768):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        scale = width ** -0.5
        grid = resolution // patch
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.blocks = nn.Sequential(*[Block(width, heads) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.blocks(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


def vit(batch, runs):
    torch.manual_seed(0)
    model = VisionTower().eval()
    x = torch.randn(batch, 3, 224, 224)
    best, best_cpu = float("inf"), float("inf")
    with torch.no_grad():
        model(x[:1])  # warm-up
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            model(x)
            best = min(best, (time.perf_counter() - t0) / batch)
            best_cpu = min(best_cpu, (time.process_time() - c0) / batch)
    print(f"RESULT vitl14/batch{batch} {best:.3f} s/image")
    print(f"RESULT vitl14/batch{batch}@cpu {best_cpu:.3f} cpu-s/image")


def epoch():
    here = os.path.dirname(os.path.abspath(__file__))
    parity = os.path.join(here, "..", "train", "testdata", "gen", "parity.py")
    out = io.StringIO()
    sys.argv = [parity, "--bench"]
    with contextlib.redirect_stdout(out):
        runpy.run_path(parity, run_name="__main__")
    text = out.getvalue()
    sys.stderr.write(text)
    m = re.search(r"epoch ([0-9.]+)s", text)
    if not m:
        sys.exit("parity.py --bench printed no epoch time: " + text)
    print(f"RESULT epoch/ffpp {m.group(1)} s/epoch")


def stage1(batches):
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "train", "testdata", "gen", "stage1_bench.py")
    out = io.StringIO()
    sys.argv = [script] + (["--batches", str(batches)] if batches > 0 else [])
    with contextlib.redirect_stdout(out):
        runpy.run_path(script, run_name="__main__")
    text = out.getvalue()
    sys.stderr.write(text)
    train = re.search(r"train [^:]*: ([0-9.]+)s", text)
    epoch = re.search(r"epoch ([0-9.]+)s", text)
    if not train or not epoch:
        sys.exit("stage1_bench.py printed no epoch time: " + text)
    print(f"RESULT epoch/stage1 {epoch.group(1)} s/epoch")
    print(f"RESULT epoch/stage1-train {train.group(1)} s/epoch")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["matmul", "vit", "epoch", "stage1"])
    p.add_argument("dims", nargs="*", type=int)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--batches", type=int, default=0)
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.what == "matmul":
        if len(args.dims) != 3:
            p.error("matmul needs M K N")
        matmul(*args.dims, args.seconds)
    elif args.what == "vit":
        vit(args.batch, args.runs)
    elif args.what == "stage1":
        stage1(args.batches)
    else:
        epoch()


if __name__ == "__main__":
    main()
