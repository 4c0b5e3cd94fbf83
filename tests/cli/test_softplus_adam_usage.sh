# softplus-adam: bad usage exits 2 with one line and writes nothing; --help
# lists every option with its default; --version names the tool.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz

softplus-adam --help > help.txt
for opt in --data --seed --steps --lambda --lr --init --dz --stop-after --stop-patience \
           --stop-delta --threads --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
for def in "default: 50000" "default: 0.1" "default: 0.001" "default: 10000" "default: 5000" \
           "default: 1e-06"; do
    grep -q -- "$def" help.txt || fail "--help lacks '$def'"
done
softplus-adam --version | grep -Eq '^softplus-adam sparsekit [0-9]' || fail "--version"

expect_status 2 softplus-adam --seed 1 -o out.npz
expect_one_error_line '^softplus-adam: .*--data is required'
expect_status 2 softplus-adam --data d.npz -o out.npz
expect_one_error_line '^softplus-adam: .*--seed is required'
expect_status 2 softplus-adam --data d.npz --seed -1 -o out.npz
expect_one_error_line '^softplus-adam: .*--seed'
expect_status 2 softplus-adam --data d.npz --seed 1 --steps 0 -o out.npz
expect_one_error_line '^softplus-adam: .*--steps'
expect_status 2 softplus-adam --data d.npz --seed 1 --lr 2 -o out.npz
expect_one_error_line '^softplus-adam: .*--lr'
expect_status 2 softplus-adam --data d.npz --seed 1 --lambda nan -o out.npz
expect_one_error_line '^softplus-adam: .*--lambda'
expect_status 2 softplus-adam --data d.npz --seed 1 --dz 0 -o out.npz
expect_one_error_line '^softplus-adam: .*--dz'
expect_status 2 softplus-adam --data d.npz --seed 1 --stop-patience 0 -o out.npz
expect_one_error_line '^softplus-adam: .*--stop-patience'
expect_status 2 softplus-adam --data d.npz --seed 1 --bogus -o out.npz
expect_one_error_line '^softplus-adam: .*bogus'
expect_status 2 softplus-adam --data d.npz --seed 1 extra -o out.npz
expect_one_error_line "^softplus-adam: .*unexpected argument 'extra'"
expect_status 2 softplus-adam --data d.npz --seed 1 -o
expect_one_error_line '^softplus-adam: '
assert_no_file out.npz
assert_no_temp_files .
echo ok
