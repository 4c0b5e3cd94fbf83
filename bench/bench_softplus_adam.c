/* bench_softplus_adam — time per full-batch Softplus-Adam step (SPEC §3) at
 * the paper's sizes, against BLIS sgemm measured in the same process.
 *
 *   bench_softplus_adam [--threads N] [--rows N] [--dz LIST] [--steps N]
 *
 * Problem: n_val = n_ood = rows (default 2500), d_y = ceil(2·k·ln(d_z/k))
 * with k = 10, random D, Y random; pre-activations N(0,1) − 10 except 5%
 * N(0, 1): a trained model's active codes (5.5% of codes above 0.008 at the
 * end of a d_z = 100 run), so 1 − 0.95⁸ = 34% of 8-lane runs take softplus'
 * general log1p rather than its series for x < −5. A step is
 * softplus_adam_step: forward, backward and the Adam update of all
 * d_y·d_z + 2·rows·d_z parameters, as training runs it (the element-wise
 * passes on as many threads as the products). Printed per d_z: seconds per
 * step (best of --steps); its floor, the step's five products run alone
 * through sk_gemm on their own shapes and layouts (5·rows·d_y·d_z
 * multiply-adds), best of as many runs interleaved with the steps; the ratio
 * floor/step (gemm/st: 1 = the step costs no more than its products); hours
 * for 50 000 steps. For comparison, the unfused step (softplus_adam_loss_grad
 * storing the whole gradient, then adam_step) and its ratio. Last, the
 * divisions and square roots the element-wise passes must do (see
 * divisions_seconds) and (products + divisions)/step: how far the step is
 * from the floor of its products and its divider, both measured here. */
#include <getopt.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "cli.h"
#include "gemm.h"
#include "rng.h"
#include "softplus_adam.h"

/* The five products of a step on its own shapes and operand layouts
 * (lib/softplus_adam.c), on scratch operands:
 *   R_val = Z_val Dᵀ, R_ood = Z_ood Dᵀ      rows × d_y × d_z (B transposed)
 *   ∂D = R_valᵀ Z_val                      d_y × d_z × rows (A transposed)
 *   ∂Z_val = R_val D, ∂Z_ood = R_ood D     rows × d_z × d_y */
typedef struct {
    size_t rows, dy, dz;
    float *z, *d, *r, *g, *dz_out;
} Products;

static int products_init(Products *p, size_t rows, size_t dy, size_t dz)
{
    *p = (Products){rows, dy, dz, calloc(rows * dz, 4), calloc(dy * dz, 4), calloc(rows * dy, 4),
                    calloc(dy * dz, 4), calloc(rows * dz, 4)};
    if (!p->z || !p->d || !p->r || !p->g || !p->dz_out)
        return -1;
    for (size_t i = 0; i < rows * dz; i++)
        p->z[i] = (float)(i % 13) * 0.01f;
    for (size_t i = 0; i < dy * dz; i++)
        p->d[i] = (float)(i % 7) * 0.01f;
    return 0;
}

static void products_release(Products *p)
{
    free(p->z), free(p->d), free(p->r), free(p->g), free(p->dz_out);
}

/* Seconds for the five products, run back to back like a step's. */
static double products_seconds(Products *p)
{
    const size_t n = p->rows, dy = p->dy, dz = p->dz;
    double t0 = sk_seconds();
    for (int split = 0; split < 2; split++) {
        sk_gemm(false, true, n, dy, dz, 1.0f, p->z, dz, p->d, dz, 0.0f, p->r, dy);
        if (split == 0)
            sk_gemm(true, false, dy, dz, n, 1.0f, p->r, dy, p->z, dz, 0.0f, p->g, dz);
        sk_gemm(false, false, n, dz, dy, 1.0f, p->r, dy, p->d, dz, 0.0f, p->dz_out, dz);
    }
    return sk_seconds() - t0;
}

/* Seconds for the correctly rounded divisions and square roots a step's
 * element-wise passes cannot avoid (they must match PyTorch's float32 bits:
 * no reciprocal estimate), on `codes` values with `threads` threads: per
 * code, softplus' backward a·e/(e + 1) (1 division) and Adam's
 * m/(√v/√(1 − β2^t) + eps) (1 square root, 2 divisions). On AVX2 these four
 * go through one divide/square-root unit whatever else the passes do, so
 * products + divisions is a lower bound on a step (operands in L1: no
 * memory time in it). */
