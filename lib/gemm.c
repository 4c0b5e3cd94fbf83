#define _GNU_SOURCE
#include "gemm.h"

#include <blis.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

/* Products below this many multiply-adds run on one thread: BLIS starts and
 * stops its OpenMP team on every call, which costs more than small products. */
#define SK_GEMM_SERIAL_BELOW (1u << 20)

/* BLIS 0.9 picks its kernels from the CPU's vendor, family and model; it does
 * not know AMD family 0x1A (Zen 5) and falls back to the slow generic kernels
 * (about 1/5 of the speed). Unless the user chose (BLIS_ARCH_TYPE), select the
 * kernels the CPU's instruction set supports, before BLIS initialises. */
static bool cpu_is_unknown_amd(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d) || b != 0x68747541u) /* "Auth"enticAMD */
        return false;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    unsigned family = (a >> 8) & 0xf;
    if (family == 0xf)
        family += (a >> 20) & 0xff;
    return family >= 0x1a;
}

__attribute__((constructor)) static void sk_blas_choose_kernels(void)
{
    if (getenv("BLIS_ARCH_TYPE") || !cpu_is_unknown_amd())
        return;
    __builtin_cpu_init();
    int arch = -1;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        arch = BLIS_ARCH_SKX;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        arch = BLIS_ARCH_ZEN3;
    if (arch >= 0) {
        char id[16];
        snprintf(id, sizeof id, "%d", arch);
        setenv("BLIS_ARCH_TYPE", id, 0);
    }
}

/* The runtime object of every product: one thread for small products (else
 * the global setting, sk_gemm_set_threads), and never BLIS's "sup" path.
 * Debian 12's BLIS 0.9 sup kernels read past the end of their operands on many
 * edge shapes (with the zen3 and haswell kernels, 10% of the shapes of
 * tests/unit/test_gemm.c's guard-page sweep; e.g. a C with 2 columns is loaded
 * 16 bytes a row), which faults when an operand ends at a page boundary (CI: a
 * SEGV under ASan in metrics.c's correlation product). A runtime from
 * bli_rntm_init enables sup, the global one (BLIS 0.9) does not; we say so
 * explicitly. The packed path reads only inside the operands; bench_gemm
 * prints what it costs on sparsekit's shapes. */
static rntm_t *runtime_for(size_t m, size_t n, size_t k, rntm_t *rntm)
{
    bli_rntm_init_from_global(rntm);
    if ((double)m * (double)n * (double)k < SK_GEMM_SERIAL_BELOW)
        bli_rntm_set_num_threads(1, rntm);
    bli_rntm_disable_l3_sup(rntm);
    return rntm;
}

/* sk_gemm under the runtime rntm. */
static void sgemm_with(rntm_t *rntm, bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
                       float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                       float beta, float *C, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    /* BLIS takes general strides: a row-major matrix has row stride ld, column
     * stride 1; the transposition flag applies to the stored matrix. */
    bli_sgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
                 (float *)A, (inc_t)lda, 1, (float *)B, (inc_t)ldb, 1,
                 &beta, C, (inc_t)ldc, 1, NULL, rntm);
}

void sk_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
             float alpha, const float *A, size_t lda, const float *B, size_t ldb,
             float beta, float *C, size_t ldc)
{
    rntm_t rntm;
    sgemm_with(runtime_for(m, n, k, &rntm), trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sk_gemm_on_this_thread(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
                            float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                            float beta, float *C, size_t ldc)
{
    rntm_t rntm;
    runtime_for(m, n, k, &rntm);
    bli_rntm_set_num_threads(1, &rntm);
    sgemm_with(&rntm, trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sk_dgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
              double alpha, const double *A, size_t lda, const double *B, size_t ldb,
              double beta, double *C, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    rntm_t rntm;
    bli_dgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
                 (double *)A, (inc_t)lda, 1, (double *)B, (inc_t)ldb, 1,
                 &beta, C, (inc_t)ldc, 1, NULL, runtime_for(m, n, k, &rntm));
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
#ifdef _OPENMP
    omp_set_num_threads(threads < 1 ? 1 : threads); /* the default team (e.g. lib/zip.c's) */
#endif
}

int sk_gemm_get_threads(void)
{
    dim_t n = bli_thread_get_num_threads();
    return n < 1 ? 1 : (int)n;
}

int sk_scratch_init(SkThreadScratch *s, size_t slot, int threads)
{
    s->slot = slot;
    s->slots = threads < 1 ? 1 : threads;
    s->buf = slot <= (size_t)-1 / (size_t)s->slots ? malloc((size_t)s->slots * slot) : NULL;
    return s->buf ? 0 : -1;
}

void sk_scratch_release(SkThreadScratch *s)
{
    free(s->buf);
    *s = (SkThreadScratch){0};
}

int sk_scratch_threads(SkThreadScratch *s, int want)
{
    if (want > s->slots && s->slot <= (size_t)-1 / (size_t)want) {
        unsigned char *more = realloc(s->buf, (size_t)want * s->slot);
        if (more) {
            s->buf = more;
            s->slots = want;
        }
    }
    return want < s->slots ? (want < 1 ? 1 : want) : s->slots;
}

void *sk_scratch_slot(const SkThreadScratch *s)
{
#ifdef _OPENMP
    return s->buf + (size_t)omp_get_thread_num() * s->slot;
#else
    return s->buf;
#endif
}

const char *sk_gemm_kernels(void)
{
    bli_init(); /* the kernel table exists only once BLIS has initialised */
    return bli_arch_string(bli_arch_query_id());
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

int sk_threads_for_work(long requested, double work, double serial_below)
{
    if (requested > 0)
        return (int)requested;
    return work < serial_below ? 1 : sk_default_threads();
}
