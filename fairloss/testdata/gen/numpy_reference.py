#!/usr/bin/python3
"""Independent float64 numpy reference of the annealed debiased Sinkhorn divergence.

Written from geomloss 0.2.6's documented algorithm (not from fairclip's Go code):
epsilon schedule [D^p] + exp(arange(p ln D, p ln blur, p ln scaling)) + [blur^p],
symmetric log-domain updates averaged with the previous potentials, one final
extrapolation, S = <a, f_ba - f_aa> + <b, g_ab - g_bb>, and the gradients torch
autograd gives through the last extrapolation only. Writes
testdata/numpy_reference.json. Run: /usr/bin/python3 fairloss/testdata/gen/numpy_reference.py
"""
import json
import os

import numpy as np


def cost(p, x, y):
    sq = (x * x).sum(1)[:, None] - 2 * x @ y.T + (y * y).sum(1)[None, :]
    if p == 2:
        return sq / 2, np.ones_like(sq)
    c = np.sqrt(np.maximum(sq, 1e-8))
    # d C / d x = w * (x - y): w = 1/|x-y|, zero where the clamp is active
    w = np.where(sq >= 1e-8, 1 / c, 0.0)
    return c, w


def schedule(p, diameter, blur, scaling):
    return ([diameter ** p]
            + [float(np.exp(e)) for e in np.arange(p * np.log(diameter), p * np.log(blur), p * np.log(scaling))]
            + [blur ** p])


def softmin(eps, C, h):
    z = h[None, :] - C / eps
    m = z.max(1, keepdims=True)
    P = np.exp(z - m)
    s = P.sum(1, keepdims=True)
    return -eps * (m[:, 0] + np.log(s[:, 0])), P / s


def divergence(p, blur, scaling, x, y, a, b):
    mins = np.minimum(x.min(0), y.min(0))
    maxs = np.maximum(x.max(0), y.max(0))
    eps_list = schedule(p, float(np.linalg.norm(maxs - mins)), blur, scaling)
    Cxx, Wxx = cost(p, x, x)
    Cyy, Wyy = cost(p, y, y)
    Cxy, Wxy = cost(p, x, y)
    Cyx, Wyx = cost(p, y, x)
    la = np.where(a > 0, np.log(np.where(a > 0, a, 1)), -100000.0)
    lb = np.where(b > 0, np.log(np.where(b > 0, b, 1)), -100000.0)
    e = eps_list[0]
    faa = softmin(e, Cxx, la)[0]
    gbb = softmin(e, Cyy, lb)[0]
    gab = softmin(e, Cyx, la)[0]
    fba = softmin(e, Cxy, lb)[0]
    for e in eps_list:
        tfaa = softmin(e, Cxx, la + faa / e)[0]
        tgbb = softmin(e, Cyy, lb + gbb / e)[0]
        tgab = softmin(e, Cyx, la + fba / e)[0]
        tfba = softmin(e, Cxy, lb + gab / e)[0]
        faa, gbb, gab, fba = (faa + tfaa) / 2, (gbb + tgbb) / 2, (gab + tgab) / 2, (fba + tfba) / 2
    e = eps_list[-1]
    faa, Pxx = softmin(e, Cxx, la + faa / e)
    gbb, Pyy = softmin(e, Cyy, lb + gbb / e)
    # The cross updates use the annealed potentials in parallel.
    (gab, Pyx), (fba, Pxy) = softmin(e, Cyx, la + fba / e), softmin(e, Cxy, lb + gab / e)
    value = float(a @ (fba - faa) + b @ (gab - gbb))

    def grad(w, X, Y, Pc, Wc, Ps, Ws):
        K = Pc * Wc  # cross term: sum_j K_ij (x_i - y_j)
        S = Ps * Ws  # self term, second argument detached: sum_k S_ik (x_i - x_k)
        g = K.sum(1)[:, None] * X - K @ Y - (S.sum(1)[:, None] * X - S @ X)
        return w[:, None] * g

    gx = grad(a, x, y, Pxy, Wxy, Pxx, Wxx)
    gy = grad(b, y, x, Pyx, Wyx, Pyy, Wyy)
    return value, gx, gy, fba - faa, gab - gbb, eps_list


