# warm-start: bad usage exits 2 with one line; bad data exits 1 with one line
# "warm-start: FILE: what" and leaves no output; --help lists every option
# with its default.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz                 # d_y = 14, 20 OOD rows
gen-data --dz 30 --k 3 --p 60 --seed 1 -o more.npz              # 30 OOD rows
gen-data --dz 40 --k 3 --p 40 --seed 2 -o other.npz             # d_y = 16
train-sae --variant topk --data d.npz --seed 1 --epochs 2 -o m.npz

warm-start --help > help.txt
for opt in --model --data --kind --budgets --seed --lambda --iters --solve --oracle-iters \
           --no-oracle --threads --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
for d in "0,1,2,5,10,20,50,100,200,500,1000" "default: 0.1" "default: 100" "default: f32" \
         "default: 500" "default: -"; do
    grep -q -- "$d" help.txt || fail "--help lacks '$d'"
done
warm-start --version | grep -Eq '^warm-start sparsekit [0-9]' || fail "--version"

u() { expect_status 2 warm-start "$@" -o out.tsv; }
u --data d.npz --kind encoder;                    expect_one_error_line '^warm-start: --model, --data and --kind are required'
u --model m.npz --kind encoder;                   expect_one_error_line '^warm-start: --model, --data and --kind are required'
u --model m.npz --data d.npz;                     expect_one_error_line '^warm-start: --model, --data and --kind are required'
u --model m.npz --data d.npz --kind both;         expect_one_error_line "^warm-start: --kind: 'both' is not"
u --model m.npz --data d.npz --kind decoder;      expect_one_error_line '^warm-start: --kind decoder needs --seed'
u --model m.npz --data d.npz --kind encoder --budgets 1,x;  expect_one_error_line '^warm-start: --budgets'
u --model m.npz --data d.npz --kind encoder --budgets -2;   expect_one_error_line '^warm-start: --budgets'
u --model m.npz --data d.npz --kind encoder --lambda -1;    expect_one_error_line '^warm-start: --lambda'
u --model m.npz --data d.npz --kind decoder --seed 1 --solve f16; expect_one_error_line "^warm-start: --solve: 'f16'"
u --model m.npz --data d.npz --kind encoder --threads 0;    expect_one_error_line '^warm-start: --threads'
u --model m.npz --data d.npz --kind encoder --bogus;        expect_one_error_line '^warm-start: .*bogus'
u --model m.npz --data d.npz --kind encoder extra;          expect_one_error_line "^warm-start: unexpected argument 'extra'"
assert_no_file out.tsv

b() { expect_status 1 warm-start "$@" -o out.tsv; assert_no_file out.tsv; }
b --model nothere.npz --data d.npz --kind encoder;  expect_one_error_line '^warm-start: nothere.npz: '
b --model d.npz --data d.npz --kind encoder;        expect_one_error_line "^warm-start: d.npz: no member 'W_dec'"
b --model m.npz --data other.npz --kind encoder;    expect_one_error_line '^warm-start: other.npz: samples have 16 columns, the model.s d_y is 14'
b --model m.npz --data more.npz --kind encoder;     expect_one_error_line '^warm-start: m.npz: Z_ood is 20 x 30, expected 30 x 30'
b --model m.npz --data m.npz --kind decoder --seed 1; expect_one_error_line "^warm-start: m.npz: no member 'Y_ood'"
head -c 1000 m.npz > trunc.npz
b --model trunc.npz --data d.npz --kind encoder;    expect_one_error_line '^warm-start: trunc.npz: '
head -c 3000 d.npz > dtrunc.npz
b --model m.npz --data dtrunc.npz --kind encoder;   expect_one_error_line '^warm-start: dtrunc.npz: '
if have_numpy; then  # a dataset without A: the oracle row needs it, --no-oracle does not
    "$SK_PYTHON" -c "
import numpy as np
d = {k: v for k, v in np.load('d.npz').items() if k not in ('A', 'meta.json')}
np.savez('noa.npz', **d)"
    b --model m.npz --data noa.npz --kind encoder;  expect_one_error_line "^warm-start: noa.npz: no member 'A'"
    warm-start --model m.npz --data noa.npz --kind encoder --no-oracle --budgets 0,1 -o ok.tsv
    [ "$(wc -l < ok.tsv)" = 5 ] || fail "--no-oracle without A"
fi
assert_no_temp_files .
echo ok
