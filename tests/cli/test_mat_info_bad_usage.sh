#!/usr/bin/env bash
# Bad usage of mat-info / mat-print: exit 2 with exactly one error line.
source "$SK_ROOT/tests/cli/lib.sh"
F=$SK_FIXTURES/fista.npz

expect_status 2 mat-info;                    expect_one_error_line '^mat-info: no FILE given'
expect_status 2 mat-info --bogus "$F";       expect_one_error_line "^mat-info: .*'--bogus'"
expect_status 2 mat-info -x "$F";            expect_one_error_line "^mat-info: .*'-x'"
expect_status 2 mat-info --meta --no-meta "$F"; expect_one_error_line '^mat-info: '
expect_status 2 mat-print;                   expect_one_error_line '^mat-print: no FILE given'
expect_status 2 mat-print "$F:D" "$F:Y";     expect_one_error_line "^mat-print: unexpected argument"
expect_status 2 mat-print --rows abc "$F:D"; expect_one_error_line "^mat-print: --rows: 'abc'"
expect_status 2 mat-print --rows -1 "$F:D";  expect_one_error_line '^mat-print: --rows'
expect_status 2 mat-print --rows;            expect_one_error_line "^mat-print: .*'--rows'"
expect_status 2 mat-print --nope "$F:D";     expect_one_error_line "^mat-print: .*'--nope'"
[ ! -s "$SK_TMP/out" ] || fail "bad usage wrote to stdout"
echo ok
