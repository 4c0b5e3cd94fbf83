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

# The default preset's seed cap: DL-FISTA runs every seed up to d_z = 100 and
# seed 0 only at d_z = 500 and 1000 (VL_ALLSEEDS_MAXDZ_dl-fista_default), in
# every experiment that draws it; emptying the cap restores all three seeds.
dl_runs() { dag -n figures SCALE=default "$@" 2>/dev/null | grep -o 'runs/dz[0-9]*_k10_p5000_s[0-9]/dl-fista\.npz' | sort -u; }
dl_runs > capped.txt
grep -q 'dz100_k10_p5000_s2/' capped.txt || fail "DL-FISTA lost seed 2 at d_z = 100: $(cat capped.txt)"
grep -q 'dz1000_k10_p5000_s0/' capped.txt || fail "DL-FISTA does not run at d_z = 1000: $(cat capped.txt)"
grep -E -q 'dz(500|1000)_k10_p5000_s[12]/' capped.txt && fail "DL-FISTA runs seeds 1-2 at d_z >= 500 by default: $(cat capped.txt)"
dl_runs VL_ALLSEEDS_MAXDZ_dl-fista_default= > uncapped.txt
grep -q 'dz1000_k10_p5000_s2/' uncapped.txt || fail "an empty cap does not restore seed 2 at d_z = 1000: $(cat uncapped.txt)"
[ ! -e results/vary-latents/default ] || fail "make -n SCALE=default created files"
