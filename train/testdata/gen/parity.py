#!/usr/bin/python3
"""PyTorch reference for fairclip's Stage 2 head and training step (parity test).

Builds the original's head (Stage2IndependentAdapterModel without CLIP: AdditiveAdapter x2,
CrossAttentionFusionWithDynamicGate, classifier) in PyTorch (Debian python3-torch 1.13) on a
small shape with dropout 0, runs a few AdamW steps with global-norm clipping on a fixed batch,
once with the classification loss alone and once with the Stage 2 fairness loss, whose
debiased Sinkhorn divergence follows geomloss 0.2.6's tensorized sinkhorn loop (epsilon
annealing from the point cloud diameter, averaged updates, a final extrapolation with
detached potentials) written here from its published semantics. The fairness reference is
checked against fairloss/testdata/goldens/fairloss/devfair01.json (geomloss's own values, a
path relative to the repository) before use.

Outputs (committed): train/testdata/parity_init.safetensors (weights, PyTorch names, and the
batch), train/testdata/parity_{cls,fair}.safetensors (logits, z and gradients at step 0,
losses per step, final weights), and with --bench the seconds per epoch of the same head on
FF++-sized batches (docs/train.md).

Run: /usr/bin/python3 train/testdata/gen/parity.py
"""
import json, math, os, struct, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(OUT))


def write_safetensors(path, tensors, meta=None):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype in (torch.float32,):
            dt, raw = "F32", t.numpy().astype("<f4").tobytes()
        elif t.dtype == torch.float64:
            dt, raw = "F64", t.numpy().astype("<f8").tobytes()
        elif t.dtype == torch.int64:
            dt, raw = "I64", t.numpy().astype("<i8").tobytes()
        else:
            raise ValueError(name)
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class Adapter(nn.Module):
    def __init__(self, d, h, p):
        super().__init__()
        self.adapter = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Dropout(p), nn.Linear(h, h), nn.ReLU(),
                                     nn.Dropout(p), nn.Linear(h, d))
        for m in self.adapter.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.adapter[-1].weight, 0, 0.01)
        nn.init.zeros_(self.adapter[-1].bias)

    def forward(self, x):
        return self.adapter(x)


class Fusion(nn.Module):
    def __init__(self, d, heads, p, gate_bias):
        super().__init__()
        self.cross_attn = nn.MultiheadAttention(d, heads, dropout=p, batch_first=True)
        self.norm1 = nn.LayerNorm(d)
        self.ffn = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Dropout(p), nn.Linear(4 * d, d), nn.Dropout(p))
        self.norm2 = nn.LayerNorm(d)
        self.gate_net = nn.Sequential(nn.Linear(2 * d, d), nn.ReLU(), nn.Linear(d, 1), nn.Sigmoid())
        nn.init.constant_(self.gate_net[-2].bias, gate_bias)

    def forward(self, s2, s1):
        a, _ = self.cross_attn(s2.unsqueeze(1), s1.unsqueeze(1), s1.unsqueeze(1))
        x = self.norm1(s2.unsqueeze(1) + a)
        x = self.norm2(x + self.ffn(x)).squeeze(1)
        g = self.gate_net(torch.cat([x, s1], dim=-1))
        return g * s1 + (1 - g) * x, g


class Head(nn.Module):
    def __init__(self, d, h1, h2, heads, cls_hidden, p, gate_bias):
        super().__init__()
        self.stage1_adapter = Adapter(d, h1, p)
        self.stage2_adapter = Adapter(d, h2, p)
        self.fusion = Fusion(d, heads, p, gate_bias)
        layers, prev = [], d
        for h in cls_hidden:
            layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(p)]
            prev = h
        layers.append(nn.Linear(prev, 2))
        self.binary_classifier = nn.Sequential(*layers)
        for m in self.binary_classifier.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, a=5 ** 0.5)
                nn.init.zeros_(m.bias)
        for q in self.stage1_adapter.parameters():
            q.requires_grad = False

    def forward(self, e):
        clip = F.normalize(e, dim=-1)
        with torch.no_grad():
            s1 = F.normalize(clip + self.stage1_adapter(clip), dim=-1)
        s2 = clip + self.stage2_adapter(clip)
        fused, g = self.fusion(s2, s1)
        z = F.normalize(fused, dim=-1)
        return self.binary_classifier(z), z, g


# ---- geomloss-style debiased Sinkhorn divergence (p = 2, uniform weights) ----

