# lib.sh — helpers for the install tests (source it after tests/cli/lib.sh).
# sk_install DEST [make variables...] — `make install DESTDIR=DEST PREFIX=/usr`
# from the checkout, in a make of its own (not the jobserver of the make check
# that runs us), with the same SANITIZE flavour as the tools under test.
: "${SK_ROOT:?run through tests/run-all.sh}"

sk_flavour() { [ "$(basename "$SK_BUILD")" = build-asan ] && echo 1 || echo; }

sk_make() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$SK_ROOT" --no-print-directory -s \
        SANITIZE="$(sk_flavour)" "$@"
}

sk_install() {
    local dest=$1; shift
    sk_make install DESTDIR="$dest" PREFIX=/usr "$@" >"$SK_TMP/install.log" 2>&1 ||
        { cat "$SK_TMP/install.log" >&2; fail "make install DESTDIR=$dest failed"; }
}

# The tools a checkout has (tools/TOOL.c), one a line, sorted.
sk_tool_names() { ls "$SK_ROOT"/tools/*.c | sed 's#.*/##; s#\.c$##' | LC_ALL=C sort; }

# Compiler flags that the library under test needs from a program linking it
# (the sanitizer runtime when the tools were built with SANITIZE=1).
sk_extra_cflags() { [ -z "$(sk_flavour)" ] || echo "-fsanitize=address,undefined"; }
