# train-sae: bad usage exits 2 with one line and writes nothing; --help lists
# every option with its default; --version names the tool.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz

train-sae --help > help.txt
for opt in --variant --data --seed --k --width --epochs --batch --lr --weight-decay --gamma \
           --renorm-every --track-dict --encode --threads --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
for d in "default: 500" "default: 64" "default: 0.0005" "default: 0.01" "default: 0.0001" \
         "default: 50" "default: -"; do
    grep -q -- "$d" help.txt || fail "--help lacks '$d'"
done
train-sae --version | grep -Eq '^train-sae sparsekit [0-9]' || fail "--version: $(train-sae --version)"

t() { expect_status 2 train-sae "$@" -o out.npz; }
t --data d.npz --seed 1;                          expect_one_error_line '^train-sae: .*--variant and --seed are required'
t --variant relu --data d.npz;                    expect_one_error_line '^train-sae: .*--variant and --seed are required'
t --variant relu --seed 1;                        expect_one_error_line '^train-sae: .*--data is required'
t --variant relu6 --data d.npz --seed 1;          expect_one_error_line "^train-sae: --variant: 'relu6' is not"
t --variant topk --k 0 --data d.npz --seed 1;     expect_one_error_line '^train-sae: .*--k'
t --variant topk --k 2x --data d.npz --seed 1;    expect_one_error_line '^train-sae: .*--k'
t --variant relu --epochs 0 --data d.npz --seed 1; expect_one_error_line '^train-sae: .*--epochs'
t --variant relu --batch -1 --data d.npz --seed 1; expect_one_error_line '^train-sae: .*--batch'
t --variant relu --lr 0 --data d.npz --seed 1;    expect_one_error_line '^train-sae: .*--lr'
t --variant relu --lr nan --data d.npz --seed 1;  expect_one_error_line '^train-sae: .*--lr'
t --variant relu --gamma -1 --data d.npz --seed 1; expect_one_error_line '^train-sae: .*--gamma'
t --variant relu --seed -1 --data d.npz;          expect_one_error_line '^train-sae: .*--seed'
t --variant relu --threads 0 --data d.npz --seed 1; expect_one_error_line '^train-sae: .*--threads'
t --variant relu --bogus --data d.npz --seed 1;   expect_one_error_line '^train-sae: .*bogus'
t --variant relu --data d.npz --seed 1 extra;     expect_one_error_line "^train-sae: .*unexpected argument 'extra'"
t --encode m.npz --data d.npz --variant relu;     expect_one_error_line '^train-sae: --variant does not apply to --encode'
t --encode m.npz --data d.npz --seed 3;           expect_one_error_line '^train-sae: --seed does not apply to --encode'
t --encode m.npz;                                 expect_one_error_line '^train-sae: .*--data is required'
expect_status 2 train-sae --variant relu --data d.npz --seed 1 -o
expect_one_error_line '^train-sae: '
assert_no_file out.npz
assert_no_temp_files .
echo ok
