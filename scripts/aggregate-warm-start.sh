#!/usr/bin/env bash
# aggregate-warm-start.sh CURVES.tsv... — warm-start curves (warm-start's TSV:
# budget start mcc_ood mcc_ood_clean) averaged over seeds. Each input is
# RUNS/DATASET/METHOD.warm-KIND.tsv; method and dz come from that path. Output:
# one line per (method, dz, start, budget) with n and the mean and population
# std of mcc_ood and mcc_ood_clean; sorted by method, dz, start, budget.
set -euo pipefail
[ $# -gt 0 ] || { echo "aggregate-warm-start.sh: no input" >&2; exit 1; }
printf 'method\tdz\tstart\tbudget\tn\tmcc_ood_mean\tmcc_ood_std\tmcc_ood_clean_mean\tmcc_ood_clean_std\n'
awk -F'\t' -v OFS='\t' '
FNR == 1 {
    if ($0 != "budget\tstart\tmcc_ood\tmcc_ood_clean") {
        print "aggregate-warm-start.sh: " FILENAME ": not a warm-start table" > "/dev/stderr"; bad = 1; exit 1
    }
    nf = split(FILENAME, part, "/")
    method = part[nf]; sub(/[.]warm-[a-z]+[.]tsv$/, "", method)
    dz = part[nf - 1]
    if (dz !~ /^dz[0-9]+_/) {
        print "aggregate-warm-start.sh: " FILENAME ": no dataset folder in the path" > "/dev/stderr"; bad = 1; exit 1
    }
    sub(/^dz/, "", dz); sub(/_.*/, "", dz)
    next
}
{ k = method OFS dz OFS $2 OFS $1; n[k]++; a[k] += $3; aa[k] += $3 * $3; c[k] += $4; cc[k] += $4 * $4 }
END {
    if (bad) exit 1
    for (k in n) { ma = a[k] / n[k]; mc = c[k] / n[k]
        va = aa[k] / n[k] - ma * ma; vc = cc[k] / n[k] - mc * mc
        printf "%s\t%d\t%.8g\t%.8g\t%.8g\t%.8g\n", k, n[k], ma, (va > 0 ? sqrt(va) : 0), mc, (vc > 0 ? sqrt(vc) : 0) }
}' "$@" | sort -t "$(printf '\t')" -k1,1 -k2,2n -k3,3 -k4,4n
