# fista: bad data exits 1 with one line "fista: FILE: what is wrong" and
# leaves no output file (nor temporary file).
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz        # d_y = 14
gen-data --dz 40 --k 3 --p 40 --seed 2 -o other.npz    # d_y = 16, d_z = 40

# Missing dictionary member: the message names the file and lists members.
expect_status 1 fista --dict d.npz:D d.npz -o out.npz
expect_one_error_line "^fista: d.npz: no member 'D'"
assert_no_file out.npz

# Missing file.
expect_status 1 fista --dict nothere.npz:A d.npz -o out.npz
expect_one_error_line '^fista: nothere.npz: '
assert_no_file out.npz

# Shape mismatch: a dictionary with 16 rows for samples with 14 columns.
expect_status 1 fista --dict other.npz:A d.npz -o out.npz
expect_one_error_line '^fista: d.npz: Y_val has 14 columns but the dictionary has 16 rows'
assert_no_file out.npz

# Init codes of the wrong shape (from the other dataset: 40 latents).
expect_status 1 fista --dict d.npz:A --init other.npz d.npz -o out.npz
expect_one_error_line '^fista: other.npz: init codes Z_val are 20 x 40, expected 20 x 30'
assert_no_file out.npz
expect_status 1 fista --dict d.npz:A --init other.npz:Z_val d.npz:Y_val -o out.npz
expect_one_error_line '^fista: other.npz: init codes'
assert_no_file out.npz

# Bias of the wrong length.
expect_status 1 fista --dict d.npz:A --bias other.npz:A d.npz -o out.npz
expect_one_error_line '^fista: other.npz: bias is 16 x 40'
assert_no_file out.npz

# Truncated input file (and truncated dictionary file).
head -c 1500 d.npz > trunc.npz
expect_status 1 fista --dict d.npz:A trunc.npz -o out.npz
expect_one_error_line '^fista: trunc.npz: '
assert_no_file out.npz
expect_status 1 fista --dict trunc.npz:A d.npz -o out.npz
expect_one_error_line '^fista: trunc.npz: '
assert_no_file out.npz

# Not an archive at all.
echo "hello" > junk.npz
expect_status 1 fista --dict d.npz:A junk.npz -o out.npz
expect_one_error_line '^fista: junk.npz: '
assert_no_file out.npz

# Non-finite values in the samples (written by NumPy when available).
if have_numpy; then
    "$SK_PYTHON" -c "
import numpy as np
y = np.load('d.npz')['Y_val'].copy(); y[3, 2] = np.nan
np.savez('nan.npz', Y=y)"
    expect_status 1 fista --dict d.npz:A nan.npz:Y -o out.npz
    expect_one_error_line '^fista: nan.npz: .*non-finite'
    assert_no_file out.npz
fi

# A failure after a previous success leaves the previous file untouched.
fista --dict d.npz:A d.npz -o out.npz
cp out.npz keep.npz
expect_status 1 fista --dict other.npz:A d.npz -o out.npz
assert_same_bytes out.npz keep.npz
assert_no_temp_files .
echo ok
