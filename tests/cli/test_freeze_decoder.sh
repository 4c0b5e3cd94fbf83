# freeze-decoder: frozen is W_dec byte for byte and b is b_dec; renormed has
# unit columns in W_dec's directions; oracle-norms puts the true norms on the
# matched columns and zeros elsewhere (a decoder wider than the truth); same
# bytes twice; pipes equal files.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 200 --seed 1 -o d.npz                # d_y = 14
train-sae --variant topk --data d.npz --seed 1 --epochs 5 -o m.npz
train-sae --variant relu --data d.npz --seed 2 --epochs 5 --width 40 -o wide.npz

# column norms of a d_y x p matrix, one per line (awk in double)
col_norms() { mat-print "$1" | awk '{for (j = 1; j <= NF; j++) s[j] += $j * $j; n = NF}
                                    END {for (j = 1; j <= n; j++) printf "%.9f\n", sqrt(s[j])}'; }

freeze-decoder --model m.npz -o frozen.npz
cmp -s <(mat-print frozen.npz:D) <(mat-print m.npz:W_dec) || fail "frozen D is not W_dec"
cmp -s <(mat-print frozen.npz:b) <(mat-print m.npz:b_dec) || fail "b is not b_dec"
if have_numpy; then
    "$SK_PYTHON" -c "
import numpy as np
f, m = np.load('frozen.npz'), np.load('m.npz')
assert f['D'].dtype == np.float32 and f['D'].tobytes() == m['W_dec'].tobytes()
assert f['b'].shape == (14,) and f['b'].tobytes() == m['b_dec'].tobytes()
assert 'truth_col' not in f.files" || fail "numpy: frozen is not W_dec byte for byte"
fi
# The raw decoder of this short training is not unit-norm (else renormed
# would equal it and the test below could not fail).
col_norms m.npz:W_dec | awk '$1 < 0.999 || $1 > 1.001 {off = 1} END {exit !off}' ||
    fail "W_dec already has unit columns"

freeze-decoder --model m.npz --mode renormed -o renormed.npz
col_norms renormed.npz:D | awk '$1 < 1 - 1e-6 || $1 > 1 + 1e-6 {print "norm " $1; bad = 1} END {exit bad}' ||
    fail "renormed columns are not unit"
if have_numpy; then  # same directions: renormed · ‖w_j‖ = w_j
    "$SK_PYTHON" -c "
import numpy as np
d, w = np.load('renormed.npz')['D'].astype(np.float64), np.load('m.npz')['W_dec'].astype(np.float64)
assert np.allclose(d * np.linalg.norm(w, axis=0), w, rtol=1e-6, atol=1e-7)" ||
        fail "numpy: renormed columns are not W_dec's directions"
fi
cmp -s <(mat-print renormed.npz:b) <(mat-print m.npz:b_dec) || fail "renormed b is not b_dec"

# oracle-norms on a decoder of 40 columns and a truth of 30: 30 matched
# columns with the truth's norms (1, gen-data's A), 10 zero columns.
freeze-decoder --model wide.npz --mode oracle-norms --truth d.npz:A -o oracle.npz
[ "$(mat-print oracle.npz:truth_col | tr '\t' '\n' | grep -c -- '^-1$')" = 10 ] ||
    fail "expected 10 unmatched columns"
paste <(col_norms oracle.npz:D) <(mat-print oracle.npz:truth_col | tr '\t' '\n') |
    awk '$2 == -1 && $1 != 0 {print "unmatched norm " $1; bad = 1}
         $2 >= 0 && ($1 < 1 - 1e-6 || $1 > 1 + 1e-6) {print "matched norm " $1; bad = 1}
         END {exit bad}' || fail "oracle-norms norms"
# each truth column is used once
[ "$(mat-print oracle.npz:truth_col | tr '\t' '\n' | grep -v -- '^-1$' | sort -n | uniq | wc -l)" = 30 ] ||
    fail "truth columns not matched one to one"

# A truth with non-unit norms (NumPy): matched columns take the real norms.
if have_numpy; then
    "$SK_PYTHON" -c "
import numpy as np
a = np.load('d.npz')['A']
np.savez('scaled.npz', A=(a * np.arange(1, 31, dtype=np.float32) / 4).astype(np.float32))"
    freeze-decoder --model m.npz --mode oracle-norms --truth scaled.npz:A -o scaled_out.npz
    "$SK_PYTHON" -c "
import numpy as np
o, m, a = np.load('scaled_out.npz'), np.load('m.npz'), np.load('scaled.npz')['A']
d, w, col = o['D'].astype(np.float64), m['W_dec'].astype(np.float64), o['truth_col']
assert sorted(col) == list(range(30)), col
for j in range(30):
    want = np.linalg.norm(a[:, col[j]].astype(np.float64))
    assert abs(np.linalg.norm(d[:, j]) - want) < 1e-5 * want, (j, want)
    assert np.allclose(d[:, j] / np.linalg.norm(d[:, j]), w[:, j] / np.linalg.norm(w[:, j]), atol=1e-6)
" || fail "numpy: oracle-norms with scaled truth"
fi

# FISTA on the frozen dictionary equals FISTA on the model's members.
fista --dict frozen.npz:D --bias frozen.npz:b d.npz -o a.npz
fista --dict m.npz:W_dec --bias m.npz:b_dec d.npz -o b.npz
cmp -s <(mat-print a.npz:Z_ood) <(mat-print b.npz:Z_ood) || fail "fista on DICT:D differs"

# Same bytes twice; stdin and stdout equal files; modes differ.
freeze-decoder --model wide.npz --mode oracle-norms --truth d.npz:A -o again.npz
assert_same_bytes oracle.npz again.npz
freeze-decoder --model - --mode renormed < m.npz > piped.npz
assert_same_bytes renormed.npz piped.npz
cmp -s frozen.npz renormed.npz && fail "frozen and renormed files are identical"
mat-info oracle.npz | grep -q '"mode": "oracle-norms"' || fail "meta.json lacks the mode"
assert_no_temp_files .
echo ok
