# A C program builds against the installed library with nothing but
# `pkg-config --cflags --libs sparsekit` (the DESTDIR tree relocated with a
# prefix override), and gets the same MCC as the tools' pipe: the installed
# example (share/doc/sparsekit/examples/fista-lib.c) draws a dataset and runs
# FISTA on its true dictionary. Each installed header also compiles on its own.
source "$SK_ROOT/tests/cli/lib.sh"
source "$SK_ROOT/tests/install/lib.sh"

dest=$SK_TMP/dest
sk_install "$dest"
usr=$dest/usr
export PKG_CONFIG_PATH=$usr/lib/pkgconfig
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR CPATH C_INCLUDE_PATH LIBRARY_PATH
extra=$(sk_extra_cflags)

flags=$(pkg-config --define-variable=prefix="$usr" --cflags --libs sparsekit) ||
    fail "pkg-config does not find sparsekit in $PKG_CONFIG_PATH"
case " $flags " in *" -I$usr/include "*) ;; *) fail "cflags do not point into the install: $flags" ;; esac
case " $flags " in *"$SK_ROOT"*) fail "pkg-config flags name the checkout: $flags" ;; esac
[ "$(pkg-config --modversion sparsekit)" = "$(grep -o 'VERSION := .*' "$SK_ROOT/Makefile" | cut -d ' ' -f 3)" ] ||
    fail "sparsekit.pc version $(pkg-config --modversion sparsekit) is not the Makefile's"

# The example, compiled from its installed copy with warnings as errors.
cp "$usr/share/doc/sparsekit/examples/fista-lib.c" .
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror $extra fista-lib.c $flags -o fista-lib ||
    fail "the example does not build with: cc fista-lib.c $flags"
./fista-lib > lib.out || { cat lib.out; fail "the example failed"; }
lib_mcc=$(sed -n 's/.*mcc_id //p' lib.out)
[ -n "$lib_mcc" ] || fail "the example printed no mcc_id: $(cat lib.out)"

# The same computation through the tools: the same number.
"$usr/bin/gen-data" --dz 50 --k 3 --p 1000 --seed 0 -o data.npz
"$usr/bin/fista" --dict data.npz:A data.npz -o codes.npz
tool_mcc=$("$usr/bin/sparsekit" eval --data data.npz --codes codes.npz | awk -F '\t' 'NR == 2 { print $1 }')
[ "$lib_mcc" = "$tool_mcc" ] || fail "library example mcc_id $lib_mcc, tools' mcc_id $tool_mcc"
awk -v m="$lib_mcc" 'BEGIN { exit !(m > 0.9) }' || fail "oracle mcc_id $lib_mcc is not above 0.9"

# pkg-config's own relocation (--define-prefix: prefix from the .pc's folder) too.
flags2=$(pkg-config --define-prefix --cflags --libs sparsekit)
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror $extra fista-lib.c $flags2 -o fista-lib2 || fail "no build with --define-prefix: $flags2"
[ "$(./fista-lib2)" = "$(cat lib.out)" ] || fail "the --define-prefix build prints something else"

# Every installed header on its own, found as <sparsekit/NAME.h> with no other
# include path: the installed headers are self-consistent.
cflags=$(pkg-config --define-variable=prefix="$usr" --cflags sparsekit)
for h in "$usr"/include/sparsekit/*.h; do
    # shellcheck disable=SC2086
    printf '#include <sparsekit/%s>\n' "$(basename "$h")" |
        cc -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags -x c - ||
        fail "the installed header sparsekit/$(basename "$h") does not compile alone"
done
