# The large-latents DAG (SPEC §8) at SCALE=smoke: its four figures and its
# timing table are built with -j2; each method runs at exactly the d_z of its
# tier (smoke: SAEs other than TopK and their frozen decoders to 40, TopK to 80,
# DL-FISTA and Softplus-Adam to 20, oracle and probe everywhere); the timing
# table lists this grid's steps and no other; a second make has nothing to do;
# and `make figures` does not include it.
source "$(dirname "$0")/lib.sh"

dag -j2 large-latents > build.log 2>&1 || { tail -n 30 build.log; fail "make large-latents failed"; }
out=results/large-latents/smoke
for f in mcc-ood auc-ood acc-ood mcc-id-clean; do
    assert_file "$out/large-latents-$f.png"
    assert_file "$out/large-latents-$f.pdf"
done
table=$out/table.tsv
# The d_z of each method, as the table has them.
dz_of() { awk -F'\t' -v m="$1" 'NR > 1 && $1 == m { printf "%s ", $2 }' "$table"; }
[ "$(dz_of oracle)" = "20 40 80 " ] || fail "oracle d_z: $(dz_of oracle)"
[ "$(dz_of probe)" = "20 40 80 " ] || fail "probe d_z: $(dz_of probe)"
[ "$(dz_of sae-topk)" = "20 40 80 " ] || fail "sae-topk d_z: $(dz_of sae-topk)"
[ "$(dz_of sae-topk-frozen)" = "20 40 80 " ] || fail "sae-topk-frozen d_z: $(dz_of sae-topk-frozen)"
for m in sae-relu sae-jumprelu sae-mp sae-relu-frozen sae-jumprelu-frozen sae-mp-frozen; do
    [ "$(dz_of $m)" = "20 40 " ] || fail "$m d_z: $(dz_of $m)"
done
for m in dl-fista softplus-adam; do
    [ "$(dz_of $m)" = "20 " ] || fail "$m d_z: $(dz_of $m)"
done
[ "$(awk -F'\t' 'NR > 1' "$table" | wc -l)" -eq 26 ] || fail "rows: $(cat "$table")"
# Both smoke seeds in every row; the oracle recovers the OOD latents.
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["n"] != 2 { print "n != 2: " $0; bad = 1 }
    $1 == "oracle" && $c["mcc_ood_mean"] < 0.9 { print "oracle MCC(OOD) low: " $0; bad = 1 }
    END { exit bad }' "$table" || fail "table values"

# The timing table: a line per kind of step and d_z of this grid, with a peak
# memory; the SAE training runs are there, the vary-latents-only LISTA is not.
timing=$out/timing.tsv
head -1 "$timing" | grep -q 'peak_mib' || fail "timing header: $(head -1 "$timing")"
grep -q '^sae-topk.npz dz=80	' "$timing" || { cat "$timing"; fail "no TopK SAE line at d_z 80"; }
grep -q '^oracle.npz dz=40	' "$timing" || { cat "$timing"; fail "no oracle line at d_z 40"; }
grep -q '^sae-relu.npz dz=80' "$timing" && fail "a ReLU SAE at d_z 80 in the timing table"
grep -q lista "$timing" && fail "a LISTA step in the timing table"
awk -F'\t' '$1 == "TOTAL" { t = 1 } END { exit !t }' "$timing" || fail "no TOTAL line"

# Nothing to do the second time.
dag -n large-latents > again.log 2>&1
grep -Eq "bin[-a-z]*/|gnuplot|aggregate" again.log && { cat again.log; fail "a second make re-ran something"; }

# make figures does not run it (its entry point is make large-latents).
dag -n figures > figures.log 2>&1 || { tail -n 20 figures.log; fail "make -n figures failed"; }
grep -q 'large-latents' figures.log && fail "make figures includes large-latents"
exit 0
