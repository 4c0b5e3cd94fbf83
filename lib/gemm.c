#define _GNU_SOURCE
#include "gemm.h"

#include <blis.h>
#include <sched.h>
#include <stdlib.h>

void sk_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
             float alpha, const float *A, size_t lda, const float *B, size_t ldb,
             float beta, float *C, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    /* BLIS takes general strides: a row-major matrix has row stride ld, column
     * stride 1; the transposition flag applies to the stored matrix. */
    bli_sgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
              (float *)A, (inc_t)lda, 1, (float *)B, (inc_t)ldb, 1,
              &beta, C, (inc_t)ldc, 1);
}

void sk_dgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
              double alpha, const double *A, size_t lda, const double *B, size_t ldb,
              double beta, double *C, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    bli_dgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
              (double *)A, (inc_t)lda, 1, (double *)B, (inc_t)ldb, 1,
              &beta, C, (inc_t)ldc, 1);
}

void sk_gemm_naive(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
                   float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                   float beta, float *C, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double acc = 0.0;
            for (size_t p = 0; p < k; p++) {
                float a = trans_a ? A[p * lda + i] : A[i * lda + p];
                float b = trans_b ? B[j * ldb + p] : B[p * ldb + j];
                acc += (double)a * (double)b;
            }
            float prior = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * acc) + prior;
        }
}

void sk_gemm_set_threads(int threads)
{
    bli_thread_set_num_threads(threads < 1 ? 1 : threads);
}

static int positive_env(const char *name)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end == '\0' && v > 0 && v < 4096) ? (int)v : 0;
}

int sk_default_threads(void)
{
    int n = positive_env("SLURM_CPUS_PER_TASK");
    if (!n)
        n = positive_env("BLIS_NUM_THREADS");
    if (!n) {
        cpu_set_t set;
        n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    }
    return n < 1 ? 1 : n;
}
