# lista: bad data exits 1 with one line "lista: FILE: what is wrong" and
# leaves no output (nor temporary) file; a model above --max-memory is
# refused before any work; a non-finite loss names the epoch and writes nothing.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz       # d_y = 12
gen-data --dz 30 --k 3 --p 40 --seed 2 -o other.npz   # d_y = 14
lista --dict d.npz:A --data d.npz --seed 0 --epochs 1 -o good.npz

# the dictionary: a missing member, a missing file, the wrong d_y
expect_status 1 lista --dict d.npz:D --data d.npz --seed 0 -o out.npz
expect_one_error_line "^lista: d.npz: no member 'D'"
expect_status 1 lista --dict nosuch.npz:A --data d.npz --seed 0 -o out.npz
expect_one_error_line '^lista: nosuch.npz: '
expect_status 1 lista --dict other.npz:A --data d.npz --seed 0 -o out.npz
expect_one_error_line '^lista: d.npz: Y_train has 12 columns but the dictionary has 14 rows'
assert_no_file out.npz
# the data: an output without Y_train (also through stdin), truncated, junk
expect_status 1 lista --dict d.npz:A --data good.npz --seed 0 -o out.npz
expect_one_error_line "^lista: good.npz: no member 'Y_train'"
expect_status 1 bash -c 'lista --dict d.npz:A --data - --seed 0 -o out.npz < good.npz'
expect_one_error_line "^lista: stdin: no member 'Y_train'"
head -c 700 d.npz > trunc.npz
expect_status 1 lista --dict d.npz:A --data trunc.npz --seed 0 -o out.npz
expect_one_error_line '^lista: trunc.npz: '
echo hello > junk.npz
expect_status 1 lista --dict junk.npz:A --data d.npz --seed 0 -o out.npz
expect_one_error_line '^lista: junk.npz: '
assert_no_file out.npz
# memory: refused with the estimate, before training
expect_status 1 lista --dict d.npz:A --data d.npz --seed 0 --max-memory 0.0001 -o out.npz
expect_one_error_line '^lista: d_z = 20 with 16 steps needs about [0-9.]+ GiB .*above --max-memory 0.0001 GiB'
assert_no_file out.npz

if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
f = np.load('d.npz'); d = {k: f[k] for k in f.files if k != 'meta.json'}
y = d['Y_train'].copy(); y[0, 0] = np.inf
np.savez('inf.npz', **{**d, 'Y_train': y})
y = d['Y_train'].copy(); y[3, 2] = 1e30   # finite, but its squared residual overflows
np.savez('huge.npz', **{**d, 'Y_train': y})
a = d['A'].copy(); a[1, 1] = np.nan
np.savez('nandict.npz', A=a)
PY
    expect_status 1 lista --dict d.npz:A --data inf.npz --seed 0 -o out.npz
    expect_one_error_line '^lista: inf.npz: Y_train holds non-finite values'
    expect_status 1 lista --dict nandict.npz:A --data d.npz --seed 0 -o out.npz
    expect_one_error_line '^lista: nandict.npz: dictionary holds non-finite values'
    cp good.npz keep.npz
    expect_status 1 lista --dict d.npz:A --data huge.npz --seed 0 --epochs 3 -o good.npz
    expect_one_error_line '^lista: huge.npz: loss is (nan|infinite) at epoch 1, batch 1; nothing written'
    assert_same_bytes good.npz keep.npz
fi
assert_no_file out.npz
assert_no_temp_files .
echo ok
