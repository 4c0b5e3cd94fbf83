#!/usr/bin/env bash
# warm-start-row.sh METHOD EVAL_ROW.tsv WARM_DECODER.tsv — DL-FISTA
# warm-started from the SAE decoder, at its largest budget (the frozen-decoder
# figure's "DL-FISTA from SAE decoder"), as a one-row table with the columns of EVAL_ROW.tsv (the SAE's own eval row,
# which gives the header and the dz k p seed tags): method = METHOD, mcc_ood and
# mcc_ood_clean from the warm run's largest budget, every other metric nan, so
# that aggregate.sh can merge it with the eval rows.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: warm-start-row.sh METHOD EVAL_ROW.tsv WARM_DECODER.tsv" >&2; exit 2; }
method=$1 row=$2 curve=$3
read -r ood clean < <(awk -F'\t' 'FNR == 1 { next } $2 == "warm" && (!seen || $1 + 0 > best) {
        best = $1 + 0; seen = 1; o = $3; c = $4 }
    END { if (seen) print o, c }' "$curve")
[ -n "${ood:-}" ] || { echo "warm-start-row.sh: $curve: no warm row" >&2; exit 1; }
awk -F'\t' -v OFS='\t' -v method="$method" -v ood="$ood" -v clean="$clean" '
NR == 1 { print; for (i = 1; i <= NF; i++) name[i] = $i; ncol = NF; next }
NR == 2 {
    for (i = 1; i <= ncol; i++) {
        if (name[i] == "method") $i = method
        else if (name[i] == "mcc_ood") $i = ood
        else if (name[i] == "mcc_ood_clean") $i = clean
        else if (name[i] !~ /^(dz|k|p|seed|dy|c|dy_factor)$/) $i = "nan"
    }
    print; done = 1
}
END { if (!done) { print "warm-start-row.sh: " FILENAME ": no data row" > "/dev/stderr"; exit 1 } }' "$row"
