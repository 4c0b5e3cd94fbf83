# The SAE surgeries in the DAG at SCALE=smoke: `make figures` builds every
# experiment (the surgeries' tables and figures included); touching the SAE
# parameters then re-runs exactly the SAE trainings and what is downstream of
# them — every SAE of every dataset, every surgery, eval row, table and figure —
# and nothing else (no data, oracle, probe, DL-FISTA, LISTA or Softplus-Adam).
# The checks go by tool and file names, not by experiment, so new surgeries
# (files named sae-*) are covered as they are added.
source "$(dirname "$0")/lib.sh"

dag -j2 figures > build.log 2>&1 || { tail -n 30 build.log; fail "make figures failed"; }

# The three surgeries of this file's author: tables and figures exist.
res=results
for f in support-refit/smoke/table.tsv lambda-sensitivity/smoke/table.tsv lambda-sensitivity/smoke/encoder.tsv \
         frozen-decoder/smoke/table.tsv; do
    assert_file "$res/$f"
done
for f in support-refit/smoke/support-refit-mcc-ood-bars support-refit/smoke/support-refit-prf \
         lambda-sensitivity/smoke/lambda-sensitivity-mcc-ood \
         dictionary-quality/smoke/dictionary-quality-bars dictionary-quality/smoke/dictionary-quality-columns; do
    assert_file "$res/$f.png"
    assert_file "$res/$f.pdf"
done
# Support refit: both refits of every SAE type, averaged over the two seeds, with support scores.
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 ~ /^sae-(relu|topk|jumprelu|mp)-refit-(paper|lstsq)$/ { n[$1]++
        if ($c["n"] != 2 || $c["support_f1_mean"] == "nan" || $c["mcc_ood_mean"] == "nan") { print "bad row: " $0; bad = 1 } }
    END { if (length(n) != 8) { print length(n) " refit methods"; bad = 1 }
          for (m in n) if (n[m] != 2) { print m ": " n[m] " d_z"; bad = 1 }
          exit bad }' "$res/support-refit/smoke/table.tsv" || fail "support-refit table"
# λ sensitivity: 5 dictionaries × 3 λ (smoke) × 2 d_z, averaged over 2 seeds; FISTA with A at a small λ recovers the latents.
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; if (!("lambda" in c) || !("dz" in c)) { print "no lambda/dz column"; bad = 1 } next }
    { rows++; if ($c["n"] != 2) { print "n != 2: " $0; bad = 1 } }
    $1 == "oracle" && $c["lambda"] == 0.01 && $c["mcc_ood_mean"] < 0.9 { print "oracle low: " $0; bad = 1 }
    END { if (rows != 30) { print rows " rows, expected 30"; bad = 1 } exit bad }' \
    "$res/lambda-sensitivity/smoke/table.tsv" || fail "lambda-sensitivity table"

# Nothing to do the second time.
dag -n figures > again.log 2>&1
grep -Eq "bin[-a-z]*/|gnuplot|aggregate" again.log && { head -n 20 again.log; fail "a second make re-ran something"; }

# Touch the SAE parameters in effect (smoke's own, else the paper's) and list what would re-run.
sae_args=params/smoke/sae.args; [ -f "$sae_args" ] || sae_args=params/sae.args
sleep 1; touch "$sae_args"
dag -n figures > touched.log 2>&1
# Outputs of the listed steps: tools write -o FILE, scripts FILE.tmp then rename.
{ grep -oE -- '-o [^ ]+' touched.log | cut -c4- || true
  grep -oE '> [^ ]+\.tmp' touched.log | cut -c3- | sed 's/\.tmp$//' || true; } | sort -u > outputs.txt

# No data, oracle, probe or other SAE-free method re-runs.
grep -E 'bin[-a-z]*/(gen-data|probe|dl-fista|lista|softplus-adam) ' touched.log && fail "an SAE-free method re-ran"
grep -E "bin[-a-z]*/fista .*--dict $SK_TMP/data/" touched.log && fail "FISTA with the true A re-ran"
grep -E 'bin[-a-z]*/eval ' touched.log | grep -v -- '--tag method=sae-' && fail "a row of an SAE-free method re-ran"
grep "^$SK_TMP/results/runs/" outputs.txt | grep -v '/sae-[^/]*$' && fail "a run not named sae-* would re-run"

# Every trained SAE (4 variants × datasets) is retrained, and nothing else is trained.
find results/runs -name 'sae-*.npz' | grep -E '/sae-(relu|topk|jumprelu|mp)\.npz$' | sed "s#^#$SK_TMP/#" | sort > saes.txt
[ "$(wc -l < saes.txt)" -ge 16 ] || fail "expected >= 16 SAEs (4 variants x 2 d_z x 2 seeds), found $(wc -l < saes.txt)"
# (vary-latents trains all four variants on each of its datasets; sweeps may train fewer)
for d in $(grep -E '/dz(20|40)_k3_p200_s[0-9]+/' saes.txt | sed 's#/sae-[a-z]*\.npz$##' | sort -u); do
    for v in relu topk jumprelu mp; do grep -qx "$d/sae-$v.npz" saes.txt || fail "$d has no sae-$v.npz"; done
done
{ grep -E 'bin[-a-z]*/train-sae ' touched.log || true; } | { grep -oE -- '-o [^ ]+' || true; } | cut -c4- | sort > trained.txt
cmp -s saes.txt trained.txt || { diff saes.txt trained.txt; fail "re-trained SAEs differ from the SAEs on disk"; }

# Everything built from an SAE re-runs: every sae-* run file (codes, rows,
# dictionaries, curves), every table that holds an SAE row and the figures
# beside it; a table without SAE rows (a sweep whose smoke grid has none)
# stays as it is. The report page's copies are not counted.
find results/runs -name 'sae-*' -type f | sed "s#^#$SK_TMP/#" | sort > downstream.txt
missing=$(comm -23 downstream.txt outputs.txt)
[ -z "$missing" ] || fail "would not re-run: $(echo "$missing" | head -n 5)"
find results -path results/report -prune -o -path '*/smoke/*.tsv' -type f -print | sort > tables.txt
: > sae-folders.txt
while read -r t; do
    if grep -q 'sae-' "$t"; then
        grep -qx "$SK_TMP/$t" outputs.txt || fail "table not rebuilt: $t"
        dirname "$t" >> sae-folders.txt
    else
        grep -qx "$SK_TMP/$t" outputs.txt && fail "a table without SAE rows would be rebuilt: $t"
    fi
done < tables.txt
[ -s sae-folders.txt ] || fail "no table holds SAE rows"
pngs=$(sort -u sae-folders.txt | while read -r d; do find "$d" -maxdepth 1 -name '*.png'; done | wc -l)
[ "$(grep -c 'gnuplot' touched.log)" -ge "$pngs" ] || fail "expected >= $pngs figures redrawn, got $(grep -c gnuplot touched.log)"
