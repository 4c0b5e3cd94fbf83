#!/usr/bin/env bash
# track-curve.sh MAT_PRINT RUN.npz METHOD DZ SEED — the learning curve a run
# recorded with --track-dict (SAEs: track_epoch, track_cos, track_frac09;
# DL-FISTA: track_rounds, track_cos, track_frac; learn-dict: track_cos,
# track_frac after every round, so round i is entry i) as a TSV:
#   method dz seed step cos frac09
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: track-curve.sh MAT_PRINT RUN.npz METHOD DZ SEED" >&2; exit 2; }
mat_print=$1 run=$2 method=$3 dz=$4 seed=$5
if steps=$("$mat_print" "$run:track_epoch" 2>/dev/null); then
    frac=$("$mat_print" "$run:track_frac09")
elif steps=$("$mat_print" "$run:track_rounds" 2>/dev/null); then
    frac=$("$mat_print" "$run:track_frac")
else
    frac=$("$mat_print" "$run:track_frac")
    steps=$(tr '\t' '\n' <<<"$frac" | awk 'NF { printf "%s%d", (NR > 1 ? "\t" : ""), NR - 1 }')
fi
cos=$("$mat_print" "$run:track_cos")
printf 'method\tdz\tseed\tstep\tcos\tfrac09\n'
paste <(tr '\t' '\n' <<<"$steps") <(tr '\t' '\n' <<<"$cos") <(tr '\t' '\n' <<<"$frac") |
    awk -F'\t' -v OFS='\t' -v m="$method" -v dz="$dz" -v s="$seed" 'NF == 3 { print m, dz, s, $1, $2, $3 }'
