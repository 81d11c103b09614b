#!/usr/bin/env bash
# Starts a single-node Slurm cluster on localhost from Debian's packages (munge,
# slurmctld, slurmd), without systemd. Used by .ci/run for the Slurm end-to-end test
# and by users who want to try `fairclip sweep run --executor slurm` on one machine.
#
#   scripts/slurm-up.sh [STATE_DIR]     (default: $TMPDIR/fairclip-slurm, TMPDIR defaulting to /tmp)
#   scripts/slurm-down.sh [STATE_DIR]   stops exactly the daemons this script started
#
# Installs the packages when missing (needs root and Debian's package index).
set -euo pipefail

state=${1:-${TMPDIR:-/tmp}/fairclip-slurm}
mkdir -p "$state"
state=$(cd "$state" && pwd)

need=()
for bin in munged slurmctld slurmd sbatch; do
  command -v "$bin" >/dev/null 2>&1 || need+=("$bin")
done
if ((${#need[@]})); then
  echo "slurm-up: installing munge and Slurm (missing: ${need[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq munge slurmd slurmctld slurm-client >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)

# munge: key, socket directory (mode 0755 so clients can reach the socket), daemon.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chmod 0400 /etc/munge/munge.key
chown -R root:root /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
if ! munge -n >/dev/null 2>&1; then
  munged --force --key-file=/etc/munge/munge.key --pid-file="$state/munged.pid" \
    --socket=/run/munge/munge.socket.2 --log-file="$state/munged.log" --seed-file="$state/munged.seed"
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n >/dev/null || { echo "slurm-up: munged did not start (see $state/munged.log)" >&2; exit 1; }
  echo started >"$state/munged.ours"
fi

mkdir -p "$state/spool/ctld" "$state/spool/d" /etc/slurm
conf=/etc/slurm/slurm.conf
cat >"$conf" <<CONF
# Written by fairclip scripts/slurm-up.sh: single node on localhost.
ClusterName=fairclip
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
MaxArraySize=10001
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

if [ -f "$state/slurmctld.pid" ] && kill -0 "$(cat "$state/slurmctld.pid")" 2>/dev/null; then
  echo "slurm-up: slurmctld already running"
else
  slurmctld -c -f "$conf"
fi
if [ -f "$state/slurmd.pid" ] && kill -0 "$(cat "$state/slurmd.pid")" 2>/dev/null; then
  echo "slurm-up: slurmd already running"
else
  slurmd -f "$conf"
fi

for _ in $(seq 100); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm-up: cluster ready on $host (state in $state)"
    exit 0
  fi
  scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
  sleep 0.2
done
echo "slurm-up: node did not become idle; logs: $state/slurmctld.log $state/slurmd.log" >&2
sinfo >&2 || true
exit 1
