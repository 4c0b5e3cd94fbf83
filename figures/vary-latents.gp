# vary-latents.gp — one metric against d_z (log axis), every method of the
# table, mean ± 1 population std over seeds as a band. The other sweeps use it
# with another x column (vary-samples: p, vary-sparsity: k).
# Variables (gnuplot -e): table (aggregated TSV), metric (mcc-id, mcc-ood,
# auc-ood, acc-ood, mcc-id-clean: the clean MCC(ID) of SPEC §4), out (output
# path without extension); optional: xcol (the table's x column, default dz),
# xtitle (its axis label), logx (0: linear axis), xlo and xhi (the x range to
# span, beyond the data's: large-latents draws 10³..10⁶ at every preset),
# title (drawn above the plot).
if (!exists("table") || !exists("metric") || !exists("out")) {
    print "usage: gnuplot -e \"table='T'; metric='mcc-ood'; out='F'\" vary-latents.gp"; exit status 2
}
col = metric eq "mcc-id" ? "mcc_id" : metric eq "mcc-ood" ? "mcc_ood" : \
      metric eq "auc-ood" ? "auc_ood" : metric eq "acc-ood" ? "acc_ood" : \
      metric eq "mcc-id-clean" ? "mcc_id_clean" : ""
if (col eq "") { print "vary-latents.gp: unknown metric ".metric; exit status 2 }
label = metric eq "mcc-id" ? "MCC (ID)" : metric eq "mcc-ood" ? "MCC (OOD)" : \
        metric eq "auc-ood" ? "AUC (OOD)" : metric eq "acc-ood" ? "Accuracy (OOD)" : \
        "MCC (ID, clean)"

set datafile separator "\t"
set datafile columnheaders
if (!exists("xcol")) { xcol = "dz" }
if (!exists("xtitle")) { xtitle = xcol eq "dz" ? "number of latents d_z" : xcol eq "p" ? "number of samples p" : xcol eq "k" ? "active latents per sample k" : xcol }
if (!exists("logx")) { logx = 1 }
if (logx) { set logscale x }
xfit_col = xcol; xfit_log = logx; load "figures/xfit.gp"
if (exists("xlo") && exists("xhi")) {
    if (logx) { set xrange [xlo / 1.25:xhi * 1.25] } else { set xrange [xlo:xhi] }
    set xtics add (sprintf("%g", xlo) xlo, sprintf("%g", xhi) xhi)
}
set xlabel xtitle
if (exists("title")) { set title title }
set ylabel label
set yrange [-0.05:1.05]
set key outside right top
set grid

# Each method's title, colour and dash type come from the methods table.
load "figures/methods.gp"

# Which methods the table holds.
present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0
# Diverged runs of a method (aggregate.sh leaves them out of the means and
# counts them in n_diverged): the legend says how many.
ndiv(m) = system(sprintf("awk -F'\\t' 'NR==1 {for (i = 1; i <= NF; i++) if ($i == \"n_diverged\") c = i; next} c && $1==\"%s\" {s += $c} END {print s+0}' '%s'", m, table)) + 0
# A surgery on one SAE (family surgery, e.g. sae-topk-frozen) is drawn in its
# SAE's colour, its legend naming the SAE (large-latents draws several).
mvariant(m) = (mv_rest = m[5:], strstrt(mv_rest, "-") ? mv_rest[1:strstrt(mv_rest, "-") - 1] : mv_rest)
is_surgery(m) = mget(m, "family") eq "surgery" && m[1:4] eq "sae-"
lcolour(m) = is_surgery(m) ? mcolour("sae-".mvariant(m)) : mcolour(m)
ltitle(m) = is_surgery(m) ? mlabel(m)." (".vlabel(mvariant(m)).")" : mlabel(m)
legend(m) = ltitle(m) . (ndiv(m) > 0 ? sprintf(" (%d diverged run%s left out)", ndiv(m), ndiv(m) > 1 ? "s" : "") : "")

mean_col = col."_mean"
std_col = col."_std"
sel(m) = (strcol("method") eq m) ? column(mean_col) : NaN
lo(m) = (strcol("method") eq m) ? column(mean_col) - column(std_col) : NaN
hi(m) = (strcol("method") eq m) ? column(mean_col) + column(std_col) : NaN

# One band and one line per method present in the table, in the methods
# table's order.
cmd = ""
do for [i=1:words(mlist)] {
    m = word(mlist, i)
    if (present(m)) {
        band = sprintf("table using \"%s\":(lo(\"%s\")):(hi(\"%s\")) with filledcurves lc rgb \"%s\" notitle", xcol, m, m, lcolour(m))
        line = sprintf("table using \"%s\":(sel(\"%s\")) with linespoints lw 2 pt 7 ps 0.6 lc rgb \"%s\" dt %d title \"%s\"", xcol, m, lcolour(m), mdash(m), legend(m))
        cmd = cmd . (cmd eq "" ? "" : ", ") . band . ", " . line
    }
}
if (cmd eq "") { print "vary-latents.gp: no known method in ".table; exit status 1 }

set style fill transparent solid 0.15 noborder
set terminal pngcairo size 900,560 enhanced font "Sans,11"
set output out.".png"
eval "plot ".cmd
set output
set terminal pdfcairo size 6.4in,4in enhanced font "Sans,10"
set output out.".pdf"
eval "plot ".cmd
set output
