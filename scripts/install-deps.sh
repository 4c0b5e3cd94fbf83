#!/usr/bin/env bash
# install-deps.sh [--with-fuzz] — install every Debian package sparsekit needs
# (run as root); --with-fuzz adds clang and its libFuzzer runtime for `make fuzz`.
set -euo pipefail
packages=(
    build-essential make pkg-config
    zlib1g-dev
    libblis-openmp-dev libblis4-openmp   # BLIS with OpenMP threads (pthread flavour re-creates threads per call)
    check libsubunit-dev                 # unit tests
    gnuplot-nox                          # figures (pngcairo, pdfcairo)
    time                                 # /usr/bin/time: wall time and peak memory of each DAG step
    python3 python3-numpy                # interoperability tests
)
if [ "${1:-}" = --with-fuzz ]; then
    packages+=(clang libclang-rt-14-dev)
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
# Use the OpenMP flavour of BLIS even when another flavour is installed too.
for alt in libblis.so.4-x86_64-linux-gnu libblis.so-x86_64-linux-gnu; do
    target=$(update-alternatives --list "$alt" 2>/dev/null | grep blis-openmp | head -n 1 || true)
    [ -n "$target" ] && update-alternatives --set "$alt" "$target" >/dev/null
done
echo "sparsekit: dependencies installed"
