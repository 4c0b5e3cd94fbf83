# support-refit: bad usage exits 2 with one line; bad data exits 1 with one
# line "support-refit: FILE: what" and leaves no output; --help lists every
# option with its default.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz                 # d_y = 14
gen-data --dz 30 --k 3 --p 60 --seed 1 -o more.npz              # 30 val rows
gen-data --dz 40 --k 3 --p 40 --seed 2 -o other.npz             # d_y = 16
train-sae --variant topk --data d.npz --seed 1 --epochs 2 -o m.npz

support-refit --help > help.txt
for opt in --model --data --variant --dict --bias --codes --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
grep -q "default: paper" help.txt || fail "--help lacks the default variant"
support-refit --version | grep -Eq '^support-refit sparsekit [0-9]' || fail "--version"

u() { expect_status 2 support-refit "$@" -o out.npz; }
u --model m.npz;                             expect_one_error_line '^support-refit: --data is required'
u --data d.npz;                              expect_one_error_line '^support-refit: --model is required'
u --data d.npz --dict d.npz:A;               expect_one_error_line '^support-refit: --model is required'
u --model m.npz --data d.npz --variant ols;  expect_one_error_line "^support-refit: --variant: 'ols' is not"
u --model m.npz --data d.npz --bogus;        expect_one_error_line '^support-refit: .*bogus'
u --model m.npz --data d.npz extra;          expect_one_error_line "^support-refit: unexpected argument 'extra'"
assert_no_file out.npz

b() { expect_status 1 support-refit "$@" -o out.npz; assert_no_file out.npz; }
b --model nothere.npz --data d.npz;          expect_one_error_line '^support-refit: nothere.npz: '
b --model d.npz --data d.npz;                expect_one_error_line "^support-refit: d.npz: no member 'W_dec'"
b --model m.npz --data other.npz;            expect_one_error_line '^support-refit: other.npz: Y_val has 16 columns, the dictionary 14 rows'
b --model m.npz --data more.npz;             expect_one_error_line '^support-refit: m.npz: Z_val is 20 x 30, expected 30 x 30'
b --dict d.npz:A --codes other.npz --data d.npz
expect_one_error_line '^support-refit: other.npz: Z_val is 20 x 40, expected 20 x 30'
b --model m.npz --data d.npz --bias other.npz:A
expect_one_error_line '^support-refit: other.npz: bias is 16 x 40, expected a vector of 14'
head -c 1000 m.npz > trunc.npz
b --model trunc.npz --data d.npz;            expect_one_error_line '^support-refit: trunc.npz: '
b --model m.npz --data m.npz;                expect_one_error_line '^support-refit: m.npz: no member Y_val or Y_ood'
assert_no_temp_files .
echo ok
