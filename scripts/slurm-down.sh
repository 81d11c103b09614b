#!/usr/bin/env bash
# Stops the daemons that scripts/slurm-up.sh started (by their recorded PIDs only).
set -uo pipefail
state=${1:-${TMPDIR:-/tmp}/fairclip-slurm}
for d in slurmd slurmctld; do
  pidf="$state/$d.pid"
  if [ -f "$pidf" ]; then
    pid=$(cat "$pidf")
    kill "$pid" 2>/dev/null && echo "slurm-down: stopped $d ($pid)"
    rm -f "$pidf"
  fi
done
if [ -f "$state/munged.ours" ] && [ -f "$state/munged.pid" ]; then
  kill "$(cat "$state/munged.pid")" 2>/dev/null && echo "slurm-down: stopped munged"
  rm -f "$state/munged.pid" "$state/munged.ours"
fi
exit 0
