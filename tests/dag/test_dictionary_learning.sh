# The dictionary-learning experiment (beyond the paper, SPEC §8) at
# SCALE=smoke: its three figures and tables build with -j2; every method has a
# row per x value averaging both seeds; the limit (the dictionary from the
# true codes) recovers A where n_val >= d_z; learn-dict's per-round history
# becomes its learning curve beside DL-FISTA's; its DL-FISTA and oracle runs
# are vary-latents' own (same files, not run again); a second make has nothing
# to do; touching learn-dict's parameters re-runs exactly its two variants;
# and make plan prices the default preset from records.
source "$(dirname "$0")/lib.sh"

dag -j2 dictionary-learning > build.log 2>&1 || { tail -n 30 build.log; fail "make dictionary-learning failed"; }
out=results/dictionary-learning/smoke
for f in dz p curves; do
    for ext in png pdf; do assert_file "$out/dictionary-learning-$f.$ext"; done
done

# Tables: 5 methods x 2 x values, n = 2 seeds each.
check_table() {  # TABLE XCOL
    awk -F'\t' -v x="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
            if ($2 != x) { print "x column: " $2; bad = 1 }; next }
        { rows[$1]++ }
        $c["n"] != 2 { print "n != 2: " $0; bad = 1 }
        $1 == "oracle" && $c["mcc_ood_mean"] < 0.8 { print "oracle MCC(OOD) low: " $0; bad = 1 }
        # n_val = 100 >= d_z (smoke, p = 200): the true-code dictionary is A
        $1 == "true-codes" && $2 == (x == "dz" ? 20 : 200) && $c["dict_cos_mean"] < 0.999 { print "true-codes is not A: " $0; bad = 1 }
        END { split("oracle dl-fista learn-dict learn-dict-train-val true-codes", m, " ")
              for (i = 1; i in m; i++) if (rows[m[i]] != 2) { print m[i] ": " rows[m[i]] + 0 " rows"; bad = 1 }
              exit bad }' "$1" || fail "$1"
}
check_table $out/table-dz.tsv dz
check_table $out/table-p.tsv p
# the variants ran as named: train+val, and the limit with its own options
# (V=1 shows the parameter files, not their contents)
grep -q -- 'bin[-a-z]*/learn-dict .*/learn-dict.args) --fit train+val -o [^ ]*/learn-dict-train-val.npz' build.log || fail "no train+val run"
grep -q -- 'bin[-a-z]*/learn-dict .*/true-codes.args) -o [^ ]*/true-codes.npz' build.log || fail "no true-codes run"
grep -q -- '--learner true-codes' params/true-codes.args || fail "true-codes.args does not choose the limit"
# Learning curves: learn-dict's track_cos per round (steps 0, 1, ...), DL-FISTA's
# every 10 rounds, at both d_z; the limit has none.
awk -F'\t' 'NR > 1 { k[$1 " " $2]++; if ($1 == "learn-dict" && $3 == 1) one = 1 }
    END { split("learn-dict learn-dict-train-val dl-fista", m, " ")
          for (i = 1; i in m; i++) for (d = 20; d <= 40; d += 20) if (!k[m[i] " " d]) { print "no curve " m[i] " " d; bad = 1 }
          if (!one) { print "learn-dict has no round 1"; bad = 1 }
          for (x in k) if (x ~ /^true-codes/) bad = 1
          exit bad }' $out/curves.tsv || fail "curves: $(cut -f1,2 $out/curves.tsv | sort -u)"

# vary-latents shares the DL-FISTA and oracle runs of its grid (d_z = 20, 40).
dag -n vary-latents > vl.log 2>&1
grep -Eq 'bin[-a-z]*/dl-fista|bin[-a-z]*/fista --dict [^ ]*:A' vl.log && { grep -E 'dl-fista|fista --dict' vl.log; fail "vary-latents runs DL-FISTA or the oracle again"; }

# Nothing to do the second time.
dag -n dictionary-learning > again.log 2>&1
grep -Eq "bin[-a-z]*/|gnuplot|aggregate" again.log && { cat again.log; fail "a second make re-ran something"; }

# Touching learn-dict's parameters re-runs its two variants at every dataset
# (2 d_z + 1 more p, 2 seeds: 6 each), not the limit, DL-FISTA or the oracle.
sleep 1; touch params/smoke/learn-dict.args
dag -n dictionary-learning > touched.log 2>&1
count() { grep -c -- "$1" touched.log || true; }
[ "$(count 'bin[-a-z]*/learn-dict .*--fit train+val')" -eq 6 ] || { cat touched.log; fail "expected 6 train+val runs"; }
[ "$(count 'bin[-a-z]*/learn-dict .*/learn-dict.args')" -eq 12 ] || fail "expected 12 learn-dict runs"
[ "$(count 'true-codes.args')" -eq 0 ] || fail "the limit re-ran"
[ "$(count 'bin[-a-z]*/dl-fista')" -eq 0 ] || fail "DL-FISTA re-ran"
[ "$(count 'gnuplot')" -eq 3 ] || fail "expected 3 figures redrawn"

# make plan prices the default preset from records (experiments/costs.tsv),
# none guessed, and creates nothing.
dag plan SCALE=default dictionary-learning > plan.log 2>&1 || { cat plan.log; fail "make plan SCALE=default failed"; }
grep -q '^dictionary-learning  *[0-9]' plan.log || { cat plan.log; fail "no estimate for dictionary-learning"; }
awk -F'\t' '$1 == "dictionary-learning" && NF == 7 && $7 == "guess"' plan.log | grep . && fail "steps priced by a guess"
[ ! -e results/dictionary-learning/default ] || fail "make plan SCALE=default created files"
exit 0
