# fista --snapshots: the codes after N iterations of one run equal a separate
# --iters N run byte for byte (cold, warm from --init, a single matrix);
# snap_iters lists the sorted budgets; budgets beyond --iters are a usage error;
# outputs without --snapshots are unchanged.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 200 --seed 4 -o d.npz
train-sae --variant mp --data d.npz --seed 1 --epochs 3 -o mp.npz   # signed codes to warm-start from

fista --dict d.npz:A --iters 40 --snapshots 5,0,2,40,5 d.npz -o snap.npz
[ "$(mat-print snap.npz:snap_iters)" = "0	2	5	40" ] || fail "snap_iters: $(mat-print snap.npz:snap_iters)"
for n in 0 2 5 40; do
    fista --dict d.npz:A --iters $n d.npz -o r$n.npz
    for m in Z_val Z_ood; do
        cmp -s <(mat-print snap.npz:${m}_snap$n) <(mat-print r$n.npz:$m) || fail "cold: ${m}_snap$n differs"
    done
done
cmp -s <(mat-print snap.npz:Z_val_snap40) <(mat-print snap.npz:Z_val) || fail "snap40 is not the final codes"
cmp -s <(mat-print snap.npz:Z_val_snap2) <(mat-print snap.npz:Z_val_snap5) && fail "snapshots 2 and 5 are equal"
[ "$(mat-print snap.npz:Z_val_snap0 | tr '\t' '\n' | sort -u)" = 0 ] || fail "cold snapshot 0 is not zero"
# Without --snapshots the output is exactly what it was (no extra members, same meta).
fista --dict d.npz:A --iters 40 d.npz -o plain.npz
mat-info plain.npz | grep -q snap && fail "snapshot members without --snapshots"

# Warm start on the SAE decoder from its (signed) MP codes.
fista --dict mp.npz:W_dec --bias mp.npz:b_dec --init mp.npz --iters 10 --snapshots 0,3,10 d.npz -o wsnap.npz
cmp -s <(mat-print wsnap.npz:Z_ood_snap0) <(mat-print mp.npz:Z_ood) || fail "warm snapshot 0 is not the init"
for n in 3 10; do
    fista --dict mp.npz:W_dec --bias mp.npz:b_dec --init mp.npz --iters $n d.npz -o w$n.npz
    for m in Z_val Z_ood; do
        cmp -s <(mat-print wsnap.npz:${m}_snap$n) <(mat-print w$n.npz:$m) || fail "warm: ${m}_snap$n differs"
    done
done

# One matrix in, Z_snapN out.
fista --dict d.npz:A --iters 7 --snapshots 3 d.npz:Y_ood -o single.npz
fista --dict d.npz:A --iters 3 d.npz:Y_ood -o single3.npz
cmp -s <(mat-print single.npz:Z_snap3) <(mat-print single3.npz:Z) || fail "single: Z_snap3 differs"

# Usage errors.
expect_status 2 fista --dict d.npz:A --iters 10 --snapshots 0,11 d.npz -o out.npz
expect_one_error_line '^fista: --snapshots: budget 11 exceeds --iters 10'
expect_status 2 fista --dict d.npz:A --snapshots 1,x d.npz -o out.npz
expect_one_error_line '^fista: --snapshots'
expect_status 2 fista --dict d.npz:A --snapshots -1 d.npz -o out.npz
expect_one_error_line '^fista: --snapshots'
assert_no_file out.npz
fista --help | grep -q -- '--snapshots' || fail "--help does not list --snapshots"

# Same bytes twice; stdout equals a file.
fista --dict d.npz:A --iters 40 --snapshots 5,0,2,40 d.npz -o - > again.npz
assert_same_bytes snap.npz again.npz
assert_no_temp_files .
echo ok
