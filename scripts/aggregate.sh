#!/usr/bin/env bash
# aggregate.sh XCOL ROW.tsv... — combine one-row eval tables (header + values)
# into one table: one line per (method, XCOL), every metric as its mean and
# population std over the rows of that group (the seeds), n = rows averaged.
# A value that is not a number (eval writes "nan" for what does not apply) is
# left out of its metric's mean; a metric with no numeric value is "nan".
# XCOL may be several columns, comma-separated (dz,k,dy): one line per method
# and combination, each of them a column.
# A row whose diverged column is 1 (a training run that blew up: eval copies
# the method's own flag) is never averaged in: it is left out of n and of
# every mean, and counted in the last column, n_diverged (SPEC §8). The
# diverged column itself gets no mean.
# Output sorted by method, then XCOL numerically; gnuplot reads it by header.
set -euo pipefail
xcol=$1; shift
[ $# -gt 0 ] || { echo "aggregate.sh: no input rows" >&2; exit 1; }
awk -v xcol="$xcol" -F'\t' '
BEGIN { OFS = "\t" }
FNR == 1 {
    if (NR == 1) { header = $0; ncol = NF; for (i = 1; i <= NF; i++) { name[i] = $i; if ($i == "diverged") divcol = i } }
    else if ($0 != header) { print "aggregate.sh: " FILENAME ": columns differ from the first file" > "/dev/stderr"; exit 1 }
    next
}
FNR == 2 {
    m = x = ""
    for (i = 1; i <= ncol; i++) if (name[i] == "method") m = $i
    for (j = 1; j <= nx; j++) {
        v = ""
        for (i = 1; i <= ncol; i++) if (name[i] == xc[j]) v = $i
        if (v == "") { m = ""; break }
        x = x (j > 1 ? OFS : "") v
    }
    if (m == "") { print "aggregate.sh: " FILENAME ": no method or " xcol " column" > "/dev/stderr"; exit 1 }
    key = m SUBSEP x
    if (!(key in n)) { keys[++nkeys] = key; kmethod[key] = m; kx[key] = x; n[key] = 0 }
    if (divcol && $divcol ~ numeric && $divcol + 0 != 0) { ndiv[key]++; next }
    n[key]++
    for (i = 1; i <= ncol; i++) if (!(name[i] in tagcols) && $i ~ numeric) {
        v = $i + 0; cnt[key, i]++; sum[key, i] += v; sumsq[key, i] += v * v
    }
    next
}
FNR > 2 { print "aggregate.sh: " FILENAME ": more than one data row" > "/dev/stderr"; exit 1 }
END {
    if (NR == 0) exit 1
    line = "method"; for (j = 1; j <= nx; j++) line = line OFS xc[j]; line = line OFS "n"
    for (i = 1; i <= ncol; i++) if (!(name[i] in tagcols)) line = line OFS name[i] "_mean" OFS name[i] "_std"
    print line OFS "n_diverged"; fflush()
    for (j = 1; j <= nkeys; j++) {
        key = keys[j]; line = kmethod[key] OFS kx[key] OFS n[key]
        for (i = 1; i <= ncol; i++) if (!(name[i] in tagcols)) {
            if (!cnt[key, i]) { line = line OFS "nan" OFS "nan"; continue }
            mean = sum[key, i] / cnt[key, i]; var = sumsq[key, i] / cnt[key, i] - mean * mean
            line = line OFS sprintf("%.8g", mean) OFS sprintf("%.8g", var > 0 ? sqrt(var) : 0)
        }
        print line OFS ndiv[key] + 0 | sortcmd
    }
}
BEGIN {
    split("method dz k p seed dy c dy_factor lambda diverged", t, " "); for (i in t) tagcols[t[i]] = 1
    nx = split(xcol, xc, ",")
    sortcmd = "sort -t \"\t\" -k1,1"; for (j = 2; j <= nx + 1; j++) sortcmd = sortcmd " -k" j "," j "g"
    numeric = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
}
' "$@"
