# Every tool has an installed manual page that man renders without warnings,
# whose NAME line is the tool's purpose from `sparsekit --list`, which has
# DESCRIPTION, EXAMPLES and SEE ALSO sections, and in which every option of the
# tool's --help appears: each option an option line of --help defines as a
# tag at the start of a line, and every other --option that --help mentions
# somewhere in the text.
source "$SK_ROOT/tests/cli/lib.sh"
source "$SK_ROOT/tests/install/lib.sh"
command -v man >/dev/null || fail "man is missing: install the Debian package man-db"

dest=$SK_TMP/dest
sk_install "$dest"
bin=$dest/usr/bin mandir=$dest/usr/share/man/man1
"$bin/sparsekit" --list > purposes.tsv

render() {  # page → plain text, no hyphenation or justification, wide lines
    MANWIDTH=250 LC_ALL=C.UTF-8 man --warnings -E UTF-8 --no-hyphenation --no-justification -l "$1" 2>"$SK_TMP/warn" |
        col -b | sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g'
}

for t in $(sk_tool_names); do
    page=$mandir/$t.1
    [ -f "$page" ] || fail "no manual page $t.1"
    render "$page" > "$t.txt"
    [ ! -s warn ] || fail "man warns on $t.1: $(cat warn)"
    for s in NAME SYNOPSIS DESCRIPTION EXAMPLES "SEE ALSO" "EXIT STATUS"; do
        grep -qx "$s" "$t.txt" || fail "$t.1 has no $s section"
    done
    if [ "$t" != sparsekit ]; then
        purpose=$(awk -F '\t' -v t="$t" '$1 == t { print $2 }' purposes.tsv)
        [ -n "$purpose" ] || fail "sparsekit --list does not list $t"
        grep -qxF "       $t - $purpose" "$t.txt" || fail "$t.1 NAME is not '$t - $purpose': $(sed -n '/^NAME/{n;p}' "$t.txt")"
    fi
    # The EXAMPLES section pipes tools (a | between two commands).
    sed -n '/^EXAMPLES$/,/^[A-Z]/p' "$t.txt" | grep -q ' | ' || fail "$t.1 EXAMPLES has no pipe"

    "$bin/$t" --help > help.txt
    [ -s help.txt ] || fail "$t --help printed nothing on stdout"
    # Each option line of --help ("  -o, --output FILE  text") has its tag
    # ("-o, --output FILE") at the start of a line of the page.
    grep -E '^[[:space:]]+-' help.txt | sed -E 's/^[[:space:]]+//; s/  .*//' > tags.txt
    [ -s tags.txt ] || fail "no option lines found in $t --help"
    while IFS= read -r tag; do
        awk -v tag="$tag" '{ sub(/^[ \t]+/, "") }
            index($0, tag) == 1 && (length($0) == length(tag) || substr($0, length(tag) + 1, 1) == " ") { found = 1 }
            END { exit !found }' "$t.txt" || fail "$t.1 has no option line '$tag' (from --help)"
    done < tags.txt
    for o in $(grep -oE -- '--[A-Za-z0-9][A-Za-z0-9-]*' help.txt | sort -u); do
        grep -qF -- "$o" "$t.txt" || fail "$t.1 does not mention $o, which $t --help does"
    done
    # SEE ALSO names pages that exist.
    for ref in $(sed -n '/^SEE ALSO$/,/^[A-Z]/p' "$t.txt" | grep -oE '[a-z][a-z-]*\(1\)' | sed 's/(1)//'); do
        [ -f "$mandir/$ref.1" ] || fail "$t.1 refers to $ref(1), which is not installed"
    done
done
