# The commands of every installed manual page's EXAMPLES section (the lines of
# its .nf/.fi blocks, roff escapes undone) run, in order, in a fresh folder per
# page, with only the installed tools on PATH; each must succeed (every stage
# of its pipes), and a file it names with -o must then exist. So the examples a user copies out of `man TOOL`
# keep working as the tools change.
source "$SK_ROOT/tests/cli/lib.sh"
source "$SK_ROOT/tests/install/lib.sh"

dest=$SK_TMP/dest
sk_install "$dest"
bin=$dest/usr/bin

for t in $(sk_tool_names); do
    page=$dest/usr/share/man/man1/$t.1
    awk '/^\.SH /    { ex = ($0 ~ /^\.SH "?EXAMPLES"?$/) }
         ex && /^\.nf/ { block = 1; next }
         ex && /^\.fi/ { block = 0; next }
         ex && block && !/^\./ { print }' "$page" |
        sed 's/\\-/-/g; s/\\(aq/'"'"'/g; s/\\e/\\/g' > "$t.examples"
    [ -s "$t.examples" ] || fail "$t.1 has no example commands"
    ! grep -q '\\' "$t.examples" || fail "$t.1 examples keep a roff escape: $(grep '\\' "$t.examples")"
    mkdir "$t.run"
    n=0
    while IFS= read -r cmd; do
        n=$((n + 1))
        (cd "$t.run" && env PATH="$bin:/usr/bin:/bin" bash -euo pipefail -c "$cmd") \
            < /dev/null > "$t.out" 2> "$t.err" || { cat "$t.err" >&2; fail "$t.1 example $n failed: $cmd"; }
        for f in $(grep -oE -- '-o [^ |;&-][^ |;&]*' <<< "$cmd" | cut -c 4-); do
            [ -s "$t.run/$f" ] || fail "$t.1 example $n did not write $f: $cmd"
        done
    done < "$t.examples"
    echo "$t: $n example commands ran"
done