def check_goldens(pattern):
    """Prints the relative differences to geomloss goldens (a sanity check of this script)."""
    import glob
    for f in sorted(glob.glob(pattern)):
        with open(f) as fh:
            g = json.load(fh)
        x, y = np.array(g["x"], float), np.array(g["y"], float)
        if x.ndim == 1:
            x, y = x[:, None], y[:, None]
        a = np.array(g["a"]) if g.get("a") else np.full(len(x), 1 / len(x))
        b = np.array(g["b"]) if g.get("b") else np.full(len(y), 1 / len(y))
        v, gx = divergence(g["p"], g["blur"], g["scaling"], x, y, a, b)[:2]
        ref = np.array(g["grad_x"]).reshape(-1)
        print(os.path.basename(f), "value rel err %.2g" % (abs(v - g["value"]) / abs(g["value"])),
              "grad_x rel err %.2g" % (np.abs(gx.reshape(-1) - ref).max() / np.abs(ref).max()))


def unit(rng, n, d):
    v = rng.standard_normal((n, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def main():
    rng = np.random.default_rng(20240601)
    cases = []

    def add(name, p, blur, scaling, x, y, a=None, b=None):
        ua = a is None
        a = np.full(len(x), 1 / len(x)) if a is None else a
        ub = b is None
        b = np.full(len(y), 1 / len(y)) if b is None else b
        v, gx, gy, ga, gb, eps = divergence(p, blur, scaling, x, y, a, b)
        cases.append({"id": name, "p": p, "blur": blur, "scaling": scaling,
                      "x": x.tolist(), "y": y.tolist(),
                      "a": None if ua else a.tolist(), "b": None if ub else b.tolist(),
                      "value": v, "grad_x": gx.tolist(), "grad_y": gy.tolist(),
                      "grad_a": ga.tolist(), "grad_b": gb.tolist(), "eps_list": eps})

    def w(n):
        v = rng.uniform(0.2, 1.2, n)
        return v / v.sum()

    add("p1-3d-weighted", 1, 1e-3, 0.9, rng.standard_normal((20, 3)), rng.standard_normal((30, 3)), w(20), w(30))
    xd = unit(rng, 25, 8)
    xd[5] = xd[2]
    yd = unit(rng, 19, 8)
    yd[0] = xd[7]
    add("p2-8d-duplicates", 2, 3e-4, 0.5, xd, yd)
    add("p1-64d-unit", 1, 1e-4, 0.9, unit(rng, 10, 64), unit(rng, 14, 64))
    add("p2-64d-unit-scaling0.5", 2, 1e-4, 0.5, unit(rng, 12, 64), unit(rng, 12, 64))
    add("p2-1d-300x200", 2, 0.05, 0.9, rng.uniform(0, 1, (300, 1)), rng.uniform(0, 1, (200, 1)))
    add("p1-1d-weighted-zero", 1, 0.01, 0.5, rng.uniform(0, 1, (40, 1)), rng.uniform(0, 1, (25, 1)),
        np.concatenate([[0.0], w(39)]), w(25))
    add("p2-1x5", 2, 1e-3, 0.9, rng.standard_normal((1, 2)), rng.standard_normal((5, 2)))
    add("p2-512x7-1d", 2, 1e-4, 0.9, rng.uniform(0, 1, (512, 1)), rng.uniform(0, 1, (7, 1)))

    schedules = []
    for p in (1, 2):
        for diameter in (0.003, 0.5, 1.0, 2.7, 40.0):
            for blur in (1e-4, 3e-4, 1e-3, 0.05, 1.0):
                for scaling in (0.5, 0.7, 0.9):
                    schedules.append({"p": p, "diameter": diameter, "blur": blur, "scaling": scaling,
                                      "eps_list": schedule(p, diameter, blur, scaling)})

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "numpy_reference.json")
    with open(out, "w") as f:
        json.dump({"provenance": "fairloss/testdata/gen/numpy_reference.py (numpy %s, float64)" % np.__version__,
                   "cases": cases, "schedules": schedules}, f)
    print("wrote", out, len(cases), "cases", len(schedules), "schedules")


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 2 and sys.argv[1] == "--check":
        check_goldens(sys.argv[2])
    else:
        main()
