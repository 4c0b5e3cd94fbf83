#!/usr/bin/env bash
# aggregate-curves.sh CURVE.tsv... — learning curves (track-curve.sh) averaged
# over seeds: one line per (method, dz, step) with n and the mean and
# population std of cos and frac09; sorted by method, dz, step.
set -euo pipefail
[ $# -gt 0 ] || { echo "aggregate-curves.sh: no input" >&2; exit 1; }
printf 'method\tdz\tstep\tn\tcos_mean\tcos_std\tfrac09_mean\tfrac09_std\n'
awk -F'\t' -v OFS='\t' 'FNR == 1 { next }
    { k = $1 OFS $2 OFS $4; n[k]++; c[k] += $5; cc[k] += $5 * $5; f[k] += $6; ff[k] += $6 * $6 }
    END { for (k in n) { mc = c[k] / n[k]; mf = f[k] / n[k]
              vc = cc[k] / n[k] - mc * mc; vf = ff[k] / n[k] - mf * mf
              printf "%s\t%d\t%.8g\t%.8g\t%.8g\t%.8g\n", k, n[k], mc, (vc > 0 ? sqrt(vc) : 0), mf, (vf > 0 ? sqrt(vf) : 0) } }' "$@" |
    sort -t "$(printf '\t')" -k1,1 -k2,2n -k3,3n
