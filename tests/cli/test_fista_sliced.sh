# A cold fista solve without snapshots runs a slice of rows at a time, keeping
# the codes sparse between slices (so at d_z = 10^6 a split's codes are never
# dense in memory): its output equals, byte for byte, the one-piece solve's
# (the whole split dense, which --snapshots still uses), whatever the slice
# size (--slice-rows) and thread count, and on the dataset stored dense or
# sparse; codes large and sparse enough are written in CSR (csr.h).
source "$(dirname "$0")/lib.sh"

# 500 val and 500 OOD rows: blocks of 32 rows (fista_block_rows), 16 per split.
gen-data --dz 2000 --k 3 --p 1000 --seed 2 -o data.npz
gen-data --dz 2000 --k 3 --p 1000 --seed 2 --storage sparse -o sparse.npz
fista --dict data.npz:A --iters 30 --threads 1 --snapshots 30 data.npz -o whole.npz
# the codes of the one-piece solve, as a plain fista output (no snapshot members)
for split in Z_val Z_ood; do mat-print whole.npz:$split > whole.$split; done
for run in "--slice-rows 1 --threads 1" "--slice-rows 40 --threads 2" "--threads 2" "--slice-rows 100000"; do
    for f in data sparse; do
        fista --dict $f.npz:A --iters 30 $run $f.npz -o sliced.npz
        for split in Z_val Z_ood; do
            mat-print sliced.npz:$split | cmp -s - whole.$split || fail "$split of '$run' on $f.npz differs"
        done
        [ $f = data ] && [ "$run" = "--threads 2" ] && cp sliced.npz default.npz
    done
done
fista --dict data.npz:A --iters 30 data.npz -o again.npz
assert_same_bytes default.npz again.npz
grep -q slice <(mat-info -m default.npz) && fail "--slice-rows entered the output's meta.json"

# Codes of >= 64 MiB dense and sparse enough are written sparse, the same from
# slices as from one piece: 500 x 40 000 codes per split (80 MB dense).
gen-data --dz 40000 --k 3 --p 1000 --seed 2 -o wide.npz
fista --dict wide.npz:A --iters 30 --slice-rows 200 wide.npz -o wide-sliced.npz
fista --dict wide.npz:A --iters 30 --snapshots 30 wide.npz -o wide-whole.npz
members() { unzip -Z1 "$1" | grep -E "^Z_(val|ood)\." ; }
[ "$(members wide-sliced.npz | wc -l)" -eq 8 ] || fail "wide codes are not sparse: $(unzip -Z1 wide-sliced.npz)"
for m in $(members wide-sliced.npz); do
    unzip -p wide-whole.npz "$m" > whole.member
    unzip -p wide-sliced.npz "$m" | cmp -s - whole.member || fail "$m differs from the one-piece solve"
done
mat-info -M wide-sliced.npz | grep -Eq '^  Z_val	float32	\(500, 40000\)	csr nnz=[1-9]' ||
    fail "wide Z_val: $(mat-info -M wide-sliced.npz)"
