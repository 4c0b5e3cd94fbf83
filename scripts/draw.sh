#!/usr/bin/env bash
# draw.sh SCRIPT.gp TARGET VARIABLES — draw one figure with gnuplot as PNG and
# PDF and put both in place only when both are complete.
#   SCRIPT.gp   a gnuplot script of figures/ that writes out.'.png' and out.'.pdf'
#   TARGET      the figure's path, with or without its .png/.pdf extension
#   VARIABLES   gnuplot statements setting the script's inputs ("table='t.tsv'; ...")
# The script draws to a hidden DIR/.NAME.tmp.{png,pdf} beside the targets, then
# both are renamed over DIR/NAME.{png,pdf}: a killed run never leaves a figure
# that looks finished.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: draw.sh SCRIPT.gp TARGET VARIABLES" >&2; exit 2; }
script=$1 target=${2%.png} vars=$3
target=${target%.pdf}
dir=$(dirname "$target") name=$(basename "$target")
tmp=$dir/.$name.tmp
mkdir -p "$dir"
"${GNUPLOT:-gnuplot}" -e "$vars; out='$tmp'" "$script"
mv "$tmp.pdf" "$target.pdf"
mv "$tmp.png" "$target.png"
