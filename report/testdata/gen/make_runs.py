#!/usr/bin/env python3
"""Writes the hand-made run folders under report/testdata/runs/ used by the report tests.

Every number here is typed by hand (no model, no training); the expected report
report/testdata/golden_en.md was checked against these numbers by hand. Score files are
written from a fixed formula (no randomness): 96 rows per file, one real in every block of
4 rows, subgroup = block index mod 8 (12 samples per subgroup).
Run: python3 report/testdata/gen/make_runs.py (from the repository root).
"""
import json, os, shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runs")
T = "2026-01-28T10:%02d:00Z"


def metrics(auc, acc, eer, ap, ffpr, foae, fdp, fmeo, maj=0.75, pps=0.25):
    return {"auc": auc, "acc": acc, "eer": eer, "ap": ap, "f_fpr": ffpr, "f_fpr_overall": ffpr,
            "f_oae": foae, "f_dp": fdp, "f_meo": fmeo, "majority_share": maj, "predicted_positive_share": pps}


def epoch(n, lr, loss, fair, lam, eff, vloss, val, gate, deg, secs=600.0):
    g = {"mean": gate, "min": gate - 0.1, "max": gate + 0.01, "p5": gate - 0.05, "p95": gate + 0.01}
    return {"type": "epoch", "time": T % n, "epoch": n, "lr": lr, "train_loss": loss,
            "train_cls_loss": loss - lam * fair, "train_fair_loss": fair, "lambda_fair": lam,
            "effective_fair_contribution": eff, "fair_undefined_batches": 0, "val_loss": vloss,
            "val": val, "gate": g, "cross_attention_share": round(1 - gate, 4), "degenerate": deg,
            "seconds": secs}


def scores(path, quality, k):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("score,label,group,video,path\n")
        for i in range(96):
            label = 0 if i % 4 == 0 else 1
            group = (i // 4) % 8
            noise = ((i * k) % 17 - 8) / 20.0
            s = min(1.0, max(0.0, 0.5 + quality * (label - 0.5) + noise))
            f.write(f"{s:.4f},{label},{group},vid{i // 4:02d}{'f' if label else 'r'},img/{i:03d}.png\n")


def run(name, folder, cfg, epochs, tests, best, end, quality, k, extra=None, truncate=None):
    d = os.path.join(ROOT, folder)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "scores"))
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(cfg)
    info = {"experiment": name, "fairclip_version": "0.1.0-test", "go_version": "go1.26.8",
            "backend": "go:ops_sequential", "seed": 42, "host": "testhost",
            "start_time": "2026-01-28T10:00:00Z", "config_hash": "0000000000000000",
            "command_line": ["fairclip", "train"]}
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump(info, f, indent=2)
    evs = [{"type": "run_start", "time": T % 0, "experiment": name, "config_hash": "0000000000000000",
            "seed": 42, "backend": "go:ops_sequential", "fairclip_version": "0.1.0-test",
            "params": {"total": 353000000, "trainable": 9377475, "frozen": 343622525},
            "plan": {"epochs": 4, "batches_per_epoch": 138, "train_samples": 76139, "val_samples": 96}}]
    evs += epochs + (extra or [])
    for ds, m in tests:
        evs.append({"type": "test", "time": T % 50, "epoch": best, "dataset": ds, "metrics": m,
                    "scores_file": f"scores/test_{ds}_ep{best}.csv"})
        scores(os.path.join(d, "scores", f"test_{ds}_ep{best}.csv"), quality - 0.1, k + 1)
    if best:
        evs.append({"type": "best", "time": T % 51, "epoch": best, "metric": "auc",
                    "value": [e for e in epochs if e["epoch"] == best][0]["val"]["auc"],
                    "checkpoint": f"best_ep{best}.safetensors"})
        scores(os.path.join(d, "scores", f"val_ff++_ep{best}.csv"), quality, k)
    if end:
        evs.append(end)
    text = "".join(json.dumps(e) + "\n" for e in evs)
    if truncate:
        text += truncate
    with open(os.path.join(d, "events.jsonl"), "w") as f:
        f.write(text)


