# `make report` at SCALE=smoke: the page exists, every image and link on it
# resolves to a file beside it, every figure of the build is on it with a
# caption, and it shows the parameters and the timing table of the build.
source "$(dirname "$0")/lib.sh"

# dictionary-learning is not part of make figures: named beside report, its
# section joins the page.
dag -j2 report dictionary-learning > build.log 2>&1 || { tail -n 30 build.log; fail "make report dictionary-learning failed"; }
page=results/report/smoke/index.html
assert_file "$page"

# Every src= and href= that is not an anchor or an absolute URL names a file beside the page.
grep -o -E '(src|href)="[^"#][^"]*"' "$page" | sed -E 's/^(src|href)="(.*)"$/\2/' | sort -u > links.txt
[ "$(grep -c '\.png$' links.txt)" -ge 7 ] || fail "too few images on the page: $(cat links.txt)"
while read -r link; do
    case $link in http:*|https:*) fail "page links outside itself: $link" ;; esac
    [ -f "results/report/smoke/$link" ] || fail "broken link on the page: $link"
done < links.txt

# Every figure the build drew is on the page, and none lacks a caption.
find results -path results/report -prune -o -name '*.png' -print | sed 's#.*/##' | sort -u > drawn.txt
while read -r png; do
    grep -q "src=\"figures/$png\"" "$page" || fail "figure $png is not on the report page"
done < drawn.txt
grep -q 'no caption' "$page" && fail "a figure has no caption: $(grep -o '[^>]*no caption[^<]*' "$page" | head -n 3)"

# An experiment beyond the paper is titled as such (its captions' section: row).
grep -q '<h2 id="dictionary-learning">[^<]*beyond the paper' "$page" || fail "dictionary-learning's section is not titled as beyond the paper"
# Once its table exists, a plain make report keeps the section.
rm -rf results/report
dag report > again.log 2>&1 || { tail -n 30 again.log; fail "make report (again) failed"; }
grep -q '<h2 id="dictionary-learning">' "$page" || fail "a later make report dropped dictionary-learning's section"

# Parameters and run time.
grep -q '<td>sae</td>' "$page" || fail "no parameters table"
grep -q '<td>TOTAL</td>' "$page" || fail "no timing total"
grep -q 'Those steps ran from' "$page" || fail "no elapsed time of the build"

# Nothing to do the second time; a new figure would rebuild the page.
dag -n report > again.log 2>&1
grep -q 'report.sh' again.log && { cat again.log; fail "a second make re-drew the report"; }
echo ok
