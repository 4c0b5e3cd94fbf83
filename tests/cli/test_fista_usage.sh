# fista: bad usage exits 2 with one line and writes nothing; --help lists
# every option with its default; --version names the tool.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz

fista --help > help.txt
for opt in --dict --lambda --iters --init --bias --product --threads --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
grep -q "default: 0.1" help.txt || fail "--help lacks the lambda default"
grep -q "default: 100" help.txt || fail "--help lacks the iters default"
fista --version | grep -Eq '^fista sparsekit [0-9]' || fail "--version: $(fista --version)"

expect_status 2 fista d.npz -o out.npz
expect_one_error_line '^fista: .*--dict is required'
expect_status 2 fista --dict d.npz:A -o out.npz
expect_one_error_line '^fista: .*missing INPUT'
expect_status 2 fista --dict d.npz:A --lambda -1 d.npz -o out.npz
expect_one_error_line '^fista: .*--lambda'
expect_status 2 fista --dict d.npz:A --lambda nan d.npz -o out.npz
expect_one_error_line '^fista: .*--lambda'
expect_status 2 fista --dict d.npz:A --iters -3 d.npz -o out.npz
expect_one_error_line '^fista: .*--iters'
expect_status 2 fista --dict d.npz:A --iters 1x d.npz -o out.npz
expect_one_error_line '^fista: .*--iters'
expect_status 2 fista --dict d.npz:A --threads 0 d.npz -o out.npz
expect_one_error_line '^fista: .*--threads'
expect_status 2 fista --dict d.npz:A --product fast d.npz -o out.npz
expect_one_error_line '^fista: .*--product'
expect_status 2 fista --dict d.npz:A --bogus d.npz -o out.npz
expect_one_error_line '^fista: .*bogus'
expect_status 2 fista --dict d.npz:A d.npz extra.npz -o out.npz
expect_one_error_line "^fista: .*unexpected argument 'extra.npz'"
expect_status 2 fista --dict d.npz:A d.npz -o
expect_one_error_line '^fista: '
assert_no_file out.npz
assert_no_temp_files .
echo ok
