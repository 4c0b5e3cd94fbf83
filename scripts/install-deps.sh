#!/usr/bin/env bash
# install-deps.sh [--with-fuzz] [--with-slurm] — install every Debian package
# sparsekit needs (run as root); --with-fuzz adds clang and its libFuzzer runtime
# for `make fuzz`; --with-slurm adds Slurm and munge for `make check-slurm`
# (their daemons are not started or enabled here: the test starts private ones).
set -euo pipefail
packages=(
    build-essential make pkg-config
    zlib1g-dev
    libblis-openmp-dev libblis4-openmp   # BLIS with OpenMP threads (pthread flavour re-creates threads per call)
    check libsubunit-dev                 # unit tests
    libsleef-dev                         # unit tests: SLEEF, the reference for lib/vecmath.h's exp
    gnuplot-nox                          # figures (pngcairo, pdfcairo)
    time                                 # /usr/bin/time: wall time and peak memory of each DAG step
    python3 python3-numpy python3-scipy  # interoperability tests (SciPy: sparse matrices)
    help2man man-db                      # manual pages from --help (make man, make install), read by man -l in tests
    bash-completion                      # tests/install checks that its loader finds the completion
)
for opt in "$@"; do
    case $opt in
    --with-fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --with-slurm) packages+=(slurmctld slurmd slurm-client munge) ;;
    *) echo "install-deps.sh: unknown option '$opt' (--with-fuzz, --with-slurm)" >&2; exit 2 ;;
    esac
done
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
# Use the OpenMP flavour of BLIS even when another flavour is installed too.
for alt in libblis.so.4-x86_64-linux-gnu libblis.so-x86_64-linux-gnu; do
    target=$(update-alternatives --list "$alt" 2>/dev/null | grep blis-openmp | head -n 1 || true)
    [ -n "$target" ] && update-alternatives --set "$alt" "$target" >/dev/null
done
echo "sparsekit: dependencies installed"
