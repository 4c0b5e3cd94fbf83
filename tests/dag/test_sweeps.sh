# The vary-samples, vary-sparsity and phase-transition sweeps (and the legacy
# phase-transition preset) at SCALE=smoke: every table and figure builds with
# -j2, the invalid k of the smoke grid is skipped by name, a second make has
# nothing to do, and changing one sweep's grid on the command line re-runs
# that sweep's runs, table and figures only (a shrunk grid too).
source "$(dirname "$0")/lib.sh"

goals="vary-samples vary-sparsity phase-transition phase-transition-legacy"

dag -j2 $goals > build.log 2>&1 || { tail -n 30 build.log; fail "make sweeps failed"; }
for f in mcc-id mcc-ood auc-ood acc-ood; do
    for ext in png pdf; do
        assert_file "results/vary-samples/smoke/vary-samples-dz20-$f.$ext"
        assert_file "results/vary-sparsity/smoke/vary-sparsity-$f.$ext"
    done
done
for f in mcc-id auc-ood; do
    for ext in png pdf; do
        assert_file "results/phase-transition/smoke/phase-transition-$f.$ext"
        assert_file "results/phase-transition-legacy/smoke/phase-transition-legacy-$f.$ext"
    done
done
grep -q "vary-sparsity: k = 12 skipped at d_z = 20" build.log || fail "the invalid k = 12 was not named"
[ ! -e data/dz20_k12_p200_s0.npz ] || fail "an invalid k was generated"

# Tables: one x value per row and method, every row averages the two seeds.
check_table() {  # TABLE XCOLS N_ORACLE_ROWS MIN_ORACLE_MCC_OOD
    awk -F'\t' -v want="$2" -v n="$3" -v min="$4" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
            if (want != $2 (c["k"] == 3 ? "," $3 "," $4 : "")) { print "columns: " $0; bad = 1 }; next }
        $c["n"] != 2 { print "n != 2: " $0; bad = 1 }
        $1 == "oracle" { o++; if ($c["mcc_ood_mean"] < min) { print "oracle MCC(OOD) low: " $0; bad = 1 } }
        END { if (o != n) { print "oracle rows " o+0 " != " n; bad = 1 }; exit bad }' "$1" || fail "$1"
}
check_table results/vary-samples/smoke/table-dz20.tsv p 2 0.8
check_table results/vary-sparsity/smoke/table.tsv k 2 0.8
# phase transition: (d_z, k) in {20} x {2, 3}, c in {1, 3}: 4 distinct d_y
# (the oracle fails below the transition, so no bound on its MCC)
check_table results/phase-transition/smoke/table.tsv dz,k,dy 4 -1
# legacy: SAEs of width 2 d_z, the probe on the ln grid (d_y = ceil(2 ln 10) = 5 at c = 1)
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 == "sae-topk-w2" { w++; if ($c["width_mean"] != 2 * $2) { print "width: " $0; bad = 1 } }
    $1 == "probe" && $2 == 20 && $3 == 2 && $4 == 5 { p++ }
    END { exit bad || !w || !p }' results/phase-transition-legacy/smoke/table.tsv || fail "legacy table"

# Nothing to do the second time.
dag -n $goals > again.log 2>&1
grep -Eq "bin[-a-z]*/|gnuplot|aggregate|grid" again.log && { cat again.log; fail "a second make re-ran something"; }

count() { grep -c -- "$2" "$1" || true; }
# Shrinking vary-samples' grid (p = 100 dropped) re-draws its table and figures
# and nothing else; -n writes no stamp.
dag -n VS_P_smoke=200 $goals > shrunk.log 2>&1
[ "$(count shrunk.log 'bin[-a-z]*/')" -eq 0 ] || { cat shrunk.log; fail "a shrunk grid ran a tool"; }
[ "$(count shrunk.log 'aggregate.sh p ')" -eq 1 ] || { cat shrunk.log; fail "vary-samples table not rebuilt"; }
[ "$(count shrunk.log 'aggregate.sh')" -eq 1 ] || fail "another sweep's table rebuilt"
[ "$(count shrunk.log 'gnuplot.*vary-samples')" -eq 4 ] || fail "vary-samples figures not redrawn"
[ "$(count shrunk.log 'gnuplot')" -eq 4 ] || fail "another sweep's figures redrawn"
dag -n $goals > again2.log 2>&1
grep -Eq "aggregate|gnuplot" again2.log && { cat again2.log; fail "make -n changed the stamp"; }

# Growing it (p = 300) runs the new configuration's data and methods only.
dag -n VS_P_smoke='100 200 300' $goals > grown.log 2>&1
[ "$(count grown.log 'bin[-a-z]*/gen-data')" -eq 2 ] || { cat grown.log; fail "expected 2 new datasets"; }
grep 'bin[-a-z]*/' grown.log | grep -vq 'p300_s' && fail "a tool ran outside p = 300"
[ "$(count grown.log 'aggregate.sh')" -eq 1 ] || fail "only vary-samples' table should rebuild"

# Phase transition: dropping c = 3 rebuilds both phase-transition tables (the
# legacy one holds the probe of this grid), not the other sweeps.
dag -n PT_C_smoke=1 $goals > pt.log 2>&1
[ "$(count pt.log 'bin[-a-z]*/')" -eq 0 ] || { cat pt.log; fail "a shrunk grid ran a tool"; }
[ "$(count pt.log 'aggregate.sh dz,k,dy')" -eq 2 ] || { cat pt.log; fail "phase-transition tables not rebuilt"; }
[ "$(count pt.log 'aggregate.sh')" -eq 2 ] || fail "another sweep's table rebuilt"
[ "$(count pt.log 'gnuplot')" -eq 4 ] || fail "expected 4 phase-transition figures"
