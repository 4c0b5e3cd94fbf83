# probe: bad data exit 1 with one line "probe: FILE: what is wrong", leaving
# no output file and no temporary file.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 60 --seed 1 -o d.npz
probe --data d.npz -o p.npz

# a probe's own output has no Y_train
expect_status 1 probe --data p.npz -o out.npz
expect_one_error_line "^probe: p.npz: no member 'Y_train'"
assert_no_file out.npz
# the same through stdin
expect_status 1 bash -c 'probe --data - -o out.npz < p.npz'
expect_one_error_line "^probe: stdin: no member 'Y_train'"
assert_no_file out.npz
# a missing file, a truncated file
expect_status 1 probe --data nosuch.npz -o out.npz
expect_one_error_line "^probe: .*nosuch.npz"
head -c 300 d.npz > trunc.npz
expect_status 1 probe --data trunc.npz -o out.npz
expect_one_error_line "^probe: .*trunc.npz"
assert_no_file out.npz
# an unwritable target
expect_status 1 probe --data d.npz -o no/such/dir/out.npz
expect_one_error_line "^probe: .*no/such/dir"
assert_no_temp_files .

# inconsistent shapes and non-finite values (archives written by NumPy)
if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
d = {k: v for k, v in np.load("d.npz").items() if k != "meta.json"}
bad = dict(d, Z_train=d["Z_train"][:-1]); np.savez("rows.npz", **bad)
bad = dict(d, Y_ood=d["Y_ood"][:, :-1]); np.savez("cols.npz", **bad)
z = d["Z_train"].copy(); z[3, 2] = np.nan
bad = dict(d, Z_train=z); np.savez("nan.npz", **bad)
PY
    expect_status 1 probe --data rows.npz -o out.npz
    expect_one_error_line "^probe: rows.npz: Y_train has 30 rows but Z_train has 29$"
    expect_status 1 probe --data cols.npz -o out.npz
    expect_one_error_line "^probe: cols.npz: Y_ood has [0-9]+ columns but Y_train has [0-9]+$"
    expect_status 1 probe --data nan.npz -o out.npz
    expect_one_error_line "^probe: nan.npz: Z_train holds non-finite values$"
    assert_no_file out.npz
    assert_no_temp_files .
fi
