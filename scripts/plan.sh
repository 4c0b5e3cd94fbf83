#!/usr/bin/env bash
# plan.sh [OPTIONS] [GOAL...] — what `make GOAL` would run and what it would
# cost, without running it (make plan). Each GOAL (default: figures) is dry-run
# (`make -n V=1 GOAL`); every tool step, figure and report in it is a step, and
# its CPU time and peak memory come from the cost model of scripts/plan.awk:
# records of the same kind of step and options, from the build's timing log
# where it has them, else from the measurements shipped in experiments/costs.tsv,
# scaled to the step's d_z and p by exponents fitted to those records.
#   --make PROG          the make to dry-run (default make)
#   --makeflags STRING   MAKEFLAGS for the dry runs: the caller's flags and
#                        command-line variables ("k -- SCALE=paper")
#   --log FILE           the timing log (scripts/time-step.sh); may be absent
#   --costs FILE         the shipped records (experiments/costs.tsv)
#   --cores "N..."       wall times for these core counts (default: nproc)
#   --steps              also list every step: goal, target, tool, kind,
#                        CPU s, peak KiB, basis
#   --progress           for the progress lines (mk/progress.mk) instead of a
#                        report: one dry run of all GOALs together; make a
#                        progress folder (scripts/progress.sh) holding plan.tsv
#                        (target, CPU s), total ("STEPS CPU_S"), start, log;
#                        print "DIR STEPS"; append each step's estimate to
#                        --estimates FILE (target, tool, CPU s, peak KiB, basis,
#                        start; the report's time table compares them with
#                        what the steps took) and a header to --build-log FILE
#   --owner PID          (with --progress) the make whose folder it is: folders
#                        of makes that are gone are removed
# Wall time on N cores is a longest-first schedule of the steps on N cores,
# one step per core (as under make -jN, where each tool gets nproc/N threads),
# ignoring that a step waits for its inputs: a lower bound that the chains of
# the DAG (dataset, run, row) lengthen by a few steps at most.
set -euo pipefail
# What every step costs besides its tool's CPU time (time-step.sh, progress.sh,
# process start), in seconds: measured as the wall time of the smoke build's
# near-empty steps (eval at d_z = 20: 0.09 s) under load.
step_overhead=0.1
here=$(cd "$(dirname "$0")" && pwd)
make_prog=make makeflags="" log="" costs="" cores="" list_steps=0 progress=0 estimates="" owner="" build_log=""
while [ $# -gt 0 ]; do
    case $1 in
    --make) make_prog=$2; shift 2 ;;
    --makeflags) makeflags=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --costs) costs=$2; shift 2 ;;
    --cores) cores=$2; shift 2 ;;
    --steps) list_steps=1; shift ;;
    --progress) progress=1; shift ;;
    --owner) owner=$2; shift 2 ;;
    --build-log) build_log=$2; shift 2 ;;
    --estimates) estimates=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "plan.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
