# dictionary-learning.gp — beyond the paper (SPEC §8): the dictionary learners
# and their limits against one x column, four panels (MCC(OOD), MCC(ID),
# matched |cos| of the dictionary to A, fraction of atoms with |cos| > 0.9),
# one line per method (mean ± 1 population std over seeds as a band), and the
# counting bound as a vertical line.
# Variables (gnuplot -e):
#   table    aggregated TSV (scripts/aggregate.sh XCOL ...)
#   out      output path without extension (writes out.png and out.pdf)
#   methods  the methods to draw, in legend order (title, colour and dash type
#            from the methods table); those absent from the table are skipped
#   xcol     the x column (dz or p), drawn on a log axis
#   vline    x of the counting bound (scripts/counting-bound.sh), a number
#   vtitle   its legend title, vwhere the configuration it is drawn for
#            ("k = 10, p = 5000"), shown beside the crossing
if (!exists("table") || !exists("out") || !exists("methods") || !exists("xcol") \
    || !exists("vline") || !exists("vtitle") || !exists("vwhere")) {
    print "usage: gnuplot -e \"table='T'; out='F'; methods='...'; xcol='dz'; vline=2291; vtitle='...'; vwhere='...'\" dictionary-learning.gp"
    exit status 2
}
load "figures/methods.gp"
if (mcheck(methods) ne "ok") { print "dictionary-learning.gp: ".mcheck(methods); exit status 1 }

set datafile separator "\t"
set datafile columnheaders
set style fill transparent solid 0.15 noborder

metrics = "mcc_ood mcc_id dict_cos dict_frac09"
mlabels = "MCC_(OOD) MCC_(ID) matched_|cos|_to_A fraction_of_atoms_|cos|_>_0.9"
spaced(s) = system("printf '%s' '".s."' | tr '_' ' '")
present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0
xtitle = xcol eq "dz" ? "number of latents d_z" : xcol eq "p" ? "number of samples p" : xcol
vline = vline + 0.0

nb = words(methods)
# two rows of two panels, the legend in a column to their right
KW = 330.0
W = 2 * 500 + KW
H = 2 * 400
pw = (1.0 - KW / W) / 2
ph = 0.5
do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size W, H enhanced font "Sans,11"
    } else {
        eval sprintf("set terminal pdfcairo size %.2fin,%.2fin enhanced font 'Sans,10'", W / 130.0, H / 130.0)
    }
    set output out.".".fmt
    set multiplot
    set lmargin 9; set rmargin 2; set tmargin 1.5; set bmargin 3.5
    set border; set tics; set grid; unset key; unset title
    set logscale x
    xfit_col = xcol; load "figures/xfit.gp"
    # the bound stays on the axis when it lies beyond the data
    if (words(xfit_v) > 0 && vline * 1.1 > xfit_hi * 1.25) { set xrange [xfit_lo / 1.25:vline * 1.1] }
    if (words(xfit_v) > 0 && vline / 1.1 < xfit_lo / 1.25) { set xrange [vline / 1.1:*] }
    # its value over the top of each panel (a tic could collide with the data's)
    set label 1 sprintf("%d", vline) at vline, graph 1.03 center font ",9" tc rgb "#555555"
    set yrange [-0.05:1.05]
    keycmd = ""
    do for [r=1:4] {
        mean_col = word(metrics, r)."_mean"
        std_col = word(metrics, r)."_std"
        set origin ((r - 1) % 2) * pw, (r <= 2 ? ph : 0)
        set size pw, ph
        set xlabel xtitle
        set ylabel spaced(word(mlabels, r))
        set arrow 1 from vline, graph 0 to vline, graph 1 nohead lw 1.5 lc rgb "#555555" dt 3 front
        cmd = ""
        do for [j=1:nb] {
            m = word(methods, j)
            if (present(m)) {
                cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using '%s':(strcol('method') eq '%s' ? column(mean_col) - column(std_col) : NaN):(strcol('method') eq '%s' ? column(mean_col) + column(std_col) : NaN) with filledcurves lc rgb '%s' notitle, table using '%s':(strcol('method') eq '%s' ? column(mean_col) : NaN) with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %d notitle", xcol, m, m, mcolour(m), xcol, m, mcolour(m), mdash(m))
                if (r == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %d title '%s'", mcolour(m), mdash(m), mlabel(m)) }
            }
        }
        if (cmd ne "") { eval "plot ".cmd } else { plot NaN notitle }
        unset arrow 1
    }
    if (keycmd eq "") { print "dictionary-learning.gp: no method of '".methods."' in ".table; exit status 1 }
    # the bound's entry: the line with vtitle, then where it crosses the axis
    keycmd = keycmd.sprintf(", NaN with lines lw 1.5 lc rgb '#555555' dt 3 title '%s'", vtitle)
    keycmd = keycmd.sprintf(", NaN with lines lc rgb '#ffffff' title '(%s): %s = %d'", vwhere, xcol eq "dz" ? "d_z" : xcol, vline)
    # the legend: one column right of the panels
    set origin 2 * pw, 0
    set size KW / W, 1
    set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
    unset border; unset tics; unset grid; unset xlabel; unset ylabel; unset logscale; unset arrow; unset label
    set xrange [0:1]; set yrange [0:1]
    set key left center vertical Left reverse font ",10" samplen 3
    eval "plot ".keycmd
    unset multiplot
    set output
}
