# The DAG on a real Slurm cluster: scripts/slurm-local.sh brings up a private
# one-node cluster (munged, slurmctld, slurmd on 127.0.0.1, everything under
# SK_TMP), and `make figures SCALE=smoke` runs inside one allocation with every
# tool as a job step of the size resources.mk declares:
#     salloc -n2 make -j2 figures LAUNCH='$(SRUN_LAUNCH)'
# Checks: the recipes ran through srun (the build log) with one progress line
# per step on the terminal; the allocation is in the job-completion log, COMPLETED; slurmd
# launched exactly as many steps of it as the timing log has tool runs, all
# exit 0; every product equals a local `make -j2 figures SCALE=smoke` byte for
# byte (PDF apart from gnuplot's /CreationDate; timing.log, build.log,
# estimates.log, and the report
# page and its timing table, which say when and how long, are records, not
# products). Then a long DL-FISTA step is cancelled by Slurm while it writes,
# by SIGTERM (as at a time limit: no output, no temporary file may remain)
# and by SIGKILL (no output); re-running the same command then makes just
# that run, equal to the local one. The cluster is always shut
# down (trap), and none of its daemons or step daemons may be left running.
#
# Installs nothing: skips (77) without Slurm and munge or when not root,
# unless SK_REQUIRE_SLURM=1 (CI, after install-deps.sh --with-slurm), where
# that is a failure. Prints the wall time of both builds.
source "$(dirname "$0")/../cli/lib.sh"
skip() {
    if [ "${SK_REQUIRE_SLURM:-}" = 1 ]; then fail "$* (SK_REQUIRE_SLURM=1)"; fi
    echo "$*"; exit 77
}
for bin in slurmctld slurmd salloc srun sinfo scontrol munged; do
    command -v "$bin" >/dev/null || skip "$bin is not installed (scripts/install-deps.sh --with-slurm)"
done
[ "$(id -u)" = 0 ] || skip "the test cluster's daemons need root"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"

cluster=$SK_TMP/cluster
shutdown() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -d "$cluster/pids" ]; then
        cp -r "$cluster/pids" "$SK_TMP/daemon-pids" 2>/dev/null || true
        bash "$SK_ROOT/scripts/slurm-local.sh" down "$cluster" || rc=1
    fi
    exit "$rc"
}
trap shutdown EXIT
trap 'exit 130' INT TERM

cp -r "$SK_ROOT/experiments/params" params
dag() {  # dag DIR MAKE-ARGS... — the smoke DAG with its data and results under DIR
    local dir=$1; shift
    make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/$dir/data" \
        RESULTS_DIR="$SK_TMP/$dir/results" PARAMS_DIR="$SK_TMP/params" "$@"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

start=$(now)
dag L -j2 figures >L.log 2>&1 || { tail -n 30 L.log; fail "local make figures failed"; }
echo "local make -j2 figures SCALE=smoke: $(since "$start") s"

start=$(now)
eval "$(bash "$SK_ROOT/scripts/slurm-local.sh" up "$cluster")"
echo "cluster up: $(since "$start") s"
[ "${SLURM_CONF:-}" = "$cluster/slurm.conf" ] || fail "slurm-local.sh up printed no SLURM_CONF"

start=$(now)
salloc -n2 --quiet make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/S/data" \
    RESULTS_DIR="$SK_TMP/S/results" PARAMS_DIR="$SK_TMP/params" -j2 figures \
    LAUNCH='$(SRUN_LAUNCH)' >S.log 2>&1 || { tail -n 30 S.log; fail "make figures through Slurm failed"; }
echo "salloc -n2 make -j2 figures SCALE=smoke LAUNCH='\$(SRUN_LAUNCH)': $(since "$start") s"
# The default output: progress lines on the terminal, the commands in the build log.
grep -q '^srun -n1 -c[0-9]* --mem=[0-9]*M -t [0-9]* --exact --quiet bash scripts/time-step.sh' S/results/build.log \
    || fail "the recipes did not run through srun: $(grep -m1 time-step.sh S/results/build.log)"

# The allocation: the only job of this fresh cluster, completed.
[ "$(wc -l <"$cluster/jobcomp.log")" -eq 1 ] || fail "expected one job in the job-completion log: $(cat "$cluster/jobcomp.log")"
grep -q 'JobState=COMPLETED' "$cluster/jobcomp.log" || fail "the allocation did not complete: $(cat "$cluster/jobcomp.log")"
job=$(sed -n 's/^JobId=\([0-9]*\) .*/\1/p' "$cluster/jobcomp.log")
# Its steps: one per tool run in the timing log, each exited 0.
tools=$(wc -l <S/results/timing.log)
steps=$(grep -c "launch task StepId=$job\.[0-9]* " "$cluster/slurmd.log" || true)
echo "job $job: $steps job steps, $tools tool runs in the timing log"
[ "$tools" -ge 50 ] || fail "too few tool runs in the timing log: $tools"
[ "$steps" -eq "$tools" ] || fail "$steps Slurm steps for $tools tool runs"
awk -F'\t' '$5 != 0 { bad = 1 } END { exit bad }' S/results/timing.log || fail "a step failed: $(awk -F'\t' '$5 != 0' S/results/timing.log | head -n 3)"
[ "$(wc -l <L/results/timing.log)" -eq "$tools" ] || fail "local and Slurm runs ran different numbers of tools"
# One progress line per step (tool runs, figures, the report), counted up to the total announced.
figures=$(find S/results -path '*/report' -prune -o -name '*.png' -print | wc -l)
announced=$(sed -n 's/^\([0-9]*\) steps to run.*/\1/p' S.log)
[ "$announced" = $((tools + figures + 1)) ] || fail "announced $announced steps for $tools tool runs, $figures figures and the report"
[ "$(grep -cE '^\[ *[0-9]+/'"$announced"' +[0-9]+%\] ' S.log)" -eq "$announced" ] || fail "not one progress line per step: $(head -n 5 S.log)"
grep -q "^all $announced steps done" S.log || fail "no closing progress line"

# The same products, byte for byte.
records=(! -name timing.log ! -name build.log ! -name estimates.log ! -path '*/report/*/index.html' ! -path '*/report/*/tables/timing.tsv')
(cd L && find . -type f "${records[@]}" | sort) >L.files
(cd S && find . -type f "${records[@]}" | sort) >S.files
for run in L S; do
    [ -f $run/results/report/smoke/index.html ] || fail "$run: no report page"
done
cmp -s L.files S.files || { diff L.files S.files >&2; fail "local and Slurm runs hold different files"; }
[ "$(grep -c '\.pdf$' L.files)" -ge 3 ] || fail "too few figures: $(grep -c '\.pdf$' L.files)"
while read -r f; do
    case $f in
    *.pdf) cmp -s <(LC_ALL=C grep -av CreationDate "L/$f") <(LC_ALL=C grep -av CreationDate "S/$f") \
               || fail "$f differs (beyond its creation date)" ;;
    *) cmp -s "L/$f" "S/$f" || fail "$f differs between the local and the Slurm run" ;;
    esac
