#!/usr/bin/env bash
# report.sh OUTDIR SCALE PARAMS_DIR TIMING_LOG CAPTIONS_DIR -- FIGURE.png... -- TABLE.tsv...
#
# One self-contained page, OUTDIR/index.html, with every figure (copied beside
# it into OUTDIR/figures/), a one-line caption for each (CAPTIONS_DIR/*.tsv:
# "png-name<TAB>caption"; a row "section:EXPERIMENT<TAB>title" titles that
# experiment's section, e.g. as going beyond the paper), every table under its
# experiment's figures (a copy of the TSV linked, the main metrics shown as
# mean ± std), the parameters of the build (preset, every stage's arguments)
# and where its time went (the timing log through scripts/timing-table.sh,
# beside what the cost model estimated when the build started: estimates.log
# in the timing log's folder, mk/progress.mk).
# Figures and tables are grouped by experiment: the folder above SCALE in
# RESULTS_DIR/EXPERIMENT/SCALE/NAME. Writes to OUTDIR.tmp, then renames, so an
# interrupted run never leaves a page that looks complete.
set -euo pipefail
die() { echo "report.sh: $*" >&2; exit 1; }
[ $# -ge 6 ] && [ "$6" = -- ] || die "usage: report.sh OUTDIR SCALE PARAMS_DIR TIMING_LOG CAPTIONS_DIR -- PNG... -- TSV..."
out=$1 scale=$2 params_dir=$3 timing_log=$4 captions_dir=$5
shift 6
figures=() tables=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do figures+=("$1"); shift; done
[ $# -gt 0 ] && shift
tables=("$@")
here=$(cd "$(dirname "$0")" && pwd)

html_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }
experiment_of() { basename "$(dirname "$(dirname "$1")")"; }   # results/EXP/SCALE/x -> EXP
caption_of() {  # the caption of a PNG name, or a note that it has none
    local name=$1 c=""
    if compgen -G "$captions_dir/*.tsv" >/dev/null; then
        c=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$captions_dir"/*.tsv)
    fi
    printf '%s' "${c:-(no caption: add one to $captions_dir/)}"
}
title_of() {  # the section title of an experiment: its section: row, else its name
    local e=$1 t=""
    if compgen -G "$captions_dir/*.tsv" >/dev/null; then
        t=$(awk -F'\t' -v n="section:$e" '$1 == n { print $2; exit }' "$captions_dir"/*.tsv)
    fi
    printf '%s' "${t:-$e}"
}

# table_html TSV — the table as HTML: tag columns as they are, then for each
# main metric present "mean ± std" (3 decimals); a table without _mean columns
# (curves) is shown whole. Columns that are nan in every row are left out.
table_html() {
    awk -F'\t' '
    function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
    function fmt(v) {
        if (v ~ /^[-+]?[0-9]+$/) return v
        return (v ~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/) ? sprintf("%.3f", v) : v
    }
    NR == 1 {
        split("mcc_id mcc_ood mcc_ood_clean auc_ood acc_ood dict_cos dict_frac09 support_precision support_recall support_f1 l0_ood", pref, " ")
        for (i = 1; i <= NF; i++) { h[i] = $i; col[$i] = i; if ($i ~ /_mean$/) has_mean = 1 }
        nshow = 0
        if (has_mean) {
            for (i = 1; i <= NF; i++) if (h[i] !~ /_(mean|std)$/) { show[++nshow] = i; kind[nshow] = "tag" }
            nmetric = 0
            for (j = 1; j in pref; j++) if ((pref[j] "_mean") in col) { show[++nshow] = col[pref[j] "_mean"]; kind[nshow] = "metric"; mname[nshow] = pref[j]; nmetric++ }
            if (!nmetric) for (i = 1; i <= NF; i++) if (h[i] ~ /_mean$/) {
                show[++nshow] = i; kind[nshow] = "metric"; mname[nshow] = substr(h[i], 1, length(h[i]) - 5)
            }
        } else for (i = 1; i <= NF; i++) { show[++nshow] = i; kind[nshow] = "tag" }
        next
    }
    { nrow++; for (i = 1; i <= NF; i++) cell[nrow, i] = $i }
    END {
        if (nrow > max_rows) { printf "<p>%d rows (curves): see the TSV.</p>\n", nrow; exit }
        for (s = 1; s <= nshow; s++) {
            keep[s] = 0
            for (r = 1; r <= nrow; r++) if (tolower(cell[r, show[s]]) != "nan") keep[s] = 1
        }
        print "<div class=\"scroll\"><table><tr>"
        for (s = 1; s <= nshow; s++) if (keep[s]) print "<th>" esc(kind[s] == "metric" ? mname[s] : h[show[s]]) "</th>"
        print "</tr>"
        for (r = 1; r <= nrow; r++) {
            printf "<tr>"
            for (s = 1; s <= nshow; s++) if (keep[s]) {
                v = cell[r, show[s]]
                if (kind[s] == "metric") {
                    sd = cell[r, col[mname[s] "_std"]]
                    printf "<td>%s", esc(fmt(v)); if (tolower(v) != "nan") printf " ± %s", esc(fmt(sd)); printf "</td>"
                } else printf "<td>%s</td>", esc(fmt(v))
            }
            print "</tr>"
        }
        print "</table></div>"
    }' max_rows="${2:-80}" "$1"
}

tmp=$out.tmp
rm -rf "$tmp"; mkdir -p "$tmp/figures" "$tmp/tables"
[ ${#figures[@]} -gt 0 ] || die "no figures to report"
for f in "${figures[@]}" "${tables[@]}"; do [ -r "$f" ] || die "$f: missing (build it first)"; done

# experiments in the order their figures were listed
experiments=()
for f in "${figures[@]}" "${tables[@]}"; do
    e=$(experiment_of "$f")
    [[ " ${experiments[*]} " == *" $e "* ]] || experiments+=("$e")
done

{
cat <<HEAD
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sparsekit — reproduction report ($scale)</title>
<style>
body { font-family: sans-serif; max-width: 1400px; margin: 2em auto; padding: 0 1em; color: #222; }
img { max-width: 100%; border: 1px solid #ddd; }
figure { margin: 1.5em 0; } figcaption { font-style: italic; margin-top: .3em; }
.scroll { overflow-x: auto; } table { border-collapse: collapse; font-size: 85%; margin: .5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f0f0f0; } nav a { margin-right: 1em; } pre { background: #f6f6f6; padding: .5em; }
</style></head><body>
<h1>sparsekit — reproduction of arXiv 2603.28744 (SCALE=$scale)</h1>
<p>Built $(date -u '+%Y-%m-%d %H:%M UTC') from $(git -C "$here/.." describe --always --dirty 2>/dev/null | html_escape || echo "an unknown revision").
Every number below is the mean ± population std over seeds; the TSV files hold every metric.</p>
<nav>
HEAD
for e in "${experiments[@]}"; do echo "<a href=\"#$e\">$e</a>"; done
echo '<a href="#parameters">parameters</a> <a href="#time">run time</a></nav>'

for e in "${experiments[@]}"; do
    echo "<h2 id=\"$e\">$(title_of "$e" | html_escape)</h2>"
    for f in "${figures[@]}"; do
        [ "$(experiment_of "$f")" = "$e" ] || continue
        name=$(basename "$f")
        [ -e "$tmp/figures/$name" ] && die "two figures named $name"
        cp "$f" "$tmp/figures/$name"
        pdf=${f%.png}.pdf
        link=""
        if [ -r "$pdf" ]; then cp "$pdf" "$tmp/figures/"; link=" (<a href=\"figures/$(basename "$pdf")\">PDF</a>)"; fi
        echo "<figure><img src=\"figures/$name\" alt=\"$name\"><figcaption>$name: $(caption_of "$name" | html_escape)$link</figcaption></figure>"
    done
    for t in "${tables[@]}"; do
        [ "$(experiment_of "$t")" = "$e" ] || continue
        copy="$e-$(basename "$t")"
        cp "$t" "$tmp/tables/$copy"
        echo "<h3>Table: <a href=\"tables/$copy\">$copy</a></h3>"
        table_html "$t"
    done
done

echo '<h2 id="parameters">Parameters</h2>'
echo "<p>Preset SCALE=$scale. Each stage's arguments (from $params_dir/$scale/STAGE.args where present, else $params_dir/STAGE.args):</p><table><tr><th>stage</th><th>arguments</th></tr>"
for p in "$params_dir"/*.args; do
    stage=$(basename "$p" .args)
    file=$p; [ -r "$params_dir/$scale/$stage.args" ] && file=$params_dir/$scale/$stage.args
    echo "<tr><td>$stage</td><td style=\"text-align:left\"><code>$(tr '\n' ' ' < "$file" | html_escape)</code></td></tr>"
done
echo "</table>"

echo '<h2 id="time">Where the time goes</h2>'
if [ -r "$timing_log" ]; then
    bash "$here/timing-table.sh" "$timing_log" "$(dirname "$timing_log")/estimates.log" > "$tmp/tables/timing.tsv"
    echo "<p>Wall time and peak memory of the last recorded run of every step (from <code>$(basename "$timing_log")</code>), summed per kind of step; the total is the sum over steps (CPU-side cost), not the build's elapsed time under make -j. <code>cpu_s</code> is the steps' CPU time; <code>est_cpu_s</code> what the cost model of <code>make plan</code> estimated for them when their build started (<code>estimates.log</code>), and <code>est_ratio</code> the estimate over the CPU time of the same steps: the model's error (1 is exact). <a href=\"tables/timing.tsv\">timing.tsv</a></p>"
    table_html "$tmp/tables/timing.tsv" 100000
    read -r lo hi < <(bash "$here/timing-table.sh" --span "$timing_log") || true
    if [ -n "${lo:-}" ]; then
        echo "<p>Those steps ran from $(date -u -d "@$lo" '+%Y-%m-%d %H:%M:%S') to $(date -u -d "@$hi" '+%H:%M:%S UTC'): $(( (hi - lo) / 60 )) min $(( (hi - lo) % 60 )) s elapsed (the build's wall time when they all ran in one make).</p>"
    fi
else
    echo "<p>No timing log at $(printf '%s' "$timing_log" | html_escape).</p>"
fi
echo "</body></html>"
} > "$tmp/index.html"

rm -rf "$out.old"
[ -e "$out" ] && mv "$out" "$out.old"
mv "$tmp" "$out"
rm -rf "$out.old"
