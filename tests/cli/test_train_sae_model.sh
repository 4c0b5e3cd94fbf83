# train-sae: the model's members and shapes, --track-dict's curve, eval and
# fista read the model, every variant starts from the same weights, the
# histories are finite and the loss falls.
source "$(dirname "$0")/lib.sh"

gen-data --dz 40 --k 4 --p 400 --seed 3 -o d.npz
for v in relu topk jumprelu mp; do
    train-sae --variant $v --data d.npz --seed 1 --epochs 25 --track-dict d.npz:A -o $v.npz
    mat-info $v.npz > info.txt
    dy=$(grep -Eo '"dy": [0-9]+' info.txt | head -1 | grep -Eo '[0-9]+$')
    for m in "W_enc.*float32.*\(40, $dy\)" "b_enc.*float32.*\(40,\)" "W_dec.*float32.*\($dy, 40\)" \
             "b_dec.*float32.*\($dy,\)" "variant.*int64.*\(\)" "k.*int64.*\(\)" \
             "loss_history.*float64.*\(25,\)" "l0_history.*float64.*\(25,\)" \
             "track_epoch.*int64.*\(4,\)" "track_cos.*float64.*\(4,\)" "track_frac09.*float64.*\(4,\)" \
             "Z_val.*float32.*\(200, 40\)" "Z_ood.*float32.*\(200, 40\)"; do
        grep -Eq "$m" info.txt || fail "$v: no member like '$m' in: $(cat info.txt)"
    done
    if [ $v = jumprelu ]; then grep -Eq "log_theta.*float32.*\(40,\)" info.txt || fail "no log_theta"
    else ! grep -q log_theta info.txt || fail "$v has a log_theta"; fi
    grep -q "\"variant\": \"$v\"" info.txt || fail "meta.json lacks the variant"
    grep -q '"tool": "gen-data"' info.txt || fail "meta.json lacks the dataset's metadata"
    [ "$(mat-print $v.npz:track_epoch)" = "$(printf '0\t10\t20\t24')" ] ||
        fail "$v: track_epoch is $(mat-print $v.npz:track_epoch)"
    awk '{ if (!($1 > 0 && $1 <= 1)) exit 1 }' <(mat-print $v.npz:track_cos | tr '\t' '\n') || fail "$v: track_cos out of (0, 1]"
    awk '{ if (!($1 >= 0 && $1 <= 1)) exit 1 }' <(mat-print $v.npz:track_frac09 | tr '\t' '\n') || fail "$v: track_frac09 out of [0, 1]"
    mat-print $v.npz:loss_history | tr '\t' '\n' > loss.txt
    awk 'NR == 1 { first = $1 } END { if (!($1 < first)) exit 1 }' loss.txt || fail "$v: the loss did not fall"
    # eval scores the model like any method; the decoder and bias feed fista
    "$SK_BIN/eval" --data d.npz --codes $v.npz --dict $v.npz:W_dec > eval.tsv
    [ "$(wc -l < eval.tsv)" -eq 2 ] || fail "$v: eval printed $(cat eval.tsv)"
    fista --dict $v.npz:W_dec --bias $v.npz:b_dec d.npz -o fista.npz
    assert_file fista.npz
done
[ "$(mat-print topk.npz:k)" = 4 ] || fail "topk k is $(mat-print topk.npz:k), not the data's 4"
[ "$(mat-print relu.npz:k)" = 0 ] || fail "relu k is $(mat-print relu.npz:k)"
[ "$(mat-print mp.npz:variant)" = 3 ] || fail "mp variant code is $(mat-print mp.npz:variant)"
train-sae --variant topk --k 2 --data d.npz --seed 1 --epochs 1 -o k2.npz
[ "$(mat-print k2.npz:k)" = 2 ] || fail "--k 2 gave k = $(mat-print k2.npz:k)"

# one init for every variant: with a vanishing learning rate nothing moves
for v in relu topk jumprelu mp; do
    train-sae --variant $v --data d.npz --seed 9 --epochs 1 --renorm-every 0 --lr 1e-30 -o init_$v.npz
    mat-print init_$v.npz:W_enc > enc_$v.txt
    mat-print init_$v.npz:W_dec > dec_$v.txt
done
for v in topk jumprelu mp; do
    cmp -s enc_relu.txt enc_$v.txt || fail "$v starts from another W_enc than relu"
    cmp -s dec_relu.txt dec_$v.txt || fail "$v starts from another W_dec than relu"
done
# --width overrides d_z (the legacy 2·d_z preset)
train-sae --variant relu --width 80 --data d.npz --seed 1 --epochs 1 -o wide.npz
mat-info wide.npz | grep -Eq "W_dec.*\([0-9]+, 80\)" || fail "--width 80 ignored"

if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
m = np.load("relu.npz"); d = np.load("d.npz")
# epochs 0 and 20 renormed, 21-24 not: near-unit columns, not exactly
n = np.linalg.norm(m["W_dec"], axis=0)
assert np.all(np.abs(n - 1) < 0.05), n
# W_enc (width x d_y) applied to (y - b_dec) + b_enc, relu: the stored codes
pre = (d["Y_val"] - m["b_dec"]) @ m["W_enc"].T + m["b_enc"]
assert np.allclose(np.maximum(pre, 0), m["Z_val"], atol=1e-5), abs(np.maximum(pre, 0) - m["Z_val"]).max()
t = np.load("topk.npz")
assert np.all((t["Z_val"] != 0).sum(1) <= 4)
p = np.load("mp.npz")
assert np.all((p["Z_val"] != 0).sum(1) <= 4)
assert (p["Z_val"] < 0).any(), "MP codes are signed"
PY
fi
assert_no_temp_files .
echo ok
