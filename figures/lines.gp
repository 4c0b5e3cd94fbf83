# lines.gp — metrics against d_z (log x) from an aggregated table
# (scripts/aggregate.sh dz ...): one panel per (metric, SAE type), one line per
# method, mean ± 1 population std over seeds as a band. Missing methods are
# skipped.
# Variables:
#   table    aggregated TSV (columns method, dz, n, METRIC_mean, METRIC_std, ...)
#   out      output path without extension (writes out.png and out.pdf)
#   methods  method names, '%' standing for the SAE type (e.g. 'sae-% oracle');
#            their legend titles, colours and dash types come from the methods
#            table
#   metrics  eval columns, one row of panels each
#   mlabels  one y label per metric, '_' for spaces
#   yranges  one per metric: 'unit' ([-0.05, 1.05]), 'angle' ([0, π/2]),
#            'zero' ([0, auto]) or 'auto'
# One column of panels per SAE variant of the methods table.
if (!exists("table") || !exists("out") || !exists("methods") \
    || !exists("metrics") || !exists("mlabels") || !exists("yranges")) {
    print "usage: gnuplot -e \"table='T'; out='F'; methods='...'; metrics='...'; mlabels='...'; yranges='...'\" lines.gp"
    exit status 2
}
if (words(metrics) != words(mlabels) || words(metrics) != words(yranges)) {
    print "lines.gp: metrics/mlabels/yranges differ in length"; exit status 2
}
load "figures/methods.gp"
if (mcheck(methods) ne "ok") { print "lines.gp: ".mcheck(methods); exit status 1 }

set datafile separator "\t"
set datafile columnheaders
set style fill transparent solid 0.15 noborder

spaced(s) = system("printf '%s' '".s."' | tr '_' ' '")
present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0
colour(j) = mcolour(word(methods, j))
dash(j) = mdash(word(methods, j))

nb = words(methods)
nrows = words(metrics)
ncols = words(variants)
W = 450 * ncols + 100
KP = 50.0
KROWS = 1
H = 380 * nrows + KP
ph = (1.0 - KP / H) / nrows
do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size W, H enhanced font "Sans,11"
    } else {
        eval sprintf("set terminal pdfcairo size %.2fin,%.2fin enhanced font 'Sans,10'", W / 130.0, H / 130.0)
    }
    set output out.".".fmt
    set multiplot
    set lmargin 9; set rmargin 2; set tmargin 2.5; set bmargin 3.5
    set border; set tics; set grid ytics; unset key
    set grid; set logscale x; set autoscale x
    xfit_col = "dz"; load "figures/xfit.gp"
    keycmd = ""
    do for [r=1:nrows] {
        mean_col = word(metrics, r)."_mean"
        std_col = word(metrics, r)."_std"
        if (word(yranges, r) eq "unit") { set yrange [-0.05:1.05] } else { if (word(yranges, r) eq "zero") { set yrange [0:*] } else { if (word(yranges, r) eq "angle") { set yrange [0:pi / 2] } else { set autoscale y } } }
        do for [i=1:ncols] {
            v = word(variants, i)
            set title vlabel(v)
            if (r == nrows) { set xlabel "number of latents d_z" } else { unset xlabel }
            if (i == 1) { set ylabel spaced(word(mlabels, r)) } else { unset ylabel }
            set origin (i - 1.0) / ncols, KP / H + (nrows - r) * ph
            set size 1.0 / ncols, ph
            cmd = ""
            do for [j=1:nb] {
                m = vname(word(methods, j), v)
                if (present(m)) {
                    cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using 'dz':(strcol('method') eq '%s' ? column(mean_col) - column(std_col) : NaN):(strcol('method') eq '%s' ? column(mean_col) + column(std_col) : NaN) with filledcurves lc rgb '%s' notitle, table using 'dz':(strcol('method') eq '%s' ? column(mean_col) : NaN) with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %d notitle", m, m, colour(j), m, colour(j), dash(j))
                    if (r == 1 && i == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %d title '%s'", colour(j), dash(j), mlabel(word(methods, j))) }
                }
            }
            if (cmd ne "") { eval "plot ".cmd } else { plot NaN notitle }
        }
    }
    # the legend: one strip below the panels, as wide as the figure
    set origin 0, 0
    set size 1, KP / H
    set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
    unset border; unset tics; unset grid; unset title; unset xlabel; unset ylabel; unset logscale
    set xrange [0:1]; set yrange [0:1]
    set key center center horizontal maxrows KROWS font ",10" width 1 samplen 3
    if (keycmd ne "") { eval "plot ".keycmd }
    unset multiplot
    set output
}
