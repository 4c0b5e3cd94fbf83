# bars.gp — grouped bars from an aggregated table (scripts/aggregate.sh dz ...):
# one panel per (metric, SAE type), one group of bars per d_z, one bar per
# method (mean, ±1 population std over seeds as an error bar). Missing methods
# are skipped.
# Variables:
#   table    aggregated TSV (columns method, dz, n, METRIC_mean, METRIC_std, ...)
#   out      output path without extension (writes out.png and out.pdf)
#   methods  method names, '%' standing for the SAE type (e.g. 'sae-%-frozen oracle');
#            their legend titles and colours come from the methods table
#   metrics  eval columns, one row of panels each (e.g. 'dict_cos dict_frac09')
#   mlabels  one y label per metric, '_' for spaces
# One column of panels per SAE variant of the methods table.
if (!exists("table") || !exists("out") || !exists("methods") \
    || !exists("metrics") || !exists("mlabels")) {
    print "usage: gnuplot -e \"table='T'; out='F'; methods='...'; metrics='...'; mlabels='...'\" bars.gp"
    exit status 2
}
if (words(metrics) != words(mlabels)) {
    print "bars.gp: metrics/mlabels differ in length"; exit status 2
}
load "figures/methods.gp"
if (mcheck(methods) ne "ok") { print "bars.gp: ".mcheck(methods); exit status 1 }

set datafile separator "\t"
set datafile columnheaders
set grid ytics
set yrange [-0.05:1.05]
set style fill solid 0.85 border lc rgb "#333333"
set errorbars small

spaced(s) = system("printf '%s' '".s."' | tr '_' ' '")
present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0
dzs = system(sprintf("awk -F'\\t' 'NR==1 {for (i=1;i<=NF;i++) if ($i==\"dz\") c=i; next} {print $c}' '%s' | sort -g -u | tr '\\n' ' '", table))
ngroups = words(dzs)
gidx(x) = sum [g=1:ngroups] ((word(dzs, g) + 0) == x ? g : 0)
nb = words(methods)
bw = 0.8 / nb
xpos(j) = gidx(column("dz")) + (j - (nb + 1) / 2.0) * bw
colour(j) = mcolour(word(methods, j))

set boxwidth bw absolute

nrows = words(metrics)
ncols = words(variants)
W = 450 * ncols + 100
KP = 50.0
KROWS = 1
H = 400 * nrows + KP
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
    set xrange [0.4:ngroups + 0.6]; set yrange [-0.05:1.05]
    set xtics () nomirror; do for [g=1:ngroups] { set xtics add (word(dzs, g) g) }
    keycmd = ""
    do for [r=1:nrows] {
        mean_col = word(metrics, r)."_mean"
        std_col = word(metrics, r)."_std"
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
                    cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using (strcol('method') eq '%s' ? xpos(%d) : NaN):(column(mean_col)):(column(std_col)) with boxerrorbars lc rgb '%s' notitle", m, j, colour(j))
                    if (r == 1 && i == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with boxes lc rgb '%s' title '%s'", colour(j), mlabel(word(methods, j))) }
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
