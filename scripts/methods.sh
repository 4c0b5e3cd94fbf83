#!/usr/bin/env bash
# methods.sh COMMAND [ARGS] — read the methods table (experiments/methods.tsv,
# or $METHODS_TABLE), checking it first: six tab-separated fields a row, a
# numeric dash, a dict of the form FILE:MEMBER[+BIAS] or '-', no name twice.
#   names            the methods without '%' and not of family beyond, in table
#                    order (what the sweeps run)
#   variants         the SAE variants: V of every family-sae row sae-V
#   list             every method name with '%' expanded over the variants, in
#                    table order, each once (a name spelt out wins over an expansion)
#   dicts            NAME=DICT for every name of `list` (make reads these)
#   get NAME FIELD   FIELD (label, family, dash, colour, dict) of NAME: its own
#                    row, else the '%' row it expands from, with '%' resolved;
#                    NAME may be a '%' row's own name (sae-%-frozen)
# Exit 1 with one line `methods.sh: TABLE:LINE: what is wrong` on a bad table
# or an unknown NAME/FIELD, 2 on bad usage.
set -euo pipefail
table=${METHODS_TABLE:-$(dirname "${BASH_SOURCE[0]}")/../experiments/methods.tsv}
cmd=${1:-}
case $cmd in
    names|variants|list|dicts) [ $# -eq 1 ] || { echo "usage: methods.sh $cmd" >&2; exit 2; } ;;
    get) [ $# -eq 3 ] || { echo "usage: methods.sh get NAME FIELD" >&2; exit 2; } ;;
    *) echo "usage: methods.sh names|variants|list|dicts|get NAME FIELD" >&2; exit 2 ;;
esac
[ -r "$table" ] || { echo "methods.sh: $table: cannot read" >&2; exit 1; }
awk -F'\t' -v cmd="$cmd" -v want="${2:-}" -v field="${3:-}" -v table="$table" '
function die(msg) { print "methods.sh: " table ":" msg > "/dev/stderr"; bad = 1; exit 1 }
# the row of a name, with its variant ("" for a row of its own); 0 if none
function find(name,    i, j) {
    for (i = 1; i <= n; i++) if (m[i] == name) { fv = ""; return i }
    for (i = 1; i <= n; i++) if (index(m[i], "%"))
        for (j = 1; j <= nv; j++) if (sub_v(m[i], v[j]) == name) { fv = v[j]; return i }
    return 0
}
function sub_v(s, x,    t) { t = s; gsub(/%/, x, t); return t }
# field f of row i for variant x ("%" resolved through the variant own row)
function val(i, f, x,    s, r) {
    s = row[i, f]
    if (x != "" && index(s, "%")) {
        if (f == "label" || f == "colour") { r = vrow[x]; gsub(/%/, row[r, f], s) }
        else gsub(/%/, x, s)
    }
    return s
}
/^#/ || /^$/ { next }
!header { header = 1
    if ($0 != "method\tlabel\tfamily\tdash\tcolour\tdict") die(FNR ": the header is not method label family dash colour dict")
    next }
{
    if (NF != 6) die(FNR ": " NF " fields, not 6")
    if ($4 !~ /^[0-9]+$/) die(FNR ": dash " $4 " is not a number")
    if ($6 != "-" && $6 !~ /^[^:+ ]+:[^:+ ]+([+][^:+ ]+)?$/) die(FNR ": dict " $6 " is not FILE:MEMBER[+BIAS] or -")
    if ($1 !~ /^[a-z0-9%][-a-z0-9%.]*$/) die(FNR ": method name " $1)
    if ($1 in seen) die(FNR ": method " $1 " twice")
    seen[$1] = 1; n++; m[n] = $1
    row[n, "label"] = $2; row[n, "family"] = $3; row[n, "dash"] = $4; row[n, "colour"] = $5; row[n, "dict"] = $6
    if ($3 == "sae") {
        if ($1 !~ /^sae-[a-z0-9]+$/) die(FNR ": an SAE variant is named sae-V, not " $1)
        nv++; v[nv] = substr($1, 5); vrow[v[nv]] = n
    }
}
END {
    if (bad) exit 1
    if (!header) die(" no header line")
    if (cmd == "names") { for (i = 1; i <= n; i++) if (!index(m[i], "%") && row[i, "family"] != "beyond") print m[i]; exit }
    if (cmd == "variants") { for (j = 1; j <= nv; j++) print v[j]; exit }
    if (cmd == "list" || cmd == "dicts") {
        for (i = 1; i <= n; i++) {
            if (!index(m[i], "%")) { names[++nn] = m[i]; nrow[nn] = i; nvar[nn] = ""; continue }
            for (j = 1; j <= nv; j++) { names[++nn] = sub_v(m[i], v[j]); nrow[nn] = i; nvar[nn] = v[j] }
        }
        for (k = 1; k <= nn; k++) {
            if (names[k] in done) continue
            i = find(names[k]); done[names[k]] = 1
            if (cmd == "list") print names[k]; else print names[k] "=" val(i, "dict", fv)
        }
        exit
    }
    if (field !~ /^(label|family|dash|colour|dict)$/) die(" no field " field)
    i = find(want)
    if (!i) die(" no method " want)
    print val(i, field, fv)
}' "$table"
