#!/usr/bin/python3
"""PyTorch reference for fusion over several tokens (model.fusion_keys: tokens).

The head of parity.py (the original's modules, Debian python3-torch) with the
cross-attention's keys and values extended from s1 of the class token to K+1 tokens:
s1 of the class token and the frozen Stage 1 adapter applied to each of K pooled patch
tokens (normalize(t + A1(t)) with t = normalize(token), as for the class token). The
query stays s2 (one token); residual, LayerNorms, FFN and gate as in the original (the
gate sees s1 of the class token). nn.MultiheadAttention runs on the dense [B, K+1, D]
keys; the script asserts that every sample run alone gives the same logits (the keys
need no padding or mask). Dropout 0; 3 AdamW steps with global-norm clipping, with the
classification loss alone and with the Stage 2 fairness loss (parity.py's Sinkhorn).

Outputs (committed): train/testdata/parity_tokens_init.safetensors (weights, batch,
tokens) and parity_tokens_{cls,fair}.safetensors (logits, z, gate, per-sample per-head
attention entropy and gradients at step 0, losses per step, final weights).

Run: /usr/bin/python3 train/testdata/gen/parity_tokens.py
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import parity  # noqa: E402  (the single-token reference: modules, Sinkhorn, writer)

OUT = os.path.dirname(HERE)
D, H1, H2, HEADS, CLS, B, K = 32, 24, 20, 4, [16, 8], 48, 4
LR, WD, BETAS, EPS, CLIPN, SMOOTH, LAM, BLUR, SCALING, STEPS = 1e-3, 0.01, (0.9, 0.999), 1e-8, 1.0, 0.1, 0.5, 0.1, 0.9, 3


class TokenHead(parity.Head):
    def forward(self, e, tokens):
        clip = F.normalize(e, dim=-1)
        with torch.no_grad():
            s1 = F.normalize(clip + self.stage1_adapter(clip), dim=-1)
            t = F.normalize(tokens, dim=-1)
            ts1 = F.normalize(t + self.stage1_adapter(t), dim=-1)
            keys = torch.cat([s1.unsqueeze(1), ts1], dim=1)  # [B, K+1, D]
        s2 = clip + self.stage2_adapter(clip)
        f = self.fusion
        a, w = f.cross_attn(s2.unsqueeze(1), keys, keys, need_weights=True, average_attn_weights=False)
        x = f.norm1(s2.unsqueeze(1) + a)
        x = f.norm2(x + f.ffn(x)).squeeze(1)
        g = f.gate_net(torch.cat([x, s1], dim=-1))
        z = F.normalize(g * s1 + (1 - g) * x, dim=-1)
        w = w.squeeze(2)  # [B, H, K+1]
        entropy = -(w * torch.where(w > 0, w.log(), torch.zeros_like(w))).sum(-1)
        return self.binary_classifier(z), z, g, entropy


def batch():
    g = torch.Generator().manual_seed(12)
    e = torch.randn(B, D, generator=g)
    tokens = 0.5 * e.unsqueeze(1) + torch.randn(B, K, D, generator=g)
    labels = torch.tensor([i % 2 for i in range(B)])
    groups = torch.tensor([(i // 2) % 4 for i in range(B)])
    return e, tokens, labels, groups


def run(case, head0, e, tokens, labels, groups):
    head = TokenHead(D, H1, H2, HEADS, CLS, 0.0, 1.0)
    head.load_state_dict(head0.state_dict())
    params = [p for p in head.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    out, losses = {}, []
    for step in range(STEPS):
        opt.zero_grad()
        logits, z, g, ent = head(e, tokens)
        if step == 0:
            with torch.no_grad():  # padding-free batching: each sample alone agrees
                alone = torch.cat([head(e[i:i + 1], tokens[i:i + 1])[0] for i in range(B)])
            assert (alone - logits).abs().max().item() < 1e-5, "batched and per-sample logits differ"
        cls = F.cross_entropy(logits, labels, label_smoothing=SMOOTH)
        fair = torch.zeros(())
        if case == "fair":
            fair = parity.stage2_fairness(z.double(), labels, groups, BLUR, SCALING).float()
        total = cls + LAM * fair
        total.backward()
        losses += [cls.item(), fair.item(), total.item()]
        if step == 0:
            out["logits0"] = logits.detach()
            out["z0"] = z.detach()
            out["gate0"] = g.detach().flatten()
            out["entropy0"] = ent.detach()
            for name, p in head.named_parameters():
                if p.requires_grad:
                    out["grad." + name] = p.grad.detach().clone()
        torch.nn.utils.clip_grad_norm_(head.parameters(), max_norm=CLIPN)
        opt.step()
    out["losses"] = torch.tensor(losses, dtype=torch.float64)
    for name, p in head.named_parameters():
        out["final." + name] = p.detach().clone()
    parity.write_safetensors(os.path.join(OUT, f"parity_tokens_{case}.safetensors"), out)
    print(case, "losses", losses)


def main():
    torch.manual_seed(6)
    head0 = TokenHead(D, H1, H2, HEADS, CLS, 0.0, 1.0)
    e, tokens, labels, groups = batch()
    init = {k: v for k, v in head0.state_dict().items()}
    init["input.clip"] = e
    init["input.tokens"] = tokens
    init["input.labels"] = labels
    init["input.subgroups"] = groups
    meta = {"dim": str(D), "stage1_hidden": str(H1), "stage2_hidden": str(H2), "heads": str(HEADS), "tokens": str(K),
            "classifier_hidden": json.dumps(CLS), "lr": repr(LR), "weight_decay": repr(WD), "eps": repr(EPS),
            "clip": repr(CLIPN), "label_smoothing": repr(SMOOTH), "lambda_fair": repr(LAM), "blur": repr(BLUR),
            "scaling": repr(SCALING), "steps": str(STEPS), "gate_init_bias": "1.0"}
    parity.write_safetensors(os.path.join(OUT, "parity_tokens_init.safetensors"), init, meta)
    for case in ("cls", "fair"):
        run(case, head0, e, tokens, labels, groups)


if __name__ == "__main__":
    main()
