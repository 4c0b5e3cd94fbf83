# Hostile outputs and degenerate inputs: a full disk (/dev/full as stdout), a
# directory where the output file should be, empty matrices and zero-norm
# dictionary columns each give one clear line and exit 1, or a defined result.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz
fista --dict d.npz:A d.npz -o codes.npz

# A full disk: stdout is /dev/full.
if [ -w /dev/full ]; then
    for cmd in "gen-data --dz 30 --k 3 --p 40 --seed 1 -o -" "fista --dict d.npz:A d.npz -o -" \
               "probe --data d.npz -o -" "$SK_BIN/eval --data d.npz --codes codes.npz" "mat-print d.npz:A"; do
        rc=0; $cmd > /dev/full 2> err || rc=$?
        [ $rc -eq 1 ] || fail "'$cmd > /dev/full' exited $rc, expected 1"
        [ "$(wc -l < err)" -eq 1 ] || fail "'$cmd > /dev/full': $(cat err)"
        grep -qi "write\|space" err || fail "'$cmd > /dev/full' does not say it could not write: $(cat err)"
    done
fi

# A directory where the output should be: exit 1, the directory untouched.
mkdir out.npz
expect_status 1 gen-data --dz 30 --k 3 --p 40 --seed 1 -o out.npz
expect_one_error_line "out.npz"
[ -d out.npz ] && [ -z "$(ls -A out.npz)" ] || fail "the directory was changed"
assert_no_temp_files .

if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
d = np.load("d.npz")
A = d["A"].copy(); A[:, 3] = 0.0
np.savez("zero_col.npz", A=A)
np.savez("empty.npz", Y_val=np.zeros((0, d["A"].shape[0]), np.float32),
         Y_ood=np.zeros((0, d["A"].shape[0]), np.float32), Y=np.zeros((0, d["A"].shape[0]), np.float32))
PY
    # A zero dictionary column: FISTA is defined (L is unaffected) and gives it code 0.
    fista --dict zero_col.npz:A d.npz -o zc.npz
    "$SK_PYTHON" -c 'import numpy as np, sys; z = np.load("zc.npz"); sys.exit(0 if (z["Z_val"][:, 3] == 0).all() and np.isfinite(z["Z_val"]).all() else 1)' ||
        fail "zero column: codes not zero/finite"
    # eval's dictionary match counts a zero column as |cos| 0 (29 of 30 matched perfectly).
    "$SK_BIN/eval" --data d.npz --codes codes.npz --dict zero_col.npz:A -o zc.tsv
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { v = $c["dict_cos"]; exit !(v > 0.966 && v < 0.967) }' zc.tsv || fail "dict_cos with a zero column: $(cat zc.tsv)"
    # Empty inputs: a 0-row matrix gives 0-row codes; eval and probe refuse.
    fista --dict d.npz:A empty.npz:Y -o e.npz
    mat-info e.npz | grep -q "(0, 30)" || fail "0-row codes: $(mat-info e.npz)"
    expect_status 1 "$SK_BIN/eval" --data d.npz --codes empty.npz -o e.tsv
    expect_one_error_line "eval: "
    assert_no_file e.tsv
fi
