# lib.sh — what every DAG test starts with: the cli test helpers, a skip
# (exit 77) without gnuplot, a scratch copy of the parameter files in the
# test's folder (tests touch and edit them), and
#   dag MAKE-ARGS...   the smoke DAG with its data, results and parameters
#                      under $SK_TMP, V=1: make prints every command, which
#                      the tests read to see what ran (test_progress.sh
#                      checks the default, quiet output)
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
command -v gnuplot >/dev/null || { echo "gnuplot is not installed"; exit 77; }

cp -r "$SK_ROOT/experiments/params" params
dag() { make -C "$SK_ROOT" --no-print-directory SCALE=smoke DATA_DIR="$SK_TMP/data" \
        RESULTS_DIR="$SK_TMP/results" PARAMS_DIR="$SK_TMP/params" V=1 "$@"; }
