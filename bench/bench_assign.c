/* bench_assign.c — time the assignment solver on n × n problems like the
 * metrics produce (float weights, maximised), with in-process baselines.
 *
 *   build/bench/bench_assign [n]      (default n = 10000; small size = n/5)
 *
 * Cases:
 *   planted: |correlation|-like, row i's partner perm(i) has weight
 *            U(0.5, 1), every other entry |N(0, 0.02²)| (the noise level of a
 *            correlation over 2 500 samples);
 *   noise:   every entry |N(0, 1)|.
 * Baselines printed as ratios: one pass reading the whole matrix (sum), and
 * the same solver at n/5 (ideal O(n²) scaling is 25×, O(n³) is 125×).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "assign.h"
#include "rng.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void fill_planted(float *w, size_t n, uint64_t seed)
{
    Rng r;
    rng_init(&r, seed, 0);
    size_t *perm = malloc(n * sizeof *perm);
    rng_permutation(&r, n, perm);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            w[i * n + j] = (float)(perm[i] == j ? 0.5 + 0.5 * rng_uniform(&r)
                                                : fabs(0.02 * rng_normal(&r)));
    free(perm);
}

static void fill_noise(float *w, size_t n, uint64_t seed)
{
    Rng r;
    rng_init(&r, seed, 1);
    for (size_t k = 0; k < n * n; k++)
        w[k] = (float)fabs(rng_normal(&r));
}

/* Seconds for one pass summing the matrix; the sum is returned via *sink. */
static double time_read_once(const float *w, size_t count, volatile double *sink)
{
    double t0 = now(), s = 0.0;
    for (size_t k = 0; k < count; k++)
        s += w[k];
    *sink = s;
    return now() - t0;
}

/* Seconds to solve; total weight in *total. Returns < 0 on failure. */
static double time_solve(const float *w, size_t n, double *total)
{
    long *x = malloc(n * sizeof *x);
    SkErr err = {{0}};
    double t0 = now();
    int rc = assign_solve_f32(w, n, n, ASSIGN_MAXIMIZE, x, &err);
    double t = now() - t0;
    if (rc) {
        fprintf(stderr, "bench_assign: %s\n", err.msg);
        free(x);
        return -1.0;
    }
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += w[i * n + (size_t)x[i]];
    *total = s;
    free(x);
    return t;
}

static int run_case(const char *name, void (*fill)(float *, size_t, uint64_t), size_t n)
{
    size_t small = n / 5 > 0 ? n / 5 : 1;
    float *w = malloc(n * n * sizeof *w);
    if (!w) {
        fprintf(stderr, "bench_assign: out of memory for %zu x %zu\n", n, n);
        return 1;
    }
    volatile double sink;
    double total_small, total;
    fill(w, small, 7);
    double t_small = time_solve(w, small, &total_small);
    fill(w, n, 7);
    double t_read = time_read_once(w, n * n, &sink);
    double t = time_solve(w, n, &total);
    if (t < 0 || t_small < 0) {
        free(w);
        return 1;
    }
    printf("%-8s n=%-6zu solve %8.3f s  total %.6g  | read-once %.4f s (ratio %.0fx)"
           "  | n=%zu solve %.3f s (ratio %.1fx)\n",
           name, n, t, total, t_read, t / t_read, small, t_small, t / t_small);
    free(w);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 10000;
    if (argc > 1) {
        char *end;
        long v = strtol(argv[1], &end, 10);
        if (*end || v < 5 || v > 50000) {
            fprintf(stderr, "usage: bench_assign [n]   (5 <= n <= 50000, default 10000)\n");
            return 2;
        }
        n = (size_t)v;
    }
    int rc = run_case("planted", fill_planted, n);
    rc |= run_case("noise", fill_noise, n);
    return rc;
}
