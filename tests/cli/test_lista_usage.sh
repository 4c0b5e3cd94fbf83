# lista: bad usage exits 2 with one line and writes nothing; --help lists
# every option with its default; --version names the tool.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz

lista --help > help.txt
for opt in --dict --data --seed --epochs --batch --lr --lambda --unroll --variant --max-memory --threads \
           --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
for def in "default: 200" "default: 64" "default: 0.001" "default: 0.1" "default: 16" \
           "default: 12" "default: paper"; do
    grep -q -- "$def" help.txt || fail "--help lacks '$def'"
done
lista --version | grep -Eq '^lista sparsekit [0-9]' || fail "--version"

expect_status 2 lista --data d.npz --seed 1 -o out.npz
expect_one_error_line '^lista: .*--dict is required'
expect_status 2 lista --dict d.npz:A --seed 1 -o out.npz
expect_one_error_line '^lista: .*--data is required'
expect_status 2 lista --dict d.npz:A --data d.npz -o out.npz
expect_one_error_line '^lista: .*--seed is required'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --epochs -1 -o out.npz
expect_one_error_line '^lista: .*--epochs'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --batch 0 -o out.npz
expect_one_error_line '^lista: .*--batch'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --lr x -o out.npz
expect_one_error_line '^lista: .*--lr'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --unroll 0 -o out.npz
expect_one_error_line '^lista: .*--unroll'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --variant best -o out.npz
expect_one_error_line "^lista: .*--variant: 'best' is not paper or stable"
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --max-memory -2 -o out.npz
expect_one_error_line '^lista: .*--max-memory'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 --bogus -o out.npz
expect_one_error_line '^lista: .*bogus'
expect_status 2 lista --dict d.npz:A --data d.npz --seed 1 extra -o out.npz
expect_one_error_line "^lista: .*unexpected argument 'extra'"
assert_no_file out.npz
assert_no_temp_files .
echo ok