done <L.files
echo "$(wc -l <L.files) products identical"

# A step killed by the scheduler leaves nothing make takes as done, and the
# same command then resumes. At a time limit or pre-emption slurmstepd sends
# SIGTERM (SIGKILL KillWait seconds later): `scancel --signal=TERM` of the
# step does the first, and the tool must also remove its hidden temporary
# file; a plain `scancel` of a step is SIGKILL, after which only the hidden
# temporary may remain. DL-FISTA gets a long budget here, so it is killed
# while it learns with its output's temporary file open.
run=K/results/runs/dz20_k3_p200_s0
cp -r params Kparams
echo '--rounds 1000 --lambda 0.1 --iters 20000' >Kparams/smoke/dl-fista.args
step_k() {  # PARAMS — make K's DL-FISTA run through Slurm
    salloc -n2 --quiet make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/K/data" \
        RESULTS_DIR="$SK_TMP/K/results" PARAMS_DIR="$SK_TMP/$1" "$SK_TMP/$run/dl-fista.npz" \
        LAUNCH='$(SRUN_LAUNCH)'
}
kill_step() {  # SCANCEL-OPTION... — start the long step, cancel it while it writes
    local i k_pid k_step
    step_k Kparams >>K.log 2>&1 &
    k_pid=$!
    for i in $(seq 1 600); do
        compgen -G "$run/.dl-fista.npz.tmp.*" >/dev/null && break
        kill -0 "$k_pid" 2>/dev/null || break
        sleep 0.1
    done
    compgen -G "$run/.dl-fista.npz.tmp.*" >/dev/null || { cat K.log; fail "DL-FISTA never started writing"; }
    k_step=$(squeue -h -s -o '%i %j' | awk '$2 == "bash" { print $1 }' | tail -n 1)
    [ -n "$k_step" ] || fail "no running step found: $(squeue -h -s)"
    scancel "$@" "$k_step"
    for i in $(seq 1 300); do kill -0 "$k_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$k_pid" 2>/dev/null && fail "make still running 30 s after scancel $* $k_step"
    if wait "$k_pid"; then fail "make succeeded although its step was cancelled"; fi
    assert_no_file "$run/dl-fista.npz"
    ! compgen -G "$run/[!.]*" >/dev/null || fail "the killed step left $(ls -A "$run")"
    echo "step $k_step cancelled (scancel $*): left $(ls -A "$run" | wc -l) hidden temporary file(s)"
}
kill_step --signal=TERM
! compgen -G "$run/.*.tmp.*" >/dev/null || fail "the step killed by SIGTERM left $(ls -A "$run")"
kill_step
step_k params >>K.log 2>&1 || { tail -n 20 K.log; fail "re-running after the cancelled step failed"; }
cmp -s "$run/dl-fista.npz" "L/results/runs/dz20_k3_p200_s0/dl-fista.npz" \
    || fail "the resumed DL-FISTA run differs from the local one"
# The dataset was kept; only DL-FISTA ran again.
[ "$(awk -F'\t' '$2 == "gen-data"' K/results/timing.log | wc -l)" -eq 1 ] \
    || fail "the resumed run re-made the dataset: $(cut -f2,5 K/results/timing.log)"
tail -n 1 K/results/timing.log | awk -F'\t' '$2 != "dl-fista" || $5 != 0 { exit 1 }' \
    || fail "the resumed run did not end with DL-FISTA: $(cut -f2,5 K/results/timing.log)"

# Shut down now (the trap would too) and check that nothing is left running.
start=$(now)
trap - EXIT
cp -r "$cluster/pids" "$SK_TMP/daemon-pids"
bash "$SK_ROOT/scripts/slurm-local.sh" down "$cluster" || fail "slurm-local.sh down failed"
echo "cluster down: $(since "$start") s"
for f in "$SK_TMP"/daemon-pids/*; do
    pid=$(cat "$f")
    stat=$(ps -o stat= -p "$pid" || true)
    [ -z "$stat" ] || [ "${stat#Z}" != "$stat" ] || fail "$(basename "$f") ($pid) still running"
done
left=$(ps -eo stat=,comm= | awk '$1 !~ /^Z/ && $2 == "slurmstepd"')
[ -z "$left" ] || fail "slurmstepd still running: $left"
echo ok
