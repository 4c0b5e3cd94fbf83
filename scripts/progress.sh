#!/usr/bin/env bash
# progress.sh DIR TARGET CMD [ARG...] — run one step of the experiment DAG (a
# tool run, a figure, the report) quietly: CMD's stderr goes to the build log
# (DIR/log names it) with the command and its exit status, and one progress
# line goes to stderr when the step ends:
#   [ 412/2013  20%] train-sae sae-topk dz1000_k10_p5000_s1   41 s   ETA 14 min
# followed, in full, by whatever the step wrote to stderr (a warning), or by
# "FAILED" and its messages when it fails. CMD's stdout is left alone (data).
# The exit status is CMD's.
#
# DIR is this make's progress folder (mk/progress.mk): total ("STEPS CPU_S",
# from the dry run at the start: only what is out of date), plan.tsv (each
# target's estimated CPU seconds), start (epoch seconds), log (the build log's
# path) and state ("DONE CPU_S_DONE FAILED"), updated under an flock on
# DIR/lock, so that parallel steps (make -j) count each step once. The ETA is
# the elapsed time scaled by the estimated work left over the estimated work
# done, so it follows both the cost model and the machine's actual speed.
set -uo pipefail
[ $# -ge 3 ] || { echo "progress.sh: usage: progress.sh DIR TARGET CMD [ARG...]" >&2; exit 2; }
dir=$1 target=$2; shift 2

# What the line calls the step: the tool and the target's name, with the
# dataset for a run (RUNS/DATASET/METHOD.npz -> METHOD DATASET).
what() {
    local tool="" name args=("$@") i
    for i in "${!args[@]}"; do
        case ${args[$i]} in
        time-step.sh|*/time-step.sh) tool=$(basename "${args[$((i + 3))]:-step}"); break ;;
        draw.sh|*/draw.sh) tool=gnuplot; break ;;
        report.sh|*/report.sh) tool=report; break ;;
        esac
    done
    name=$(basename "$target"); name=${name%.npz}; name=${name%.tsv}
    case $target in
        */dz[0-9]*_k*_p*_s[0-9]*/*) printf '%s %s %s' "${tool:-step}" "$name" "$(basename "$(dirname "$target")")" ;;
        *) printf '%s %s' "${tool:-step}" "$name" ;;
    esac
}
duration() {  # seconds -> "41 s", "14 min", "2 h 05 min"
    local s=${1%.*}
    if [ "$s" -lt 60 ]; then printf '%d s' "$s"
    elif [ "$s" -lt 3600 ]; then printf '%d min' $(( (s + 30) / 60 ))
    else printf '%d h %02d min' $(( s / 3600 )) $(( (s % 3600 + 30) / 60 )); fi
}

err=$(mktemp "${TMPDIR:-/tmp}/sk-step.XXXXXX") || exit 1
trap 'rm -f "$err"' EXIT
started=$(date +%s.%N)
"$@" 2>"$err"
status=$?
took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

est=$(awk -F'\t' -v t="$target" '$1 == t { print $2; exit }' "$dir/plan.tsv" 2>/dev/null)
log=$(cat "$dir/log" 2>/dev/null || echo /dev/null)
{
    flock 9
    total=0 total_cpu=0 done=0 done_cpu=0 failed=0
    [ -f "$dir/total" ] && read -r total total_cpu < "$dir/total"
    [ -f "$dir/state" ] && read -r done done_cpu failed < "$dir/state"
    done=$((done + 1)); [ "$status" -eq 0 ] || failed=$((failed + 1))
    done_cpu=$(awk -v a="$done_cpu" -v b="${est:-0}" 'BEGIN { printf "%.1f", a + b }')
    printf '%d %s %d\n' "$done" "$done_cpu" "$failed" > "$dir/state.tmp" && mv "$dir/state.tmp" "$dir/state"
    [ "$total" -ge "$done" ] || total=$done
    start=$(cat "$dir/start" 2>/dev/null || date +%s)
    elapsed=$(( $(date +%s) - start ))
    eta=""
    if [ "$done" -lt "$total" ]; then
        eta=$(awk -v e="$elapsed" -v d="$done_cpu" -v t="$total_cpu" -v n="$done" -v N="$total" 'BEGIN {
            if (d > 0 && t > d) r = e * (t - d) / d; else r = e * (N - n) / n
            printf "%d", r }')
        eta="   ETA $(duration "$eta")"
    fi
    pct=$(( total > 0 ? 100 * done / total : 100 ))
    width=${#total}
    line=$(printf '[%*d/%d %3d%%] %s   %s%s' "$width" "$done" "$total" "$pct" "$(what "$@")" "$(duration "$took")" "$eta")
    # The build log: the command, its messages, how it ended.
    { printf '%s\n' "$*"; cat "$err"; printf '# %s: exit %d, %s s\n' "$target" "$status" "$took"; } >> "$log"
    # The terminal: one line, and in full what the step had to say.
    if [ "$status" -ne 0 ]; then
        printf '%s   FAILED (exit %d; the command and its messages are in %s)\n' "$line" "$status" "$log"
        cat "$err"
    else
        printf '%s\n' "$line"
        cat "$err"
    fi >&2
    if [ "$done" -eq "$total" ]; then
        if [ "$failed" -gt 0 ]; then printf '%d of %d steps failed, in %s; log: %s\n' "$failed" "$total" "$(duration "$elapsed")" "$log"
        else printf 'all %d steps done in %s; log: %s\n' "$total" "$(duration "$elapsed")" "$log"; fi >&2
    fi
} 9>>"$dir/lock"
exit "$status"
