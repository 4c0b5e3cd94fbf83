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
