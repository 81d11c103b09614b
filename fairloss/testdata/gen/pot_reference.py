#!/usr/bin/python3
"""Converged entropic Sinkhorn divergences from Debian's python3-pot (POT 0.8).

For large blur the annealed geomloss iterations followed by many extra iterations at
the final epsilon converge; this script computes the same converged quantity with POT:

    OT_eps(a, b) = <P, M> + eps * KL(P | a x b),   S = OT(a,b) - OT(a,a)/2 - OT(b,b)/2

POT 0.8's ot.sinkhorn2 returns only <P, M> (no entropy term) for the cost matrix it is
given, so M is |x-y|^2/2 (p=2) or sqrt(max(|x-y|^2, 1e-8)) (p=1, geomloss's clamp), and
the KL term is added from the plan of ot.sinkhorn (same solver, log-domain).
Writes testdata/pot_reference.json.
Run: /usr/bin/python3 fairloss/testdata/gen/pot_reference.py
"""
import json
import os

import numpy as np
import ot


def cost(p, x, y):
    sq = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    return sq / 2 if p == 2 else np.sqrt(np.maximum(sq, 1e-8))


def ot_eps(p, eps, x, y, a, b):
    M = cost(p, x, y)
    kw = dict(method="sinkhorn_log", numItermax=200000, stopThr=1e-14)
    P = ot.sinkhorn(a, b, M, eps, **kw)
    transport = float(ot.sinkhorn2(a, b, M, eps, **kw))
    ab = np.outer(a, b)
    mask = P > 0
    kl = float((P[mask] * np.log(P[mask] / ab[mask])).sum() - P.sum() + ab.sum())
    return transport + eps * kl


def main():
    rng = np.random.default_rng(7)
    cases = []
    for p, blur, n, m, d, weighted in [(2, 0.5, 6, 9, 2, False), (2, 0.3, 12, 7, 3, True),
                                       (1, 0.5, 8, 8, 2, False), (1, 0.4, 10, 13, 1, True),
                                       (2, 0.2, 16, 16, 64, False)]:
        x = rng.standard_normal((n, d))
        y = rng.standard_normal((m, d)) + 0.3
        if d == 64:
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            y /= np.linalg.norm(y, axis=1, keepdims=True)
        a = rng.uniform(0.2, 1.2, n) if weighted else np.ones(n)
        b = rng.uniform(0.2, 1.2, m) if weighted else np.ones(m)
        a, b = a / a.sum(), b / b.sum()
        eps = blur ** p
        s = ot_eps(p, eps, x, y, a, b) - ot_eps(p, eps, x, x, a, a) / 2 - ot_eps(p, eps, y, y, b, b) / 2
        cases.append({"p": p, "blur": blur, "x": x.tolist(), "y": y.tolist(),
                      "a": a.tolist() if weighted else None, "b": b.tolist() if weighted else None,
                      "value": s})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pot_reference.json")
    with open(out, "w") as f:
        json.dump({"provenance": "fairloss/testdata/gen/pot_reference.py, POT %s (Debian python3-pot)" % ot.__version__,
                   "cases": cases}, f)
    print("wrote", out)


if __name__ == "__main__":
    main()
