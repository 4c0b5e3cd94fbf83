# lista: a run whose loss explodes is flagged (member diverged, meta.json, a
# warning line) and eval copies the flag into its last column; a normal run
# is not flagged; --variant stable trains the same (same loss history) and
# writes the best epoch's parameters, i.e. those of a paper run stopped there.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 200 --seed 4 -o d.npz     # d_y = 12, 100 train/val/OOD
member() { mat-print "$1:$2" | tr -s ' \t' '\n' | awk 'NF'; }
col() { awk -F'\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
last_col() { awk -F'\t' 'NR == 1 { print $NF }' "$1"; }

# A normal run: nothing flagged, no warning.
lista --dict d.npz:A --data d.npz --seed 3 --epochs 5 -o calm.npz 2> calm.err
[ ! -s calm.err ] || fail "a normal run warned: $(cat calm.err)"
[ "$(member calm.npz diverged)" = 0 ] || fail "normal run: diverged = $(member calm.npz diverged)"
mat-info calm.npz | grep -q 'diverged.*int64' || fail "no int64 member diverged: $(mat-info calm.npz)"
mat-info calm.npz | grep -q '"variant": "paper", "diverged": false, "diverged_epoch": 0' ||
    fail "meta.json of a normal run: $(mat-info calm.npz)"
"$SK_BIN/eval" --data d.npz --codes calm.npz -o calm.tsv
[ "$(last_col calm.tsv)" = diverged ] || fail "eval's last column is $(last_col calm.tsv)"
[ "$(col calm.tsv diverged)" = 0 ] || fail "eval diverged = $(col calm.tsv diverged)"

# lr 0.1 blows this model up from epoch 2 on (loss 13 -> 1e3 -> ... -> 1e13).
lista --dict d.npz:A --data d.npz --seed 3 --epochs 12 --lr 0.1 -o blown.npz 2> blown.err
[ "$(wc -l < blown.err)" -eq 1 ] || fail "expected one warning line: $(cat blown.err)"
grep -Eq '^lista: d.npz: warning: the loss exploded at epoch 2 .*lowest .* at epoch 1; wrote the parameters of epoch 12 \(--variant paper\): diverged$' blown.err ||
    fail "warning: $(cat blown.err)"
[ "$(member blown.npz diverged)" = 1 ] || fail "blown run: diverged = $(member blown.npz diverged)"
mat-info blown.npz | grep -q '"diverged": true, "diverged_epoch": 2, "best_epoch": 1, "kept_epoch": 12' ||
    fail "meta.json of the blown run: $(mat-info blown.npz)"
"$SK_BIN/eval" --data d.npz --codes blown.npz -o blown.tsv
[ "$(col blown.tsv diverged)" = 1 ] || fail "eval diverged = $(col blown.tsv diverged)"

# The stable variant: same history, epoch 1's parameters, not diverged.
lista --dict d.npz:A --data d.npz --seed 3 --epochs 12 --lr 0.1 --variant stable -o stable.npz 2> stable.err
grep -q 'wrote the parameters of epoch 1 (--variant stable): not diverged' stable.err ||
    fail "stable warning: $(cat stable.err)"
[ "$(member stable.npz loss)" = "$(member blown.npz loss)" ] || fail "stable trained differently"
[ "$(member stable.npz diverged)" = 0 ] || fail "stable: diverged = $(member stable.npz diverged)"
mat-info stable.npz | grep -q '"variant": "stable", "diverged": false, "diverged_epoch": 2, "best_epoch": 1, "kept_epoch": 1' ||
    fail "meta.json of the stable run: $(mat-info stable.npz)"
lista --dict d.npz:A --data d.npz --seed 3 --epochs 1 --lr 0.1 -o one.npz
for m in W S theta Z_val Z_ood; do
    [ "$(member stable.npz $m)" = "$(member one.npz $m)" ] || fail "stable $m is not epoch 1's"
done
[ "$(member stable.npz W)" != "$(member blown.npz W)" ] || fail "stable kept the last epoch"

# Files without the member (other methods) give nan; a bad member is an error.
fista --dict d.npz:A d.npz -o oracle.npz
"$SK_BIN/eval" --data d.npz --codes oracle.npz -o oracle.tsv
[ "$(col oracle.tsv diverged)" = nan ] || fail "eval diverged without the member: $(col oracle.tsv diverged)"
assert_no_temp_files .
echo ok