BASE = """logging:
  experiment_name: {name}
training:
  num_epochs: 4
optimizer:
  lr: {lr}
  weight_decay: {wd}
model:
  dropout: {drop}
  gate_init_bias: {gate}
  fusion_num_heads: {heads}
loss:
  label_smoothing: {ls}
loss_weighting:
  lambda_fair: {lam}
fairness_loss:
  sinkhorn_blur: {blur}
"""

V = metrics
# exp1: baseline (lambda 0.05, blur 1e-4, gate bias 1.0); best epoch 3.
run("exp1", "exp1_baseline_2026-01-28-10-00-00",
    BASE.format(name="exp1", lr=0.0003, wd=0.01, drop=0.1, gate=1.0, heads=8, ls=0.0, lam=0.05, blur=1.0e-4),
    [epoch(1, 3e-4, 0.50, 0.07, 0.05, 0.007, 0.48, V(0.60, 0.75, 0.40, 0.80, 1.20, 0.10, 0.30, 0.60), 0.80, True),
     epoch(2, 2e-4, 0.40, 0.07, 0.05, 0.009, 0.45, V(0.70, 0.80, 0.35, 0.85, 1.10, 0.12, 0.32, 0.70), 0.90, False),
     epoch(3, 3e-4, 0.35, 0.06, 0.05, 0.008, 0.44, V(0.80, 0.85, 0.25, 0.95, 1.6689, 0.1395, 0.3871, 0.9217), 0.96, False),
     epoch(4, 3e-4, 0.30, 0.062, 0.05, 0.010, 0.46, V(0.78, 0.84, 0.26, 0.94, 1.70, 0.15, 0.40, 0.93), 0.97, False)],
    [("celebdf", V(0.6401, 0.70, 0.40, 0.80, 0.2276, 0.3493, 0.0291, 0.7096)),
     ("dfd", V(0.8119, 0.75, 0.27, 0.90, 0.7229, 0.3469, 0.2282, 0.5308)),
     ("dfdc", V(0.7058, 0.68, 0.35, 0.85, 0.7046, 0.2473, 0.2848, 0.8592))],
    3, {"type": "run_end", "time": T % 59, "status": "completed", "epochs_completed": 4, "seconds": 2520.0,
        "best_epoch": 3, "error": ""}, quality=0.5, k=37,
    extra=[{"type": "degenerate_phase", "time": T % 2, "start": 1, "end": 1},
           {"type": "warning", "time": T % 3, "epoch": 3, "kind": "gate_saturation", "message": "gate mean 0.96 >= 0.95"}])

# exp2: lambda x10 and blur x10 (coupling); degenerate epochs 1-3; best epoch 4.
run("exp2", "exp2_fairness_boost_2026-01-28-11-00-00",
    BASE.format(name="exp2", lr=0.0002, wd=0.05, drop=0.2, gate=1.0, heads=8, ls=0.1, lam=0.5, blur=1.0e-3),
    [epoch(1, 2e-4, 0.60, 0.009, 0.5, 0.011, 0.58, V(0.55, 0.75, 0.45, 0.78, 1.30, 0.15, 0.40, 0.70), 0.95, True),
     epoch(2, 2e-4, 0.55, 0.009, 0.5, 0.012, 0.55, V(0.62, 0.75, 0.42, 0.80, 1.40, 0.16, 0.45, 0.80), 0.97, True),
     epoch(3, 2e-4, 0.50, 0.009, 0.5, 0.010, 0.52, V(0.68, 0.75, 0.38, 0.84, 1.50, 0.17, 0.50, 0.90), 0.98, True),
     epoch(4, 2e-4, 0.45, 0.009, 0.5, 0.011, 0.50, V(0.76, 0.79, 0.2766, 0.90, 1.7636, 0.1829, 0.5163, 0.9442), 0.99, False)],
    [("celebdf", V(0.5910, 0.66, 0.43, 0.75, 0.2153, 0.2329, 0.0594, 0.6452)),
     ("dfd", V(0.7860, 0.72, 0.29, 0.88, 0.8419, 0.3848, 0.3406, 0.6965)),
     ("dfdc", V(0.7092, 0.69, 0.34, 0.86, 0.8156, 0.3276, 0.3216, 0.8636))],
    4, {"type": "run_end", "time": T % 59, "status": "completed", "epochs_completed": 4, "seconds": 2160.0,
        "best_epoch": 4, "error": ""}, quality=0.4, k=41,
    extra=[{"type": "degenerate_phase", "time": T % 4, "start": 1, "end": 3},
           {"type": "bad_sample", "time": T % 4, "path": "ff++/x.png", "csv": "ff++/realtrain.csv", "row": 7, "error": "unexpected EOF"}])

