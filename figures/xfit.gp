# xfit.gp — fit the x axis to the data rather than to whole decades: with
# `table` and `xfit_col` (a column of it) set, `load "figures/xfit.gp"` sets the
# x range to [min / 1.25, max · 1.25] of that column, with a tic at each value
# of it (a log axis; xfit_log = 0: a linear axis with 5 % of the span, or ±1,
# either side).
if (!exists("xfit_log")) { xfit_log = 1 }
xfit_v = system(sprintf("awk -F'\\t' 'NR==1 {for (i=1;i<=NF;i++) if ($i==\"%s\") c=i; next} c && $c != \"\" {print $c+0}' '%s' | sort -g -u | tr '\\n' ' '", xfit_col, table))
if (words(xfit_v) > 0) {
    xfit_lo = word(xfit_v, 1) + 0.0; xfit_hi = word(xfit_v, words(xfit_v)) + 0.0
    if (xfit_log) { set xrange [xfit_lo / 1.25:xfit_hi * 1.25] } else {
        xfit_m = xfit_hi > xfit_lo ? 0.05 * (xfit_hi - xfit_lo) : 1
        set xrange [xfit_lo - xfit_m:xfit_hi + xfit_m]
    }
    set xtics ()
    do for [xfit_i=1:words(xfit_v)] { set xtics add (word(xfit_v, xfit_i) word(xfit_v, xfit_i) + 0.0) }
}
