# lib.sh — helpers for the shell tests (source it). Every helper that finds a
# problem prints it and exits 1, so a test script fails at its first problem.
set -euo pipefail
: "${SK_BIN:?run through tests/run-all.sh}" "${SK_TMP:?}" "${SK_FIXTURES:?}"
PATH=$SK_BIN:$PATH
cd "$SK_TMP"

fail() { echo "FAILED: $*" >&2; exit 1; }

# expect_status CODE CMD... — run CMD, require exit status CODE; keeps stderr in $SK_TMP/err
expect_status() {
    local want=$1; shift
    local rc=0
    "$@" >"$SK_TMP/out" 2>"$SK_TMP/err" || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$SK_TMP/err" >&2; fail "'$*' exited $rc, expected $want"; }
}
# expect_one_error_line PATTERN — stderr of the last expect_status is one line matching PATTERN
expect_one_error_line() {
    local n; n=$(wc -l <"$SK_TMP/err")
    [ "$n" -eq 1 ] || { cat "$SK_TMP/err" >&2; fail "expected one error line, got $n"; }
    grep -Eq -- "$1" "$SK_TMP/err" || fail "error line '$(cat "$SK_TMP/err")' does not match '$1'"
}
assert_no_file() { [ ! -e "$1" ] || fail "$1 exists but should not"; }
# No leftover temporary files in a folder (ours are named .NAME.tmp.*)
assert_no_temp_files() { ! ls -A "${1:-.}" | grep -q '\.tmp\.' || fail "temporary files left in ${1:-.}"; }
assert_same_bytes() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }
assert_file() { [ -s "$1" ] || fail "$1 missing or empty"; }
have_numpy() { "$SK_PYTHON" -c 'import numpy' 2>/dev/null; }
