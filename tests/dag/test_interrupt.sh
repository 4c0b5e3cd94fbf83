# Interrupted runs lose nothing: `make vary-latents` (SCALE=smoke) run once
# straight through into A, and into B started several times and killed at
# random moments (SIGINT to make's process group, as Ctrl-C does, SIGTERM, as
# a scheduler does, then SIGKILL of the whole group), then left to finish. Every product in B equals A's byte
# for byte (.npz, .tsv, PNG; PDF apart from gnuplot's /CreationDate line), and
# no file in B looks complete while it is not. A tool killed by SIGINT,
# SIGTERM or SIGHUP removes its hidden ".NAME.tmp.XXXXXX" (lib/atomic.c), so
# after those none may remain; after SIGKILL they may (nothing can clean
# up then), and so may gnuplot's hidden ".FIGURE.tmp.pdf" — never a visible
# temporary such as the aggregate's "table.tsv.tmp". The kill delays are printed so a failure can be replayed
# with SK_INTERRUPT_DELAYS="0.3 1.1 ...".
source "$(dirname "$0")/lib.sh"
command -v setsid >/dev/null || { echo "setsid is not installed"; exit 77; }

dag() {  # here: dag DIR MAKE-ARGS... — the smoke DAG with its data and results under DIR
    local dir=$1; shift
    make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/$dir/data" \
        RESULTS_DIR="$SK_TMP/$dir/results" PARAMS_DIR="$SK_TMP/params" "$@"
}

dag A -j2 vary-latents >A.log 2>&1 || { tail -n 30 A.log; fail "uninterrupted make failed"; }
# Every tool step appended its cost to the timing log: target, tool, wall s, KiB, status, end, start, CPU s, signature.
awk -F'\t' 'NF != 9 || $3 !~ /^[0-9.]+$/ || $4 !~ /^[0-9]+$/ || $5 != 0 { bad = 1 } END { exit bad || NR < 12 }' \
    A/results/timing.log || fail "bad timing log: $(head -n 3 A/results/timing.log)"

# same_as_A PHASE — B holds the same products as A, byte for byte.
# The timing, build and estimates logs are records of the runs, not products:
# they differ by design.
same_as_A() {
    local records=(! -name timing.log ! -name build.log ! -name estimates.log)
    (cd A && find . -type f "${records[@]}" | sort) >A.files
    (cd B && find . -type f ! -name '.*.tmp.*' "${records[@]}" | sort) >B.files
    cmp -s A.files B.files || { diff A.files B.files >&2; fail "$1: A and B hold different files"; }
    [ "$(grep -c '\.npz$' A.files)" -ge 12 ] || fail "too few .npz files in A: $(cat A.files)"
    while read -r f; do
        case $f in
        *.pdf) cmp -s <(LC_ALL=C grep -av CreationDate "A/$f") \
                      <(LC_ALL=C grep -av CreationDate "B/$f") \
                   || fail "$1: $f differs (beyond its creation date)" ;;
        *) cmp -s "A/$f" "B/$f" || fail "$1: $f differs" ;;
        esac
    done <A.files
}

# Start make in its own process group, kill the group after DELAY seconds.
# A background job of a script starts with SIGINT ignored (POSIX), and make
# would inherit that: env --default-signal restores Ctrl-C's default action.
interrupted_run() {  # SIGNAL DELAY
    setsid env --default-signal=INT make -C "$SK_ROOT" --no-print-directory SCALE=smoke \
        DATA_DIR="$SK_TMP/B/data" RESULTS_DIR="$SK_TMP/B/results" PARAMS_DIR="$SK_TMP/params" \
        -j2 vary-latents >>B.log 2>&1 &
    local pid=$!
    sleep "$2"
    kill -"$1" -- -"$pid" 2>/dev/null || true   # the group may have finished already
    wait "$pid" 2>/dev/null || true
}
delays=${SK_INTERRUPT_DELAYS:-$(for i in 1 2 3 4 5 6 7 8; do
    printf '0.%d%d ' $((RANDOM % 10)) $((RANDOM % 10)); done)}
echo "kill delays: $delays"
set -- $delays
# SIGTERM is what a scheduler sends at a time limit or pre-emption.
for signal in INT INT TERM TERM; do interrupted_run "$signal" "${1:-0.5}"; shift || true; done
dag B -j2 vary-latents >>B.log 2>&1 || { tail -n 30 B.log; fail "make after SIGINTs failed"; }
bad=$(find B -name '*.tmp*' ! -name '.*.tmp.*')
[ -z "$bad" ] || fail "visible temporary files left after SIGINT: $bad"
# The tools' own temporaries (mkstemp's six-character suffix) are all gone.
bad=$(find B -regextype posix-extended -regex '.*/\.[^/]*\.tmp\.[A-Za-z0-9]{6}')
[ -z "$bad" ] || fail "tool temporaries left after SIGINT/SIGTERM: $bad"
echo "SIGINT leftovers (hidden temporaries, gnuplot's): $(find B -name '.*.tmp.*' | wc -l)"
same_as_A "after SIGINT"

rm -rf B
for signal in KILL KILL KILL KILL; do interrupted_run "$signal" "${1:-0.5}"; shift || true; done
dag B -j2 vary-latents >>B.log 2>&1 || { tail -n 30 B.log; fail "make after SIGKILLs failed"; }

same_as_A "after SIGKILL"
# After SIGKILL, only hidden temporary files may be left, never a visible one.
bad=$(find B -name '*.tmp*' ! -name '.*.tmp.*')
[ -z "$bad" ] || fail "visible temporary files left: $bad"
echo "SIGKILL leftovers (hidden temporaries): $(find B -name '.*.tmp.*' | wc -l)"
echo ok
