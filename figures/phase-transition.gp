# phase-transition.gp — one metric against δ = d_y/d_z, one panel per (d_z, k)
# (rows: d_z, columns: k), every method of the table, mean ± 1 population std
# over seeds as a band.
# Variables (gnuplot -e): table (aggregated TSV with columns method dz k dy),
# metric (mcc-id, mcc-ood, auc-ood, acc-ood), out (output path without
# extension), panel_dz, panel_k (space-separated lists, e.g. "50 200", "3 10").
if (!exists("table") || !exists("metric") || !exists("out") || !exists("panel_dz") || !exists("panel_k")) {
    print "usage: gnuplot -e \"table='T'; metric='mcc-id'; out='F'; panel_dz='50 200'; panel_k='3 10'\" phase-transition.gp"; exit status 2
}
col = metric eq "mcc-id" ? "mcc_id" : metric eq "mcc-ood" ? "mcc_ood" : \
      metric eq "auc-ood" ? "auc_ood" : metric eq "acc-ood" ? "acc_ood" : ""
if (col eq "") { print "phase-transition.gp: unknown metric ".metric; exit status 2 }
label = metric eq "mcc-id" ? "MCC (ID)" : metric eq "mcc-ood" ? "MCC (OOD)" : \
        metric eq "auc-ood" ? "AUC (OOD)" : "Accuracy (OOD)"

set datafile separator "\t"
set datafile columnheaders
set xlabel "δ = d_y / d_z"
set ylabel label
set xrange [0:1.02]
set yrange [-0.05:1.05]
set grid

# Each method's title, colour and dash type come from the methods table (-w2:
# the legacy preset's SAEs of width 2 d_z).
load "figures/methods.gp"

present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0

mean_col = col."_mean"
std_col = col."_std"
here(m) = strcol("method") eq m && column("dz") == pdz && column("k") == pk
dlt(m) = here(m) ? column("dy") / column("dz") : NaN
sel(m) = here(m) ? column(mean_col) : NaN
lo(m) = here(m) ? column(mean_col) - column(std_col) : NaN
hi(m) = here(m) ? column(mean_col) + column(std_col) : NaN

cmd = ""
do for [i=1:words(mlist)] {
    m = word(mlist, i)
    if (present(m)) {
        band = sprintf("table using (dlt(\"%s\")):(lo(\"%s\")):(hi(\"%s\")) with filledcurves lc rgb \"%s\" notitle", m, m, m, mcolour(m))
        line = sprintf("table using (dlt(\"%s\")):(sel(\"%s\")) with linespoints lw 2 pt 7 ps 0.6 lc rgb \"%s\" dt %d title \"%s\"", m, m, mcolour(m), mdash(m), mlabel(m))
        cmd = cmd . (cmd eq "" ? "" : ", ") . band . ", " . line
    }
}
if (cmd eq "") { print "phase-transition.gp: no known method in ".table; exit status 1 }

set style fill transparent solid 0.15 noborder
nrow = words(panel_dz)
ncol = words(panel_k)
# margins (screen fractions) that leave the same room for labels at any nrow
bm = 0.18 / nrow
tm = 1 - 0.2 / nrow
do for [t=1:2] {
    if (t == 1) {
        eval sprintf('set terminal pngcairo size 1300,%d enhanced font "Sans,11"', 420 * nrow)
        set output out.".png"
    } else {
        eval sprintf('set terminal pdfcairo size 9in,%.2fin enhanced font "Sans,9"', 2.9 * nrow)
        set output out.".pdf"
    }
    set multiplot layout nrow, ncol title label." against δ = d_y/d_z" margins 0.06, 0.80, bm, tm spacing 0.07, 0.14
    do for [r=1:nrow] {
        do for [c=1:ncol] {
            pdz = word(panel_dz, r) + 0
            pk = word(panel_k, c) + 0
            set title sprintf("d_z = %d, k = %d", pdz, pk)
            if (r == 1 && c == 1) { set key at screen 0.82, tm left top } else { unset key }
            eval "plot ".cmd
        }
    }
    unset multiplot
    set output
}
