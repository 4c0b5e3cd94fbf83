/* benchutil.h — what several benchmarks share: their clock, filled operands,
 * and a memory-bandwidth floor (a STREAM triad). Header-only: every
 * benchmark is one .c file linked with the library. */
#ifndef SK_BENCHUTIL_H
#define SK_BENCHUTIL_H

#include <stdlib.h>
#include <time.h>

#ifdef __AVX__
#include <immintrin.h>
#endif

#include "cli.h"
#include "gemm.h"

/* The clock of every timing: this thread's CPU time while BLIS runs one
 * thread (the machine may be shared: time other processes take is not ours,
 * and a loaded 2-core machine preempts a 30 ms window far more often than a
 * 3 ms one), wall time with more (their waits are part of the cost). */
static inline bool bench_uses_cpu_clock(void) { return sk_gemm_get_threads() == 1; }

static inline double bench_clock(void)
{
    if (!bench_uses_cpu_clock())
        return sk_seconds();
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* count floats (i mod 13)·step (malloc'ed; NULL when out of memory). */
static inline float *bench_filled(size_t count, float step)
{
    float *x = malloc((count ? count : 1) * sizeof *x);
    for (size_t i = 0; x && i < count; i++)
        x[i] = (float)(i % 13) * step;
    return x;
}

/* STREAM triad a = b + s c over `bytes` bytes in all (3 arrays); returns GB/s,
 * best of reps after a warm-up, counting the bytes the memory moves: 16 per
 * element (the cache reads a's line before writing it), where STREAM counts 12. */
static inline double bench_triad_gbs(double bytes, int reps)
{
    size_t count = (size_t)(bytes / 12.0) + 1;
    float *a = bench_filled(count, 0), *b = bench_filled(count, 0.1f), *c = bench_filled(count, 0.2f);
    double best = 1e30;
    for (int r = 0; a && b && c && r < reps + 1; r++) {
        double t0 = bench_clock();
        size_t i = 0;
#ifdef __AVX__
        for (; i + 8 <= count; i += 8)
            _mm256_storeu_ps(a + i, _mm256_add_ps(_mm256_loadu_ps(b + i),
                                                  _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_loadu_ps(c + i))));
#endif
        for (; i < count; i++)
            a[i] = b[i] + 0.5f * c[i];
        double dt = bench_clock() - t0;
        if (r > 0 && dt < best)
            best = dt;
    }
    volatile float sink = a ? a[count / 2] : 0.0f;
    (void)sink;
    free(a), free(b), free(c);
    return best < 1e30 ? 16.0 * (double)count / best / 1e9 : 0.0;
}

#endif
