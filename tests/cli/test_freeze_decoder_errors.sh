# freeze-decoder: bad usage exits 2 with one line; bad data exits 1 with one
# line "freeze-decoder: FILE: what" and leaves no output; --help lists every
# option with its default.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz                 # d_y = 14
gen-data --dz 40 --k 3 --p 40 --seed 2 -o other.npz             # d_y = 16
train-sae --variant topk --data d.npz --seed 1 --epochs 2 -o m.npz

freeze-decoder --help > help.txt
for opt in --model --mode --truth --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
grep -q "default: frozen" help.txt || fail "--help lacks the default mode"
freeze-decoder --version | grep -Eq '^freeze-decoder sparsekit [0-9]' || fail "--version"

u() { expect_status 2 freeze-decoder "$@" -o out.npz; }
u;                                            expect_one_error_line '^freeze-decoder: --model is required'
u --model m.npz --mode raw;                   expect_one_error_line "^freeze-decoder: --mode: 'raw' is not"
u --model m.npz --mode oracle-norms;          expect_one_error_line '^freeze-decoder: --mode oracle-norms needs --truth'
u --model m.npz --truth d.npz:A;              expect_one_error_line '^freeze-decoder: --truth applies to --mode oracle-norms only'
u --model m.npz --bogus;                      expect_one_error_line '^freeze-decoder: .*bogus'
u --model m.npz extra;                        expect_one_error_line "^freeze-decoder: unexpected argument 'extra'"
assert_no_file out.npz

b() { expect_status 1 freeze-decoder "$@" -o out.npz; assert_no_file out.npz; }
b --model nothere.npz;                        expect_one_error_line '^freeze-decoder: nothere.npz: '
b --model d.npz;                              expect_one_error_line "^freeze-decoder: d.npz: no member 'W_dec'"
head -c 1000 m.npz > trunc.npz
b --model trunc.npz;                          expect_one_error_line '^freeze-decoder: trunc.npz: '
b --model m.npz --mode oracle-norms --truth other.npz:A
expect_one_error_line '^freeze-decoder: other.npz: the true dictionary is 16 x 40, expected 14'
b --model m.npz --mode oracle-norms --truth d.npz:Q
expect_one_error_line "^freeze-decoder: d.npz: no member 'Q'"
if have_numpy; then
    "$SK_PYTHON" -c "
import numpy as np
load = lambda f: {k: v for k, v in np.load(f).items() if k != 'meta.json'}
m = load('m.npz')
m['W_dec'] = m['W_dec'].copy(); m['W_dec'][2, 3] = np.inf
np.savez('inf.npz', **m)
m = load('m.npz'); m['b_dec'] = m['b_dec'][:5]
np.savez('short.npz', **m)"
    b --model inf.npz;                        expect_one_error_line '^freeze-decoder: inf.npz: W_dec holds non-finite'
    b --model short.npz;                      expect_one_error_line '^freeze-decoder: short.npz: b_dec has 1 x 5 values, expected 14'
fi
assert_no_temp_files .
echo ok
