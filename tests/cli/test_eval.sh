# eval: one header and one value line with the documented columns; the oracle
# (eval is a shell builtin, so the tool is always called by its path.)
# scores near 1 and a probe lower; --dict adds dictionary columns; same bytes
# through pipes; bad inputs get one line, exit 1, and no output file.
source "$(dirname "$0")/lib.sh"

gen-data --dz 40 --k 3 --p 400 --seed 2 -o d.npz
fista --dict d.npz:A d.npz -o oracle.npz
probe --data d.npz -o probe.npz
"$SK_BIN"/eval --data d.npz --codes oracle.npz --dict d.npz:A --tag method=oracle --tag dz=40 -o oracle.tsv
[ "$(wc -l < oracle.tsv)" -eq 2 ] || fail "expected 2 lines"
col() { awk -F'\t' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"; }
for c in method dz mcc_id mcc_ood mcc_id_clean mcc_ood_clean auc_id auc_ood acc_id acc_ood \
         l0_id l0_ood dead dict_cos dict_angle dict_norm_ratio dict_frac09 support_f1 diverged; do
    [ -n "$(col oracle.tsv $c)" ] || fail "no column $c"
done
[ "$(col oracle.tsv method)" = oracle ] || fail "tag column"
# diverged comes last (older tables keep their column order); FISTA has none: nan
[ "$(head -1 oracle.tsv | awk -F'\t' '{ print $NF }')" = diverged ] || fail "diverged is not the last column"
[ "$(col oracle.tsv diverged)" = nan ] || fail "diverged without a member: $(col oracle.tsv diverged)"
awk -v m="$(col oracle.tsv mcc_ood)" 'BEGIN { exit !(m > 0.9) }' || fail "oracle MCC(OOD) $(col oracle.tsv mcc_ood)"
awk -v c="$(col oracle.tsv dict_cos)" 'BEGIN { exit !(c > 0.999999) }' || fail "A matched to itself: $(col oracle.tsv dict_cos)"
"$SK_BIN"/eval --data d.npz --codes probe.npz -o probe.tsv
[ "$(col probe.tsv dict_cos)" = nan ] || fail "dict columns without --dict should be nan"
awk -v p="$(col probe.tsv mcc_ood)" -v o="$(col oracle.tsv mcc_ood)" 'BEGIN { exit !(p < o) }' || fail "probe beats oracle"

# Same bytes from a pipe and from stdout.
"$SK_BIN"/eval --data d.npz --codes oracle.npz --dict d.npz:A --tag method=oracle --tag dz=40 > stdout.tsv
assert_same_bytes oracle.tsv stdout.tsv
cat oracle.npz | "$SK_BIN"/eval --data d.npz --codes - --dict d.npz:A --tag method=oracle --tag dz=40 -o piped.tsv
assert_same_bytes oracle.tsv piped.tsv

# Bad usage: exit 2, one line.
expect_status 2 "$SK_BIN"/eval --codes oracle.npz
expect_one_error_line "required"
expect_status 2 "$SK_BIN"/eval --data d.npz --codes oracle.npz --tag nonsense
expect_one_error_line "NAME=VALUE"
expect_status 2 "$SK_BIN"/eval --data d.npz --codes oracle.npz --frobnicate
expect_one_error_line "frobnicate"

# Bad data: exit 1, one line, nothing written.
head -c 300 oracle.npz > truncated.npz
expect_status 1 "$SK_BIN"/eval --data d.npz --codes truncated.npz -o out.tsv
expect_one_error_line "truncated.npz"
expect_status 1 "$SK_BIN"/eval --data d.npz --codes d.npz:A -o out.tsv
expect_one_error_line "eval: "
gen-data --dz 40 --k 3 --p 100 --seed 2 -o small.npz
expect_status 1 "$SK_BIN"/eval --data small.npz --codes oracle.npz -o out.tsv
expect_one_error_line "rows"
expect_status 1 "$SK_BIN"/eval --data d.npz --codes oracle.npz --dict d.npz:Y_val -o out.tsv
expect_one_error_line "dictionary"
assert_no_file out.tsv
assert_no_temp_files .
if have_numpy; then
    "$SK_PYTHON" - <<'PY'
import numpy as np
d = dict(np.load("oracle.npz"))
d["Z_ood"] = d["Z_ood"].copy(); d["Z_ood"][3, 2] = np.nan
np.savez("nan.npz", Z_val=d["Z_val"], Z_ood=d["Z_ood"])
PY
    expect_status 1 "$SK_BIN"/eval --data d.npz --codes nan.npz -o out.tsv
    expect_one_error_line "nan.npz: Z_ood holds non-finite values"
    assert_no_file out.tsv
    # the codes' own diverged flag is copied; anything but one 0/1 value is refused
    "$SK_PYTHON" - <<'PY'
import numpy as np
d = dict(np.load("oracle.npz"))
np.savez("div1.npz", Z_val=d["Z_val"], Z_ood=d["Z_ood"], diverged=np.int64(1))
np.savez("div2.npz", Z_val=d["Z_val"], Z_ood=d["Z_ood"], diverged=np.int64(2))
np.savez("div3.npz", Z_val=d["Z_val"], Z_ood=d["Z_ood"], diverged=np.zeros(2))
PY
    "$SK_BIN"/eval --data d.npz --codes div1.npz -o div1.tsv
    [ "$(col div1.tsv diverged)" = 1 ] || fail "diverged member 1 gave $(col div1.tsv diverged)"
    for f in div2 div3; do
        expect_status 1 "$SK_BIN"/eval --data d.npz --codes $f.npz -o out.tsv
        expect_one_error_line "$f.npz: diverged must be one value, 0 or 1"
    done
    assert_no_file out.tsv
fi
