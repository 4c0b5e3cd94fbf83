# learning-dynamics.gp — SPEC §5.5: matched |cos| of the learned dictionary to A
# against training epochs (SAEs, dashed) or rounds (DL-FISTA, solid), one panel
# per d_z, mean ± 1 population std over seeds.
# Variables: table (aggregate-curves.sh output), out (path without extension),
# methods (the curves to draw, e.g. 'dl-fista sae-relu'; title, colour and dash
# type from the methods table); optional: xtitle (the x axis label), logx (1:
# step + 1 on a log axis, for curves of very different lengths).
if (!exists("table") || !exists("out") || !exists("methods")) {
    print "usage: gnuplot -e \"table='T'; out='F'; methods='dl-fista sae-relu ...'\" learning-dynamics.gp"; exit status 2
}
load "figures/methods.gp"
if (mcheck(methods) ne "ok") { print "learning-dynamics.gp: ".mcheck(methods); exit status 1 }
set datafile separator "\t"
set datafile columnheaders
set yrange [-0.05:1.05]
set grid
set style fill transparent solid 0.15 noborder
dzs = system(sprintf("awk -F'\\t' 'NR > 1 && !seen[$2]++ { print $2 }' '%s' | sort -n | tr '\\n' ' '", table))
present(m, dz) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" && $2==%s {f=1} END {print f+0}' '%s'", m, dz, table)) + 0
sel(m, dz) = (strcol("method") eq m && column("dz") == dz) ? column("cos_mean") : NaN
lo(m, dz) = (strcol("method") eq m && column("dz") == dz) ? column("cos_mean") - column("cos_std") : NaN
hi(m, dz) = (strcol("method") eq m && column("dz") == dz) ? column("cos_mean") + column("cos_std") : NaN
n = words(dzs)
if (!exists("xtitle")) { xtitle = "epoch (SAE) / round (DL-FISTA)" }
if (!exists("logx")) { logx = 0 }
if (logx) { set logscale x }
xof(s) = logx ? s + 1 : s

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 450*n,480 enhanced font "Sans,11"
    } else {
        set terminal pdfcairo size 3.3*n,3.6 enhanced font "Sans,10"
    }
    set output out.".".fmt
    set multiplot layout 1,n
    do for [p=1:n] {
        dz = word(dzs, p)
        set title "d_z = ".dz
        set xlabel xtitle
        if (p == 1) { set ylabel "matched |cos| to A"; set key right bottom font ",9" } else { unset ylabel; unset key }
        cmd = ""
        do for [i=1:words(methods)] {
            m = word(methods, i)
            if (present(m, dz)) {
                cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using (xof(column('step'))):(lo('%s',%s)):(hi('%s',%s)) with filledcurves lc rgb '%s' notitle, table using (xof(column('step'))):(sel('%s',%s)) with lines lw 2 lc rgb '%s' dt %d title '%s'", m, dz, m, dz, mcolour(m), m, dz, mcolour(m), mdash(m), mlabel(m))
            }
        }
        if (cmd ne "") { eval "plot ".cmd }
    }
    unset multiplot
    set output
}
