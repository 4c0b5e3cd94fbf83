#!/usr/bin/env bash
# time-step.sh LOG TARGET CMD [ARG...] — run one DAG step and append its cost to
# LOG as one tab-separated line:
#   target  tool  wall_s  max_rss_kib  exit_status  finished_utc  started_epoch_s  cpu_s  signature
# cpu_s is user + system time; the signature (scripts/step-sig.awk) names the
# step's options apart from paths, seeds and dataset sizes: scripts/plan.sh
# fits its cost model to the records of each signature.
# The step's exit status is passed through unchanged. Lines are short single
# writes with O_APPEND, so parallel steps (make -j, srun) do not interleave.
# Without /usr/bin/time (Debian package `time`) the wall time comes from bash
# and the memory column is "nan", the CPU column the wall time.
set -uo pipefail
[ $# -ge 3 ] || { echo "time-step.sh: usage: time-step.sh LOG TARGET CMD [ARG...]" >&2; exit 2; }
log=$1 target=$2; shift 2
tool=$(basename "$1")
sig=$(awk -v sig_main=1 -f "$(dirname "$0")/step-sig.awk" -- "$@")
# Inside a Slurm job step (srun -cN) BLIS follows the step's CPUs, as the
# tools' own thread counts do (lib/gemm.c), whatever make exported.
if [ -n "${SLURM_STEP_ID:-}" ] && [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then
    export BLIS_NUM_THREADS=$SLURM_CPUS_PER_TASK
fi
mkdir -p "$(dirname "$log")"
started=$(date +%s)
if [ -x /usr/bin/time ]; then
    stats=$(mktemp "${TMPDIR:-/tmp}/sk-time.XXXXXX") || exit 1
    /usr/bin/time -q -o "$stats" -f '%e	%M	%U	%S' "$@"
    status=$?
    # wall, KiB, CPU (user + system): time's last line (it may warn above it)
    cost=$(tail -n 1 "$stats" | awk -F'\t' -v OFS='\t' '{ printf "%s\t%s\t%.2f\n", $1, $2, $3 + $4 }')
    rm -f "$stats"
else
    start=$(date +%s.%N)
    "$@"
    status=$?
    cost=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\tnan\t%.2f", b - a, b - a }')
fi
IFS=$'\t' read -r wall rss cpu <<<"$cost"
printf '%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n' "$target" "$tool" "$wall" "$rss" "$status" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$started" "$cpu" "$sig" >> "$log"
exit "$status"
