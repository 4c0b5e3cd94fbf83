# warm-start: every point equals the independent tool chain (dl-fista / fista
# then eval); the encoder warm start converges to the cold start's solution
# (convexity); decoder warm 0 = warm 1 = FISTA on the frozen decoder; cold 0
# is not run for the decoder; the oracle row is FISTA with A; same bytes
# twice; pipes.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 200 --seed 1 -o d.npz
train-sae --variant topk --data d.npz --seed 1 --epochs 5 -o m.npz

# value of column 2 (mcc_ood) or 4 (mcc_ood_clean) of eval's value line
ev() { "$SK_BIN/eval" --data d.npz --codes "$1" | tail -n 1 | cut -f2,4; }
# the two MCCs of one (budget, start) row of a curves file
row() { awk -F'\t' -v b="$2" -v s="$3" '$1 == b && $2 == s {print $3 "\t" $4}' "$1"; }
# two "a<TAB>b" pairs agree to tol
close() { paste <(echo "$1" | tr '\t' '\n') <(echo "$2" | tr '\t' '\n') |
          awk -v t="$3" '{d = $1 - $2; if (d < 0) d = -d; if (d > t || NF != 2) bad = 1} END {exit bad}'; }

# ---- encoder ----
warm-start --model m.npz --data d.npz --kind encoder --budgets 300,0,5,1 -o enc.tsv
[ "$(head -n 1 enc.tsv)" = "budget	start	mcc_ood	mcc_ood_clean" ] || fail "header: $(head -n 1 enc.tsv)"
[ "$(cut -f1,2 enc.tsv | tail -n +2 | tr '\n\t' ' :')" = "0:warm 1:warm 5:warm 300:warm 0:cold 1:cold 5:cold 300:cold 500:oracle " ] ||
    fail "rows: $(cut -f1,2 enc.tsv | tail -n +2 | tr '\n' ' ')"
[ "$(row enc.tsv 0 warm)" = "$(ev m.npz)" ] || fail "encoder warm 0 is not the SAE codes' MCC"
[ "$(row enc.tsv 0 cold)" = "0	0" ] || fail "encoder cold 0: $(row enc.tsv 0 cold)"
for n in 1 5 300; do
    fista --dict m.npz:W_dec --bias m.npz:b_dec --iters $n d.npz -o cold$n.npz
    fista --dict m.npz:W_dec --bias m.npz:b_dec --iters $n --init m.npz d.npz -o warm$n.npz
    close "$(row enc.tsv $n cold)" "$(ev cold$n.npz)" 1e-6 || fail "encoder cold $n: $(row enc.tsv $n cold) vs $(ev cold$n.npz)"
    close "$(row enc.tsv $n warm)" "$(ev warm$n.npz)" 1e-6 || fail "encoder warm $n: $(row enc.tsv $n warm) vs $(ev warm$n.npz)"
done
# convexity: after many iterations warm and cold reach the same solution,
# though they differ early on
close "$(row enc.tsv 300 warm)" "$(row enc.tsv 300 cold)" 1e-3 || fail "warm and cold do not meet at 300"
close "$(row enc.tsv 1 warm)" "$(row enc.tsv 1 cold)" 1e-3 && fail "warm and cold agree already at 1"
fista --dict d.npz:A --iters 500 d.npz -o oracle.npz
close "$(row enc.tsv 500 oracle)" "$(ev oracle.npz)" 1e-6 || fail "oracle row"

# ---- decoder ----
warm-start --model m.npz --data d.npz --kind decoder --seed 2 --budgets 0,1,2,5,30 -o dec.tsv
[ "$(cut -f1,2 dec.tsv | tail -n +2 | tr '\n\t' ' :')" = "0:warm 1:warm 2:warm 5:warm 30:warm 1:cold 2:cold 5:cold 30:cold 500:oracle " ] ||
    fail "rows: $(cut -f1,2 dec.tsv | tail -n +2 | tr '\n' ' ')"
[ "$(row dec.tsv 0 warm)" = "$(row dec.tsv 1 warm)" ] || fail "decoder warm 0 differs from warm 1"
fista --dict m.npz:W_dec --bias m.npz:b_dec d.npz -o frozen.npz
close "$(row dec.tsv 1 warm)" "$(ev frozen.npz)" 1e-6 || fail "decoder warm 1 is not FISTA on the frozen decoder"
for n in 1 2 5 30; do
    dl-fista --data d.npz --seed 2 --dz 30 --bias m.npz:b_dec --rounds $n -o dc$n.npz
    dl-fista --data d.npz --init m.npz:W_dec --bias m.npz:b_dec --rounds $n -o dw$n.npz
    [ "$(row dec.tsv $n cold)" = "$(ev dc$n.npz)" ] || fail "decoder cold $n: $(row dec.tsv $n cold) vs $(ev dc$n.npz)"
    [ "$(row dec.tsv $n warm)" = "$(ev dw$n.npz)" ] || fail "decoder warm $n: $(row dec.tsv $n warm) vs $(ev dw$n.npz)"
done
close "$(row dec.tsv 2 warm)" "$(row dec.tsv 30 warm)" 1e-4 && fail "the warm decoder did not move"
warm-start --model m.npz --data d.npz --kind decoder --seed 3 --budgets 1,2 --no-oracle -o seed3.tsv
[ "$(wc -l < seed3.tsv)" = 5 ] || fail "--no-oracle: $(wc -l < seed3.tsv) lines"
[ "$(row seed3.tsv 1 warm)" = "$(row dec.tsv 1 warm)" ] || fail "the seed changed the warm run"
[ "$(row seed3.tsv 2 cold)" = "$(row dec.tsv 2 cold)" ] && fail "the seed did not change the cold run"

# Same bytes twice; stdin model and stdout; threads do not change the result.
warm-start --model m.npz --data d.npz --kind encoder --budgets 300,0,5,1 -o again.tsv
assert_same_bytes enc.tsv again.tsv
warm-start --model - --data d.npz --kind encoder --budgets 0,1,5,300 --threads 2 < m.npz > piped.tsv
assert_same_bytes enc.tsv piped.tsv
assert_no_temp_files .
echo ok