# exp3: lambda x3, blur restored, gate bias 0.0; best epoch 4.
run("exp3", "exp3_balanced_recovery_2026-01-28-12-00-00",
    BASE.format(name="exp3", lr=0.0003, wd=0.01, drop=0.15, gate=0.0, heads=8, ls=0.1, lam=0.15, blur=1.0e-4),
    [epoch(1, 3e-4, 0.55, 0.07, 0.15, 0.020, 0.50, V(0.62, 0.75, 0.41, 0.80, 1.25, 0.12, 0.35, 0.65), 0.55, True),
     epoch(2, 2e-4, 0.45, 0.07, 0.15, 0.025, 0.46, V(0.74, 0.77, 0.33, 0.88, 1.30, 0.14, 0.40, 0.80), 0.60, False),
     epoch(3, 3e-4, 0.40, 0.065, 0.15, 0.030, 0.44, V(0.79, 0.78, 0.27, 0.93, 1.50, 0.15, 0.45, 0.85), 0.65, False),
     epoch(4, 3e-4, 0.38, 0.065, 0.15, 0.025, 0.42, V(0.795, 0.78, 0.2593, 0.9606, 1.5523, 0.1577, 0.4717, 0.8775), 0.62, False)],
    [("celebdf", V(0.6247, 0.69, 0.41, 0.79, 0.2236, 0.2370, 0.0352, 0.6914)),
     ("dfd", V(0.7914, 0.73, 0.28, 0.89, 0.6733, 0.3602, 0.2059, 0.4944)),
     ("dfdc", V(0.7050, 0.67, 0.36, 0.84, 0.7653, 0.2505, 0.2928, 0.8727))],
    4, {"type": "run_end", "time": T % 59, "status": "completed", "epochs_completed": 4, "seconds": 2400.0,
        "best_epoch": 4, "error": ""}, quality=0.45, k=43,
    extra=[{"type": "degenerate_phase", "time": T % 2, "start": 1, "end": 1}])

# exp4: killed during epoch 3 (no run_end, truncated last line, no test results yet).
run("exp4", "exp4_crashed_2026-01-28-13-00-00",
    BASE.format(name="exp4", lr=0.0003, wd=0.01, drop=0.15, gate=0.0, heads=4, ls=0.1, lam=0.15, blur=1.0e-4),
    [epoch(1, 3e-4, 0.56, 0.07, 0.15, 0.020, 0.51, V(0.61, 0.75, 0.42, 0.79, 1.26, 0.12, 0.36, 0.66), 0.56, True),
     epoch(2, 2e-4, 0.47, 0.07, 0.15, 0.024, 0.47, V(0.73, 0.76, 0.34, 0.87, 1.31, 0.14, 0.41, 0.81), 0.61, False)],
    [], 0, None, quality=0.45, k=47, truncate='{"type":"epoch","time":"2026-01-28T13:')
