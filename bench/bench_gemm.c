/* bench_gemm — sk_gemm (BLIS's packed path, see lib/gemm.c) against BLIS's
 * "sup" path for small and skinny products, on the shapes sparsekit's learners
 * multiply, measured in the same process. sk_gemm avoids sup because BLIS 0.9's
 * sup kernels read past their operands; this prints what that costs.
 *
 *   bench_gemm [--threads N]
 *
 * Per shape m × n × k (C = A·B, all four transposes summed): GFLOP/s of each
 * path (best of 3) and the ratio packed/sup (≥ 1: the packed path is faster). */
#include <blis.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gemm.h"

/* C = A·B through BLIS with the sup path allowed (BLIS's own choice). */
static void gemm_with_sup(bool ta, bool tb, size_t m, size_t n, size_t k, const float *a,
                          const float *b, float *c)
{
    float one = 1.0f, zero = 0.0f;
    rntm_t rntm;
    bli_rntm_init(&rntm); /* sup on (the global runtime of BLIS 0.9 has it off) */
    bool small = (double)m * (double)n * (double)k < (double)(1u << 20);
    bli_rntm_set_num_threads(small ? 1 : sk_gemm_get_threads(), &rntm);
    bli_sgemm_ex(ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &one, (float *)a, ta ? (inc_t)m : (inc_t)k, 1,
                 (float *)b, tb ? (inc_t)k : (inc_t)n, 1, &zero, c, (inc_t)n, 1, NULL, &rntm);
}

/* Seconds for the four transposes of m × n × k, best of 3 runs of `reps` each. */
static double time_four(bool sup, size_t m, size_t n, size_t k, int reps, const float *a,
                        const float *b, float *c)
{
    double best = 1e30;
    for (int run = 0; run < 3; run++) {
        double t0 = sk_seconds();
        for (int r = 0; r < reps; r++)
            for (int t = 0; t < 4; t++) {
                bool ta = t & 1, tb = t & 2;
                if (sup)
                    gemm_with_sup(ta, tb, m, n, k, a, b, c);
                else
                    sk_gemm(ta, tb, m, n, k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
            }
        double dt = (sk_seconds() - t0) / reps;
        best = dt < best ? dt : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    int threads = 1;
    if (argc == 3 && strcmp(argv[1], "--threads") == 0)
        threads = atoi(argv[2]);
    else if (argc != 1)
        return fprintf(stderr, "usage: bench_gemm [--threads N]\n"), 2;
    sk_gemm_set_threads(threads < 1 ? 1 : threads);
    /* codes × dictionary shapes of FISTA, the SAEs, DL-FISTA and metrics */
    static const size_t SHAPES[][3] = {
        {30, 30, 100},   {100, 100, 100}, {2500, 100, 30},  {2500, 30, 100}, {100, 100, 2500},
        {64, 1000, 93},  {1000, 93, 64},  {500, 1000, 93},  {2500, 1000, 64}, {64, 10000, 139},
        {10000, 139, 64}, {1000, 1000, 2500},
    };
    printf("kernels %s, %d thread(s)\n%6s %6s %6s %10s %10s %8s\n", sk_gemm_kernels(), threads,
           "m", "n", "k", "sup GF/s", "sk GF/s", "sk/sup");
    double log_sum = 0.0;
    size_t count = sizeof SHAPES / sizeof SHAPES[0];
    for (size_t s = 0; s < count; s++) {
        size_t m = SHAPES[s][0], n = SHAPES[s][1], k = SHAPES[s][2];
        float *a = calloc(m * k + 64, sizeof *a), *b = calloc(k * n + 64, sizeof *b),
              *c = calloc(m * n + 64, sizeof *c); /* slack: the sup path over-reads */
        if (!a || !b || !c)
            return fprintf(stderr, "bench_gemm: out of memory\n"), 1;
        for (size_t i = 0; i < m * k; i++)
            a[i] = (float)(i % 13) * 0.01f;
        for (size_t i = 0; i < k * n; i++)
            b[i] = (float)(i % 7) * 0.01f;
        double flops = 4.0 * 2.0 * (double)m * (double)n * (double)k;
        int reps = flops > 2e9 ? 1 : (int)(2e9 / flops);
        double t_sup = time_four(true, m, n, k, reps, a, b, c);
        double t_sk = time_four(false, m, n, k, reps, a, b, c);
        printf("%6zu %6zu %6zu %10.1f %10.1f %8.2f\n", m, n, k, flops / t_sup / 1e9,
               flops / t_sk / 1e9, t_sup / t_sk);
        log_sum += log(t_sup / t_sk);
        free(a), free(b), free(c);
    }
    printf("geometric mean sk/sup %.2f\n", exp(log_sum / (double)count));
    return 0;
}
