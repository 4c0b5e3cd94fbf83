# make plan (mk/plan.mk, scripts/plan.sh) at SCALE=smoke: it runs nothing and
# creates no file; with V=1 it lists exactly the steps that `make EXPERIMENT`
# then runs (tool runs by target, figures by name); after the build nothing is
# left to plan; a touched parameter file brings back exactly its dependents,
# each priced from the build's own timing log (an SAE run at the CPU time its
# record has). At SCALE=default every step is priced from records (the
# shipped experiments/costs.tsv), none guessed.
source "$(dirname "$0")/lib.sh"

dag plan vary-sparsity > plan.log 2>&1 || { cat plan.log; fail "make plan failed"; }
[ ! -e results ] && [ ! -e data ] || fail "make plan created files: $(find results data 2>/dev/null | head)"
grep -q '^vary-sparsity  *[0-9]' plan.log || { cat plan.log; fail "no line for vary-sparsity"; }
# The steps listed (V=1): goal, target, tool, kind, CPU s, KiB, basis.
awk -F'\t' '$1 == "vary-sparsity" && $3 != "gnuplot" && $3 != "report" { print $2 }' plan.log | sort > planned.runs
awk -F'\t' '$1 == "vary-sparsity" && $3 == "gnuplot" { sub(/\.(png|pdf)$/, "", $2); print $2 }' plan.log | sort > planned.figures
[ "$(wc -l < planned.runs)" -ge 20 ] || { cat plan.log; fail "too few steps planned: $(wc -l < planned.runs)"; }

dag -j2 vary-sparsity > build.log 2>&1 || { tail -n 30 build.log; fail "make vary-sparsity failed"; }
cut -f1 results/timing.log | sort > ran.runs
find "$SK_TMP/results" -name '*.png' | sed 's/\.png$//' | sort > ran.figures
diff planned.runs ran.runs || fail "the planned tool runs are not the ones that ran"
diff planned.figures ran.figures || fail "the planned figures are not the ones drawn"

# Nothing left; make plan again runs nothing (the timing log is unchanged).
cp results/timing.log timing.before
dag plan vary-sparsity > again.log 2>&1 || { cat again.log; fail "make plan failed after the build"; }
grep -Eq '^vary-sparsity +0 +0 ' again.log || { cat again.log; fail "steps planned after a complete build"; }
cmp -s timing.before results/timing.log || fail "make plan ran a tool"

# A touched parameter file: the SAE runs and what depends on them, priced
# from their own records (same kind, options and size: the mean CPU time of
# the records of that configuration, over its seeds). The smoke runs' own CPU
# times are a few hundredths of a second, recorded to 0.01 s and at the mercy
# of the machine's load, so the SAE records get distinct known CPU times
# (1.5, 2.5, ... s) first: the expected means are then exact.
awk -F'\t' -v OFS='\t' '$2 == "train-sae" { $8 = sprintf("%.2f", 0.5 + ++n) } { print }' \
    results/timing.log > timing.known && mv timing.known results/timing.log
sleep 1; touch params/smoke/sae.args
dag plan vary-sparsity > touched.log 2>&1 || { cat touched.log; fail "make plan failed"; }
awk -F'\t' '$3 == "train-sae"' touched.log > sae.steps
[ -s sae.steps ] || { cat touched.log; fail "no SAE run planned after touching sae.args"; }
grep -v 'probe\|oracle' touched.log | awk -F'\t' '$3 == "probe" || ($3 == "fista" && $2 ~ /oracle/)' | grep -q . \
    && fail "runs that do not depend on sae.args were planned"
while IFS=$'\t' read -r _ target _ _ est _ basis; do
    [ "$basis" = log ] || fail "$target: estimated from '$basis', not from the build's timing log"
    config=$(echo "$target" | sed -E 's/_s[0-9]+\//\//')
    awk -F'\t' -v c="$config" -v e="$est" '{ t = $1; sub(/_s[0-9]+\//, "/", t) }
        t == c { n++; s += $8 } END { exit !(n && (s / n - e) ^ 2 < 0.006 ^ 2) }' \
        results/timing.log || fail "$target: estimated $est CPU s, not the mean of its configuration's records"
done < sae.steps

# Default scale: every step priced from records.
dag plan SCALE=default vary-latents > default.log 2>&1 || { cat default.log; fail "make plan SCALE=default failed"; }
awk -F'\t' '$1 == "vary-latents" && NF == 7 && $7 == "guess"' default.log | grep . && fail "steps priced by a guess"
grep -q '^vary-latents  *[0-9]' default.log || { cat default.log; fail "no estimate for vary-latents at SCALE=default"; }
[ ! -e results/vary-latents/default ] || fail "make plan SCALE=default created files"
echo ok
