#!/usr/bin/env bash
# Missing, truncated, corrupt or foreign files: exit 1 with exactly one error
# line "tool: FILE: what is wrong"; absent members are named with the list.
source "$SK_ROOT/tests/cli/lib.sh"
F=$SK_FIXTURES/fista.npz

expect_status 1 mat-info missing.npz
expect_one_error_line '^mat-info: missing.npz: cannot open: No such file or directory$'
expect_status 1 mat-print missing.npz:D
expect_one_error_line '^mat-print: missing.npz: cannot open'

size=$(stat -c %s "$F")
for cut in 1 3 30 100 $((size / 2)) $((size - 1)); do
    head -c "$cut" "$F" >trunc.npz
    expect_status 1 mat-info trunc.npz
    expect_one_error_line '^mat-info: trunc.npz: truncated'
done
head -c 100 "$F" | { expect_status 1 mat-print -:D; }
expect_one_error_line '^mat-print: stdin: truncated'

# flip one byte inside the first member's compressed data -> CRC or deflate error
cp "$F" corrupt.npz
printf '\x55' | dd of=corrupt.npz bs=1 seek=80 conv=notrunc status=none
expect_status 1 mat-info corrupt.npz
expect_one_error_line "^mat-info: corrupt.npz: .*member 'D.npy'"

echo 'just text' >text.npz
expect_status 1 mat-print text.npz
expect_one_error_line '^mat-print: text.npz: not a .npz or .npy file$'
: >empty.npz
expect_status 1 mat-info empty.npz
expect_one_error_line '^mat-info: empty.npz: .*not a .npz or .npy file'
mkdir -p adir
expect_status 1 mat-info adir
expect_one_error_line '^mat-info: adir: '

expect_status 1 mat-print "$F:A"
expect_one_error_line "^mat-print: .*fista.npz: no member 'A' \(members: D, Y, lam, L, "
expect_status 1 mat-print "$F"
expect_one_error_line '^mat-print: .*fista.npz: holds 10 arrays; name one as'

# a good file after a bad one is still described, and the status is 1
expect_status 1 mat-info missing.npz "$F"
expect_one_error_line '^mat-info: missing.npz: '
grep -q "fista.npz: 10 arrays" out || fail "good file after a bad one not described"
echo ok
