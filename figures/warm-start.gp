# warm-start.gp — SPEC §5.2 / §5.3 at one d_z as 1 × 4 panels, one per SAE type:
# MCC(OOD) against the budget, warm start (from the SAE's decoder or codes) vs
# cold start, mean ± 1 population std over seeds, and the oracle (FISTA with A)
# as a horizontal reference. The x axis is symlog (linear below 1): gnuplot has
# none, so x is drawn at x' = x (x < 1), 1 + log10(x) (x >= 1) with tics
# labelled by x.
# Variables: table (aggregate-warm-start.sh output), kind (decoder or encoder),
# dz, out (path without extension).
if (!exists("table") || !exists("kind") || !exists("dz") || !exists("out")) {
    print "usage: gnuplot -e \"table='T'; kind='decoder'; dz='100'; out='F'\" warm-start.gp"; exit status 2
}
if (kind ne "decoder" && kind ne "encoder") { print "warm-start.gp: unknown kind ".kind; exit status 2 }
xlabel = kind eq "decoder" ? "DL-FISTA rounds n_{outer}" : "FISTA iterations"
what = kind eq "decoder" ? "decoder" : "encoder codes"

set datafile separator "\t"
set datafile columnheaders
set yrange [-0.05:1.05]
set grid
set style fill transparent solid 0.15 noborder
sx(x) = x < 1 ? x : 1 + log10(x)
dzn = dz + 0
match(m, s) = strcol("method") eq m && column("dz") == dzn && strcol("start") eq s
sel(m, s) = match(m, s) ? column("mcc_ood_mean") : NaN
lo(m, s) = match(m, s) ? column("mcc_ood_mean") - column("mcc_ood_std") : NaN
hi(m, s) = match(m, s) ? column("mcc_ood_mean") + column("mcc_ood_std") : NaN
# the largest budget in the table at this d_z, and the oracle's mean for a method
maxb = system(sprintf("awk -F'\\t' 'NR > 1 && $2 == %s && $3 != \"oracle\" && $4 + 0 > m { m = $4 + 0 } END { print m + 0 }' '%s'", dz, table)) + 0
oracle(m) = system(sprintf("awk -F'\\t' 'NR > 1 && $1 == \"%s\" && $2 == %s && $3 == \"oracle\" { v = $6 } END { print (v == \"\" ? \"NaN\" : v) }' '%s'", m, dz, table)) + 0
present(m) = system(sprintf("awk -F'\\t' 'NR > 1 && $1 == \"%s\" && $2 == %s {f=1} END {print f+0}' '%s'", m, dz, table)) + 0

set xrange [-0.1:sx(maxb > 1 ? maxb : 1) + 0.1]
set xtics ("0" 0)
do for [e=0:int(log10(maxb > 1 ? maxb : 1))] {
    set xtics add (sprintf("%d", 10**e) sx(10**e))
    if (10**e * 2 <= maxb) { set xtics add ("" sx(2 * 10**e) 1) }
    if (10**e * 5 <= maxb) { set xtics add ("" sx(5 * 10**e) 1) }
}

load "figures/methods.gp"
nv = words(variants)
warm_colour = "#d62728"
cold_colour = "#1f77b4"

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 450 * nv,520 enhanced font "Sans,11"
    } else {
        eval sprintf("set terminal pdfcairo size %.2fin,3.8in enhanced font 'Sans,10'", 3.25 * nv)
    }
    set output out.".".fmt
    set multiplot layout 1,nv title sprintf("warm start from the SAE %s, d_z = %s", what, dz)
    do for [i=1:nv] {
        m = "sae-".word(variants, i)
        set title vlabel(word(variants, i))
        set xlabel xlabel
        if (i == 1) { set ylabel "MCC (OOD)" } else { unset ylabel }
        if (i == 1) { set key right bottom font ",9" } else { unset key }
        if (present(m)) {
            o = oracle(m)
            oc = mcolour("oracle"); ot = mlabel("oracle")
            plot table using (sx(column("budget"))):(lo(m, "warm")):(hi(m, "warm")) with filledcurves lc rgb warm_colour notitle, \
                 table using (sx(column("budget"))):(sel(m, "warm")) with linespoints lw 2 pt 7 ps 0.5 lc rgb warm_colour dt 1 title "warm (from SAE)", \
                 table using (sx(column("budget"))):(lo(m, "cold")):(hi(m, "cold")) with filledcurves lc rgb cold_colour notitle, \
                 table using (sx(column("budget"))):(sel(m, "cold")) with linespoints lw 2 pt 5 ps 0.5 lc rgb cold_colour dt 1 title (kind eq "decoder" ? "cold (random dictionary)" : "cold (from 0)"), \
                 o with lines lw 2 lc rgb oc dt 1 title ot
        }
    }
    unset multiplot
    set output
}
