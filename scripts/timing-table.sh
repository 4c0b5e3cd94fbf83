#!/usr/bin/env bash
# timing-table.sh LOG [ESTIMATES] — where the time goes: the timing log written by
# scripts/time-step.sh (target, tool, wall_s, max_rss_kib, status, finished,
# started, cpu_s, signature), reduced to the last recorded run of every target,
# then summed per step kind.
# A step kind is the target's file name with its dataset's d_z, e.g.
# "dl-fista.npz dz=500"; eval rows, curves and figures count as their own kinds.
# Output (TSV, sorted by total time, largest first):
#   step  tool  runs  total_s  mean_s  max_s  peak_mib  cpu_s  est_cpu_s  est_ratio
# and a last line "TOTAL" over every step. Failed runs (status != 0) count too:
# their time was spent. cpu_s is the steps' CPU time (nan for records without
# it); est_cpu_s is what the cost model estimated for the same steps when
# their build started (ESTIMATES, the estimates log that mk/progress.mk
# appends to: target, tool, cpu_s, peak_kib, basis, started; the last
# estimate of each target), and est_ratio = est_cpu_s / cpu_s over the steps
# that have both (nan where none has): the model's error.
# timing-table.sh --span LOG prints instead "START END" (epoch seconds): the
# span of those same runs, start = started_epoch_s, end = start + wall (runs
# logged before the start column existed are left out; nothing when none).
set -euo pipefail
span=0
[ "${1:-}" = --span ] && { span=1; shift; }
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: timing-table.sh [--span] LOG [ESTIMATES]" >&2; exit 2; }
[ -r "$1" ] || { echo "timing-table.sh: $1: cannot read the timing log" >&2; exit 1; }
estimates=${2:-/dev/null}
[ -r "$estimates" ] || estimates=/dev/null
awk -F'\t' -v span="$span" -v est_file="$estimates" '
FILENAME == est_file { if (NF >= 3 && $3 ~ /^[0-9.]+$/) est_of[$1] = $3; next }
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
        if (f[8] ~ /^[0-9.]+$/) { cpu[kind] += f[8]; has_cpu[kind] = 1; all_cpu += f[8]; any_cpu = 1
            if (target in est_of) { est[kind] += est_of[target]; est_cpu[kind] += f[8]; all_est += est_of[target]; all_est_cpu += f[8] } }
        if (f[3] > max[kind]) max[kind] = f[3]
        rss = (f[4] ~ /^[0-9]+$/) ? f[4] / 1024 : 0
        if (rss > peak[kind]) peak[kind] = rss
        all_runs++; all_total += f[3]; if (f[3] > all_max) all_max = f[3]; if (rss > all_peak) all_peak = rss
    }
    print "step", "tool", "runs", "total_s", "mean_s", "max_s", "peak_mib", "cpu_s", "est_cpu_s", "est_ratio"
    for (k in runs)
        printf("%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.0f\t%s\t%s\t%s\n", k, tool[k], runs[k], total[k], total[k] / runs[k], max[k], peak[k],
            has_cpu[k] ? sprintf("%.1f", cpu[k]) : "nan", (k in est) ? sprintf("%.1f", est[k]) : "nan",
            ((k in est) && est_cpu[k] > 0) ? sprintf("%.2f", est[k] / est_cpu[k]) : "nan") | "sort -t \"\t\" -k4,4gr"
    close("sort -t \"\t\" -k4,4gr")
    printf("TOTAL\t-\t%d\t%.1f\t%.2f\t%.2f\t%.0f\t%s\t%s\t%s\n", all_runs, all_total, all_runs ? all_total / all_runs : 0, all_max, all_peak,
        any_cpu ? sprintf("%.1f", all_cpu) : "nan", (all_est_cpu > 0) ? sprintf("%.1f", all_est) : "nan",
        (all_est_cpu > 0) ? sprintf("%.2f", all_est / all_est_cpu) : "nan")
}' "$estimates" "$1"
