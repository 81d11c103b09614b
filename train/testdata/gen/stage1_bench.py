#!/usr/bin/python3
"""PyTorch reference timing of one FF++-sized Stage 1 epoch (docs/engine.md, docs/stage1.md).

The original's Stage 1 (CLIP_stage1 v2, REFERENCE.md section 7) with configs/stage1.yaml's values,
in PyTorch (Debian python3-torch): A1 768 -> 512 -> 512 -> 768 (residual, L2-normalised output,
dropout 0.1), race head Linear(768,256) ReLU Dropout Linear(256,4) and gender head
Linear(768,128) ReLU Dropout Linear(128,2) behind gradient reversal (DANN lambda at epoch 2 of 2),
loss = 1.0*CE(race) + 0.5*CE(gender) + 2.0*(1 - mean cos(adapted, clip)) + 0.5*Global + 0.3*Pairwise,
AdamW lr 1e-3, weight decay 1e-4, no gradient clipping, batches of 64 with 8 per subgroup.
Global (each subgroup against a detached random sample of the batch of its size) and Pairwise
(every pair of subgroups, truncated to the smaller) are the debiased Sinkhorn divergence of
parity.py (geomloss 0.2.6's tensorized loop, checked there against geomloss's own values), one
call per term on the float64 adapted features, blur 1e-4, scaling 0.9, p 2: the formulation
fairloss.Stage1 implements and fairclip's BenchmarkStage1Epoch runs. Sizes are the "ffpp"
synthetic preset's: 2 attribute sets x 8 subgroups x 5,000 samples = 80,000 (1,250 batches), then
validation (eval mode, no gradients, batches of 64: adapted feature, cosine, head logits and
accuracies) on 25,000 samples. fairclip's extra validation columns (logistic probes, validation
Sinkhorn distances) are not part of the original and not timed here.

Run: /usr/bin/python3 train/testdata/gen/stage1_bench.py [--batches N]
  --batches N  time only the first N training batches and scale to the epoch's 1,250 (the
               Sinkhorn terms make each batch cost the same); the output says so. Default: all.
Prints "train ...: X s, validation ...: Y s, epoch Z s" (scripts/bench_torch.py stage1 reads them).
"""
import math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ beside the committed scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity import Adapter, sinkhorn  # noqa: E402  (the reference adapter; geomloss-style debiased Sinkhorn divergence)

D, HIDDEN, DROPOUT = 768, 512, 0.1
PER_SUBGROUP, SETS, SUBGROUPS, PER_BATCH = 5000, 2, 8, 8
BATCH = PER_BATCH * SUBGROUPS
VAL, VAL_BATCH = 25000, 64
LR, WD = 1e-3, 1e-4
L_RACE, L_GENDER, L_SIM, L_FAIR, L_PAIR = 1.0, 0.5, 2.0, 0.5, 0.3
BLUR, SCALING, MIN_N = 1e-4, 0.9, 2
EPOCH, EPOCHS, GAMMA = 2, 2, 10.0


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.lam * g, None


def head(d, h, k, p):
    return nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Dropout(p), nn.Linear(h, k))


class Stage1(nn.Module):
    def __init__(self):
        super().__init__()
        self.additive_adapter = Adapter(D, HIDDEN, DROPOUT)
        self.race_classifier = head(D, 256, 4, DROPOUT)
        self.gender_classifier = head(D, 128, 2, DROPOUT)

    def forward(self, e, lam):
        clip = F.normalize(e, dim=-1)
        adapted = F.normalize(clip + self.additive_adapter(clip), dim=-1)
        cos = F.cosine_similarity(adapted, clip, dim=-1, eps=1e-8)
        rev = GradReverse.apply(adapted, lam)
        return adapted, cos, self.race_classifier(rev), self.gender_classifier(rev)


