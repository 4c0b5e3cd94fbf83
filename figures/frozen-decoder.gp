# frozen-decoder.gp — SPEC §5.1 as 1 × 4 panels, one per SAE type: the SAE's
# encoder, FISTA on its frozen / renormed / oracle-norm decoder, the refined
# decoder (MCC(OOD) only), DL-FISTA and the oracle, one metric against d_z
# (log), mean ± 1 population std over seeds.
# Variables: table (aggregated TSV), metric (mcc-ood or mcc-id), out (path
# without extension).
if (!exists("table") || !exists("metric") || !exists("out")) {
    print "usage: gnuplot -e \"table='T'; metric='mcc-ood'; out='F'\" frozen-decoder.gp"; exit status 2
}
col = metric eq "mcc-ood" ? "mcc_ood" : metric eq "mcc-id" ? "mcc_id" : ""
if (col eq "") { print "frozen-decoder.gp: unknown metric ".metric; exit status 2 }
label = metric eq "mcc-ood" ? "MCC (OOD)" : "MCC (ID)"

set datafile separator "\t"
set datafile columnheaders
set logscale x
set yrange [-0.05:1.05]
set grid
set style fill transparent solid 0.15 noborder
mean_col = col."_mean"
std_col = col."_std"
sel(m) = (strcol("method") eq m) ? column(mean_col) : NaN
lo(m) = (strcol("method") eq m) ? column(mean_col) - column(std_col) : NaN
hi(m) = (strcol("method") eq m) ? column(mean_col) + column(std_col) : NaN
present(m) = system(sprintf("awk -F'\\t' 'NR>1 && $1==\"%s\" {f=1} END {print f+0}' '%s'", m, table)) + 0

variants = "relu topk jumprelu mp"
vtitles = "ReLU TopK JumpReLU MP"
# per panel: suffix of the method name, title, colour, dash (SAE dashed, sparse coding solid)
# -refined: the decoder refined by DL-FISTA warm-started from it (warm-start.mk;
# MCC(OOD) only, at the d_z its grid covers).
suffixes = "- -frozen -renormed -oracle-norms -refined"
stitles = "SAE-encoder FISTA,-frozen-decoder FISTA,-renormed-decoder FISTA,-oracle-norms refined-decoder"
colours = "#d62728 #1f77b4 #17becf #9467bd #ff7f0e"
spaced(s) = system("echo '".s."' | tr '-' ' '")

build_panel = "cmd = ''; \
  do for [j=1:words(suffixes)] { \
    m = 'sae-'.word(variants, i).(word(suffixes, j) eq '-' ? '' : word(suffixes, j)); \
    if (present(m) && !(word(suffixes, j) eq '-refined' && metric ne 'mcc-ood')) { \
      cmd = cmd.(cmd eq '' ? '' : ', ').sprintf(\"table using 'dz':(lo('%s')):(hi('%s')) with filledcurves lc rgb '%s' notitle, table using 'dz':(sel('%s')) with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' dt %d title '%s'\", m, m, word(colours, j), m, word(colours, j), (j == 1 ? 2 : 1), spaced(word(stitles, j))) } }; \
  do for [r in 'dl-fista oracle'] { \
    if (present(r)) { \
      c = (r eq 'oracle') ? '#000000' : '#2ca02c'; t = (r eq 'oracle') ? 'FISTA (oracle)' : 'DL-FISTA'; \
      cmd = cmd.', '.sprintf(\"table using 'dz':(sel('%s')) with linespoints lw 2 pt 5 ps 0.5 lc rgb '%s' dt 1 title '%s'\", r, c, t) } }"

do for [fmt in "png pdf"] {
    if (fmt eq "png") {
        set terminal pngcairo size 1800,520 enhanced font "Sans,11"
    } else {
        set terminal pdfcairo size 13in,3.8in enhanced font "Sans,10"
    }
    set output out.".".fmt
    set multiplot layout 1,4
    do for [i=1:4] {
        set title word(vtitles, i)." SAE"
        set xlabel "number of latents d_z"
        if (i == 1) { set ylabel label } else { unset ylabel }
        if (i == 1) { set key left bottom font ",9" } else { unset key }
        eval build_panel
        if (cmd ne "") { eval "plot ".cmd }
    }
    unset multiplot
    set output
}
