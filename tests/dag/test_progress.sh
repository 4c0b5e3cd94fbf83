# What `make EXPERIMENT` prints by default (mk/progress.mk, scripts/progress.sh),
# at SCALE=smoke: one line per finished step, "[ i/N  p%] ...", numbered 1..N
# once each with N the steps that ran (tool runs in the timing log, figures
# drawn); no command on the terminal, every command and its exit status in
# results/build.log; a build resumed after it was killed counts only the steps
# that are left, and they are exactly the steps it then runs; a step's stderr
# reaches the terminal in full, and a failed step is named with its messages
# (through a LAUNCH prefix, as a cluster launcher would run it).
source "$(dirname "$0")/lib.sh"
command -v setsid >/dev/null || { echo "setsid is not installed"; exit 77; }
quiet() { make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/data" \
          RESULTS_DIR="$SK_TMP/results" PARAMS_DIR="$SK_TMP/params" "$@"; }
progress_lines() { grep -E '^\[ *[0-9]+/[0-9]+ +[0-9]+%\] ' "$1" || true; }
figures_in() { find results -name '*.png' | wc -l; }

# check_count LOG RUNS FIGURES — LOG announced N steps, numbered its progress
# lines 1..N once each, ended at 100%, and N = RUNS + FIGURES (what ran).
check_count() {
    local log=$1 n
    n=$(sed -n 's/^\([0-9]*\) steps to run.*/\1/p' "$log")
    [ -n "$n" ] || { cat "$log"; fail "$log: no 'N steps to run' line"; }
    [ "$n" -eq $(($2 + $3)) ] || fail "$log: announced $n steps, but $2 tool runs and $3 figures ran"
    progress_lines "$log" | sed -E 's/^\[ *([0-9]+)\/([0-9]+) .*/\1 \2/' > numbers
    [ "$(wc -l < numbers)" -eq "$n" ] || fail "$log: $(wc -l < numbers) progress lines for $n steps"
    awk -v n="$n" '$2 != n { exit 1 }' numbers || fail "$log: a line with another total than $n"
    cut -d' ' -f1 numbers | sort -n | uniq > seen
    [ "$(wc -l < seen)" -eq "$n" ] && [ "$(head -n 1 seen)" -eq 1 ] && [ "$(tail -n 1 seen)" -eq "$n" ] \
        || fail "$log: progress lines are not numbered 1..$n once each"
    progress_lines "$log" | tail -n 1 | grep -q '100%\]' || fail "$log: the last line is not at 100%"
    grep -q "^all $n steps done" "$log" || fail "$log: no closing line"
}

# A whole experiment, -j2.
quiet -j2 vary-samples > full.log 2>&1 || { tail -n 30 full.log; fail "make vary-samples failed"; }
runs=$(wc -l < results/timing.log)
[ "$runs" -ge 30 ] || fail "only $runs tool runs"
check_count full.log "$runs" "$(figures_in)"
progress_lines full.log | grep -q ' train-sae sae-topk dz[0-9]*_k[0-9]*_p[0-9]*_s[0-9]  *[0-9]* s   ETA ' \
    || fail "no progress line for an SAE run: $(progress_lines full.log | head -n 3)"
# Nothing but progress lines and the first line: no commands, nothing long.
grep -E 'time-step\.sh|bin/|gnuplot -e|printf' full.log && fail "commands on the terminal"
awk 'length > 200 { exit 1 }' full.log || fail "a line over 200 characters"
# The build log holds every command and how it ended.
assert_file results/build.log
while IFS=$'\t' read -r target tool _; do
    grep -q "time-step\.sh [^ ]* $target [^ ]*/$tool " results/build.log || fail "no command for $target in build.log"
    grep -qx "# $target: exit 0, [0-9.]* s" results/build.log || fail "no exit status for $target in build.log"
done < results/timing.log
[ "$(grep -c 'draw\.sh' results/build.log)" -eq "$(figures_in)" ] || fail "figures missing from build.log"
# Each step's estimate is recorded for the report's time table.
[ "$(cut -f1 results/estimates.log | sort -u | wc -l)" -eq $((runs + $(figures_in))) ] || fail "estimates.log does not hold every step"
quiet -j2 vary-samples > again.log 2>&1
grep -q '^nothing to run' again.log || { cat again.log; fail "a second make did not say that nothing is left"; }
[ "$(wc -l < results/timing.log)" -eq "$runs" ] || fail "a second make ran tools"

# Killed after a few steps, then resumed: the resumed build counts only what is left.
rm -rf results data
setsid env --default-signal=INT make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/data" \
    RESULTS_DIR="$SK_TMP/results" PARAMS_DIR="$SK_TMP/params" -j2 vary-samples > first.log 2>&1 &
pid=$!
for i in $(seq 1 600); do
    [ "$(cat results/timing.log 2>/dev/null | wc -l)" -ge 8 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -TERM -- -"$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
first=$(wc -l < results/timing.log)
[ "$first" -ge 8 ] || { cat first.log; fail "the first build ran only $first steps"; }
figs=$(figures_in)
quiet -j2 vary-samples > resumed.log 2>&1 || { tail -n 30 resumed.log; fail "the resumed make failed"; }
check_count resumed.log $(( $(wc -l < results/timing.log) - first )) $(( $(figures_in) - figs ))
left=$(sed -n 's/^\([0-9]*\) steps to run.*/\1/p' resumed.log)
n=$(sed -n 's/^\([0-9]*\) steps to run.*/\1/p' full.log)
[ "$left" -lt "$n" ] || fail "the resumed build counted $left steps of $n: not only what was left"
echo "resumed: $left of $n steps left after $first"

# Through a launcher: a step's stderr in full on the terminal, a failed step
# named with its messages; both also in the build log.
long=$(printf 'warning: %0300d' 7)
cat > launch.sh <<LAUNCH
#!/usr/bin/env bash
case " \$* " in
*/probe.npz\ *) echo "launch: the probe step fails here" >&2; exit 3 ;;
*/oracle.npz\ *) echo "$long" >&2 ;;
esac
exec "\$@"
LAUNCH
rm -rf results data
if quiet -j2 -k LAUNCH="bash $SK_TMP/launch.sh" "$SK_TMP/results/runs/dz20_k3_p200_s0/oracle.tsv" \
        "$SK_TMP/results/runs/dz20_k3_p200_s0/probe.tsv" > launch.log 2>&1; then
    fail "make succeeded although a step failed"
fi
grep -qx "$long" launch.log || fail "the step's warning is not on the terminal in full"
grep -q '^\[.*\] probe probe dz20_k3_p200_s0 .*FAILED (exit 3' launch.log || { cat launch.log; fail "no FAILED line for the probe"; }
grep -qx 'launch: the probe step fails here' launch.log || fail "the failed step's message is not on the terminal"
grep -qx "$long" results/build.log || fail "the warning is not in build.log"
grep -q "probe.npz: exit 3" results/build.log || fail "the failure is not in build.log"
grep -q "launch.sh bash scripts/time-step.sh" results/build.log || fail "build.log lacks the launcher"
echo ok
