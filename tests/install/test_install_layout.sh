# make install DESTDIR=D PREFIX=/usr puts every file where mk/install.mk says
# (a list written here independently, from tools/*.c and lib/*.h), nothing else;
# make uninstall removes exactly those and leaves other files in the same folders.
source "$SK_ROOT/tests/cli/lib.sh"
source "$SK_ROOT/tests/install/lib.sh"

dest=$SK_TMP/dest
# Files of other packages in the folders sparsekit shares: they must survive.
mkdir -p "$dest/usr/bin" "$dest/usr/share/man/man1" "$dest/usr/lib/pkgconfig" "$dest/usr/include"
echo other > "$dest/usr/bin/other-tool"
echo other > "$dest/usr/share/man/man1/other-tool.1"
echo other > "$dest/usr/lib/pkgconfig/other.pc"
echo other > "$dest/usr/include/mat.h"      # a header named like one of ours
(cd "$dest" && find . \( -type f -o -type l \) | LC_ALL=C sort) > before.txt

sk_install "$dest"

{
    cat before.txt
    for t in $(sk_tool_names); do
        echo "./usr/bin/$t"
        echo "./usr/share/man/man1/$t.1"
        [ "$t" = eval ] || echo "./usr/share/bash-completion/completions/$t"
    done
    # every library header but vecmath.h (internal AVX2 kernels, not an interface)
    for h in "$SK_ROOT"/lib/*.h; do
        [ "$(basename "$h")" = vecmath.h ] || echo "./usr/include/sparsekit/$(basename "$h")"
    done
    echo ./usr/lib/libsparsekit.a
    echo ./usr/lib/pkgconfig/sparsekit.pc
    echo ./usr/share/doc/sparsekit/README.md
    echo ./usr/share/doc/sparsekit/examples/fista-lib.c
} | LC_ALL=C sort > expected.txt
(cd "$dest" && find . \( -type f -o -type l \) | LC_ALL=C sort) > installed.txt
diff expected.txt installed.txt || fail "installed files differ from the expected list (< expected, > installed)"

# What each file is.
for t in $(sk_tool_names); do
    [ -x "$dest/usr/bin/$t" ] && [ ! -L "$dest/usr/bin/$t" ] || fail "usr/bin/$t is not an executable file"
    [ "$(stat -c %a "$dest/usr/share/man/man1/$t.1")" = 644 ] || fail "man page $t.1 is not mode 644"
done
[ "$(cat "$dest/usr/include/mat.h")" = other ] || fail "install overwrote another package's usr/include/mat.h"
comp=$dest/usr/share/bash-completion/completions
[ -f "$comp/sparsekit" ] && [ ! -L "$comp/sparsekit" ] || fail "completions/sparsekit is not a file"
[ "$(readlink "$comp/fista")" = sparsekit ] || fail "completions/fista does not link to sparsekit"
assert_same_bytes "$SK_ROOT/README.md" "$dest/usr/share/doc/sparsekit/README.md"
cmp -s "$SK_ROOT/lib/fista.h" "$dest/usr/include/sparsekit/fista.h" || fail "fista.h not installed as is"
grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/sparsekit.pc" || fail "sparsekit.pc: prefix is not /usr"
grep -qx 'libdir=${prefix}/lib' "$dest/usr/lib/pkgconfig/sparsekit.pc" || fail "sparsekit.pc: libdir not relative to prefix"

# No path into the checkout in any installed text file, nor in the tools once
# their debug information (which names the sources, as any -g build does) is gone.
if grep -rlF "$SK_ROOT" "$dest" --exclude-dir=bin --exclude='*.a' > leaks.txt; then
    fail "installed files name the checkout $SK_ROOT: $(tr '\n' ' ' < leaks.txt)"
fi
for t in $(sk_tool_names); do
    objcopy --strip-debug "$dest/usr/bin/$t" stripped
    ! grep -qF "$SK_ROOT" stripped || fail "usr/bin/$t names the checkout $SK_ROOT outside its debug information"
done

# Installing again over an installed tree works and changes no file list.
sk_install "$dest"
(cd "$dest" && find . \( -type f -o -type l \) | LC_ALL=C sort) > again.txt
diff installed.txt again.txt || fail "a second make install changed the installed files"

# uninstall removes exactly what install put there, and sparsekit's own folders.
sk_make uninstall DESTDIR="$dest" PREFIX=/usr > uninstall.log 2>&1 || { cat uninstall.log; fail "make uninstall failed"; }
(cd "$dest" && find . \( -type f -o -type l \) | LC_ALL=C sort) > after.txt
diff before.txt after.txt || fail "after uninstall the files differ from before install (< before, > after)"
for d in usr/include/sparsekit usr/share/doc/sparsekit; do
    [ ! -e "$dest/$d" ] || fail "uninstall left the folder $d"
done
# and is harmless when nothing is installed
sk_make uninstall DESTDIR="$dest" PREFIX=/usr > uninstall.log 2>&1 || { cat uninstall.log; fail "a second make uninstall failed"; }

# PREFIX=$HOME/.local style: everything under that prefix, pkg-config file relative.
home=$SK_TMP/home
sk_make install DESTDIR= PREFIX="$home/.local" > local.log 2>&1 || { cat local.log; fail "make install PREFIX=$home/.local failed"; }
[ -x "$home/.local/bin/sparsekit" ] || fail "no $home/.local/bin/sparsekit"
[ -f "$home/.local/share/man/man1/fista.1" ] || fail "no $home/.local/share/man/man1/fista.1"
grep -qx "prefix=$home/.local" "$home/.local/lib/pkgconfig/sparsekit.pc" || fail "sparsekit.pc prefix is not $home/.local"
sk_make uninstall DESTDIR= PREFIX="$home/.local" > local.log 2>&1 || { cat local.log; fail "make uninstall PREFIX=$home/.local failed"; }
left=$(find "$home" \( -type f -o -type l \) | wc -l)
[ "$left" -eq 0 ] || fail "uninstall from $home/.local left $left files"
