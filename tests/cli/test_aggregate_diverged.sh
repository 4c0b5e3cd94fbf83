# aggregate.sh: a row with diverged = 1 is never averaged in (SPEC §8): it is
# left out of n and every mean and counted in the last column, n_diverged;
# diverged 0 or nan (methods without the flag) rows are averaged as before, and
# the columns before n_diverged keep their order.
source "$(dirname "$0")/lib.sh"

row() { printf 'method\tdz\tseed\tmcc_ood\tl0_ood\tdiverged\n%s\t%s\t%s\t%s\t%s\t%s\n' "$@" > "$1-$2-$3.tsv"; }
row lista 100 0 0.96 10 0
row lista 100 1 0.94 12 0
row lista 100 2 0.04 60 1
row lista 50 0 0.02 70 1
row fista 100 0 0.99 10 nan
row fista 100 1 0.97 10 nan
bash "$SK_ROOT/scripts/aggregate.sh" dz ./*.tsv > table.tsv
cat > want.tsv <<'TSV'
method	dz	n	mcc_ood_mean	mcc_ood_std	l0_ood_mean	l0_ood_std	n_diverged
fista	100	2	0.98	0.01	10	0	0
lista	50	0	nan	nan	nan	nan	1
lista	100	2	0.95	0.01	11	1	1
TSV
diff want.tsv table.tsv || fail "aggregate.sh with diverged rows"

# Rows without a diverged column (older tables) aggregate as before, n_diverged 0.
printf 'method\tdz\tseed\tmcc_ood\nprobe\t100\t0\t0.5\n' > old0.tsv
printf 'method\tdz\tseed\tmcc_ood\nprobe\t100\t1\t0.7\n' > old1.tsv
bash "$SK_ROOT/scripts/aggregate.sh" dz old0.tsv old1.tsv > old.tsv
printf 'method\tdz\tn\tmcc_ood_mean\tmcc_ood_std\tn_diverged\nprobe\t100\t2\t0.6\t0.1\t0\n' > want-old.tsv
diff want-old.tsv old.tsv || fail "aggregate.sh without a diverged column"
echo ok
