# dl-fista learns the dictionary: from the truth it stays there; from a random
# start at d_z = 50 (k = 10, 2500 val samples) it recovers it (matched
# |cos| > 0.9); --track-dict records the curve; --bias shifts the samples.
source "$(dirname "$0")/lib.sh"

gen-data --dz 50 --k 10 --p 5000 --seed 1 -o d.npz

dict_cos() {  # CODES.npz -> eval's dict_cos of its D against A
    "$SK_BIN/eval" --data d.npz --codes "$1" --dict "$1":D > e.tsv
    awk -F'\t' 'NR == 1 { for (j = 1; j <= NF; j++) if ($j == "dict_cos") c = j }
                NR == 2 { print $c }' e.tsv
}
dl-fista --data d.npz --init d.npz:A --rounds 3 -o truth.npz
cos=$(dict_cos truth.npz)
awk -v c="$cos" 'BEGIN { exit !(c > 0.995) }' || fail "from the truth: matched |cos| $cos"

dl-fista --data d.npz --seed 3 --rounds 100 --track-dict d.npz:A -o learned.npz
cos=$(dict_cos learned.npz)
awk -v c="$cos" 'BEGIN { exit !(c > 0.9) }' || fail "random init, 100 rounds: matched |cos| $cos"
# The curve: rounds 0, 10, ..., 90 and the last (99); it rises; its last
# point is the final dictionary's.
[ "$(mat-print learned.npz:track_rounds)" = "0	10	20	30	40	50	60	70	80	90	99" ] ||
    fail "track_rounds: $(mat-print learned.npz:track_rounds)"
mat-print learned.npz:track_cos | awk -F'\t' -v c="$cos" '{ exit !($1 < 0.7 && ($NF - c < 1e-9 && c - $NF < 1e-9)) }' ||
    fail "track_cos: $(mat-print learned.npz:track_cos) (final $cos)"
mat-print learned.npz:track_frac | awk -F'\t' '{ exit !($NF > 0.8) }' || fail "track_frac"

# --bias b on y + b gives the same as no bias on y (up to float rounding).
if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
d = np.load('d.npz')
b = np.linspace(-1, 1, d['Y_val'].shape[1]).astype(np.float32)[None, :]
np.savez('shifted.npz', Y_val=d['Y_val'] + b, Y_ood=d['Y_ood'] + b, b=b)
PY
    dl-fista --data shifted.npz --bias shifted.npz:b --init d.npz:A --rounds 3 -o biased.npz
    "$SK_PYTHON" -c "
import numpy as np
a, b = np.load('truth.npz'), np.load('biased.npz')
for m in ('D', 'Z_val', 'Z_ood'):
    assert np.abs(a[m] - b[m]).max() < 1e-3, (m, np.abs(a[m] - b[m]).max())
" || fail "--bias does not undo the shift"
fi
echo ok
