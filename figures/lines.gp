# lines.gp — metrics against d_z (log x) from an aggregated table
# (scripts/aggregate.sh dz ...): one panel per (metric, SAE type), one line per
# method, mean ± 1 population std over seeds as a band. Missing methods are
# skipped.
# Variables:
#   table    aggregated TSV (columns method, dz, n, METRIC_mean, METRIC_std, ...)
#   out      output path without extension (writes out.png and out.pdf)
#   methods  method names, '%' standing for the SAE type (e.g. 'sae-% oracle')
#   mtitles  one legend title per method, '_' for spaces
#   dashes   one gnuplot dash type per method (SAE encoders 2 = dashed,
#            sparse coding 1 = solid, probe 3 = dotted)
#   metrics  eval columns, one row of panels each
#   mlabels  one y label per metric, '_' for spaces
#   yranges  one per metric: 'unit' ([-0.05, 1.05]), 'angle' ([0, π/2]),
#            'zero' ([0, auto]) or 'auto'
# Optional: variants (default 'relu topk jumprelu mp'), vtitles, colours (one
# per method, cycled).
if (!exists("table") || !exists("out") || !exists("methods") || !exists("mtitles") \
    || !exists("dashes") || !exists("metrics") || !exists("mlabels") || !exists("yranges")) {
    print "usage: gnuplot -e \"table='T'; out='F'; methods='...'; mtitles='...'; dashes='...'; metrics='...'; mlabels='...'; yranges='...'\" lines.gp"
    exit status 2
}
if (!exists("variants")) { variants = "relu topk jumprelu mp" }
if (!exists("vtitles")) { vtitles = "ReLU TopK JumpReLU MP" }
if (words(methods) != words(mtitles) || words(methods) != words(dashes) \
    || words(metrics) != words(mlabels) || words(metrics) != words(yranges)) {
    print "lines.gp: methods/mtitles/dashes or metrics/mlabels/yranges differ in length"; exit status 2
}

set datafile separator "\t"
set datafile columnheaders
set style fill transparent solid 0.15 noborder

spaced(s) = system("printf '%s' '".s."' | tr '_' ' '")
subst(s, v) = strstrt(s, "%") ? s[1:strstrt(s, "%") - 1].v.s[strstrt(s, "%") + 1:] : s
present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0
if (!exists("colours")) { colours = "#d62728 #1f77b4 #17becf #9467bd #2ca02c #ff7f0e #000000" }
colour(j) = word(colours, (j - 1) % words(colours) + 1)

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
    keycmd = ""
    do for [r=1:nrows] {
        mean_col = word(metrics, r)."_mean"
        std_col = word(metrics, r)."_std"
        if (word(yranges, r) eq "unit") { set yrange [-0.05:1.05] } else { if (word(yranges, r) eq "zero") { set yrange [0:*] } else { if (word(yranges, r) eq "angle") { set yrange [0:pi / 2] } else { set autoscale y } } }
        do for [i=1:ncols] {
            v = word(variants, i)
            set title word(vtitles, i)." SAE"
            if (r == nrows) { set xlabel "number of latents d_z" } else { unset xlabel }
            if (i == 1) { set ylabel spaced(word(mlabels, r)) } else { unset ylabel }
            set origin (i - 1.0) / ncols, KP / H + (nrows - r) * ph
            set size 1.0 / ncols, ph
            cmd = ""
            do for [j=1:nb] {
                m = subst(word(methods, j), v)
                if (present(m)) {
                    cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using 'dz':(strcol('method') eq '%s' ? column(mean_col) - column(std_col) : NaN):(strcol('method') eq '%s' ? column(mean_col) + column(std_col) : NaN) with filledcurves lc rgb '%s' notitle, table using 'dz':(strcol('method') eq '%s' ? column(mean_col) : NaN) with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %s notitle", m, m, colour(j), m, colour(j), word(dashes, j))
                    if (r == 1 && i == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %s title '%s'", colour(j), word(dashes, j), spaced(word(mtitles, j))) }
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
