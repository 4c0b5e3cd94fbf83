#!/usr/bin/env bash
# counting-bound.sh dz-limit K P | p-needed K DZ — the counting bound of exact
# dictionary recovery (SPEC §8) for gen-data's datasets without --dy:
#   n >= bound(d_z) = d_z · (d_y − 1) / (d_y − k)
# (unknowns: d_z·(d_y − 1) atom coordinates, unit columns, plus n·k code
# values; equations: n·d_y), with gen-data's d_y = max(k + 1,
# ceil(2 k ln(d_z / k))) (SPEC §1, lib/datagen.c) and n the val rows of p
# draws, p − ⌊p/2⌋.
#   dz-limit K P   the largest d_z whose bound the val rows of p meet
#                  (bound(d_z) <= n): where the counting bound crosses a d_z axis
#   p-needed K DZ  the smallest p whose val rows meet the bound at d_z: where it
#                  crosses a p axis
# Prints one integer; exit 1 with one line on bad arguments.
set -euo pipefail
die() { echo "counting-bound.sh: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: counting-bound.sh dz-limit K P | p-needed K DZ"
mode=$1 k=$2 x=$3
[[ $k =~ ^[0-9]+$ && $k -ge 1 ]] || die "K must be a positive integer (got '$k')"
[[ $x =~ ^[0-9]+$ && $x -ge 2 ]] || die "the third argument must be an integer >= 2 (got '$x')"
case $mode in dz-limit|p-needed) ;; *) die "unknown mode '$mode' (dz-limit or p-needed)" ;; esac
awk -v mode="$mode" -v k="$k" -v x="$x" '
function ceil(v,    t) { t = int(v); return (t < v) ? t + 1 : t }
function dy(dz,    f) { f = ceil(2 * k * log(dz / k)); return (f > k + 1) ? f : k + 1 }
function bound(dz,    d) { d = dy(dz); return dz * (d - 1) / (d - k) }
# gen-data refuses k > d_z - 1 and k - 1 > |ID pool| = d_z - floor(d_z/2) - 1
function valid(dz) { return k <= dz - 1 && k - 1 <= dz - int(dz / 2) - 1 && dy(dz) <= dz }
BEGIN {
    if (mode == "p-needed") {
        if (!valid(x)) { print "counting-bound.sh: gen-data has no dataset at d_z = " x ", k = " k > "/dev/stderr"; exit 1 }
        n = ceil(bound(x)); print 2 * n - 1; exit   # p − ⌊p/2⌋ = ⌈p/2⌉ >= n from p = 2n − 1 on
    }
    n = x - int(x / 2); best = 0
    # bound(d_z) > d_z (d_y − 1 > d_y − k for k > 1), so no d_z above n meets it
    for (dz = 1; dz <= n; dz++) if (valid(dz) && bound(dz) <= n) best = dz
    if (!best) { print "counting-bound.sh: no d_z meets the bound with " n " val rows at k = " k > "/dev/stderr"; exit 1 }
    print best
}'
