# learn-dict: bad options and bad files give one error line and no output;
# the same seed gives the same bytes; a pipe equals a file; every learner
# (and the true-code limit) writes D, Z_val, Z_ood and the history.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 200 --seed 1 -o d.npz        # d_y = 12
gen-data --dz 30 --k 3 --p 40 --seed 2 -o other.npz     # d_y = 14

usage_error() {  # PATTERN ARGS...
    local pattern=$1; shift
    expect_status 2 learn-dict "$@" -o out.npz
    grep -Eq -- "$pattern" "$SK_TMP/err" || fail "'$(cat "$SK_TMP/err")' does not match '$pattern'"
    [ "$(grep -c '^learn-dict: ' "$SK_TMP/err")" -eq 1 ] || fail "expected one error line"
    assert_no_file out.npz
}
usage_error '^learn-dict: .*--data' --seed 1
usage_error '^learn-dict: .*--seed' --data d.npz
usage_error '^learn-dict: .*--learner' --data d.npz --seed 1 --learner nope
usage_error '^learn-dict: .*--fit' --data d.npz --seed 1 --fit ood
usage_error '^learn-dict: .*--rounds' --data d.npz --seed 1 --rounds -1
usage_error '^learn-dict: .*--k' --data d.npz --seed 1 --k 0
usage_error '^learn-dict: .*--dup-cos' --data d.npz --seed 1 --dup-cos 2
usage_error '^learn-dict: .*--bogus' --data d.npz --seed 1 --bogus
usage_error '^learn-dict: .*--restart-init' --data d.npz --seed 1 --restart-init zeros
usage_error '^learn-dict: .*--restart-round' --data d.npz --seed 1 --restart-round -2

data_error() {  # PATTERN ARGS...
    local pattern=$1; shift
    expect_status 1 learn-dict "$@" -o out.npz
    expect_one_error_line "$pattern"
    assert_no_file out.npz
}
data_error '^learn-dict: nothere.npz: ' --data nothere.npz --seed 1
head -c 1500 d.npz > trunc.npz
data_error '^learn-dict: trunc.npz: ' --data trunc.npz --seed 1
echo hello > junk.npz
data_error '^learn-dict: junk.npz: ' --data junk.npz --seed 1
fista --dict d.npz:A d.npz -o codes.npz
data_error '^learn-dict: codes.npz: no member Y_val' --data codes.npz --seed 1
data_error '^learn-dict: other.npz: tracked dictionary has 14 rows, expected 12' --data d.npz --seed 1 --track-dict other.npz:A
data_error '^learn-dict: other.npz: initial dictionary is 14 x 30, expected 12 x 20' --data d.npz --seed 1 --init-dict other.npz:A
assert_no_temp_files .

# same seed, same bytes; another seed, other bytes; pipe = file
learn-dict --data d.npz --seed 3 --rounds 4 -o a.npz
learn-dict --data d.npz --seed 3 --rounds 4 -o b.npz
assert_same_bytes a.npz b.npz
learn-dict --data d.npz --seed 4 --rounds 4 -o c.npz
cmp -s a.npz c.npz && fail "seeds 3 and 4 gave the same bytes"
learn-dict --data - --seed 3 --rounds 4 < d.npz > p.npz
assert_same_bytes a.npz p.npz

# every learner, the limit and the train+val variant write the members
for learner in default dl-fista ksvd itkrm true-codes; do
    learn-dict --data d.npz --seed 1 --learner $learner --rounds 3 --track-dict d.npz:A -o l.npz
    mat-info l.npz > info.txt
    for m in D Z_val Z_ood rel_change rounds meta.json; do
        grep -q "$m" info.txt || fail "$learner: no member $m"
    done
done
# --init-dict starts from a given dictionary: no rounds leave it as it was
learn-dict --data d.npz --seed 1 --init-dict a.npz:D --rounds 0 -o i.npz
mat-print i.npz:D > i.txt && mat-print a.npz:D > a.txt
cmp -s i.txt a.txt || fail "--init-dict with 0 rounds changed the dictionary"
# the restart redraws atoms at its round (replaced > 0 there), both inits
for ri in random residuals; do
    learn-dict --data d.npz --seed 1 --rounds 4 --restart-round 2 --restart-mass 1 --restart-init $ri -o r.npz
    [ "$(mat-print r.npz:replaced | cut -f3)" -gt 0 ] || fail "restart ($ri) replaced nothing at round 2"
done
learn-dict --data d.npz --seed 1 --fit train+val --rounds 3 -o tv.npz
mat-info tv.npz | grep -q '"fit": "train+val"' || mat-info tv.npz | grep -q 'train+val' ||
    fail "train+val not recorded in meta.json"
# the limit: 100 val rows >= d_z = 20, so D* is A and the matched |cos| is 1
learn-dict --data d.npz --seed 1 --learner true-codes -o t.npz
"$SK_BIN/eval" --data d.npz --codes t.npz --dict t.npz:D > t.tsv
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { exit !($c["dict_cos"] > 0.99999) }' t.tsv ||
    fail "true-code dictionary is not A: $(cat t.tsv)"
assert_no_temp_files .
echo ok