goals=("$@")
[ ${#goals[@]} -gt 0 ] || goals=(figures)
cores=${cores:-$(nproc 2>/dev/null || echo 1)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-plan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# One dry run per goal (two at a time), each line tagged with its goal; V=1 so
# that the lines are the commands themselves, without progress wrappers.
dry_run() {
    local i=$1 goal=$2
    # shellcheck disable=SC2086 # (progress: several goals in one word)
    if ! MAKEFLAGS="$makeflags V=1" "$make_prog" -n --no-print-directory $goal >"$tmp/dry.$i" 2>"$tmp/err.$i"; then
        echo "plan.sh: make -n $goal failed:" >&2; tail -n 5 "$tmp/err.$i" >&2; return 1
    fi
    sed -i "s/^/$i\t/" "$tmp/dry.$i"
}
# Progress: one dry run of every goal together, as the build will run them.
[ $progress = 1 ] && goals=("${goals[*]}")
pids=()
for i in "${!goals[@]}"; do
    dry_run "$i" "${goals[$i]}" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
for i in "${!goals[@]}"; do [ -f "$tmp/dry.$i" ] || exit 1; done

inputs=()
[ -n "$costs" ] && [ -r "$costs" ] && inputs+=("$costs")
[ -n "$log" ] && [ -r "$log" ] && inputs+=("$log")
for i in "${!goals[@]}"; do inputs+=("$tmp/dry.$i"); done
awk -v costs_file="$costs" -v log_file="$log" -f "$here/step-sig.awk" -f "$here/plan.awk" "${inputs[@]}" >"$tmp/steps"

if [ $progress = 1 ]; then
    base=${TMPDIR:-/tmp}
    for d in "$base"/sk-progress.*; do   # folders of makes that are gone
        [ -f "$d/owner" ] || continue
        kill -0 "$(cat "$d/owner")" 2>/dev/null || rm -rf "$d"
    done
    dir=$(mktemp -d "$base/sk-progress.XXXXXX")
    echo "${owner:-$$}" >"$dir/owner"
    date +%s >"$dir/start"
    printf '%s\n' "${build_log:-/dev/null}" >"$dir/log"
    awk -F'\t' -v OFS='\t' -v o="$step_overhead" '{ print $2, $5 + o }' "$tmp/steps" >"$dir/plan.tsv"
    awk -F'\t' -v o="$step_overhead" '{ n++; s += $5 + o } END { printf "%d %.0f\n", n, s }' "$tmp/steps" >"$dir/total"
    read -r n est <"$dir/total"
    if [ -n "$estimates" ] && [ "$n" -gt 0 ]; then
        mkdir -p "$(dirname "$estimates")"
        awk -F'\t' -v OFS='\t' -v t="$(date +%s)" '{ print $2, $3, $5, $6, $7, t }' "$tmp/steps" >>"$estimates"
    fi
    if [ -n "$build_log" ]; then
        mkdir -p "$(dirname "$build_log")"
        printf '# %s: make %s: %d steps to run (estimated %.0f CPU-min)\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" \
            "${goals[*]}" "$n" "$(awk -v s="$est" 'BEGIN { print s / 60 }')" >>"$build_log"
    fi
    echo "$dir $n"
    exit 0
fi

if [ $list_steps = 1 ]; then
    printf 'goal\ttarget\ttool\tkind\tcpu_s\tpeak_kib\tbasis\n'
    awk -F'\t' -v OFS='\t' -v names="$(printf '%s\n' "${goals[@]}")" 'BEGIN { split(names, G, "\n") } { $1 = G[$1 + 1]; print }' "$tmp/steps"
    echo
fi

# The summary: per goal, then per kind of step over every goal's steps.
awk -F'\t' -v OVERHEAD="$step_overhead" -v cores="$cores" -v ngoals=${#goals[@]} -v goal_list="$(printf '%s\n' "${goals[@]}")" '
function hours(s) { return s >= 3600 ? sprintf("%.1f h", s / 3600) : (s >= 60 ? sprintf("%.0f min", s / 60) : sprintf("%.0f s", s)) }
function mib(k) { return sprintf("%.0f", k / 1024) }
# makespan(g, n): longest-first schedule of goal g'"'"'s steps on n cores
# Each step also costs its bookkeeping (bash wrappers, process start): OVERHEAD s.
function makespan(g, n,    i, best, load, c) {   # the steps come largest first
    for (c = 1; c <= n; c++) load[c] = 0
    for (i = 1; i <= cnt[g]; i++) {
        best = 1
        for (c = 2; c <= n; c++) if (load[c] < load[best]) best = c
        load[best] += cost[g, i] + OVERHEAD
    }
    best = 0; for (c = 1; c <= n; c++) if (load[c] > best) best = load[c]
    return best
}
{
    g = $1; cnt[g]++; cost[g, cnt[g]] = $5; cpu[g] += $5
    if ($6 > peak[g]) peak[g] = $6
    if ($3 == "gnuplot" || $3 == "report") fig[g]++
    if (!($2 in seen)) {
        # kinds shown with the SAE variant as %: sae-%-frozen.npz (the model keeps them apart)
        kd = $4; sub(/^sae-[a-z0-9]+/, "sae-%", kd)
        seen[$2] = 1; k = $3 " " kd; kn[k]++; kc[k] += $5; if ($6 > kp[k]) kp[k] = $6
        b[k, $7]++; all += $5; nall++
        basis[$7]++
    }
}
END {
    nc = split(cores, C, " ")
    printf "%-26s %7s %7s %9s %10s", "goal", "steps", "figures", "CPU-h", "peak MiB"
    for (c = 1; c <= nc; c++) printf " %12s", "wall -j" C[c]
    printf "\n"
    ng = split(goal_list, G, "\n")
    for (i = 1; i <= ng; i++) {
        g = i - 1
        printf "%-26s %7d %7d %9.2f %10s", G[i], cnt[g] - fig[g], fig[g], cpu[g] / 3600, mib(peak[g])
        for (c = 1; c <= nc; c++) printf " %12s", hours(makespan(g, C[c]))
        printf "\n"
    }
    if (ng > 1 && G[ng] != "figures") printf "%-26s %7d %7s %9.2f\n", "all goals (each step once)", nall, "", all / 3600
    printf "\nby kind of step (each step once): steps, CPU time in all, mean, largest peak memory, how estimated\n"
    for (k in kn) printf "%.3f\t%-44s %6d  %10s  %9.1f s  %8s MiB  %s\n", kc[k], k, kn[k], hours(kc[k]), kc[k] / kn[k], mib(kp[k]), bases(k) | "sort -t\"\t\" -k1,1gr | cut -f2-"
    close("sort -t\"\t\" -k1,1gr | cut -f2-")
    printf "\nestimates from: "
    sep = ""; for (x in basis) { printf "%s%s %d", sep, x, basis[x]; sep = ", " }
    printf " steps (log: this build'"'"'s timing log; shipped: experiments/costs.tsv; tool, kind: records of a similar step; guess: none)\n"
}
function bases(k,    x, s) { s = ""; for (x in basis) if ((k, x) in b) s = s (s ? "," : "") x; return s }
' <(sort -t "$(printf '\t')" -k5,5gr "$tmp/steps")
