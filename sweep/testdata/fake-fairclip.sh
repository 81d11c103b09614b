#!/usr/bin/env bash
# A stand-in for `fairclip train` used by the sweep tests: it writes a run folder whose
# events.jsonl follows docs/events.md, with val AUC = 0.9 - lambda_fair and
# val F_MEO = 0.5 + heads/100, and crashes when lambda_fair is 0.99.
set -euo pipefail
[ "$1" = train ] || { echo "fake: expected train" >&2; exit 2; }
shift
dir= lambda=0.1 heads=8 sleep_s=${FAKE_SLEEP:-0}
while [ $# -gt 0 ]; do
  case "$1" in
    --run-dir|--resume) dir=$2; shift 2 ;;
    --config) shift 2 ;;
    --set)
      case "$2" in
        loss_weighting.lambda_fair=*) lambda=${2#*=} ;;
        model.fusion_num_heads=*) heads=${2#*=} ;;
      esac
      shift 2 ;;
    *) echo "fake: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
echo "$lambda $heads" > "$dir/params.txt"
if [ "$lambda" = 0.99 ]; then echo "fake: simulated crash" >&2; exit 3; fi
auc=$(awk "BEGIN{print 0.9 - $lambda}")
meo=$(awk "BEGIN{print 0.5 + $heads/100}")
ev="$dir/events.jsonl"
: > "$ev"
for e in 1 2 3; do
  sleep "$sleep_s"
  echo "{\"type\":\"epoch\",\"time\":\"2026-01-01T00:00:0${e}Z\",\"epoch\":$e,\"train_loss\":0.5,\"val\":{\"auc\":$auc,\"f_meo\":$meo},\"degenerate\":false}" >> "$ev"
done
echo "{\"type\":\"best\",\"time\":\"2026-01-01T00:00:04Z\",\"epoch\":3,\"metric\":\"auc\",\"value\":$auc}" >> "$ev"
echo "{\"type\":\"test\",\"time\":\"2026-01-01T00:00:05Z\",\"epoch\":3,\"dataset\":\"celebdf\",\"metrics\":{\"auc\":0.6}}" >> "$ev"
echo "{\"type\":\"test\",\"time\":\"2026-01-01T00:00:05Z\",\"epoch\":3,\"dataset\":\"dfd\",\"metrics\":{\"auc\":0.8}}" >> "$ev"
echo "{\"type\":\"run_end\",\"time\":\"2026-01-01T00:00:06Z\",\"status\":\"completed\",\"epochs_completed\":3}" >> "$ev"
