#!/usr/bin/env bash
# check-deps.sh PURPOSE — verify that what PURPOSE (build, test, figures, man) needs is
# installed; name the Debian package for anything missing. man: the manual pages
# (make man, make install); test also needs man (tests/install renders them).
set -u
purpose=${1:-build}
missing=()

have_header() {   # header, package
    if ! printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
        missing+=("$2 (for $1)")
    fi
}
have_command() {  # command, package
    command -v "$1" >/dev/null 2>&1 || missing+=("$2 (for the command $1)")
}

have_command cc gcc
have_header zlib.h zlib1g-dev
have_header blis.h libblis-openmp-dev
if [ "$purpose" = test ]; then
    have_header check.h check
    have_header sleef.h libsleef-dev
    have_command pkg-config pkg-config
    have_command help2man help2man
    have_command man man-db
    printf '#include <subunit/child.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1 ||
        missing+=("libsubunit-dev (for subunit/child.h)")
fi
if [ "$purpose" = man ]; then
    have_command help2man help2man
fi
if [ "$purpose" = figures ]; then
    have_command gnuplot gnuplot-nox
fi

if [ ${#missing[@]} -gt 0 ]; then
    for m in "${missing[@]}"; do
        echo "sparsekit: missing dependency: install the Debian package $m" >&2
    done
    echo "sparsekit: 'make deps' (as root) installs everything" >&2
    exit 1
fi
