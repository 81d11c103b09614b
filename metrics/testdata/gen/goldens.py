#!/usr/bin/python3
"""Golden values for fairclip's metrics package.

Run with Debian's python3 (python3-sklearn 1.2.1, python3-numpy):
    /usr/bin/python3 metrics/testdata/gen/goldens.py > metrics/testdata/goldens.json

Detection metrics come from scikit-learn (roc_auc_score, average_precision_score, roc_curve
with drop_intermediate=True). EER, ACC, the fairness metrics, the threshold rules and the DeLong
test are written here in numpy from their definitions (REFERENCE.md section 5), independently of
the Go code.
"""
import json
import math
import sys

import numpy as np
from sklearn.metrics import (average_precision_score, confusion_matrix, roc_auc_score,
                             roc_curve)

CONVENTIONS = ["fairclip", "pgfdd", "deepfakebench"]
GENDERS = ["male", "female"]
RACES = ["asian", "white", "black", "others"]
INTER = [g + "-" + r for g in GENDERS for r in RACES]
PARTITIONS = {
    "intersectional": (INTER, lambda g: g),
    "gender": (GENDERS, lambda g: g // 4),
    "race": (RACES, lambda g: g % 4),
}
# The smallest subgroup entering the gaps, per convention (REFERENCE.md section 5's table): the
# n >= 10 rule is fairclip's alone; PG-FDD's acc_fairness and DeepfakeBench have no size rule.
MIN_N = {"fairclip": 10, "pgfdd": 1, "deepfakebench": 1}


def num(x):
    """JSON number or null for NaN/inf/None."""
    if x is None:
        return None
    x = float(x)
    return None if (math.isnan(x) or math.isinf(x)) else x


def both_classes(y):
    return (y == 1).any() and (y == 0).any()


def predict(s, thr, conv):
    return s > thr if conv == "deepfakebench" else s >= thr


def detection(s, y, conv, thr):
    out = {"n": int(len(s)), "positives": int((y == 1).sum()), "negatives": int((y == 0).sum())}
    pred = predict(s, thr, conv)
    out["acc"] = float((pred.astype(int) == y).mean())
    if both_classes(y):
        out["auc"] = float(roc_auc_score(y, s))
        out["ap"] = float(average_precision_score(y, s))
        fpr, tpr, th = roc_curve(y, s, pos_label=1)  # drop_intermediate=True
        fnr = 1 - tpr
        i = int(np.nanargmin(np.absolute(fnr - fpr)))
        out["eer"] = float(fpr[i]) if conv != "fairclip" else float((fpr[i] + fnr[i]) / 2.0)
    else:
        out["auc"] = out["ap"] = out["eer"] = None
    return out


def roc_points(s, y):
    fpr, tpr, th = roc_curve(y, s, pos_label=1)
    return {"fpr": [num(v) for v in fpr], "tpr": [num(v) for v in tpr],
            "thresholds": [float(v) for v in th[1:]]}  # th[0] differs between versions


def rates_fairclip(yy, pp):
    """Counts taken directly; a rate with zero denominator is 0."""
    tp = int(((yy == 1) & pp).sum()); fn = int(((yy == 1) & ~pp).sum())
    fp = int(((yy == 0) & pp).sum()); tn = int(((yy == 0) & ~pp).sum())
    n = len(yy)
    d = lambda a, b: a / b if b > 0 else 0.0
    return dict(fpr=d(fp, fp + tn), tpr=d(tp, tp + fn), fnr=d(fn, fn + tp), tnr=d(tn, tn + fp),
                acc=d(tp + tn, n), pr=d(tp + fp, n), nr=d(tn + fn, n))


def rates_pgfdd(yy, pp):
    """PG-FDD's classification_metrics via confusion_matrix; NaN for a missing class."""
    cm = confusion_matrix(yy, pp.astype(int), labels=[0, 1])
    tn, fp, fn, tp = [int(v) for v in cm.ravel()]
    n = len(yy)
    d = lambda a, b: a / b if b > 0 else float("nan")
    return dict(fpr=d(fp, fp + tn), tpr=d(tp, tp + fn), fnr=d(fn, fn + tp), tnr=d(tn, tn + fp),
                acc=d(tp + tn, n), pr=d(tp + fp, n), nr=d(tn + fn, n))


def fairness(s, y, g, conv, thr, min_n):
    pred = predict(s, thr, conv)
    rates = rates_fairclip if conv == "fairclip" else rates_pgfdd
    fpr_all = rates(y, pred)["fpr"]
    out = {}
    for pname, (classes, of) in PARTITIONS.items():
        known = g >= 0
        cls = np.where(known, of(np.where(known, g, 0)), -1)
        groups, skipped, used = {}, {}, []
        for c, name in enumerate(classes):
            m = cls == c
            n = int(m.sum())
            yy, pp, ss = y[m], pred[m], s[m]
            reason = ""
            if n == 0:
                reason = "no samples"
            elif n < min_n:
                reason = "n=%d < %d" % (n, min_n)
            elif conv != "fairclip" and not (yy == 1).any():
                reason = "no fakes"
            elif conv != "fairclip" and not (yy == 0).any():
                reason = "no reals"
            if reason:
                skipped[name] = reason
            if n == 0:
                continue
            r = rates(yy, pp)
            row = {k: num(v) for k, v in r.items()}
            row.update(n=n, positives=int((yy == 1).sum()), negatives=int((yy == 0).sum()),
                       auc=num(roc_auc_score(yy, ss)) if both_classes(yy) else None,
                       used=not reason)
            groups[name] = row
            if not reason:
                used.append(r)
        res = {"valid": len(used), "defined": len(used) >= 2, "fpr_all": num(fpr_all),
               "groups": groups, "skipped": skipped}
        if len(used) >= 2:
            col = lambda k: np.array([r[k] for r in used])
            rng = lambda k: float(col(k).max() - col(k).min())
            fprs = col("fpr")
            res["f_fpr"] = (rng("fpr") if conv != "fairclip"
                            else float(np.abs(fprs - fprs.mean()).sum()))
            res["f_fpr_overall"] = float(np.abs(fprs - fpr_all).sum())
            res["f_oae"] = rng("acc")
            res["f_dp"] = max(rng("pr"), rng("nr"))
            res["f_meo"] = max(rng("fpr"), rng("fnr"), rng("tnr"), rng("tpr"))
        else:
            for k in ["f_fpr", "f_fpr_overall", "f_oae", "f_dp", "f_meo"]:
                res[k] = None
        out[pname] = res
    return out


def video_level(s, y, g, v):
    ids, sums, cnt, lab, grp = [], {}, {}, {}, {}
    for i, vid in enumerate(v):
        if vid not in sums:
            ids.append(vid); sums[vid] = 0.0; cnt[vid] = 0; lab[vid] = y[i]; grp[vid] = g[i]
        sums[vid] += float(s[i]); cnt[vid] += 1
        if grp[vid] != g[i]:
            grp[vid] = -2
    vs = np.array([sums[k] / cnt[k] for k in ids])
    vy = np.array([lab[k] for k in ids])
    vg = np.array([grp[k] if grp[k] != -2 else -1 for k in ids])
    mixed = sum(1 for k in ids if grp[k] == -2)
    return vs, vy, vg, mixed


def thresholds(s, y):
    """Threshold rules, '>=' semantics; 'none' (above every score) is encoded as null."""
    if not both_classes(y):
        return None
    out = {}
    fpr, tpr, th = roc_curve(y, s, drop_intermediate=True)
    j = 1 + int(np.argmax((tpr - fpr)[1:]))
    out["youden"] = float(th[j])
    i = int(np.nanargmin(np.abs(fpr - (1 - tpr))))
    out["eer"] = None if i == 0 else float(th[i])
    ffpr, ftpr, fth = roc_curve(y, s, drop_intermediate=False)
    ok = np.where(ffpr[1:] <= 0.05)[0]
    out["fpr=0.05"] = float(fth[1:][ok[-1]]) if len(ok) else None
    neg, pos, n = int((y == 0).sum()), int((y == 1).sum()), len(y)
    tps, fps = np.round(ftpr * pos), np.round(ffpr * neg)  # integer counts, exact ties
    accs = (tps + (neg - fps)) / n  # first entry: predict nothing fake
    k = int(np.argmax(accs))
    out["max-acc"] = None if k == 0 else float(fth[k])
    return out


def midrank(x):
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    ranks = np.empty(len(x))
    i = 0
    while i < len(xs):
        j = i
        while j < len(xs) and xs[j] == xs[i]:
            j += 1
        ranks[order[i:j]] = 0.5 * (i + j - 1) + 1
        i = j
    return ranks


def delong(y, a, b):
    """DeLong et al. (1988) test of AUC(a) - AUC(b) with Sun & Xu's midrank form."""
    pos, neg = y == 1, y == 0
    m, n = pos.sum(), neg.sum()
    v10, v01, aucs = [], [], []
    for s in (a, b):
        tz = midrank(s)
        tx = midrank(s[pos])
        ty = midrank(s[neg])
        aucs.append((tz[pos].sum() - m * (m + 1) / 2) / (m * n))
        v10.append((tz[pos] - tx) / n)
        v01.append(1 - (tz[neg] - ty) / m)
    sx = np.cov(np.array(v10))
    sy = np.cov(np.array(v01))
    cov = sx / m + sy / n
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    diff = aucs[0] - aucs[1]
    z = diff / math.sqrt(var)
    p = math.erfc(abs(z) / math.sqrt(2))
    return {"auc_a": aucs[0], "auc_b": aucs[1], "diff": diff, "se": math.sqrt(var), "z": z, "p": p}


def case(name, s, y, g, v=None, thr=0.5, min_subgroup=0):
    """A golden case; min_subgroup > 0 is an explicit minimum (--min-subgroup) for every convention."""
    s = np.asarray(s, dtype=float); y = np.asarray(y, dtype=int); g = np.asarray(g, dtype=int)
    c = {"name": name, "scores": [float(x) for x in s], "labels": [int(x) for x in y],
         "groups": [int(x) for x in g], "threshold": thr, "roc": roc_points(s, y),
         "thresholds": thresholds(s, y), "expect": {}}
    if v is not None:
        c["videos"] = list(v)
    if min_subgroup:
        c["min_subgroup"] = min_subgroup
    for conv in CONVENTIONS:
        min_n = min_subgroup or MIN_N[conv]
        e = detection(s, y, conv, thr)
        e["fairness"] = fairness(s, y, g, conv, thr, min_n)
        if v is not None:
            vs, vy, vg, mixed = video_level(s, y, g, v)
            ve = detection(vs, vy, conv, thr)
            ve["fairness"] = fairness(vs, vy, vg, conv, thr, min_n)
            ve["mixed_group_videos"] = mixed
            e["video"] = ve
        c["expect"][conv] = e
    return c


def main():
    rng = np.random.default_rng(20240601)
    cases = []

    def groups_for(n, unknown=0.05):
        g = rng.integers(0, 8, n)
        g[rng.random(n) < unknown] = -1
        return g

    n = 400
    y = (rng.random(n) < 0.5).astype(int)
    s = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1)
    cases.append(case("random", s, y, groups_for(n)))

    y = (rng.random(n) < 0.4).astype(int)
    s = np.round(np.clip(rng.normal(0.45 + 0.15 * y, 0.2), 0, 1) * 10) / 10
    cases.append(case("heavy_ties", s, y, groups_for(n)))

    n = 600
    y = (rng.random(n) < 0.15).astype(int)
    s = np.round(np.clip(rng.normal(0.35 + 0.25 * y, 0.2), 0, 1) * 20) / 20  # many exact 0.5
    cases.append(case("real85", s, y, groups_for(n)))
    cases.append(case("real85_t03", s, y, groups_for(n), thr=0.3))

    n = 300
    g = rng.integers(0, 8, n)
    y = (rng.random(n) < 0.5).astype(int)
    y[g == 2] = 0          # a subgroup with no fakes
    y[g == 5] = 1          # a subgroup with no reals
    idx7 = np.where(g == 7)[0]
    g[idx7[6:]] = 6        # a subgroup with n < 10
    g[rng.random(n) < 0.05] = -1
    s = np.round(np.clip(rng.normal(0.4 + 0.2 * y, 0.25), 0, 1), 2)
    cases.append(case("one_class_subgroups", s, y, g))

    n = 120
    y = (rng.random(n) < 0.5).astype(int)
    s = np.where(y == 1, rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.4, n))
    cases.append(case("perfect", s, y, groups_for(n, 0)))

    y = (rng.random(n) < 0.3).astype(int)
    cases.append(case("all_equal", np.full(n, 0.5), y, groups_for(n, 0)))
    cases.append(case("all_equal_low", np.full(n, 0.2), y, groups_for(n, 0)))

    y = np.zeros(80, dtype=int)
    cases.append(case("one_class", rng.random(80), y, groups_for(80, 0)))

    g = rng.integers(0, 4, 200)   # men only: gender fairness undefined
    y = (rng.random(200) < 0.5).astype(int)
    cases.append(case("men_only", rng.random(200) * 0.5 + 0.25 * y, y, g))

    # Videos: 70 videos of 1-8 frames; a few videos with mixed subgroup annotations.
    s, y, g, v = [], [], [], []
    for k in range(70):
        lab = int(rng.random() < 0.35)
        grp = int(rng.integers(-1, 8))
        base = rng.normal(0.4 + 0.25 * lab, 0.15)
        for f in range(int(rng.integers(1, 9))):
            s.append(float(np.clip(np.round(base + rng.normal(0, 0.1), 2), 0, 1)))
            y.append(lab)
            g.append(grp if not (k % 17 == 3 and f == 1) else (grp + 1) % 8)
            v.append("vid%03d" % k)
    cases.append(case("videos", s, y, g, v))

    for k in range(40):  # small random cases with heavy ties: ROC/EER edge cases
        n = int(rng.integers(2, 40))
        y = (rng.random(n) < rng.uniform(0.1, 0.9)).astype(int)
        if not both_classes(y):
            y[0], y[-1] = 0, 1
        grid = int(rng.integers(2, 8))
        s = np.round(np.clip(rng.normal(0.45 + 0.2 * y, 0.25), 0, 1) * grid) / grid
        cases.append(case("small%02d" % k, s, y, groups_for(n, 0.1)))

    # DeLong pairs.
    pairs = []
    for k, (n, noise, grid) in enumerate([(300, 0.1, 0), (200, 0.3, 10), (150, 0.05, 5)]):
        y = (rng.random(n) < 0.4).astype(int)
        a = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1)
        b = np.clip(a + rng.normal(0, noise, n) - 0.05 * y, 0, 1)
        if grid:
            a, b = np.round(a * grid) / grid, np.round(b * grid) / grid
        d = delong(y, a, b)
        pairs.append({"name": "pair%d" % k, "labels": [int(x) for x in y],
                      "a": [float(x) for x in a], "b": [float(x) for x in b],
                      "expect": {k2: num(v2) for k2, v2 in d.items()}})

    # Small subgroups: every intersectional subgroup has 1-9 samples, both classes from size 2 on
    # (PG-FDD computes their gaps; fairclip's n >= 10 leaves them out), once with the conventions'
    # own minimum and once with an explicit minimum of 5.
    rng2 = np.random.default_rng(20261205)
    for k, sizes in enumerate([[1, 2, 3, 4, 5, 6, 7, 8], [9, 9, 2, 5, 3, 1, 6, 4]]):
        s, y, g = [], [], []
        for grp, size in enumerate(sizes):
            lab = [1 if i % 2 == 0 else 0 for i in range(size)]
            for l in lab:
                y.append(l); g.append(grp)
                s.append(float(np.clip(np.round(rng2.normal(0.4 + 0.2 * l, 0.25), 2), 0, 1)))
        for _ in range(5):  # a few unknown-subgroup samples
            l = int(rng2.random() < 0.5)
            y.append(l); g.append(-1); s.append(float(np.round(rng2.random(), 2)))
        cases.append(case("small_subgroups%d" % k, s, y, g))
        cases.append(case("small_subgroups%d_min5" % k, s, y, g, min_subgroup=5))

    json.dump({"generator": "metrics/testdata/gen/goldens.py", "sklearn": __import__("sklearn").__version__,
               "cases": cases, "delong": pairs}, sys.stdout, allow_nan=False, indent=None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
