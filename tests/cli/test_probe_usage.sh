# probe: usage errors exit 2 with one line and no output; --help lists every
# option with its default; --version.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 60 --seed 1 -o d.npz

expect_status 0 probe --help
for opt in --data --alphas --threads --output --help --version; do
    grep -q -- "$opt" "$SK_TMP/out" || fail "--help does not list $opt"
done
grep -q "default: 1e-06,0.0001,0.01,1,10" "$SK_TMP/out" || fail "--help does not show the alphas default"
grep -q "default: -" "$SK_TMP/out" || fail "--help does not show the output default"
expect_status 0 probe --version
grep -q "^probe sparsekit " "$SK_TMP/out" || fail "--version: $(cat "$SK_TMP/out")"

expect_status 2 probe -o out.npz
expect_one_error_line "^probe: --data is required"
expect_status 2 probe --data d.npz --bogus -o out.npz
expect_one_error_line "^probe: unknown option or missing value: '--bogus'"
expect_status 2 probe --data d.npz --alphas 1,-2 -o out.npz
expect_one_error_line "^probe: --alphas"
expect_status 2 probe --data d.npz --alphas 1,,2 -o out.npz
expect_one_error_line "^probe: --alphas"
expect_status 2 probe --data d.npz --alphas abc -o out.npz
expect_one_error_line "^probe: --alphas"
expect_status 2 probe --data d.npz --alphas 0 -o out.npz
expect_one_error_line "^probe: --alphas: 0 is not positive"
expect_status 2 probe --data d.npz --threads 0 -o out.npz
expect_one_error_line "^probe: --threads"
expect_status 2 probe --data d.npz extra -o out.npz
expect_one_error_line "^probe: unexpected argument 'extra'"
expect_status 2 probe --data
assert_no_file out.npz
assert_no_temp_files .
