#!/usr/bin/env bash
# timing-table.sh LOG — where the time goes: the timing log written by
# scripts/time-step.sh (target, tool, wall_s, max_rss_kib, status, finished),
# reduced to the last recorded run of every target, then summed per step kind.
# A step kind is the target's file name with its dataset's d_z, e.g.
# "dl-fista.npz dz=500"; eval rows, curves and figures count as their own kinds.
# Output (TSV, sorted by total time, largest first):
#   step  tool  runs  total_s  mean_s  max_s  peak_mib
# and a last line "TOTAL" over every step. Failed runs (status != 0) count too:
# their time was spent.
# timing-table.sh --span LOG prints instead "START END" (epoch seconds): the
# span of those same runs, start = started_epoch_s, end = start + wall (runs
# logged before the start column existed are left out; nothing when none).
set -euo pipefail
span=0
[ "${1:-}" = --span ] && { span=1; shift; }
[ $# -eq 1 ] || { echo "usage: timing-table.sh [--span] LOG" >&2; exit 2; }
[ -r "$1" ] || { echo "timing-table.sh: $1: cannot read the timing log" >&2; exit 1; }
awk -F'\t' -v span="$span" '
NF >= 5 && $3 ~ /^[0-9.]+$/ { last[$1] = $0 }
END {
    if (span) {
        for (target in last) {
            if (split(last[target], f, "\t") < 7) continue
            s = f[7] + 0; e = s + f[3]
            if (!n++ || s < lo) lo = s; if (e > hi) hi = e
        }
        if (n) printf "%d %d\n", lo, hi
        exit
    }
    OFS = "\t"
    for (target in last) {
        split(last[target], f, "\t")
        n = split(target, parts, "/"); name = parts[n]
        dz = ""
        if (n >= 2 && match(parts[n - 1], /^dz[0-9]+/)) dz = " dz=" substr(parts[n - 1], 3, RLENGTH - 2)
        kind = name dz
        sub(/^dz[0-9]+_k[0-9]+_p[0-9]+(_dy[0-9]+)?_s[0-9]+\.npz$/, "dataset (gen-data)", kind)
        if (f[2] == "eval") kind = "eval" dz
        tool[kind] = f[2]; runs[kind]++; total[kind] += f[3]
        if (f[3] > max[kind]) max[kind] = f[3]
        rss = (f[4] ~ /^[0-9]+$/) ? f[4] / 1024 : 0
        if (rss > peak[kind]) peak[kind] = rss
        all_runs++; all_total += f[3]; if (f[3] > all_max) all_max = f[3]; if (rss > all_peak) all_peak = rss
    }
    print "step", "tool", "runs", "total_s", "mean_s", "max_s", "peak_mib"
    for (k in runs)
        printf "%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.0f\n", k, tool[k], runs[k], total[k], total[k] / runs[k], max[k], peak[k] | "sort -t \"\t\" -k4,4gr"
    close("sort -t \"\t\" -k4,4gr")
    printf "TOTAL\t-\t%d\t%.1f\t%.2f\t%.2f\t%.0f\n", all_runs, all_total, all_runs ? all_total / all_runs : 0, all_max, all_peak
}' "$1"
