# check-deps.sh names the Debian package of a missing dependency. A stand-in
# compiler that cannot find <blis.h> or <check.h> plays the machine that lacks them.
source "$(dirname "$0")/lib.sh"

mkdir -p fakebin
cat > fakebin/cc <<'SH'
#!/usr/bin/env bash
input=$(cat)
case $input in *blis.h*|*check.h*) echo "fatal error: no such header" >&2; exit 1 ;; esac
printf '%s\n' "$input" | exec /usr/bin/cc "$@"
SH
chmod +x fakebin/cc

expect_status 0 env CC=/usr/bin/cc bash "$SK_ROOT/scripts/check-deps.sh" build
expect_status 1 env CC="$SK_TMP/fakebin/cc" bash "$SK_ROOT/scripts/check-deps.sh" build
grep -q "install the Debian package libblis-openmp-dev" "$SK_TMP/err" || fail "no package named: $(cat "$SK_TMP/err")"
grep -q "check" "$SK_TMP/err" && fail "build purpose should not ask for Check"
expect_status 1 env CC="$SK_TMP/fakebin/cc" bash "$SK_ROOT/scripts/check-deps.sh" test
grep -q "install the Debian package check " "$SK_TMP/err" || fail "Check not named: $(cat "$SK_TMP/err")"
# gnuplot missing: a PATH without it
mkdir -p nognuplot
for t in bash cc cat grep printf env; do ln -sf "$(command -v $t)" nognuplot/$t 2>/dev/null || true; done
expect_status 1 env PATH="$SK_TMP/nognuplot" CC=/usr/bin/cc bash "$SK_ROOT/scripts/check-deps.sh" figures
grep -q "gnuplot-nox" "$SK_TMP/err" || fail "gnuplot-nox not named: $(cat "$SK_TMP/err")"
# help2man missing (the same PATH): the manual pages name it
expect_status 1 env PATH="$SK_TMP/nognuplot" CC=/usr/bin/cc bash "$SK_ROOT/scripts/check-deps.sh" man
grep -q "install the Debian package help2man" "$SK_TMP/err" || fail "help2man not named: $(cat "$SK_TMP/err")"