def eps_schedule(p, diameter, blur, scaling):
    return [diameter ** p] + [math.exp(e) for e in np.arange(p * math.log(diameter), p * math.log(blur), p * math.log(scaling))] + [blur ** p]


def softmin(eps, C, h):
    return -eps * torch.logsumexp(h.view(1, -1) - C / eps, dim=1)


def sinkhorn(x, y, blur, scaling, p=2):
    n, m = x.shape[0], y.shape[0]
    a_log = torch.full((n,), -math.log(n), dtype=x.dtype)
    b_log = torch.full((m,), -math.log(m), dtype=x.dtype)
    cost = lambda u, v: ((u.unsqueeze(1) - v.unsqueeze(0)) ** 2).sum(-1) / 2
    C_xy, C_yx = cost(x, y.detach()), cost(y, x.detach())
    C_xx, C_yy = cost(x, x.detach()), cost(y, y.detach())
    both = torch.cat([x, y]).detach()
    diameter = (both.max(0).values - both.min(0).values).norm().item()
    eps_list = eps_schedule(p, diameter, blur, scaling)
    with torch.no_grad():
        e = eps_list[0]
        g_ab, f_ba = softmin(e, C_yx, a_log), softmin(e, C_xy, b_log)
        f_aa, g_bb = softmin(e, C_xx, a_log), softmin(e, C_yy, b_log)
        for e in eps_list:
            ft_ba, gt_ab = softmin(e, C_xy, b_log + g_ab / e), softmin(e, C_yx, a_log + f_ba / e)
            ft_aa, gt_bb = softmin(e, C_xx, a_log + f_aa / e), softmin(e, C_yy, b_log + g_bb / e)
            f_ba, g_ab = 0.5 * (f_ba + ft_ba), 0.5 * (g_ab + gt_ab)
            f_aa, g_bb = 0.5 * (f_aa + ft_aa), 0.5 * (g_bb + gt_bb)
    e = eps_list[-1]
    f_ba, g_ab = softmin(e, C_xy, (b_log + g_ab / e).detach()), softmin(e, C_yx, (a_log + f_ba / e).detach())
    f_aa, g_bb = softmin(e, C_xx, (a_log + f_aa / e).detach()), softmin(e, C_yy, (b_log + g_bb / e).detach())
    return (a_log.exp() * (f_ba - f_aa)).sum() + (b_log.exp() * (g_ab - g_bb)).sum()


def stage2_fairness(z, labels, groups, blur, scaling, min_n=2, k=8):
    class_losses = []
    for c in (0, 1):
        rows = (labels == c).nonzero().flatten()
        if len(rows) < 2 * min_n:
            continue
        valid = [g for g in range(k) if int((groups[rows] == g).sum()) >= min_n]
        terms = []
        for i in range(len(valid)):
            for j in range(i + 1, len(valid)):
                ri = rows[groups[rows] == valid[i]]
                rj = rows[groups[rows] == valid[j]]
                m = min(len(ri), len(rj))
                terms.append(sinkhorn(z[ri[:m]], z[rj[:m]], blur, scaling))
        if terms:
            class_losses.append(torch.stack(terms).mean())
    if not class_losses:
        return torch.zeros((), dtype=z.dtype)
    return torch.stack(class_losses).mean()


def check_golden():
    path = os.path.join(REPO, "fairloss", "testdata", "goldens", "fairloss", "devfair01.json")
    if not os.path.exists(path):
        print("golden not found; skipping the geomloss cross-check")
        return
    g = json.load(open(path))
    feats = torch.tensor(g["features"], dtype=torch.float64, requires_grad=True)
    labels = torch.tensor(g["labels"])
    groups = torch.tensor(g["subgroups"])
    blur, scaling = g["blur"], g["scaling"]
    v = stage2_fairness(feats, labels, groups, blur, scaling, g.get("min_samples_per_subgroup", 2))
    v.backward()
    want = g["value"]
    grad = torch.tensor(g["grad_features"], dtype=torch.float64)
    rel = abs(v.item() - want) / abs(want)
    grel = ((feats.grad - grad).abs().max() / grad.abs().max()).item()
    print(f"geomloss golden devfair01: value {v.item():.10g} vs {want:.10g} (rel {rel:.2e}), grad rel {grel:.2e}")
    assert rel < 1e-9 and grel < 1e-8, "torch Sinkhorn reference disagrees with geomloss"


