#!/usr/bin/env bash
# time-step.sh LOG TARGET CMD [ARG...] — run one DAG step and append its cost to
# LOG as one tab-separated line:
#   target  tool  wall_s  max_rss_kib  exit_status  finished_utc  started_epoch_s
# The step's exit status is passed through unchanged. Lines are short single
# writes with O_APPEND, so parallel steps (make -j, srun) do not interleave.
# Without /usr/bin/time (Debian package `time`) the wall time comes from bash
# and the memory column is "nan".
set -uo pipefail
[ $# -ge 3 ] || { echo "time-step.sh: usage: time-step.sh LOG TARGET CMD [ARG...]" >&2; exit 2; }
log=$1 target=$2; shift 2
tool=$(basename "$1")
# Inside a Slurm job step (srun -cN) BLIS follows the step's CPUs, as the
# tools' own thread counts do (lib/gemm.c), whatever make exported.
if [ -n "${SLURM_STEP_ID:-}" ] && [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then
    export BLIS_NUM_THREADS=$SLURM_CPUS_PER_TASK
fi
mkdir -p "$(dirname "$log")"
started=$(date +%s)
if [ -x /usr/bin/time ]; then
    stats=$(mktemp "${TMPDIR:-/tmp}/sk-time.XXXXXX") || exit 1
    /usr/bin/time -q -o "$stats" -f '%e	%M' "$@"
    status=$?
    cost=$(tail -n 1 "$stats")
    rm -f "$stats"
else
    start=$(date +%s.%N)
    "$@"
    status=$?
    cost=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\tnan", b - a }')
fi
printf '%s\t%s\t%s\t%d\t%s\t%s\n' "$target" "$tool" "$cost" "$status" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$started" >> "$log"
exit "$status"
