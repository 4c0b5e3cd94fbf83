# The warm-start DAG at SCALE=smoke: the figures and tables of both kinds and
# the frozen-decoder panel with its refined and DL-FISTA-from-decoder lines;
# per run, the warm decoder's budgets 0 and 1 agree (both are FISTA on the
# frozen decoder) and equal the frozen-decoder run's MCC(OOD) (same lambda and
# iterations; up to float rounding); the DL-FISTA-from-decoder row is the warm
# decoder's last budget; the paper's refined run (FISTA on the frozen decoder
# from the SAE's codes, 100 iterations) equals the warm encoder curve at 100
# iterations; a second make has nothing to do.
source "$(dirname "$0")/lib.sh"

# The parameters the comparison with the frozen-decoder run relies on.
grep -q -- '--lambda 0.1 --iters 100' params/surgery-fista.args || fail "surgery-fista.args changed"
grep -q -- '--lambda 0.1 --iters 100' params/smoke/warm-start-decoder.args || fail "smoke warm-start-decoder.args changed"
grep -q -- '--budgets [0-9,]*,100[,0-9]* --lambda 0.1 ' params/smoke/warm-start-encoder.args || fail "smoke warm-start-encoder.args changed"

dag -j2 warm-start frozen-decoder > build.log 2>&1 || { tail -n 30 build.log; fail "make warm-start frozen-decoder failed"; }
out=results/warm-start/smoke
for kind in decoder encoder; do
    assert_file "$out/table-$kind.tsv"
    for dz in 20 40; do
        assert_file "$out/warm-start-$kind-dz$dz.png"
        assert_file "$out/warm-start-$kind-dz$dz.pdf"
    done
done
assert_file results/frozen-decoder/smoke/frozen-decoder-mcc-ood.png

# Tables: every (method, dz) of both kinds has warm, cold and oracle rows over
# the two seeds; cold 0 is not run for the decoder.
for kind in decoder encoder; do
    awk -F'\t' -v kind=$kind 'NR == 1 { next }
        $5 != 2 { print "n != 2: " $0; bad = 1 }
        { seen[$1 "/" $2 "/" $3]++ }
        kind == "decoder" && $3 == "cold" && $4 == 0 { print "cold 0 run: " $0; bad = 1 }
        END { split("relu topk jumprelu mp", vs, " "); split("warm cold oracle", ss, " ")
              for (i = 1; i <= 4; i++) for (d = 20; d <= 40; d += 20) for (j = 1; j <= 3; j++)
                  if (!seen["sae-" vs[i] "/" d "/" ss[j]]) { print "missing sae-" vs[i] " dz " d " " ss[j]; bad = 1 }
              exit bad }' "$out/table-$kind.tsv" || fail "table-$kind.tsv: $(head -3 "$out/table-$kind.tsv")"
done

# Per run: warm 0 == warm 1 == FISTA on the frozen decoder (sae-V-frozen.tsv),
# the DL-FISTA-from-decoder row holds the warm decoder's largest budget, and
# the refined run's MCC(OOD) is the warm encoder's at 100 iterations.
col() {  # col FILE NAME: the value of column NAME in a one-row table
    awk -F'\t' -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"
}
runs=0
for curve in results/runs/*/sae-*.warm-decoder.tsv; do
    dir=$(dirname "$curve") m=$(basename "$curve" .warm-decoder.tsv)
    w0=$(awk -F'\t' '$2 == "warm" && $1 == 0 { print $3 }' "$curve")
    w1=$(awk -F'\t' '$2 == "warm" && $1 == 1 { print $3 }' "$curve")
    wl=$(awk -F'\t' '$2 == "warm" { v = $3 } END { print v }' "$curve")
    frozen=$(col "$dir/$m-frozen.tsv" mcc_ood)
    dlwarm=$(col "$dir/$m-dl-fista-warm.tsv" mcc_ood)
    refined=$(col "$dir/$m-refined.tsv" mcc_ood)
    e100=$(awk -F'\t' '$2 == "warm" && $1 == 100 { print $3 }' "$dir/$m.warm-encoder.tsv")
    [ -n "$w0" ] && [ "$w0" = "$w1" ] || fail "$curve: warm 0 ($w0) != warm 1 ($w1)"
    # The fista tool and DL-FISTA's passes may block the rows differently, and
    # FISTA picks its gradient product per block: the codes then agree up to
    # float32 rounding (SPEC 3), MCC to ~1e-8.
    awk -v a="$w0" -v b="$frozen" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' ||
        fail "$curve: warm 0 ($w0) != the frozen decoder's MCC(OOD) ($frozen)"
    [ "$dlwarm" = "$wl" ] || fail "$dir/$m-dl-fista-warm.tsv: $dlwarm, warm last budget $wl"
    [ "$(col "$dir/$m-dl-fista-warm.tsv" method)" = "$m-dl-fista-warm" ] || fail "$dir/$m-dl-fista-warm.tsv: method"
    # The same FISTA iterates from the same start; the codes may differ by
    # float32 rounding (gradient product chosen per block), MCC by ~1e-8.
    [ -n "$e100" ] && awk -v a="$refined" -v b="$e100" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' ||
        fail "$dir/$m-refined.tsv: MCC(OOD) $refined, the warm encoder at 100 iterations $e100"
    [ "$(col "$dir/$m-refined.tsv" method)" = "$m-refined" ] || fail "$dir/$m-refined.tsv: method"
    [ "$(col "$dir/$m-refined.tsv" mcc_id)" != nan ] || fail "$dir/$m-refined.tsv: no MCC(ID)"
    runs=$((runs + 1))
done
[ $runs -eq 16 ] || fail "expected 16 warm-decoder runs (4 SAEs x 2 d_z x 2 seeds), found $runs"
for m in refined dl-fista-warm; do
    [ "$(awk -F'\t' -v m="$m" 'NR > 1 && $1 ~ "-" m "$"' results/frozen-decoder/smoke/table.tsv | wc -l)" -eq 8 ] ||
        fail "frozen-decoder table: expected 8 $m rows (4 SAEs x 2 d_z)"
done

# Nothing to do the second time.
dag -n warm-start frozen-decoder > again.log 2>&1
grep -Eq "bin[-a-z]*/|gnuplot|aggregate|warm-start-row" again.log && { cat again.log; fail "a second make re-ran something"; }

# Touching the encoder's parameters re-runs only the encoder curves (16), its
# table and its figures (2 d_z).
sleep 1; touch params/smoke/warm-start-encoder.args
dag -n warm-start frozen-decoder > touched.log 2>&1
count() { grep -c -- "$1" touched.log || true; }
[ "$(count 'warm-start --kind encoder')" -eq 16 ] || { cat touched.log; fail "expected 16 encoder runs"; }
[ "$(count 'warm-start --kind decoder')" -eq 0 ] || fail "decoder curves re-ran"
[ "$(count 'aggregate-warm-start.sh')" -eq 1 ] || fail "expected only the encoder table rebuilt"
[ "$(count 'gnuplot')" -eq 2 ] || fail "expected the 2 encoder figures redrawn"
exit 0
