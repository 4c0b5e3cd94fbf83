#!/usr/bin/env bash
# run-all.sh [unit|cli|numpy|dag|install|slurm]... — run the test groups (all but slurm by default) and
# print one closing line "N passed, N failed". Each test is one program or script:
#   unit:  build/tests/test_*            (Check suites)
#   cli:   tests/cli/test_*.sh           (shell tests of the tools)
#   numpy: tests/numpy/test_*.sh         (skipped when NumPy is not installed)
#   dag:   tests/dag/test_*.sh           (the Makefile DAG)
#   install: tests/install/test_*.sh     (make install into a DESTDIR, man pages, pkg-config)
#   slurm: tests/slurm/test_*.sh         (the DAG on a private Slurm cluster; root,
#                                         skipped without Slurm; only when named)
# Scripts get SK_BIN (tools), SK_FIXTURES, SK_ROOT and a fresh SK_TMP folder.
# SK_BIN and SK_BUILD may be preset (make check SANITIZE=1 points them at the
# sanitizer build).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
export SK_ROOT=$root SK_BIN=${SK_BIN:-$root/bin} SK_BUILD=${SK_BUILD:-$root/build}
export SK_FIXTURES=$root/tests/fixtures
export SK_PYTHON=${SK_PYTHON:-/usr/bin/python3}
# Check's per-test limit (4 s by default) is too tight for sanitizer builds on a
# busy 2-core machine; tests are bounded by their own sizes, not by this.
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-15}
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(unit cli numpy dag install)
passed=0 failed=0 skipped=0 failures=()

run_one() {  # name, command...
    local name=$1; shift
    local tmp; tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-test.XXXXXX")
    local log=$tmp.log
    if (cd "$root" && SK_TMP=$tmp "$@") >"$log" 2>&1; then
        passed=$((passed + 1)); echo "PASS $name"
    else
        local rc=$?
        if [ $rc -eq 77 ]; then
            skipped=$((skipped + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
        else
            failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name (exit $rc)"
            sed 's/^/    /' "$log" | tail -n 40
        fi
    fi
    rm -rf "$tmp" "$log"
}

for g in "${groups[@]}"; do
    case $g in
    unit)  for t in "$SK_BUILD"/tests/test_*; do
               [ -x "$t" ] && [ "${t%.[od]}" = "$t" ] && run_one "unit/$(basename "$t")" "$t"
           done ;;
    cli|numpy|dag|install|slurm)
           for t in "$root"/tests/"$g"/test_*.sh; do
               [ -f "$t" ] && run_one "$g/$(basename "$t" .sh)" bash "$t"
           done ;;
    *) echo "run-all.sh: unknown group '$g'" >&2; exit 2 ;;
    esac
done

[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[*]}"
if [ $skipped -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