# ---- parity runs ----

D, H1, H2, HEADS, CLS, B = 32, 24, 20, 4, [16, 8], 48
LR, WD, BETAS, EPS, CLIPN, SMOOTH, LAM, BLUR, SCALING, STEPS = 1e-3, 0.01, (0.9, 0.999), 1e-8, 1.0, 0.1, 0.5, 0.1, 0.9, 3


def batch():
    g = torch.Generator().manual_seed(11)
    e = torch.randn(B, D, generator=g)
    labels = torch.tensor([i % 2 for i in range(B)])
    groups = torch.tensor([(i // 2) % 4 for i in range(B)])
    return e, labels, groups


def run(case, head0, e, labels, groups):
    head = Head(D, H1, H2, HEADS, CLS, 0.0, 1.0)
    head.load_state_dict(head0.state_dict())
    params = [p for p in head.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    out, losses = {}, []
    for step in range(STEPS):
        opt.zero_grad()
        logits, z, g = head(e)
        cls = F.cross_entropy(logits, labels, label_smoothing=SMOOTH)
        fair = torch.zeros(())
        if case == "fair":
            fair = stage2_fairness(z.double(), labels, groups, BLUR, SCALING).float()
        total = cls + LAM * fair
        total.backward()
        losses += [cls.item(), fair.item(), total.item()]
        if step == 0:
            out["logits0"] = logits.detach()
            out["z0"] = z.detach()
            out["gate0"] = g.detach().flatten()
            for name, p in head.named_parameters():
                if p.requires_grad:
                    out["grad." + name] = p.grad.detach().clone()
        torch.nn.utils.clip_grad_norm_(head.parameters(), max_norm=CLIPN)
        opt.step()
    out["losses"] = torch.tensor(losses, dtype=torch.float64)
    for name, p in head.named_parameters():
        out["final." + name] = p.detach().clone()
    write_safetensors(os.path.join(OUT, f"parity_{case}.safetensors"), out)
    print(case, "losses", losses)


def bench():
    """Seconds per FF++-sized epoch of the default head, PyTorch CPU."""
    torch.manual_seed(0)
    head = Head(768, 512, 384, 8, [384, 192], 0.1, 1.0)
    params = [p for p in head.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=3e-4, weight_decay=0.01)
    e = F.normalize(torch.randn(256, 768), dim=-1)
    labels = torch.randint(0, 2, (256,))
    groups = torch.arange(256) % 8
    batches = 1111 // 32
    head.train()
    t0 = time.time()
    for _ in range(batches):
        opt.zero_grad()
        logits, z, g = head(e)
        loss = F.cross_entropy(logits, labels) + 0.05 * stage2_fairness(z.double(), labels, groups, 1e-4, 0.9).float()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
        opt.step()
    t_train = time.time() - t0
    head.eval()
    ev = F.normalize(torch.randn(64, 768), dim=-1)
    t0 = time.time()
    with torch.no_grad():
        for _ in range(25000 // 64 + 1):
            head(ev)
    t_val = time.time() - t0
    print(f"torch {torch.__version__} threads {torch.get_num_threads()}: train {batches} batches of 256 "
          f"{t_train:.1f}s, validation 25000 samples {t_val:.1f}s, epoch {t_train + t_val:.1f}s")


def main():
    if "--bench" in sys.argv:
        bench()
        return
    check_golden()
    torch.manual_seed(5)
    head0 = Head(D, H1, H2, HEADS, CLS, 0.0, 1.0)
    e, labels, groups = batch()
    init = {k: v for k, v in head0.state_dict().items()}
    init["input.clip"] = e
    init["input.labels"] = labels
    init["input.subgroups"] = groups
    meta = {"dim": str(D), "stage1_hidden": str(H1), "stage2_hidden": str(H2), "heads": str(HEADS),
            "classifier_hidden": json.dumps(CLS), "lr": repr(LR), "weight_decay": repr(WD), "eps": repr(EPS),
            "clip": repr(CLIPN), "label_smoothing": repr(SMOOTH), "lambda_fair": repr(LAM), "blur": repr(BLUR),
            "scaling": repr(SCALING), "steps": str(STEPS), "gate_init_bias": "1.0"}
    write_safetensors(os.path.join(OUT, "parity_init.safetensors"), init, meta)
    for case in ("cls", "fair"):
        run(case, head0, e, labels, groups)


if __name__ == "__main__":
    main()
