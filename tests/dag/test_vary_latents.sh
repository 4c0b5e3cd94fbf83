# The vary-latents DAG at SCALE=smoke: it builds every figure with -j2, a second
# make has nothing to do, and touching one parameter file re-runs exactly its
# dependents (the oracle's codes, rows, table and figures; not data or probe).
source "$(dirname "$0")/lib.sh"

dag -j2 vary-latents > build.log 2>&1 || { tail -n 30 build.log; fail "make vary-latents failed"; }
out=results/vary-latents/smoke
for f in mcc-id mcc-ood auc-ood acc-ood; do
    assert_file "$out/vary-latents-$f.png"
    assert_file "$out/vary-latents-$f.pdf"
done
table=$out/table.tsv
[ "$(awk -F'\t' 'NR > 1 && $1 == "oracle"' "$table" | wc -l)" -eq 2 ] || fail "oracle rows: $(cat "$table")"
[ "$(awk -F'\t' 'NR > 1 && $1 == "probe"' "$table" | wc -l)" -eq 2 ] || fail "probe rows"
# LISTA is drawn in both set-ups, the paper's and the stable variant; diverged
# runs are counted in the table's last column.
for m in lista-oracle lista-oracle-stable; do
    [ "$(awk -F'\t' -v m=$m 'NR > 1 && $1 == m' "$table" | wc -l)" -eq 2 ] || fail "$m rows: $(cat "$table")"
done
[ "$(head -1 "$table" | awk -F'\t' '{ print $NF }')" = n_diverged ] || fail "no n_diverged column: $(head -1 "$table")"
grep -q -- '--variant stable' build.log || fail "the stable variant did not run"
# Every row averages the two smoke seeds; the oracle recovers the OOD latents.
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["n"] != 2 { print "n != 2: " $0; bad = 1 }
    $1 == "oracle" && $c["mcc_ood_mean"] < 0.9 { print "oracle MCC(OOD) low: " $0; bad = 1 }
    END { exit bad }' "$table" || fail "table values"

# Nothing to do the second time.
dag -n vary-latents > again.log 2>&1
grep -Eq "bin[-a-z]*/|gnuplot|aggregate" again.log && { cat again.log; fail "a second make re-ran something"; }

# Touch the oracle's parameters: exactly the oracle codes + rows re-run (2 d_z x 2 seeds).
sleep 1; touch params/oracle.args
dag -n vary-latents > touched.log 2>&1
count() { grep -c -- "$1" touched.log || true; }
[ "$(count 'bin[-a-z]*/fista')" -eq 4 ] || { cat touched.log; fail "expected 4 fista runs"; }
[ "$(count 'bin[-a-z]*/eval.*method=oracle')" -eq 4 ] || fail "expected 4 oracle evals"
[ "$(count 'bin[-a-z]*/eval.*method=probe')" -eq 0 ] || fail "probe rows re-ran"
[ "$(count 'bin[-a-z]*/gen-data')" -eq 0 ] || fail "data re-generated"
[ "$(count 'bin[-a-z]*/probe')" -eq 0 ] || fail "probe re-ran"
[ "$(count 'aggregate.sh')" -eq 1 ] || fail "table not rebuilt"
[ "$(count 'gnuplot')" -eq 4 ] || fail "figures not redrawn"
