# softplus-adam: bad data exits 1 with one line "softplus-adam: FILE: what is
# wrong" and leaves no output (nor temporary) file; a non-finite loss stops
# training with the step named and writes nothing.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz       # d_y = 12
gen-data --dz 30 --k 3 --p 40 --seed 2 -o other.npz   # d_y = 14
softplus-adam --data d.npz --seed 0 --steps 3 -o good.npz

# an output without Y_val; the same through stdin
expect_status 1 softplus-adam --data good.npz --seed 0 -o out.npz
expect_one_error_line "^softplus-adam: good.npz: no member 'Y_val'"
expect_status 1 bash -c 'softplus-adam --data - --seed 0 -o out.npz < good.npz'
expect_one_error_line "^softplus-adam: stdin: no member 'Y_val'"
assert_no_file out.npz
# missing, truncated, junk
expect_status 1 softplus-adam --data nosuch.npz --seed 0 -o out.npz
expect_one_error_line '^softplus-adam: nosuch.npz: '
head -c 700 d.npz > trunc.npz
expect_status 1 softplus-adam --data trunc.npz --seed 0 -o out.npz
expect_one_error_line '^softplus-adam: trunc.npz: '
echo hello > junk.npz
expect_status 1 softplus-adam --data junk.npz --seed 0 -o out.npz
expect_one_error_line '^softplus-adam: junk.npz: '
assert_no_file out.npz
# an initial dictionary with the wrong d_y; a missing member
expect_status 1 softplus-adam --data d.npz --init other.npz:A --seed 0 -o out.npz
expect_one_error_line '^softplus-adam: other.npz: initial dictionary is 14 x 30, expected 12'
expect_status 1 softplus-adam --data d.npz --init d.npz:D --seed 0 -o out.npz
expect_one_error_line "^softplus-adam: d.npz: no member 'D'"
assert_no_file out.npz
# an unwritable target
expect_status 1 softplus-adam --data d.npz --seed 0 --steps 2 -o no/such/dir/out.npz
expect_one_error_line '^softplus-adam: .*no/such/dir'

if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
d = np.load('d.npz')
np.savez('nodz.npz', Y_val=d['Y_val'], Y_ood=d['Y_ood'])
y = d['Y_val'].copy(); y[0, 0] = np.nan
np.savez('nan.npz', Y_val=y, Y_ood=d['Y_ood'], A=d['A'])
y = d['Y_val'].copy(); y[2, 1] = 1e30     # finite, but its squared residual overflows
np.savez('huge.npz', Y_val=y, Y_ood=d['Y_ood'], A=d['A'])
np.savez('narrow.npz', Y_val=d['Y_val'], Y_ood=d['Y_ood'][:, :5], A=d['A'])
PY
    expect_status 1 softplus-adam --data nodz.npz --seed 0 -o out.npz
    expect_one_error_line '^softplus-adam: nodz.npz: cannot tell d_z'
    softplus-adam --data nodz.npz --dz 20 --seed 0 --steps 2 -o out.npz   # --dz settles it
    rm out.npz
    expect_status 1 softplus-adam --data nan.npz --seed 0 -o out.npz
    expect_one_error_line '^softplus-adam: nan.npz: Y_val holds non-finite values'
    expect_status 1 softplus-adam --data narrow.npz --seed 0 -o out.npz
    expect_one_error_line '^softplus-adam: narrow.npz: Y_ood has 5 columns but Y_val has 12'
    # divergence: the error names the step; the previous output stays as it was
    cp good.npz keep.npz
    expect_status 1 softplus-adam --data huge.npz --seed 0 --steps 50 -o good.npz
    expect_one_error_line '^softplus-adam: huge.npz: loss is (nan|infinite) at step 1; nothing written'
    assert_same_bytes good.npz keep.npz
fi
assert_no_file out.npz
assert_no_temp_files .
echo ok
