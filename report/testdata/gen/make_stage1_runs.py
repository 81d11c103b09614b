#!/usr/bin/env python3
"""Writes the hand-made Stage 1 run folders under report/testdata/runs/ used by the report
tests (report/testdata/golden_stage1_en.md).

Every number is typed by hand (no model, no training). The validation columns follow the
trainer's formulas so that the report can be checked by hand: score = 1.0*cos - 0.3*race_head
- 0.2*gender_head (stage1.best_model_selection defaults); a best event follows each epoch whose
score beats every earlier one.
Run: python3 report/testdata/gen/make_stage1_runs.py (from the repository root).
"""
import json, os, shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runs")
T = "2026-02-01T09:%02d:00Z"
# Raw CLIP columns (the same validation rows for both runs): probes and Sinkhorn before.
RAW = {"probe_race_acc_clip": 0.9, "probe_gender_acc_clip": 0.95,
       "sinkhorn_global_before": 0.8, "sinkhorn_pairwise_before": 0.9,
       "sinkhorn_subgroup_before": [0.70, 0.80, 0.90, 1.00, 0.75, 0.85, 0.95, None]}


def epoch(n, lr, grl, cos, head_race, head_gender, probe_race, probe_gender, glob, pair, sub, best):
    score = round(cos - 0.3 * head_race - 0.2 * head_gender, 10)
    ev = {"type": "stage1_epoch", "time": T % (n * 2), "epoch": n, "lr": lr, "lambda_grl": grl,
          "train_loss": 3.0 - 0.2 * n, "train_race_loss": 1.3, "train_gender_loss": 0.65,
          "train_similarity_loss": round(1 - cos, 10), "train_fairness_loss": glob, "train_pairwise_loss": pair,
          "train_race_acc": head_race, "train_gender_acc": head_gender, "fair_undefined_batches": 0,
          "val_samples": 96, "val_cosine": cos, "val_race_acc": head_race, "val_gender_acc": head_gender,
          "score": score, "probe_race_acc": probe_race, "probe_gender_acc": probe_gender,
          "probe_race_acc_clip": None, "probe_gender_acc_clip": None,
          "sinkhorn_global_before": None, "sinkhorn_global_after": glob,
          "sinkhorn_pairwise_before": None, "sinkhorn_pairwise_after": pair,
          "sinkhorn_subgroup_before": None, "sinkhorn_subgroup_after": sub,
          "best": best, "seconds": 30.0}
    ev.update(RAW)
    return ev


def run(name, folder, cfg, epochs, end):
    d = os.path.join(ROOT, folder)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(cfg)
    info = {"experiment": name, "fairclip_version": "0.1.0-test", "go_version": "go1.26.8",
            "backend": "go:ops_sequential", "seed": 42, "host": "testhost",
            "start_time": "2026-02-01T09:00:00Z", "config_hash": "0000000000000000",
            "command_line": ["fairclip", "train"]}
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump(info, f, indent=2)
    evs = [{"type": "run_start", "time": T % 0, "experiment": name, "config_hash": "0000000000000000",
            "seed": 42, "backend": "go:ops_sequential", "fairclip_version": "0.1.0-test",
            "params": {"total": 428000000, "trainable": 1185286, "frozen": 426814714},
            "plan": {"epochs": 4, "batches_per_epoch": 12, "train_samples": 768, "val_samples": 96}}]
    for e in epochs:
        evs.append(e)
        if e["best"]:
            evs.append({"type": "checkpoint", "time": e["time"], "epoch": e["epoch"], "path": "best.safetensors", "kind": "best"})
            evs.append({"type": "best", "time": e["time"], "epoch": e["epoch"], "metric": "stage1_score",
                        "value": e["score"], "checkpoint": "best.safetensors"})
    if end:
        evs.append(end)
    with open(os.path.join(d, "events.jsonl"), "w") as f:
        f.write("".join(json.dumps(e) + "\n" for e in evs))


CFG = """stage: 1
logging:
  experiment_name: {name}
training:
  num_epochs: 4
optimizer:
  lr: 0.001
  weight_decay: 0.0001
stage1:
  probe_every: {probe}
  grl:
    schedule: {grl}
"""
SUB_A = [0.60, 0.70, 0.80, 0.90, 0.65, 0.75, 0.85, None]
SUB_B = [0.68, 0.78, 0.88, 0.98, 0.73, 0.83, 0.93, None]

# s1_dann: 4 epochs, completed; scores 0.82, 0.86, 0.75, 0.755 -> best epoch 2, while the
# race probe keeps falling to 0.35 at epoch 4.
run("s1_dann", "s1_dann_2026-02-01-09-00-00", CFG.format(name="s1_dann", probe=1, grl="dann"),
    [epoch(1, 0.001, 0.7616, 0.96, 0.2, 0.4, 0.8, 0.9, 0.7, 0.8, [0.62, 0.72, 0.82, 0.92, 0.67, 0.77, 0.87, None], True),
     epoch(2, 0.000505, 0.964, 0.95, 0.1, 0.3, 0.6, 0.8, 0.65, 0.75, SUB_A, True),
     epoch(3, 0.0001, 0.9951, 0.94, 0.3, 0.5, 0.4, 0.7, 0.6, 0.7, SUB_A, False),
     epoch(4, 0.00001, 0.9993, 0.93, 0.25, 0.5, 0.35, 0.65, 0.6, 0.7, SUB_A, False)],
    {"type": "run_end", "time": T % 9, "status": "completed", "epochs_completed": 4, "seconds": 125.0,
     "best_epoch": 2, "error": ""})

# s1_linear: probes every 2 epochs (none at epoch 1); killed after epoch 2 (no run_end).
# Scores 0.69, 0.73 -> best epoch 2.
run("s1_linear", "s1_linear_2026-02-01-10-00-00", CFG.format(name="s1_linear", probe=2, grl="linear"),
    [epoch(1, 0.001, 0.25, 0.98, 0.5, 0.7, None, None, 0.78, 0.88, SUB_B, True),
     epoch(2, 0.000505, 0.5, 0.97, 0.4, 0.6, 0.7, 0.85, 0.75, 0.85, SUB_B, True)],
    None)
