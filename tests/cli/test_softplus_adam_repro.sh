# softplus-adam: the same seed gives the same bytes, through files or pipes;
# another seed differs; the members have the documented shapes; the early
# stop obeys its options; eval scores the output.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 80 --seed 4 -o d.npz      # d_y = 12, 40 val, 40 OOD
softplus-adam --data d.npz --seed 7 --steps 40 -o a.npz
softplus-adam --data d.npz --seed 7 --steps 40 -o b.npz
assert_same_bytes a.npz b.npz
gen-data --dz 20 --k 3 --p 80 --seed 4 -o - | softplus-adam --data - --seed 7 --steps 40 > c.npz
assert_same_bytes a.npz c.npz
# thread counts: a step sums fixed row blocks (512 rows at d_z = 20) in block
# order (2100 rows a split: 5 blocks each, spread over 3 threads)
gen-data --dz 20 --k 3 --p 4200 --seed 4 -o dt.npz
softplus-adam --data dt.npz --seed 7 --steps 40 --threads 3 -o t3.npz
softplus-adam --data dt.npz --seed 7 --steps 40 --threads 1 -o t1.npz
assert_same_bytes t1.npz t3.npz
softplus-adam --data d.npz --seed 8 --steps 40 -o e.npz
cmp -s a.npz e.npz && fail "seeds 7 and 8 gave the same bytes"

mat-info a.npz > info.txt
for m in "D.*float32.*12, 20" "Z_val.*float32.*40, 20" "Z_ood.*float32.*40, 20" \
         "loss.*float32.*40" "lr.*float64.*40" "steps.*int64" "early_stopped.*bool"; do
    grep -Eq "$m" info.txt || fail "no member like '$m' in: $(cat info.txt)"
done
grep -q '"tool": "softplus-adam"' info.txt || fail "meta.json lacks the tool"
grep -q '"tool": "gen-data"' info.txt || fail "meta.json lacks the dataset's metadata"
[ "$(mat-print a.npz:steps)" = 40 ] || fail "steps: $(mat-print a.npz:steps)"

# --init from a file: starting from the truth changes the result
softplus-adam --data d.npz --init d.npz:A --seed 7 --steps 40 -o i.npz
cmp -s a.npz i.npz && fail "--init made no difference"

# early stop: with --stop-delta 1 only step 1 improves enough, so training
# stops at the first step t > 5 with t - 1 >= 3 steps since: t = 6
softplus-adam --data d.npz --seed 7 --steps 100 --stop-after 5 --stop-patience 3 \
    --stop-delta 1 -o s.npz
[ "$(mat-print s.npz:steps)" = 6 ] || fail "early stop at step $(mat-print s.npz:steps), expected 6"
[ "$(mat-print s.npz:early_stopped)" = 1 ] || fail "early_stopped: $(mat-print s.npz:early_stopped)"

# D starts from DL-FISTA's initial dictionary for the same seed (one Adam
# step of lr 1e-6 moves each entry by about 1e-6)
if have_numpy; then
    dl-fista --data d.npz --seed 7 --rounds 0 --iters 0 -o dl0.npz
    softplus-adam --data d.npz --seed 7 --steps 1 --lr 1e-6 -o one.npz
    softplus-adam --data d.npz --seed 8 --steps 1 --lr 1e-6 -o other.npz
    "$SK_PYTHON" - <<'PY' || fail "D does not start from DL-FISTA's initial dictionary"
import numpy as np
d0 = np.load('dl0.npz')['D']
assert np.abs(np.load('one.npz')['D'] - d0).max() < 3e-6
assert np.abs(np.load('other.npz')['D'] - d0).max() > 0.1
PY
fi

"$SK_BIN/eval" --data d.npz --codes a.npz > scores.tsv
[ "$(wc -l < scores.tsv)" -eq 2 ] || fail "eval output: $(cat scores.tsv)"
"$SK_BIN/eval" --data d.npz --codes a.npz --dict a.npz:D > scores.tsv
grep -q dict_cos scores.tsv || fail "eval with --dict: $(cat scores.tsv)"
echo ok
