# support-refit: with the true dictionary and the true codes as the "model
# codes" every variant recovers the true codes; on a ReLU SAE whose supports
# exceed d_y the paper variant runs (its values are rounding noise) and the
# others are well posed (lstsq = NumPy's minimum-norm lstsq, NNLS meets KKT);
# same bytes twice; pipes equal files.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 200 --seed 1 -o d.npz                # d_y = 14
train-sae --variant relu --data d.npz --seed 1 --epochs 5 -o relu.npz

# max |a − b| over two members
max_diff() { paste <(mat-print "$1" | tr '\t' '\n') <(mat-print "$2" | tr '\t' '\n') |
             awk '{d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d} END {printf "%.3g\n", m}'; }

for v in paper lstsq nnls; do
    support-refit --dict d.npz:A --codes d.npz --data d.npz --variant $v -o true_$v.npz
    for s in Z_val Z_ood; do
        diff=$(max_diff true_$v.npz:$s d.npz:$s)
        awk -v d="$diff" 'BEGIN {exit !(d < 1e-4)}' || fail "$v: $s differs from the truth by $diff"
    done
    [ "$(mat-print true_$v.npz:singular)" = 0 ] || fail "$v: true supports are not singular"
    [ "$(mat-print true_$v.npz:samples)" = 200 ] || fail "$v: samples"
    [ "$(mat-print true_$v.npz:support_max)" = 3 ] || fail "$v: support_max"
done

# The ReLU SAE's supports: more than d_y = 14 active latents in some samples.
for v in paper lstsq nnls; do
    support-refit --model relu.npz --data d.npz --variant $v -o relu_$v.npz
    mat-info relu_$v.npz | grep -q "\"variant\": \"$v\"" || fail "meta.json lacks the variant"
    "$SK_BIN/eval" --data d.npz --codes relu_$v.npz > eval_$v.tsv
done
[ "$(mat-print relu_paper.npz:singular)" -gt 0 ] || fail "expected singular supports (support_max $(mat-print relu_paper.npz:support_max))"
[ "$(mat-print relu_paper.npz:nonfinite)" = 0 ] || fail "paper: non-finite solves"
cmp -s <(mat-print relu_lstsq.npz:Z_ood) <(mat-print relu_nnls.npz:Z_ood) && fail "lstsq equals nnls"
if have_numpy; then
    "$SK_PYTHON" -c "
import numpy as np
m, d = np.load('relu.npz'), np.load('d.npz')
D, b = m['W_dec'].astype(np.float64), m['b_dec'].astype(np.float64)
ls, nn, pa = np.load('relu_lstsq.npz'), np.load('relu_nnls.npz'), np.load('relu_paper.npz')
for split in ['val', 'ood']:
    Y, Z = d['Y_' + split].astype(np.float64), m['Z_' + split]
    for i in range(Y.shape[0]):
        S = np.flatnonzero(np.abs(Z[i]) > 1e-4)
        r = Y[i] - b.astype(np.float32).astype(np.float64)
        off = np.setdiff1d(np.arange(Z.shape[1]), S)
        for out in (ls, nn, pa):
            z = out['Z_' + split][i]
            assert np.all(z >= 0) and np.all(np.isfinite(z)) and np.all(z[off] == 0)
        want = np.maximum(np.linalg.lstsq(D[:, S], r, rcond=None)[0], 0)
        assert np.allclose(ls['Z_' + split][i][S], want, atol=1e-4, rtol=1e-4), (split, i)
        z = nn['Z_' + split][i][S].astype(np.float64)
        w = D[:, S].T @ (r - D[:, S] @ z)
        scale = 1e-4 * (1 + np.linalg.norm(r))
        assert np.all(w <= scale), (split, i, w.max())
        assert np.all(np.abs(w[z > 0]) <= scale), (split, i)
" || fail "numpy: lstsq or NNLS check"
fi

# Same bytes twice; the model from stdin and the output on stdout equal files.
support-refit --model relu.npz --data d.npz --variant nnls -o again.npz
assert_same_bytes relu_nnls.npz again.npz
support-refit --model - --data d.npz < relu.npz > piped.npz
assert_same_bytes relu_paper.npz piped.npz
assert_no_temp_files .
echo ok
