# probe: a pipe gives the same bytes as files; the same input gives the same
# bytes; the output has the documented members.
source "$(dirname "$0")/lib.sh"

gen-data --dz 40 --k 4 --p 120 --seed 3 -o d.npz
probe --data d.npz -o a.npz
probe --data d.npz -o b.npz
assert_same_bytes a.npz b.npz
gen-data --dz 40 --k 4 --p 120 --seed 3 -o - | probe --data - -o - > c.npz
assert_same_bytes a.npz c.npz
probe --data - < d.npz > e.npz
assert_same_bytes a.npz e.npz

mat-info a.npz > info.txt
for m in "Z_val.*float32.*60, 40" "Z_ood.*float32.*60, 40" "coef.*float64.*40, [0-9]+" \
         "alpha.*float64.*\(\)" "alphas.*float64.*5" "loo_mse.*float64.*5"; do
    grep -Eq "$m" info.txt || fail "no member like '$m' in: $(cat info.txt)"
done
grep -q '"tool": "probe"' info.txt || fail "meta.json lacks the tool"
grep -q '"tool": "gen-data"' info.txt || fail "meta.json lacks the dataset's metadata"

# a one-value grid must choose that value
probe --data d.npz --alphas 0.5 -o one.npz
mat-print one.npz:alpha > alpha.txt
[ "$(cat alpha.txt)" = "0.5" ] || fail "alpha with --alphas 0.5: $(cat alpha.txt)"
cmp -s a.npz one.npz && fail "a different grid gave the same bytes"
true