static double divisions_seconds(size_t codes, int threads)
{
    enum { LEN = 2048 };
    static float a[LEN], e[LEN], m[LEN], v[LEN];
    for (int i = 0; i < LEN; i++) {
        a[i] = 1e-3f * (float)(i % 17 + 1);
        e[i] = 1e-2f * (float)(i % 23 + 1);
        m[i] = 1e-4f * (float)(i % 19 + 1);
        v[i] = 1e-6f * (float)(i % 29 + 1);
    }
    const size_t vectors = (codes + 7) / 8;
    float sink = 0.0f;
    double t0 = sk_seconds();
#pragma omp parallel for reduction(+ : sink) num_threads(threads)
    for (size_t chunk = 0; chunk < (vectors + LEN / 8 - 1) / (LEN / 8); chunk++) {
        const __m256 one = _mm256_set1_ps(1.0f), bias2 = _mm256_set1_ps(0.03f),
                     eps = _mm256_set1_ps(1e-8f);
        __m256 acc = _mm256_setzero_ps();
        const size_t n = vectors - chunk * (LEN / 8) < LEN / 8 ? vectors - chunk * (LEN / 8) : LEN / 8;
        for (size_t q = 0; q < n; q++) {
            const __m256 ek = _mm256_loadu_ps(e + 8 * q);
            const __m256 g = _mm256_div_ps(_mm256_mul_ps(_mm256_loadu_ps(a + 8 * q), ek),
                                           _mm256_add_ps(ek, one));
            const __m256 d = _mm256_add_ps(
                _mm256_div_ps(_mm256_sqrt_ps(_mm256_loadu_ps(v + 8 * q)), bias2), eps);
            acc = _mm256_add_ps(acc, _mm256_add_ps(g, _mm256_div_ps(_mm256_loadu_ps(m + 8 * q), d)));
        }
        float l[8];
        _mm256_storeu_ps(l, acc);
        sink += l[0] + l[7];
    }
    double t = sk_seconds() - t0;
    if (sink == 1234.5f)   /* keeps the loop: never true for these operands */
        puts("");
    return t;
}

static Mat random_mat(Rng *r, size_t rows, size_t cols, double shift)
{
    Mat m;
    SkErr err = {{0}};
    if (mat_alloc(&m, rows, cols, &err)) {
        fprintf(stderr, "bench_softplus_adam: %s\n", err.msg);
        exit(1);
    }
    for (size_t i = 0; i < mat_size(&m); i++)
        m.v[i] = (float)(shift + rng_normal(r));
    return m;
}

/* Pre-activations: N(0, 1) − 10, a fraction `active` of them N(0, 1). */
static Mat preactivations(Rng *r, size_t rows, size_t cols, double active)
{
    Mat m = random_mat(r, rows, cols, -10.0);
    for (size_t i = 0; i < mat_size(&m); i++)
        if (rng_uniform(r) < active)
            m.v[i] += 10.0f;
    return m;
}

