/* test_gemm.c — sk_gemm (BLIS) against sk_gemm_naive (triple loop, double sums):
 * all four transpose combinations, odd shapes, row strides ld > cols,
 * alpha/beta special cases, 1 and 2 threads; a product in row blocks, each on
 * its own thread (sk_gemm_on_this_thread); and a sweep of edge shapes with
 * every operand ending at an unreadable page, so no product reads past its
 * operands (BLIS 0.9's sup kernels did, on 10% of these shapes). */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gemm.h"
#include "rng.h"
#include "testutil.h"

/* A stored matrix with padding: rows × ld floats, the cols used ones random,
 * the padding filled with a sentinel so we can check it stays untouched. */
typedef struct {
    size_t rows, cols, ld;
    float *v;
} Strided;

static const float PAD = -12345.0f;

static Strided strided_random(Rng *rng, size_t rows, size_t cols, size_t pad)
{
    Strided s = {rows, cols, cols + pad, NULL};
    s.v = malloc((rows * s.ld + 1) * sizeof *s.v);
    ck_assert_ptr_nonnull(s.v);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < s.ld; j++)
            s.v[i * s.ld + j] = j < cols ? (float)(2.0 * rng_uniform(rng) - 1.0) : PAD;
    return s;
}

static Strided strided_copy(const Strided *src)
{
    Strided s = *src;
    s.v = malloc((s.rows * s.ld + 1) * sizeof *s.v);
    ck_assert_ptr_nonnull(s.v);
    memcpy(s.v, src->v, (s.rows * s.ld + 1) * sizeof *s.v);
    return s;
}

/* Σ_p |op(A)_ip| |op(B)_pj|: the scale of the rounding error of element (i, j). */
static double abs_product(bool ta, bool tb, size_t k, const Strided *a, const Strided *b,
                          size_t i, size_t j)
{
    double s = 0.0;
    for (size_t p = 0; p < k; p++) {
        float x = ta ? a->v[p * a->ld + i] : a->v[i * a->ld + p];
        float y = tb ? b->v[j * b->ld + p] : b->v[p * b->ld + j];
        s += fabs((double)x * (double)y);
    }
    return s;
}

/* One case: C (m × n) = alpha op(A) op(B) + beta C, with padded strides. */
static void check_case(Rng *rng, bool ta, bool tb, size_t m, size_t n, size_t k,
                       float alpha, float beta, size_t pad, bool c_starts_nan)
{
    Strided a = ta ? strided_random(rng, k, m, pad) : strided_random(rng, m, k, pad);
    Strided b = tb ? strided_random(rng, n, k, pad + 1) : strided_random(rng, k, n, pad + 1);
    Strided c = strided_random(rng, m, n, pad + 2);
    if (c_starts_nan) /* beta == 0 must not read C (BLIS and our naive twin) */
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                c.v[i * c.ld + j] = NAN;
    Strided want = strided_copy(&c);
    Strided c0 = strided_copy(&c);

    sk_gemm(ta, tb, m, n, k, alpha, a.v, a.ld, b.v, b.ld, beta, c.v, c.ld);
    sk_gemm_naive(ta, tb, m, n, k, alpha, a.v, a.ld, b.v, b.ld, beta, want.v, want.ld);

    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < c.ld; j++) {
            float got = c.v[i * c.ld + j], ref = want.v[i * c.ld + j];
            if (j >= n) {
                ck_assert_msg(got == PAD, "padding of C touched at (%zu,%zu)", i, j);
                continue;
            }
            double prior = beta == 0.0f ? 0.0 : fabs((double)beta * c0.v[i * c.ld + j]);
            double scale = fabs((double)alpha) * abs_product(ta, tb, k, &a, &b, i, j) + prior;
            double tol = 4e-7 * (double)(k + 2) * scale + 1e-30;
            ck_assert_msg(isfinite(got) && fabs((double)got - ref) <= tol,
                          "ta=%d tb=%d m=%zu n=%zu k=%zu alpha=%g beta=%g: C(%zu,%zu) = %.9g, "
                          "naive %.9g (tol %.3g)", ta, tb, m, n, k, alpha, beta, i, j, got, ref, tol);
        }
    }
    free(a.v);
    free(b.v);
    free(c.v);
    free(want.v);
    free(c0.v);
}

static const size_t SHAPES[][3] = {
    {1, 1, 1}, {7, 5, 3}, {13, 17, 29}, {33, 1, 65}, {1, 40, 9}, {64, 48, 139}, {97, 131, 61},
};
static const float ALPHA_BETA[][2] = {{1, 0}, {1, 1}, {-0.5f, 0.25f}, {2, -1}, {0, 0.5f}};

