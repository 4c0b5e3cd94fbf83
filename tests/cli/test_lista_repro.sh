# lista: the same seed gives the same bytes, through files or pipes; another
# seed differs; members have the documented shapes; eval scores the codes.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 200 --seed 4 -o d.npz     # d_y = 12, 100 train/val/OOD
lista --dict d.npz:A --data d.npz --seed 3 --epochs 3 -o a.npz
lista --dict d.npz:A --data d.npz --seed 3 --epochs 3 -o b.npz
assert_same_bytes a.npz b.npz
gen-data --dz 20 --k 3 --p 200 --seed 4 -o - | lista --dict d.npz:A --data - --seed 3 --epochs 3 > c.npz
assert_same_bytes a.npz c.npz
gen-data --dz 20 --k 3 --p 200 --seed 4 -o - | lista --dict -:A --data - --seed 3 --epochs 3 > c2.npz
assert_same_bytes a.npz c2.npz
lista --dict d.npz:A --data d.npz --seed 5 --epochs 3 -o e.npz
cmp -s a.npz e.npz && fail "seeds 3 and 5 gave the same bytes"

mat-info a.npz > info.txt
for m in "W.*float32.*320, 20" "S.*float32.*320, 12" "theta.*float32.*16, 20" "D.*float32.*12, 20" \
         "Z_val.*float32.*100, 20" "Z_ood.*float32.*100, 20" "loss.*float64.*3"; do
    grep -Eq "$m" info.txt || fail "no member like '$m' in: $(cat info.txt)"
done
grep -q '"tool": "lista"' info.txt || fail "meta.json lacks the tool"
grep -q '"tool": "gen-data"' info.txt || fail "meta.json lacks the inputs' metadata"

# zero epochs: the ISTA initialisation, theta = 0.01 everywhere
lista --dict d.npz:A --data d.npz --seed 3 --epochs 0 --unroll 2 -o z.npz
mat-info z.npz | grep -Eq 'theta.*\(2, 20\).*min=0.00999999978.*max=0.00999999978' ||
    fail "epochs 0: $(mat-info z.npz)"

"$SK_BIN/eval" --data d.npz --codes a.npz > scores.tsv
[ "$(wc -l < scores.tsv)" -eq 2 ] || fail "eval output: $(cat scores.tsv)"
echo ok
