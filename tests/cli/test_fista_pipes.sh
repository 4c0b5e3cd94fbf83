# fista: stdin archives (one stdin named twice) and stdout give the same bytes
# as files; the same inputs give the same bytes; threads do not change them.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz
fista --dict d.npz:A d.npz -o files.npz
assert_file files.npz
gen-data --dz 30 --k 3 --p 40 --seed 1 -o - | fista --dict -:A - -o pipe.npz
assert_same_bytes files.npz pipe.npz
fista --dict d.npz:A d.npz -o - > stdout.npz
assert_same_bytes files.npz stdout.npz
gen-data --dz 30 --k 3 --p 40 --seed 1 -o - | fista --dict -:A - -o - > both.npz
assert_same_bytes files.npz both.npz

fista --dict d.npz:A d.npz -o again.npz
assert_same_bytes files.npz again.npz
fista --threads 1 --dict d.npz:A d.npz -o one.npz
fista --threads 2 --dict d.npz:A d.npz -o two.npz
assert_same_bytes one.npz two.npz

# Outputs: Z_val and Z_ood, n × d_z, non-negative, not all zero.
mat-info files.npz > info.txt
grep -Eq "Z_val.*\(20, 30\)" info.txt || fail "Z_val shape: $(cat info.txt)"
grep -Eq "Z_ood.*\(20, 30\)" info.txt || fail "Z_ood shape: $(cat info.txt)"
grep -q '"lambda": 0.1, "iters": 100' info.txt || fail "meta.json params: $(cat info.txt)"
mat-print files.npz:Z_val | awk -F'\t' '{ for (j = 1; j <= NF; j++) { if ($j < 0) bad = 1; if ($j > 0) pos++ } }
    END { exit bad || pos < 20 }' || fail "Z_val codes are negative or nearly all zero"

# A different lambda changes the codes.
fista --lambda 0.5 --dict d.npz:A d.npz -o lam.npz
cmp -s files.npz lam.npz && fail "--lambda did not change the output"
echo ok

# A positional member of stdin ("-:Y_val") is an operand, not options.
gen-data --dz 30 --k 3 --p 40 --seed 1 -o - | fista --dict -:A -:Y_val -o positional.npz
gen-data --dz 30 --k 3 --p 40 --seed 1 -o g.npz
fista --dict g.npz:A g.npz:Y_val -o named.npz
cmp -s positional.npz named.npz || fail "fista on -:Y_val differs from FILE:Y_val"
