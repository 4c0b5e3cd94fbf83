# methods.gp — the methods table (experiments/methods.tsv) for the figure
# scripts, read through scripts/methods.sh (run from the repository root, as
# make does). `load "figures/methods.gp"` defines:
#   variants            the SAE variants, "relu topk jumprelu mp"
#   mlist               every method name of the table ('%' rows expanded over
#                       the variants), in table order: the legends' order
#   mlabel(m)           a method's legend title (m a name, e.g. "sae-relu", or a
#                       '%' row's own name, e.g. "sae-%-frozen")
#   mcolour(m), mdash(m)  its colour ("#rrggbb") and gnuplot dash type
#   vname(m, v)         a '%' name for variant v: vname("sae-%-frozen", "relu")
#   vlabel(v)           the label of variant v's own row ("ReLU SAE"), the title
#                       of its panel
#   mcheck(names)       "ok" when every name has a row, else the first error line
mget(m, f) = system(sprintf("bash scripts/methods.sh get '%s' %s", m, f))
mlabel(m) = mget(m, "label")
mcolour(m) = mget(m, "colour")
mdash(m) = mget(m, "dash") + 0
vname(m, v) = strstrt(m, "%") ? m[1:strstrt(m, "%") - 1].v.m[strstrt(m, "%") + 1:] : m
vlabel(v) = mlabel("sae-".v)
mcheck(names) = system(sprintf("for m in %s; do bash scripts/methods.sh get \"$m\" label 2>&1 >/dev/null | head -n 1 | grep . && exit; done; echo ok", names))
variants = system("bash scripts/methods.sh variants | tr '\\n' ' '")
mlist = system("bash scripts/methods.sh list | tr '\\n' ' '")
if (words(variants) == 0) { print "methods.gp: no SAE variants: is scripts/methods.sh there (run from the repository root)?"; exit status 1 }
