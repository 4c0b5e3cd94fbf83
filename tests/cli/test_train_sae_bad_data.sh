# train-sae: bad inputs and diverging training exit 1 with one line naming the
# problem (the epoch, for a NaN) and write nothing.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz

t() { expect_status 1 train-sae "$@" -o out.npz; }
t --variant relu --data missing.npz --seed 1;     expect_one_error_line '^train-sae: missing.npz'
printf 'not a zip' > junk.npz
t --variant relu --data junk.npz --seed 1;        expect_one_error_line '^train-sae: junk.npz'
# a file with no Y_train: the model of another run
train-sae --variant relu --data d.npz --seed 1 --epochs 2 -o model.npz
t --variant relu --data model.npz --seed 1;       expect_one_error_line "^train-sae: model.npz: no member 'Y_train'"
# k above the width; k without metadata
t --variant topk --k 31 --data d.npz --seed 1;    expect_one_error_line '^train-sae: .*k = 31 must be in \[1, width = 30\]'
# --track-dict of the wrong shape, or missing
t --variant relu --data d.npz --seed 1 --track-dict d.npz:Y_train; expect_one_error_line '^train-sae: d.npz: the --track-dict dictionary is 20 x'
t --variant relu --data d.npz --seed 1 --track-dict d.npz:B; expect_one_error_line "^train-sae: .*no member 'B'"
# encode: not a model, or a model of another d_y
t --encode d.npz --data d.npz;                    expect_one_error_line '^train-sae: d.npz: not a train-sae model'
gen-data --dz 40 --k 3 --p 40 --seed 1 -o d40.npz
t --encode model.npz --data d40.npz;              expect_one_error_line '^train-sae: d40.npz: Y_val has [0-9]+ columns, the SAE takes d_y = [0-9]+'

# training that diverges: an absurd learning rate makes the loss overflow at
# the second step (4 batches per epoch here)
gen-data --dz 30 --k 3 --p 400 --seed 1 -o d200.npz
for v in relu topk jumprelu mp; do
    t --variant $v --data d200.npz --seed 1 --lr 1e30
    expect_one_error_line "^train-sae: d200.npz: training diverged at epoch 0 \(batch 1\): the loss is (NaN|infinite)"
done
assert_no_file out.npz

if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
f = np.load("d.npz")
d = {k: f[k] for k in f.files if k != "meta.json"}   # arrays only
bad = dict(d); bad["Y_train"] = d["Y_train"].copy(); bad["Y_train"][3, 2] = np.nan
np.savez("nan.npz", **bad)
big = dict(d); big["Y_train"] = d["Y_train"].copy(); big["Y_train"][7, 1] = 1e25
np.savez("huge.npz", **big)
np.savez("nometa.npz", **d)
PY
    t --variant relu --data nan.npz --seed 1;     expect_one_error_line '^train-sae: nan.npz: Y_train holds non-finite values'
    # (y - ŷ)² = 1e50 overflows float32: the loss of the first batch holding that row
    t --variant relu --data huge.npz --seed 1;    expect_one_error_line '^train-sae: huge.npz: training diverged at epoch 0 '
    t --variant topk --data nometa.npz --seed 1;  expect_one_error_line '^train-sae: nometa.npz: no params.k in its meta.json: give --k'
    train-sae --variant topk --k 3 --data nometa.npz --seed 1 --epochs 1 -o ok.npz
    assert_file ok.npz
    rm ok.npz
fi
assert_no_file out.npz
assert_no_temp_files .
echo ok
