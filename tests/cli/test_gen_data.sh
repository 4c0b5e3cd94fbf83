# gen-data: shapes, the SPEC §1 support structure, same seed same bytes,
# pipes equal files, impossible parameters refused with one line and no file.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 4 --p 41 --seed 7 -o a.npz
gen-data --dz 30 --k 4 --p 41 --seed 7 -o b.npz
assert_same_bytes a.npz b.npz
gen-data --dz 30 --k 4 --p 41 --seed 7 -o - > c.npz
assert_same_bytes a.npz c.npz
gen-data --dz 30 --k 4 --p 41 --seed 8 -o d.npz
cmp -s a.npz d.npz && fail "different seeds gave the same bytes"

# default d_y = max(k+1, ceil(2 k ln(d_z/k))) = ceil(8 ln 7.5) = 17; sizes 20/21/20
mat-info a.npz > info.txt
grep -Eq "A.*17.*30" info.txt || fail "A shape: $(cat info.txt)"
grep -Eq "Y_train.*20.*17" info.txt || fail "Y_train shape"
grep -Eq "Z_val.*21.*30" info.txt || fail "Z_val shape"
grep -Eq "Z_ood.*20.*30" info.txt || fail "Z_ood shape"

# --dy sets the observed dimension (any 1 <= d_y <= d_z, below the default too):
# only A's and the Y's shapes change; d_y = d_z is allowed.
gen-data --dz 30 --k 4 --p 41 --seed 7 --dy 9 -o dy9.npz
mat-info dy9.npz > info9.txt
grep -Eq "A.*\(9, 30\)" info9.txt || fail "--dy 9: A shape: $(cat info9.txt)"
grep -Eq "Y_ood.*\(20, 9\)" info9.txt || fail "--dy 9: Y_ood shape"
grep -Eq "Z_val.*\(21, 30\)" info9.txt || fail "--dy 9: Z_val shape"
gen-data --dz 30 --k 4 --p 41 --seed 7 --dy 17 -o dy17.npz
assert_same_bytes a.npz dy17.npz
gen-data --dz 30 --k 4 --p 41 --seed 7 --dy 30 -o dy30.npz
grep -Eq "A.*\(30, 30\)" <(mat-info dy30.npz) || fail "--dy 30 (= d_z) refused or misshaped"

# Support structure, from the text dump: every row has exactly k non-zeros in
# (0, 1); OOD rows contain latent 0 and otherwise only OOD-pool latents (>= 15).
mat-print a.npz:Z_ood > zood.txt
awk -F'\t' '{ nz = 0; for (j = 1; j <= NF; j++) if ($j != 0) { nz++;
        if ($j <= 0 || $j >= 1) bad = "value " $j;
        if (j > 1 && j - 1 < 15) bad = "ID latent " j - 1 " in an OOD row" }
      if (nz != 4) bad = "row " NR " has " nz " non-zeros"; if ($1 == 0) bad = "OOD row " NR " lacks latent 0" }
     END { if (bad) { print bad; exit 1 } }' zood.txt || fail "Z_ood structure"
mat-print a.npz:Z_train > ztrain.txt
awk -F'\t' '{ nz = 0; for (j = 1; j <= NF; j++) if ($j != 0) nz++;
      if (nz != 4) bad = 1; if ($1 != 0) with0++;
      if ($1 != 0) for (j = 16; j <= NF; j++) if ($j != 0) bad = 1 }
     END { exit bad }' ztrain.txt || fail "Z_train: latent 0 appeared with an OOD-pool latent"

# Impossible parameters: usage error, one line, no output.
expect_status 2 gen-data --dz 30 --k 4 --p 41 --dy 31 --seed 1 -o bad.npz
expect_one_error_line "d_y = 31 exceeds d_z = 30"
assert_no_file bad.npz
expect_status 2 gen-data --dz 10 --k 6 --p 41 --seed 1 -o bad.npz
expect_one_error_line "ID pool"
expect_status 2 gen-data --dz 10 --k 10 --p 41 --seed 1 -o bad.npz
expect_one_error_line "k = 10 needs k <= d_z - 1 = 9"
expect_status 2 gen-data --dz 10 --k 3 --p 41 -o bad.npz
expect_one_error_line "required"
expect_status 2 gen-data --dz ten --k 3 --p 41 --seed 1 -o bad.npz
expect_one_error_line "not an integer"
expect_status 2 gen-data --bogus
assert_no_file bad.npz
expect_status 0 gen-data --help
grep -q -- "--dz" "$SK_TMP/out" || fail "--help does not list --dz"
# An unwritable target: exit 1, nothing left behind.
expect_status 1 gen-data --dz 30 --k 4 --p 41 --seed 7 -o no/such/dir/x.npz
expect_one_error_line "no/such/dir"
assert_no_temp_files .
