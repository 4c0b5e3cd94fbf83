# eval at a code width beyond the noise-padded MCC's limit (32768 columns):
# mcc_id is nan with one note on stderr, never a number from a problem it did
# not solve; the clean MCCs still come out (the candidate-graph assignment,
# certified; its equality to the dense one is tested in unit/test_metrics).
source "$(dirname "$0")/lib.sh"

gen-data --dz 33000 --k 3 --p 16 --seed 2 -o d.npz
fista --dict d.npz:A --iters 3 d.npz -o z.npz
"$SK_BIN/eval" --data d.npz --codes z.npz > row.tsv 2> err.txt
[ "$(wc -l < err.txt)" -eq 1 ] && grep -q "^eval: note: mcc_id (noise-padded to 33000 code columns) is not computed" err.txt ||
    fail "note: $(cat err.txt)"
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
            NR == 2 { if ($col["mcc_id"] != "nan") exit 1
                      if ($col["mcc_id_clean"] == "nan" || $col["mcc_ood_clean"] == "nan") exit 1 }' row.tsv ||
    fail "row: $(cat row.tsv)"

# --columns auto (the default) scores only the codes' and the truth's columns
# holding a non-zero, and a few all-zero ones for the rest: every value equals
# --columns all's (which holds every column dense), the reconstruction errors
# to float rounding (their sums run over fewer zero terms). Cases: converged
# codes with the dictionary A (its match is the identity), codes inferred
# with a column-permuted A scored against it (the support statistics go
# through the match into columns outside the set), and all-zero codes (every
# AUC ties at 0.5: the lowest-index column wins; mcc_ood selects all-zero
# columns).
same_rows() {  # same_rows A.tsv B.tsv: equal, recon_* to 1e-6 relative
    awk -F'\t' 'NR == FNR { if (FNR == 2) for (i = 1; i <= NF; i++) a[i] = $i; else h = $0; next }
                FNR == 1 { if ($0 != h) { print "headers differ"; exit 1 }
                           for (i = 1; i <= NF; i++) name[i] = $i; next }
                { for (i = 1; i <= NF; i++) {
                      if ($i == a[i]) continue
                      d = $i - a[i]; d = d < 0 ? -d : d; m = a[i] < 0 ? -a[i] : a[i]
                      if (name[i] ~ /^recon_/ && d <= 1e-6 * m) continue
                      print name[i] ": " a[i] " vs " $i; bad = 1 } exit bad }' "$1" "$2"
}
gen-data --dz 33000 --k 3 --p 40 --seed 3 --storage sparse -o w.npz
fista --dict w.npz:A --iters 100 --threads 1 w.npz -o conv.npz
fista --dict w.npz:A --lambda 100 --iters 5 --threads 1 w.npz -o zero.npz
compare() {  # compare CODES DICT: eval --columns all against the default
    "$SK_BIN/eval" --data w.npz --codes "$1" --dict "$2" --columns all --threads 1 > all.tsv 2> /dev/null ||
        fail "eval --columns all failed on $1"
    "$SK_BIN/eval" --data w.npz --codes "$1" --dict "$2" --threads 1 > auto.tsv 2> /dev/null ||
        fail "eval (--columns auto) failed on $1"
    diff=$(same_rows all.tsv auto.tsv) || fail "$1 with $2: --columns auto differs from all: $diff"
}
compare conv.npz w.npz:A
compare zero.npz w.npz:A
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
            NR == 2 && ($col["auc_feature"] != 0 || $col["auc_id"] != 0.5) { exit 1 }' auto.tsv ||
    fail "all-zero codes: the AUC is not the lowest-index column's 0.5: $(cat auto.tsv)"
if have_numpy; then
    "$SK_PYTHON" - <<'PY' || fail "numpy could not write the permuted dictionary"
import numpy as np
a = np.load("w.npz")["A"]
perm = np.random.default_rng(0).permutation(a.shape[1])
np.savez("perm.npz", D=np.ascontiguousarray(a[:, perm]))
PY
    fista --dict perm.npz:D --iters 100 --threads 1 w.npz -o permz.npz
    compare permz.npz perm.npz:D
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
                NR == 2 && !($col["support_recall"] > 0.5 && $col["dict_cos"] > 0.99) { exit 1 }' auto.tsv ||
        fail "permuted A: the match did not find the permutation: $(cat auto.tsv)"
fi
