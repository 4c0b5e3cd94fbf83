# The methods table (experiments/methods.tsv) drives the DAG at SCALE=smoke:
# its SAE variants and dictionaries are the ones make uses; a method without a
# row stops make with one line naming it (not NaN columns); a broken table
# stops make while it reads the makefiles; and one new family-sae row is a
# fifth SAE variant that every SAE experiment then runs (trained, frozen,
# refined, refit, warm-started, drawn in its own panel), nothing else edited.
source "$(dirname "$0")/lib.sh"
unset METHODS_TABLE  # make check exports the one of its own tree
table=$SK_ROOT/experiments/methods.tsv
ms() { bash "$SK_ROOT/scripts/methods.sh" "$@"; }

[ "$(ms variants | tr '\n' ' ')" = "relu topk jumprelu mp " ] || fail "variants: $(ms variants)"
[ "$(ms get sae-mp-frozen dict)" = "sae-mp-frozen.dict.npz:D+b" ] || fail "dict of sae-mp-frozen: $(ms get sae-mp-frozen dict)"
[ "$(ms get sae-topk-w2 label)" = "TopK SAE (2d_z)" ] || fail "label of sae-topk-w2: $(ms get sae-topk-w2 label)"
[ "$(ms get sae-jumprelu-w2 colour)" = "$(ms get sae-jumprelu colour)" ] || fail "w2 colour is not the variant's"
# Methods beyond the paper (family beyond) run only where an experiment names
# them: not among the names every sweep runs, yet scored with their dictionary.
ms names | grep -qx learn-dict && fail "a family-beyond method is among the sweeps' names"
ms names | grep -qx dl-fista || fail "dl-fista is not among the sweeps' names"
[ "$(ms get true-codes dict)" = "RUN:D" ] || fail "dict of true-codes: $(ms get true-codes dict)"
ms get nosuch label 2>err && fail "an unknown method was found"
grep -q "no method nosuch" err || fail "unknown method: $(cat err)"

# Every eval of the smoke build names the dictionary of its method's row.
dag -n figures > plan.log 2>&1 || { tail -n 20 plan.log; fail "make -n figures failed"; }
grep -q -- "--tag method=sae-relu-refined .*--dict [^ ]*/sae-relu-frozen.dict.npz:D --bias [^ ]*/sae-relu-frozen.dict.npz:b" plan.log ||
    fail "refined is not scored with its frozen decoder"
grep -q -- "--tag method=oracle .*--dict [^ ]*/data/dz20_k3_p200_s0.npz:A" plan.log || fail "the oracle is not scored with A"
grep -- "--tag method=probe " plan.log | grep -q -- "--dict" && fail "the probe got a dictionary"

# A run whose method has no row: make stops, naming it.
mkdir -p results/runs/dz20_k3_p200_s0 data
touch data/dz20_k3_p200_s0.npz results/runs/dz20_k3_p200_s0/nosuch.npz
dag -n "$SK_TMP/results/runs/dz20_k3_p200_s0/nosuch.tsv" > none.log 2>&1 && fail "a method without a row was scored"
grep -q "no row for method 'nosuch'" none.log || fail "no error naming the method: $(cat none.log)"

# A broken table stops make before anything runs.
awk -F'\t' -v OFS='\t' '$1 == "dl-fista" { NF = 5 } 1' "$table" > broken.tsv
dag -n vary-latents METHODS_TABLE="$SK_TMP/broken.tsv" > broken.log 2>&1 && fail "make accepted a row of 5 fields"
grep -q "broken.tsv:[0-9]*: 5 fields, not 6" broken.log || fail "no error line for the broken row: $(cat broken.log)"

# A fifth SAE variant is one row: every SAE experiment runs it.
awk '{ print } /^sae-mp\t/ { print "sae-foo\tFoo SAE\tsae\t2\t#123456\tRUN:W_dec+b_dec" }' "$table" > five.tsv
[ "$(METHODS_TABLE=five.tsv ms variants | tr '\n' ' ')" = "relu topk jumprelu mp foo " ] || fail "fifth variant not read"
dag -n figures METHODS_TABLE="$SK_TMP/five.tsv" > five.log 2>&1 || { tail -n 20 five.log; fail "make -n with a fifth variant failed"; }
count() { grep -c -- "$1" five.log || true; }
# vary-latents' 2 d_z x 2 seeds, vary-sparsity's valid k = 2, 3 (k = 3 is vary-latents') and vary-samples' p = 100 (x 2 seeds)
[ "$(count 'train-sae --variant foo ')" -ge 4 ] || fail "the fifth variant is not trained"
for m in sae-foo sae-foo-frozen sae-foo-renormed sae-foo-oracle-norms sae-foo-refined sae-foo-refit-paper sae-foo-refit-lstsq; do
    [ "$(count "method=$m ")" -ge 4 ] || fail "$m is not scored on the vary-latents grid"
done
[ "$(count 'warm-start --kind decoder --model [^ ]*/sae-foo.npz')" -eq 4 ] || fail "the fifth variant is not warm-started"
[ "$(count 'sae-foo-frozen-lam')" -gt 0 ] || fail "the fifth variant has no lambda sweep"
exit 0
