#!/usr/bin/env bash
# mat-info and mat-print on NumPy-written fixtures: members, dtypes, shapes,
# exact values (expected text from NumPy: '%.9g' % x for float32, '%.17g' for
# float64), row limits, stdin, --help and --version.
source "$SK_ROOT/tests/cli/lib.sh"
F=$SK_FIXTURES

# mat-info: one line per member: name, dtype, shape, stats
expect_status 0 mat-info "$F/fista.npz"
head -n 1 out | grep -qx "$F/fista.npz: 10 arrays" || fail "bad first line: $(head -n 1 out)"
grep -q $'^  D\tfloat32\t(6, 10)\tmin=-0.949809849\tmax=0.805430353\t' out || fail "D line: $(grep '  D' out)"
grep -q $'^  L\tfloat32\t()\tmin=3.26151967\t' out || fail "L line"
grep -qx 'meta.json: none' out || fail "meta line"
[ "$(grep -c $'^  ' out)" -eq 10 ] || fail "expected 10 member lines"

expect_status 0 mat-info --no-stats "$F/metrics.npz" "$F/lista.npz"
grep -qx $'  labels\tuint8\t(60,)' out || fail "labels line: $(grep labels out)"
grep -qx $'  col_ind\tint64\t(10,)' out || fail "col_ind line"
grep -qx $'  n_unroll\tint64\t()' out || fail "n_unroll line"
grep -qx "$F/lista.npz: 11 arrays" out || fail "second file header"

# stdin
expect_status 0 mat-info -S - <"$F/fista.npz"
grep -qx -- '-: 10 arrays' out || fail "stdin header: $(head -n 1 out)"

# mat-print: exact values, one row per line, tab-separated
expect_status 0 mat-print "$F/fista.npz:D"
[ "$(wc -l <out)" -eq 6 ] || fail "D should print 6 rows"
[ "$(head -n 1 out)" = $'0.0562831499\t-0.0773394406\t0.805430353\t0.0959210321\t-0.519698083\t0.566026747\t-0.949809849\t-0.522804677\t0.191336811\t-0.00560987741' ] \
    || fail "row 0 of D: $(head -n 1 out)"
expect_status 0 mat-print "$F/fista.npz:Y"
[ "$(tail -n 1 out)" = $'0.283657253\t-0.735770524\t-0.0362704732\t0.500216424\t0.233110473\t-0.040427614' ] \
    || fail "row 8 of Y: $(tail -n 1 out)"
expect_status 0 mat-print "$F/fista.npz:L"
[ "$(cat out)" = 3.26151967 ] || fail "L: $(cat out)"
expect_status 0 mat-print "$F/metrics.npz:mcc"
[ "$(cat out)" = 0.81702981826981991 ] || fail "mcc: $(cat out)"
expect_status 0 mat-print "$F/metrics.npz:col_ind"
[ "$(cat out)" = $'2\t9\t5\t0\t8\t4\t3\t1\t6\t7' ] || fail "col_ind: $(cat out)"

# row limits and header line
expect_status 0 mat-print --rows 2 "$F/fista.npz:Z_init"
[ "$(wc -l <out)" -eq 2 ] || fail "--rows 2 printed $(wc -l <out) lines"
expect_status 0 mat-print --head -H "$F/metrics.npz:Z_true"
[ "$(wc -l <out)" -eq 11 ] || fail "--head -H should print 1 + 10 lines"
[ "$(head -n 1 out)" = '# Z_true float64 (60, 10)' ] || fail "header: $(head -n 1 out)"
expect_status 0 mat-print -n 0 "$F/fista.npz:D"
[ ! -s out ] || fail "--rows 0 printed something"

# --member picks the array when the spec names none; stdin with a member
expect_status 0 mat-print --member lam "$F/fista.npz"
[ "$(cat out)" = 0.100000001 ] || fail "lam: $(cat out)"
expect_status 0 mat-print -:L <"$F/fista.npz"
[ "$(cat out)" = 3.26151967 ] || fail "stdin L: $(cat out)"

# help lists every option; version names the project
for tool in mat-info mat-print; do
    expect_status 0 $tool --version
    grep -Eqx "$tool sparsekit [0-9][0-9.]*" out || fail "$tool --version: $(cat out)"
    expect_status 0 $tool --help
    grep -q "^Usage: $tool" out || fail "$tool --help has no usage line"
done
for opt in --no-stats --no-meta --meta --help --version; do
    expect_status 0 mat-info --help
    grep -q -- "$opt" out || fail "mat-info --help lacks $opt"
done
for opt in --rows --head --member --header --help --version; do
    expect_status 0 mat-print --help
    grep -q -- "$opt" out || fail "mat-print --help lacks $opt"
done
grep -q 'default' out || fail "mat-print --help shows no defaults"
echo ok
