# frozen-decoder.gp — SPEC §5.1 as 1 × N panels, one per SAE type: the SAE's
# surgeries (its encoder, FISTA on its frozen / renormed / oracle-norm decoder,
# refined, DL-FISTA from its decoder, ...) and reference methods (DL-FISTA, the
# oracle), one metric against d_z (log), mean ± 1 population std over seeds.
# A method is drawn where the table has a value for it (the rows of DL-FISTA
# from the decoder have MCC(OOD) only).
# Variables: table (aggregated TSV), metric (mcc-ood or mcc-id), out (path
# without extension), methods (the surgeries, '%' the SAE type: 'sae-%
# sae-%-frozen ...'), refs (methods drawn in every panel: 'dl-fista oracle');
# titles, colours and dash types from the methods table.
if (!exists("table") || !exists("metric") || !exists("out") || !exists("methods") || !exists("refs")) {
    print "usage: gnuplot -e \"table='T'; metric='mcc-ood'; out='F'; methods='sae-% ...'; refs='oracle ...'\" frozen-decoder.gp"; exit status 2
}
col = metric eq "mcc-ood" ? "mcc_ood" : metric eq "mcc-id" ? "mcc_id" : ""
if (col eq "") { print "frozen-decoder.gp: unknown metric ".metric; exit status 2 }
label = metric eq "mcc-ood" ? "MCC (OOD)" : "MCC (ID)"
load "figures/methods.gp"
if (mcheck(methods." ".refs) ne "ok") { print "frozen-decoder.gp: ".mcheck(methods." ".refs); exit status 1 }

set datafile separator "\t"
set datafile columnheaders
set logscale x
xfit_col = "dz"; load "figures/xfit.gp"
set yrange [-0.05:1.05]
set grid
set style fill transparent solid 0.15 noborder
mean_col = col."_mean"
std_col = col."_std"
sel(m) = (strcol("method") eq m) ? column(mean_col) : NaN
lo(m) = (strcol("method") eq m) ? column(mean_col) - column(std_col) : NaN
hi(m) = (strcol("method") eq m) ? column(mean_col) + column(std_col) : NaN
# whether method m has a numeric mean of the metric in some row
present(m) = system(sprintf("awk -F'\\t' 'NR==1 {for (i=1;i<=NF;i++) if ($i==\"%s\") c=i; next} $1==\"%s\" && $c != \"nan\" {f=1} END {print f+0}' '%s'", mean_col, m, table)) + 0
nv = words(variants)

# one panel: the surgeries of variant v (circles), then the references (squares)
build_panel = "cmd = ''; \
  do for [j=1:words(methods)] { \
    p = word(methods, j); m = vname(p, v); \
    if (present(m)) { \
      cmd = cmd.(cmd eq '' ? '' : ', ').sprintf(\"table using 'dz':(lo('%s')):(hi('%s')) with filledcurves lc rgb '%s' notitle, table using 'dz':(sel('%s')) with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %d title '%s'\", m, m, mcolour(p), m, mcolour(p), mdash(p), mlabel(p)) } }; \
  do for [j=1:words(refs)] { \
    r = word(refs, j); \
    if (present(r)) { \
      cmd = cmd.(cmd eq '' ? '' : ', ').sprintf(\"table using 'dz':(sel('%s')) with linespoints lw 2 pt 5 ps 0.5 lc rgb '%s' dt %d title '%s'\", r, mcolour(r), mdash(r), mlabel(r)) } }"

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 450 * nv,520 enhanced font "Sans,11"
    } else {
        eval sprintf("set terminal pdfcairo size %.2fin,3.8in enhanced font 'Sans,10'", 3.25 * nv)
    }
    set output out.".".fmt
    set multiplot layout 1,nv
    do for [i=1:nv] {
        v = word(variants, i)
        set title vlabel(v)
        set xlabel "number of latents d_z"
        if (i == 1) { set ylabel label } else { unset ylabel }
        if (i == 1) { set key left bottom font ",9" } else { unset key }
        eval build_panel
        if (cmd ne "") { eval "plot ".cmd }
    }
    unset multiplot
    set output
}
