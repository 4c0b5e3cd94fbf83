# dl-fista: snapshots at round budgets equal separate --rounds N runs (budget
# 0 = budget 1's codes with the initial dictionary); an early stop gives later
# budgets the final state; same seed same bytes; pipes equal files; threads
# and a different seed.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 4 --p 400 --seed 3 -o d.npz
dl-fista --data d.npz --seed 5 --rounds 6 --snapshots 3,0,1,6,3 -o snap.npz

same_member() {  # FILE1:MEMBER FILE2:MEMBER
    mat-print "$1" > a.txt; mat-print "$2" > b.txt
    cmp -s a.txt b.txt || fail "$1 differs from $2"
}
for n in 0 1 3 6; do
    dl-fista --data d.npz --seed 5 --rounds $n -o r$n.npz
    for m in Z_val Z_ood D; do
        same_member snap.npz:${m}_snap$n r$n.npz:$m
    done
done
same_member snap.npz:Z_val_snap0 snap.npz:Z_val_snap1          # warm N = 0 equals N = 1
cmp -s <(mat-print snap.npz:D_snap0) <(mat-print snap.npz:D_snap1) && fail "D_snap0 should be the init"
[ "$(mat-print snap.npz:snap_rounds)" = "0	1	3	6" ] || fail "snap_rounds: $(mat-print snap.npz:snap_rounds)"
[ "$(mat-print snap.npz:rounds)" = 6 ] || fail "rounds: $(mat-print snap.npz:rounds)"
[ "$(mat-print r0.npz:rounds)" = 0 ] || fail "rounds of --rounds 0"
same_member snap.npz:D r6.npz:D
# The history of the short run is a prefix of the long one's.
mat-print r3.npz:rel_change > a.txt
mat-print snap.npz:rel_change | cut -f1-3 > b.txt
cmp -s a.txt b.txt || fail "rel_change of --rounds 3 is not a prefix"

# From the true dictionary the run converges early (after round 10); budgets
# beyond the stop hold the final state.
dl-fista --data d.npz --init d.npz:A --rounds 300 --snapshots 2,250 -o early.npz
[ "$(mat-print early.npz:stop_reason)" = 1 ] || fail "expected an early stop"
r=$(mat-print early.npz:rounds)
[ "$r" -gt 11 ] && [ "$r" -lt 250 ] || fail "stopped after $r rounds"
same_member early.npz:Z_val_snap250 early.npz:Z_val
same_member early.npz:Z_ood_snap250 early.npz:Z_ood
same_member early.npz:D_snap250 early.npz:D

# Same inputs and seed, same bytes; pipes and stdout equal files; threads too.
dl-fista --data d.npz --seed 5 --rounds 6 --snapshots 3,0,1,6,3 -o again.npz
assert_same_bytes snap.npz again.npz
gen-data --dz 30 --k 4 --p 400 --seed 3 -o - | dl-fista --data - --seed 5 --rounds 3 -o - > pipe.npz
assert_same_bytes r3.npz pipe.npz
dl-fista --data d.npz --seed 5 --rounds 3 --threads 2 -o t2.npz
assert_same_bytes r3.npz t2.npz
dl-fista --data d.npz --seed 6 --rounds 3 -o seed6.npz
cmp -s r3.npz seed6.npz && fail "--seed did not change the output"
# The float32 solve is a different (close) computation.
dl-fista --data d.npz --seed 5 --rounds 3 --solve f32 -o f32.npz
mat-info f32.npz | grep -q '"solve": "f32"' || fail "meta.json does not record --solve f32"
assert_no_temp_files .
echo ok