static void run_all_cases(int threads)
{
    sk_gemm_set_threads(threads);
    Rng rng;
    rng_init(&rng, 12345u + (uint64_t)threads, 0);
    for (int t = 0; t < 4; t++)
        for (size_t s = 0; s < sizeof SHAPES / sizeof SHAPES[0]; s++)
            for (size_t ab = 0; ab < sizeof ALPHA_BETA / sizeof ALPHA_BETA[0]; ab++)
                check_case(&rng, t & 1, t & 2, SHAPES[s][0], SHAPES[s][1], SHAPES[s][2],
                           ALPHA_BETA[ab][0], ALPHA_BETA[ab][1], s % 3 == 0 ? 0 : s, false);
    sk_gemm_set_threads(1);
}

START_TEST(all_transposes_one_thread) { run_all_cases(1); }
END_TEST

START_TEST(all_transposes_two_threads) { run_all_cases(2); }
END_TEST

/* beta = 0 overwrites C even when it holds NaN. */
START_TEST(beta_zero_ignores_c)
{
    Rng rng;
    rng_init(&rng, 7, 0);
    for (int t = 0; t < 4; t++)
        check_case(&rng, t & 1, t & 2, 21, 19, 11, 1.5f, 0.0f, 3, true);
}
END_TEST

/* k = 0: C = beta C. */
START_TEST(empty_inner_dimension_scales_c)
{
    Rng rng;
    rng_init(&rng, 8, 0);
    check_case(&rng, false, false, 5, 6, 0, 1.0f, 0.5f, 1, false);
    check_case(&rng, true, true, 5, 6, 0, 1.0f, 0.0f, 0, false);
}
END_TEST

/* A known product by hand, so the test does not only trust the naive twin. */
START_TEST(known_product)
{
    const float a[6] = {1, 2, 3, 4, 5, 6};         /* 2 × 3 */
    const float b[6] = {7, 8, 9, 10, 11, 12};      /* 3 × 2 */
    float c[4] = {1, 1, 1, 1};
    sk_gemm(false, false, 2, 2, 3, 1.0f, a, 3, b, 2, 2.0f, c, 2);
    const float want[4] = {58 + 2, 64 + 2, 139 + 2, 154 + 2};
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(c[i], want[i]);
    /* Aᵀ (3 × 2) times Aᵀᵀ... use trans flags: C = Aᵀ A (3 × 3), symmetric. */
    float g[9];
    sk_gemm(true, false, 3, 3, 2, 1.0f, a, 3, a, 3, 0.0f, g, 3);
    const float gw[9] = {17, 22, 27, 22, 29, 36, 27, 36, 45};
    for (int i = 0; i < 9; i++)
        ck_assert_float_eq(g[i], gw[i]);
}
END_TEST

/* sk_gemm_on_this_thread: each of 4 OpenMP threads computes its own row
 * block of a product large enough for BLIS to thread (2 threads set); the
 * blocks together give sk_gemm's product on the whole, to the bit. */
START_TEST(on_this_thread_inside_parallel_region)
{
    enum { M = 256, N = 96, K = 400, BLOCKS = 4 };
    Rng rng;
    rng_init(&rng, 9, 0);
    float *a = malloc(M * K * sizeof *a), *b = malloc(K * N * sizeof *b);
    float *whole = malloc(M * N * sizeof *whole), *blocks = malloc(M * N * sizeof *blocks);
    for (size_t i = 0; i < M * K; i++)
        a[i] = (float)rng_normal(&rng);
    for (size_t i = 0; i < K * N; i++)
        b[i] = (float)rng_normal(&rng);
    sk_gemm_set_threads(2);
    sk_gemm(false, false, M, N, K, 1.0f, a, K, b, N, 0.0f, whole, N);
#pragma omp parallel for num_threads(BLOCKS)
    for (int t = 0; t < BLOCKS; t++) {
        size_t r0 = (size_t)t * (M / BLOCKS);
        sk_gemm_on_this_thread(false, false, M / BLOCKS, N, K, 1.0f, a + r0 * K, K, b, N, 0.0f,
                               blocks + r0 * N, N);
    }
    sk_gemm_set_threads(1);
    ck_assert(memcmp(whole, blocks, M * N * sizeof *whole) == 0);
    free(a), free(b), free(whole), free(blocks);
}
END_TEST

/* ---- reads stay inside the operands ------------------------------------ */

/* `count` elements of `size` bytes placed so that the last one ends where an
 * unreadable (PROT_NONE) page begins: any read past the end faults. */
typedef struct {
    void *map;
    size_t map_len;
    void *v;
} Guarded;

static Guarded guarded_alloc(size_t count, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = count * size;
    size_t data_pages = (bytes + page - 1) / page;
    Guarded g = {NULL, (data_pages + 1) * page, NULL};
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_msg(g.map != MAP_FAILED, "mmap of %zu bytes", g.map_len);
    char *guard_page = (char *)g.map + data_pages * page;
    ck_assert_int_eq(mprotect(guard_page, page, PROT_NONE), 0);
    g.v = guard_page - bytes;
    memset(g.v, 0, bytes);
    return g;
}

static void guarded_free(Guarded *g) { munmap(g->map, g->map_len); }

/* The fault handler jumps back to the sweep, which names the shape. */
static sigjmp_buf fault_return;
static void on_fault(int sig) { siglongjmp(fault_return, sig); }

