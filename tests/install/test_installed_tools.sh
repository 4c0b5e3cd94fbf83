# The installed tools run with no checkout present: the install tree is copied
# to a folder of its own and, where a private mount namespace is allowed
# (unshare -m, as root), the checkout is hidden under an empty tmpfs while the
# copy runs; the shell user's pipe of README.md and `sparsekit TOOL` then work
# from that copy alone.
source "$SK_ROOT/tests/cli/lib.sh"
source "$SK_ROOT/tests/install/lib.sh"

sk_install "$SK_TMP/dest"
prefix=$SK_TMP/elsewhere/opt/sk
mkdir -p "$(dirname "$prefix")"
cp -a "$SK_TMP/dest/usr" "$prefix"
rm -rf "$SK_TMP/dest"
sk_tool_names > tools.txt

cat > inner.sh <<'SH'
set -euo pipefail
prefix=$1 work=$2 tools=$3 checkout=${4:-}
export PATH=$prefix/bin:/usr/bin:/bin
cd "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
[ -z "$checkout" ] || [ ! -e "$checkout/tools" ] || fail "the checkout $checkout is still visible"
for t in $(cat "$tools"); do
    [ "$(command -v "$t" 2>/dev/null || true)" = "$prefix/bin/$t" ] || [ "$t" = eval ] ||
        fail "$t does not resolve to $prefix/bin/$t"
done
# The README's pipe, with eval through the front door (bare 'eval' is bash's).
gen-data --dz 30 --k 3 --p 400 --seed 0 -o - | tee data.npz | fista --dict -:A - -o c.npz
sparsekit eval --data data.npz --codes c.npz > scores.tsv
[ "$(head -n 1 scores.tsv | cut -f 1)" = mcc_id ] || fail "sparsekit eval printed no header: $(cat scores.tsv)"
awk -F '\t' 'NR == 2 { exit !($1 > 0.9) }' scores.tsv || fail "oracle mcc_id not above 0.9: $(cat scores.tsv)"
# Every tool runs through the front door and under its own name.
for t in $(cat "$tools"); do
    [ "$t" = sparsekit ] && continue
    v=$(sparsekit "$t" --version) || fail "sparsekit $t --version failed"
    [ "${v%% *}" = "$t" ] || fail "sparsekit $t --version does not name $t: $v"
    "$prefix/bin/$t" --help > /dev/null || fail "$t --help failed"
done
# Through a symlink elsewhere (as in ~/bin), sparsekit still runs its siblings.
mkdir -p links && ln -s "$prefix/bin/sparsekit" links/sk
links/sk mat-info -S -M c.npz | grep -q Z_ood || fail "sparsekit through a symlink did not run mat-info"
echo ran
SH

case $SK_TMP/ in "$SK_ROOT"/*) hide=no ;; *) hide=yes ;; esac   # hiding must not hide us
if [ $hide = yes ] && [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    # Hide the checkout (and so every path into it) while the copy runs.
    unshare -m bash -c 'mount -t tmpfs none "$1" && [ -z "$(ls -A "$1")" ] && shift && exec bash "$@"' _ \
        "$SK_ROOT" "$SK_TMP/inner.sh" "$prefix" "$SK_TMP" "$SK_TMP/tools.txt" "$SK_ROOT" > inner.out 2>&1 ||
        { cat inner.out; fail "the installed tools failed with the checkout hidden"; }
    grep -qx ran inner.out || { cat inner.out; fail "the hidden-checkout run did not finish"; }
    echo "ran with $SK_ROOT hidden"
else
    echo "note: no private mount namespace here; ran from the copy with the checkout visible"
    bash inner.sh "$prefix" "$SK_TMP" "$SK_TMP/tools.txt" > inner.out 2>&1 || { cat inner.out; fail "the installed tools failed"; }
fi