static void bench_one(size_t dz, size_t rows, long steps)
{
    const size_t dy = (size_t)ceil(2.0 * 10.0 * log((double)dz / 10.0));
    Rng r;
    rng_init(&r, 1, 0);
    Mat d = random_mat(&r, dy, dz, 0.0), pv = preactivations(&r, rows, dz, 0.05),
        po = preactivations(&r, rows, dz, 0.05), yv = random_mat(&r, rows, dy, 0.0),
        yo = random_mat(&r, rows, dy, 0.0);
    SoftplusAdamModel m;
    SoftplusAdamWork w;
    Adam adam;
    SkErr err = {{0}};
    float *grad = NULL;
    if (softplus_adam_model_init(&m, &d, &pv, &po, &err) || softplus_adam_work_init(&w, &m, &err) ||
        adam_init(&adam, m.n_params, &err) || !(grad = malloc(m.n_params * sizeof *grad))) {
        fprintf(stderr, "bench_softplus_adam: d_z %zu: %s\n", dz, err.msg[0] ? err.msg : "out of memory");
        exit(1);
    }
    /* warm-up: first touches of every buffer (Adam's moments are calloc'ed) */
    softplus_adam_step(&m, &yv, &yo, 0.1, &adam, 1e-3, &w);
    Products prod;
    if (products_init(&prod, rows, dy, dz)) {
        fprintf(stderr, "bench_softplus_adam: d_z %zu: out of memory\n", dz);
        exit(1);
    }
    products_seconds(&prod);   /* warm-up */
    /* best of `steps` of each, interleaved: on a shared machine the mean
     * measures the neighbours as much as the step, and a slow spell hits
     * the step and its floor alike */
    double t_step = INFINITY, t_unfused = INFINITY, t_gemm = INFINITY, t_div = INFINITY;
    const size_t codes = m.n_params - m.d_y * m.d_z;
    for (long s = 0; s < steps; s++) {   /* steps back to back, as training runs them */
        double t0 = sk_seconds();
        softplus_adam_step(&m, &yv, &yo, 0.1, &adam, 1e-3, &w);
        t_step = fmin(t_step, sk_seconds() - t0);
        t_gemm = fmin(t_gemm, products_seconds(&prod));
        t_div = fmin(t_div, divisions_seconds(codes, w.threads));
    }
    for (long s = 0; s < steps; s++) {
        double t0 = sk_seconds();
        softplus_adam_loss_grad(&m, &yv, &yo, 0.1, grad, &w);
        adam_step(&adam, m.params, grad, 1e-3);
        t_unfused = fmin(t_unfused, sk_seconds() - t0);
    }
    products_release(&prod);
    printf("%6zu %4zu %6zu %10.4f %10.4f %7.2f %9.2f %10.4f %7.2f %10.4f %8.2f\n", dz, dy, rows,
           t_step, t_gemm, t_gemm / t_step, t_step * 50000.0 / 3600.0, t_unfused, t_gemm / t_unfused,
           t_div, (t_gemm + t_div) / t_step);
    fflush(stdout);
    free(grad);
    adam_release(&adam);
    softplus_adam_work_release(&w);
    softplus_adam_model_release(&m);
    Mat all[] = {d, pv, po, yv, yo};
    for (int i = 0; i < 5; i++)
        mat_release(&all[i]);
}

int main(int argc, char **argv)
{
    long threads = 1, rows = 2500, steps = 0;
    const char *dz_list = "100,1000,10000";
    static const struct option opts[] = {{"threads", required_argument, 0, 't'},
                                         {"rows", required_argument, 0, 'r'},
                                         {"dz", required_argument, 0, 'd'},
                                         {"steps", required_argument, 0, 's'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': threads = atol(optarg); break;
        case 'r': rows = atol(optarg); break;
        case 'd': dz_list = optarg; break;
        case 's': steps = atol(optarg); break;
        default:
            fprintf(stderr, "usage: bench_softplus_adam [--threads N] [--rows N] [--dz LIST] [--steps N]\n");
            return 2;
        }
    }
    if (threads < 1 || rows < 1)
        return fprintf(stderr, "bench_softplus_adam: bad --threads or --rows\n"), 2;
    long *dzs;
    size_t count;
    SkErr err = {{0}};
    if (cli_parse_long_list("--dz", dz_list, &dzs, &count, &err))
        return fprintf(stderr, "bench_softplus_adam: %s\n", err.msg), 2;
    sk_gemm_set_threads((int)threads);
    printf("Softplus-Adam step, %ld thread(s), BLIS kernels %s; times in seconds per step\n",
           threads, sk_gemm_kernels());
    printf("%6s %4s %6s %10s %10s %7s %9s %10s %7s %10s %8s\n", "d_z", "d_y", "rows", "step",
           "products", "gemm/st", "h/50k", "unfused", "gemm/un", "divisions", "(p+d)/st");
    for (size_t i = 0; i < count; i++) {
        if (dzs[i] < 11)
            continue;
        long n = steps > 0 ? steps : dzs[i] >= 10000 ? 3 : dzs[i] >= 1000 ? 10 : 50;
        bench_one((size_t)dzs[i], (size_t)rows, n);
    }
    free(dzs);
    return 0;
}
