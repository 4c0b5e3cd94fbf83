# dl-fista: --help lists every option with its default, --version, and usage
# errors exit 2 with one line naming the problem (plus the --help hint).
source "$(dirname "$0")/lib.sh"

dl-fista --help > help.txt
for opt in --data --seed --rounds --lambda --iters --init --dz --bias --snapshots --track-dict \
           --solve --threads --output --verbose --help --version; do
    grep -q -- "$opt" help.txt || fail "--help does not list $opt"
done
grep -q 'default: 1000' help.txt || fail "--help does not show the rounds default"
grep -q 'default: 0.1' help.txt || fail "--help does not show the lambda default"
dl-fista --version | grep -q '^dl-fista sparsekit ' || fail "--version"

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz

usage_error() {  # PATTERN ARGS...
    local pattern=$1; shift
    expect_status 2 dl-fista "$@" -o out.npz
    grep -Eq -- "$pattern" err || fail "'$*': $(cat err)"
    [ "$(grep -c '^dl-fista: ' err)" -eq 1 ] || fail "'$*': expected one error line: $(cat err)"
    assert_no_file out.npz
}
usage_error '^dl-fista: --data is required' --seed 1
usage_error '^dl-fista: --seed is required' --data d.npz
usage_error "^dl-fista: --rounds: -1 is out of range" --data d.npz --seed 1 --rounds -1
usage_error "^dl-fista: --rounds: 'x'" --data d.npz --seed 1 --rounds x
usage_error "^dl-fista: --lambda: " --data d.npz --seed 1 --lambda -0.5
usage_error "^dl-fista: --solve: 'f16' is not f64 or f32" --data d.npz --seed 1 --solve f16
usage_error '^dl-fista: --snapshots: budget 20 exceeds --rounds 10' --data d.npz --seed 1 --rounds 10 --snapshots 0,20,5
usage_error "^dl-fista: --snapshots: " --data d.npz --seed 1 --snapshots 1,,2
usage_error '^dl-fista: --dz sets the width' --data d.npz --init d.npz:A --dz 5
usage_error "^dl-fista: unexpected argument 'extra'" --data d.npz --seed 1 extra
usage_error "^dl-fista: .*--bogus" --data d.npz --seed 1 --bogus
assert_no_temp_files .
echo ok
