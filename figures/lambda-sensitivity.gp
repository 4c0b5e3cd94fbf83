# lambda-sensitivity.gp — SPEC §5.6: MCC(OOD) of FISTA against λ (log x), one
# panel per d_z: FISTA on each SAE type's frozen decoder (solid, in the SAE
# type's colour of the methods table), the SAE's own encoder as a flat dashed
# reference in the same colour, FISTA with the true A (the oracle's colour);
# mean ± 1 population std over seeds.
# Variables: table (columns method dz lambda n ..._mean/_std), ref (aggregate
# of the SAE encoders' rows by dz), out (path without extension).
if (!exists("table") || !exists("ref") || !exists("out")) {
    print "usage: gnuplot -e \"table='T'; ref='R'; out='F'\" lambda-sensitivity.gp"; exit status 2
}
set datafile separator "\t"
set datafile columnheaders
set style fill transparent solid 0.15 noborder

load "figures/methods.gp"
awkcol = "NR==1 {for (i=1;i<=NF;i++) c[$i]=i; next}"
dzs = system(sprintf("awk -F'\\t' '%s {print $c[\"dz\"]}' '%s' | sort -g -u | tr '\\n' ' '", awkcol, table))
lmin = system(sprintf("awk -F'\\t' '%s {print $c[\"lambda\"]}' '%s' | sort -g | head -n 1", awkcol, table)) + 0
lmax = system(sprintf("awk -F'\\t' '%s {print $c[\"lambda\"]}' '%s' | sort -g | tail -n 1", awkcol, table)) + 0
present(m, dz) = system(sprintf("awk -F'\\t' '%s $1==\"%s\" && $c[\"dz\"]==%s {f=1} END {print f+0}' '%s'", awkcol, m, dz, table)) + 0
# the encoder's mean and std MCC(OOD) at d_z, "" when it has no row
refval(m, dz, what) = system(sprintf("awk -F'\\t' '%s $1==\"%s\" && $c[\"dz\"]==%s {print $c[\"mcc_ood_%s\"]}' '%s'", awkcol, m, dz, what, ref))
set samples 2

npanels = words(dzs)
ncols = npanels < 3 ? npanels : 3
nrows = (npanels + ncols - 1) / ncols
W = 560 * ncols + 100
KP = 70.0
KROWS = 2
H = 430 * nrows + KP
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
    set border; set tics; set grid; unset key; set logscale x
    set xrange [lmin / 1.5:lmax * 1.5]; set yrange [-0.05:1.05]
    keycmd = ""
    do for [p=1:npanels] {
        dz = word(dzs, p)
        set title "d_z = ".dz
        set xlabel "FISTA penalty {/Symbol l}"
        if ((p - 1) % ncols == 0) { set ylabel "MCC (OOD)" } else { unset ylabel }
        set origin ((p - 1) % ncols) * 1.0 / ncols, KP / H + (nrows - 1 - (p - 1) / ncols) * ph
        set size 1.0 / ncols, ph
        cmd = ""
        do for [i=1:words(variants)] {
            m = "sae-".word(variants, i)
            c = mcolour(m)
            if (present(m."-frozen", dz)) {
                sel = sprintf("(strcol('method') eq '%s' && column('dz') == %s", m."-frozen", dz)
                cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using 'lambda':%s ? column('mcc_ood_mean') - column('mcc_ood_std') : NaN):%s ? column('mcc_ood_mean') + column('mcc_ood_std') : NaN) with filledcurves lc rgb '%s' notitle, table using 'lambda':%s ? column('mcc_ood_mean') : NaN) with linespoints lw 2 pt 7 ps 0.6 lc rgb '%s' dt 1 notitle", sel, sel, c, sel, c)
                if (p == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with linespoints lw 2 pt 7 ps 0.6 lc rgb '%s' dt 1 title '%s: %s'", c, vlabel(word(variants, i)), mlabel("sae-%-frozen")) }
            }
            rv = refval(m, dz, "mean")
            if (rv ne "") {
                cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("%s with lines lw 2 lc rgb '%s' dt 2 notitle", rv, c)
                if (p == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with lines lw 2 lc rgb '%s' dt 2 title '%s: %s'", c, vlabel(word(variants, i)), mlabel("sae-%")) }
            }
        }
        if (present("oracle", dz)) {
            sel = sprintf("(strcol('method') eq 'oracle' && column('dz') == %s", dz)
            cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("table using 'lambda':%s ? column('mcc_ood_mean') - column('mcc_ood_std') : NaN):%s ? column('mcc_ood_mean') + column('mcc_ood_std') : NaN) with filledcurves lc rgb '%s' notitle, table using 'lambda':%s ? column('mcc_ood_mean') : NaN) with linespoints lw 2 pt 5 ps 0.6 lc rgb '%s' dt 1 notitle", sel, sel, mcolour("oracle"), sel, mcolour("oracle"))
            if (p == 1) { keycmd = keycmd.(keycmd eq "" ? "" : ", ").sprintf("NaN with linespoints lw 2 pt 5 ps 0.6 lc rgb '%s' dt 1 title '%s'", mcolour("oracle"), mlabel("oracle")) }
        }
        if (cmd ne "") { eval "plot ".cmd } else { plot NaN notitle }
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
