# scripts/counting-bound.sh: where n_val = d_z·(d_y − 1)/(d_y − k) (SPEC §8)
# crosses a d_z axis and a p axis, with gen-data's d_y (SPEC §1). The expected
# values are worked by hand from SPEC §1's d_y table and formula:
#   p-needed, k = 10, d_z = 1000: d_y = 93 (SPEC §1), bound = 1000·92/83 =
#     1108.4, so n_val >= 1109, first reached at p = 2217 (p − ⌊p/2⌋ = 1109);
#   dz-limit, k = 10, p = 5000 (n_val = 2500): d_z = 2291 has d_y =
#     ceil(20 ln 229.1) = ceil(108.68) = 109 and bound 2291·108/99 = 2499.3,
#     d_z = 2292 (same d_y) 2500.4 > 2500;
#   dz-limit, p = 10000 (n_val = 5000): SPEC §8 puts the frontier at ≈ 4600.
source "$(dirname "$0")/lib.sh"
cb() { bash "$SK_ROOT/scripts/counting-bound.sh" "$@"; }

[ "$(cb p-needed 10 1000)" = 2217 ] || fail "p-needed 10 1000: $(cb p-needed 10 1000)"
[ "$(cb dz-limit 10 5000)" = 2291 ] || fail "dz-limit 10 5000: $(cb dz-limit 10 5000)"
lim=$(cb dz-limit 10 10000)
[ "$lim" -ge 4500 ] && [ "$lim" -le 4700 ] || fail "dz-limit 10 10000: $lim, SPEC §8 says about 4600"
# The two modes agree: at the d_z limit of p the bound needs at most p samples,
# one d_z further more than p (d_y does not change between them here).
[ "$(cb p-needed 10 2291)" -le 5000 ] || fail "p-needed at the limit exceeds p"
[ "$(cb p-needed 10 2292)" -gt 5000 ] || fail "p-needed past the limit within p"

# Bad arguments: one error line, exit 1, nothing on stdout.
for args in "foo 10 5000" "dz-limit x 5000" "dz-limit 10 1" "p-needed 10 5" "dz-limit 10"; do
    expect_status 1 cb $args
    expect_one_error_line '^counting-bound.sh: '
    [ ! -s "$SK_TMP/out" ] || fail "output on bad arguments '$args'"
done
echo ok
