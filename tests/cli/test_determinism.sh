#!/usr/bin/env bash
# Same inputs and seed give the same output bytes: twice in a row, through a
# pipe or a file, and with 1 or 2 BLIS threads (--threads or BLIS_NUM_THREADS).
# BLIS splits sgemm over rows/columns of C, never over the summed dimension, so
# the thread count does not change any sum; the products here are above
# lib/gemm.c's serial threshold (2^20 multiply-adds), so threads are really used.
source "$(dirname "$0")/lib.sh"

same_twice() {  # OUT CMD... — run CMD (which writes OUT) twice; same bytes
    local out=$1; shift
    "$@" && mv "$out" "$out.first" && "$@"
    assert_same_bytes "$out.first" "$out"
}

same_twice g.npz gen-data --dz 200 --k 5 --p 2000 --seed 3 -o g.npz   # Y_val 1000 x 37
gen-data --dz 200 --k 5 --p 2000 --seed 3 -o - >g_pipe.npz
assert_same_bytes g.npz g_pipe.npz

same_twice f.npz fista --threads 1 --dict g.npz:A g.npz -o f.npz
fista --threads 2 --dict g.npz:A g.npz -o f2.npz
BLIS_NUM_THREADS=2 fista --dict g.npz:A g.npz -o f_env.npz
# Worker threads over row blocks: the automatic blocks do not depend on their
# count (3 does not divide 16), nor does Slurm's CPU count.
fista --threads 3 --dict g.npz:A g.npz -o f3.npz
SLURM_CPUS_PER_TASK=3 fista --dict g.npz:A g.npz -o f_slurm.npz
assert_same_bytes f.npz f2.npz
assert_same_bytes f.npz f_env.npz
assert_same_bytes f.npz f3.npz
assert_same_bytes f.npz f_slurm.npz

same_twice p.npz probe --threads 1 --data g.npz -o p.npz
probe --threads 2 --data g.npz -o p2.npz
assert_same_bytes p.npz p2.npz

same_twice e.tsv "$SK_BIN"/eval --threads 1 --data g.npz --codes f.npz --dict g.npz:A -o e.tsv
"$SK_BIN"/eval --threads 2 --data g.npz --codes f.npz --dict g.npz:A -o e2.tsv
assert_same_bytes e.tsv e2.tsv
"$SK_BIN"/eval --data g.npz --codes f.npz --dict g.npz:A -o - <g.npz >e_pipe.tsv
assert_same_bytes e.tsv e_pipe.tsv

same_twice m.txt sh -c 'mat-print f.npz:Z_val > m.txt'
same_twice i.txt sh -c 'mat-info g.npz f.npz > i.txt'
assert_no_temp_files .
echo ok