/* One product at m × n × k, float or double, transposes and beta from t's
 * bits (1: A, 2: B, 4: beta = 1), operands packed tight (ld = cols) against a
 * guard page. Returns false (and prints the case) when a read faulted. (Its
 * own function, so nothing sigsetjmp saw changes before a longjmp back.) */
static bool product_stays_inside(size_t m, size_t n, size_t k, bool use_double, int t)
{
    size_t el = use_double ? sizeof(double) : sizeof(float);
    bool ta = t & 1, tb = t & 2, beta_one = t & 4;
    Guarded a = guarded_alloc(m * k, el), b = guarded_alloc(k * n, el), c = guarded_alloc(m * n, el);
    size_t lda = ta ? m : k, ldb = tb ? k : n;
    int sig = sigsetjmp(fault_return, 1);
    if (sig == 0) {
        if (use_double)
            sk_dgemm(ta, tb, m, n, k, 1.0, a.v, lda, b.v, ldb, beta_one ? 1.0 : 0.0, c.v, n);
        else
            sk_gemm(ta, tb, m, n, k, 1.0f, a.v, lda, b.v, ldb, beta_one ? 1.0f : 0.0f, c.v, n);
    }
    guarded_free(&a);
    guarded_free(&b);
    guarded_free(&c);
    if (sig != 0)
        fprintf(stderr, "%s m=%zu n=%zu k=%zu ta=%d tb=%d beta=%d read outside its operands\n",
                use_double ? "dgemm" : "sgemm", m, n, k, ta, tb, beta_one);
    return sig == 0;
}

/* Edge sizes around the kernels' register blocks (4, 6, 8, 16, 24, 32, 48)
 * and the old sup thresholds; every combination, both precisions. */
static void sweep_guarded_shapes(int threads)
{
    static const size_t DIMS[] = {1, 2, 3, 5, 7, 9, 15, 17, 23, 31, 47, 64, 97, 250};
    const size_t nd = sizeof DIMS / sizeof DIMS[0];
    struct sigaction on = {0}, before_segv, before_bus;
    on.sa_handler = on_fault;
    sigaction(SIGSEGV, &on, &before_segv);
    sigaction(SIGBUS, &on, &before_bus);
    sk_gemm_set_threads(threads);
    size_t faults = 0;
    for (size_t i = 0; i < nd; i++)
        for (size_t j = 0; j < nd; j++)
            for (size_t p = 0; p < nd; p++)
                for (int t = 0; t < 16; t++) /* 8 transpose/beta cases, float and double */
                    faults += !product_stays_inside(DIMS[i], DIMS[j], DIMS[p], t & 8, t & 7);
    sk_gemm_set_threads(1);
    sigaction(SIGSEGV, &before_segv, NULL);
    sigaction(SIGBUS, &before_bus, NULL);
    ck_assert_msg(faults == 0, "%zu shapes read outside their operands (listed on stderr)", faults);
}

START_TEST(reads_stay_inside_operands_one_thread) { sweep_guarded_shapes(1); }
END_TEST

START_TEST(reads_stay_inside_operands_two_threads) { sweep_guarded_shapes(2); }
END_TEST

/* When BLIS_ARCH_TYPE forces a kernel family (CI runs the suites again with
 * the AVX2 kernels), those are the kernels in use: BLIS 0.9 takes the index of
 * its arch_t enum (0 skx, 3 haswell, 6 zen3, ...). */
START_TEST(forced_kernels_are_used)
{
    static const char *const by_index[] = {"skx", "knl", "knc", "haswell", "sandybridge",
                                           "penryn", "zen3"};
    const char *forced = getenv("BLIS_ARCH_TYPE");
    const char *in_use = sk_gemm_kernels();
    ck_assert_msg(in_use && *in_use, "no kernel name");
    if (!forced || !*forced)
        return;
    char *end;
    long id = strtol(forced, &end, 10);
    if (*end || id < 0 || id >= (long)(sizeof by_index / sizeof *by_index))
        return; /* an index this table does not name: BLIS checks it itself */
    ck_assert_msg(strcmp(in_use, by_index[id]) == 0, "BLIS_ARCH_TYPE=%s but the kernels are %s",
                  forced, in_use);
}
END_TEST

START_TEST(default_threads_positive) { ck_assert_int_ge(sk_default_threads(), 1); }
END_TEST

static Suite *gemm_suite(void)
{
    Suite *s = suite_create("gemm");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, known_product);
    tcase_add_test(tc, on_this_thread_inside_parallel_region);
    tcase_add_test(tc, all_transposes_one_thread);
    tcase_add_test(tc, all_transposes_two_threads);
    tcase_add_test(tc, beta_zero_ignores_c);
    tcase_add_test(tc, empty_inner_dimension_scales_c);
    tcase_add_test(tc, default_threads_positive);
    tcase_add_test(tc, forced_kernels_are_used);
    tcase_add_test(tc, reads_stay_inside_operands_one_thread);
    tcase_add_test(tc, reads_stay_inside_operands_two_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(gemm_suite()); }
