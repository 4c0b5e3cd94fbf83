# fista on one matrix: writes Z with the right shape; --init warm starts
# (0 iterations return the init); --bias b equals coding y − b; the oracle
# codes correlate with the truth; every --product gives the same codes.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz
fista --dict d.npz:A d.npz:Y_ood -o z.npz
mat-info -M z.npz > info.txt
grep -Eq "^  Z[[:space:]]+float32[[:space:]]+\(20, 30\)" info.txt || fail "Z shape: $(cat info.txt)"
[ "$(grep -c float32 info.txt)" -eq 1 ] || fail "expected one array: $(cat info.txt)"

# Same codes as the dataset run's Z_ood.
fista --dict d.npz:A d.npz -o ds.npz
mat-print z.npz:Z > single.txt
mat-print ds.npz:Z_ood > dataset.txt
cmp -s single.txt dataset.txt || fail "single-matrix codes differ from the dataset run"

# Warm start: 0 iterations return the init codes exactly.
fista --dict d.npz:A --init z.npz --iters 0 d.npz:Y_ood -o warm0.npz
mat-print warm0.npz:Z > warm0.txt
cmp -s warm0.txt single.txt || fail "--iters 0 --init did not return the init"
fista --dict d.npz:A --init ds.npz --iters 0 d.npz -o warm0ds.npz
mat-print warm0ds.npz:Z_val > a.txt
mat-print ds.npz:Z_val > b.txt
cmp -s a.txt b.txt || fail "dataset --init did not supply Z_val"
# Warm start from the converged codes moves them little but does run.
fista --dict d.npz:A --init z.npz --iters 5 d.npz:Y_ood -o warm5.npz
mat-print warm5.npz:Z > warm5.txt
cmp -s warm5.txt single.txt && fail "--iters 5 from init changed nothing at all"

# Every product path gives the same codes up to float rounding.
for p in dense sparse gram; do
    fista --product $p --dict d.npz:A d.npz:Y_ood -o p.npz
    mat-print p.npz:Z > p.txt
    paste single.txt p.txt | awk -F'\t' '{ n = NF / 2; for (j = 1; j <= n; j++) {
            d = $j - $(j + n); if (d < 0) d = -d; if (d > 1e-5 + 1e-4 * ($j < 0 ? -$j : $j)) bad = 1 } }
        END { exit bad }' || fail "--product $p differs from auto"
done

if have_numpy; then
    # Bias: coding Y with b equals coding Y - b; oracle codes track the truth.
    "$SK_PYTHON" -c "
import numpy as np
d = np.load('d.npz')
b = np.linspace(-0.5, 0.5, d['A'].shape[0], dtype=np.float32)[None, :]
np.savez('b.npz', b=b, Yb=(d['Y_ood'] + b).astype(np.float32), Y=d['Y_ood'])"
    fista --dict d.npz:A --bias b.npz:b b.npz:Yb -o zb.npz
    "$SK_PYTHON" -c "
import numpy as np
d = np.load('d.npz'); zb = np.load('zb.npz')['Z']; z = np.load('z.npz')['Z']
assert zb.shape == (20, 30), zb.shape
assert np.abs(zb - z).max() < 1e-5, np.abs(zb - z).max()
c = np.corrcoef(z.ravel(), d['Z_ood'].ravel())[0, 1]
assert c > 0.95, c
" || fail "bias or oracle check"
fi
echo ok
