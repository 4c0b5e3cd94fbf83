# An output that exists and is not a regular file (a FIFO here; /dev/null in
# real use) is written through, never replaced by a renamed temporary file.
source "$(dirname "$0")/lib.sh"

gen-data --dz 30 --k 3 --p 40 --seed 1 -o d.npz
mkfifo npz.fifo tsv.fifo
timeout 60 cat npz.fifo > got.npz & reader=$!
gen-data --dz 30 --k 3 --p 40 --seed 1 -o npz.fifo
wait $reader || fail "nothing was written into the FIFO"
[ -p npz.fifo ] || fail "the FIFO was replaced by a regular file"
assert_same_bytes d.npz got.npz

fista --dict d.npz:A d.npz -o codes.npz
"$SK_BIN/eval" --data d.npz --codes codes.npz -o table.tsv
timeout 60 cat tsv.fifo > got.tsv & reader=$!
"$SK_BIN/eval" --data d.npz --codes codes.npz -o tsv.fifo
wait $reader || fail "nothing was written into the FIFO"
[ -p tsv.fifo ] || fail "the FIFO was replaced by a regular file (eval)"
assert_same_bytes table.tsv got.tsv
assert_no_temp_files .