def global_loss(z, groups, gen):
    n, terms = z.shape[0], []
    for g in range(SUBGROUPS):
        rows = (groups == g).nonzero().flatten()
        m = len(rows)
        if m < MIN_N:
            continue
        ref = torch.arange(n) if m == n else torch.randperm(n, generator=gen)[:m]
        terms.append(sinkhorn(z[rows], z[ref].detach(), BLUR, SCALING))
    return torch.stack(terms).mean() if terms else torch.zeros((), dtype=z.dtype)


def pairwise_loss(z, groups):
    valid = [g for g in range(SUBGROUPS) if int((groups == g).sum()) >= MIN_N]
    terms = []
    for i in range(len(valid)):
        for j in range(i + 1, len(valid)):
            ri = (groups == valid[i]).nonzero().flatten()
            rj = (groups == valid[j]).nonzero().flatten()
            m = min(len(ri), len(rj))
            terms.append(sinkhorn(z[ri[:m]], z[rj[:m]], BLUR, SCALING))
    return torch.stack(terms).mean() if len(terms) else torch.zeros((), dtype=z.dtype)


def main():
    limit = 0
    if "--batches" in sys.argv:
        limit = int(sys.argv[sys.argv.index("--batches") + 1])
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = Stage1()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), weight_decay=WD)
    n_train = SETS * SUBGROUPS * PER_SUBGROUP
    feats = torch.randn(n_train, D, generator=gen)
    by_group = torch.arange(n_train).view(SETS, SUBGROUPS, PER_SUBGROUP).permute(1, 0, 2).reshape(SUBGROUPS, -1)
    batches = n_train // BATCH
    lam = 2 / (1 + math.exp(-GAMMA * EPOCH / EPOCHS)) - 1
    run = batches if limit <= 0 else min(limit, batches)
    perms = [torch.randperm(by_group.shape[1], generator=gen) for _ in range(SUBGROUPS)]
    groups = torch.arange(SUBGROUPS).repeat_interleave(PER_BATCH)
    model.train()
    t0 = time.time()
    for b in range(run):
        idx = torch.cat([by_group[g, perms[g][b * PER_BATCH:(b + 1) * PER_BATCH]] for g in range(SUBGROUPS)])
        e = feats[idx]
        races, genders = groups % 4, groups // 4
        opt.zero_grad()
        adapted, cos, race_logits, gender_logits = model(e, lam)
        z = adapted.double()
        loss = (L_RACE * F.cross_entropy(race_logits, races) + L_GENDER * F.cross_entropy(gender_logits, genders)
                + L_SIM * (1 - cos.mean()) + L_FAIR * global_loss(z, groups, gen).float()
                + L_PAIR * pairwise_loss(z, groups).float())
        loss.backward()
        opt.step()
    t_run = time.time() - t0
    t_train = t_run * batches / run
    model.eval()
    val = torch.randn(VAL, D, generator=gen)
    vgroups = torch.randint(0, SUBGROUPS, (VAL,), generator=gen)
    t0 = time.time()
    cos_sum, race_hit, gender_hit = 0.0, 0, 0
    with torch.no_grad():
        for lo in range(0, VAL, VAL_BATCH):
            _, cos, rl, gl = model(val[lo:lo + VAL_BATCH], 0.0)
            g = vgroups[lo:lo + VAL_BATCH]
            cos_sum += cos.sum().item()
            race_hit += int((rl.argmax(-1) == g % 4).sum())
            gender_hit += int((gl.argmax(-1) == g // 4).sum())
    t_val = time.time() - t0
    how = f"{batches} batches of {BATCH}" if run == batches else \
        f"{run} of {batches} batches of {BATCH} timed ({t_run:.1f}s), scaled to {batches}"
    print(f"torch {torch.__version__} threads {torch.get_num_threads()}: train {how}: {t_train:.1f}s, "
          f"validation {VAL} samples (cos {cos_sum / VAL:.3f}, race acc {race_hit / VAL:.3f}, "
          f"gender acc {gender_hit / VAL:.3f}): {t_val:.1f}s, epoch {t_train + t_val:.1f}s")


if __name__ == "__main__":
    main()
