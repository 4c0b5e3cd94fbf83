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
 * step (best of --steps); its floor, the five products of a step
 * (5·rows·d_y·d_z multiply-adds) timed at the sgemm rate measured here on
 * rows × d_y × d_z; the ratio
 * floor/step (gemm/st: 1 = the step costs no more than its products); hours
 * for 50 000 steps. For comparison, the unfused step (softplus_adam_loss_grad
 * storing the whole gradient, then adam_step) and its ratio. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "cli.h"
#include "gemm.h"
#include "rng.h"
#include "softplus_adam.h"

/* Best-of-3 seconds of C (m × n) = A (m × k) · B(n × k)ᵀ, the forward product's shape. */
static double sgemm_seconds(size_t m, size_t n, size_t k)
{
    float *a = calloc(m * k, sizeof *a), *b = calloc(k * n, sizeof *b), *c = calloc(m * n, sizeof *c);
    double best = 1e30;
    if (a && b && c) {
        for (size_t i = 0; i < m * k; i++)
            a[i] = (float)(i % 13) * 0.01f;
        for (size_t i = 0; i < k * n; i++)
            b[i] = (float)(i % 7) * 0.01f;
        for (int rep = 0; rep < 4; rep++) {
            double t0 = sk_seconds();
            sk_gemm(false, true, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
            double dt = sk_seconds() - t0;
            if (rep > 0 && dt < best)
                best = dt;
        }
    }
    free(a), free(b), free(c);
    return best;
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
    /* best of `steps`, like the sgemm floor (best of 3): on a shared machine
     * the mean measures the neighbours as much as the step */
    double t_step = INFINITY, t_unfused = INFINITY;
    for (long s = 0; s < steps; s++) {
        double t0 = sk_seconds();
        softplus_adam_step(&m, &yv, &yo, 0.1, &adam, 1e-3, &w);
        double t1 = sk_seconds();
        softplus_adam_loss_grad(&m, &yv, &yo, 0.1, grad, &w);
        adam_step(&adam, m.params, grad, 1e-3);
        t_step = fmin(t_step, t1 - t0);
        t_unfused = fmin(t_unfused, sk_seconds() - t1);
    }
    double t_gemm = 5.0 * sgemm_seconds(rows, dy, dz);
    printf("%6zu %4zu %6zu %10.4f %10.4f %7.2f %9.2f %10.4f %7.2f\n", dz, dy, rows, t_step, t_gemm,
           t_gemm / t_step, t_step * 50000.0 / 3600.0, t_unfused, t_gemm / t_unfused);
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
    printf("%6s %4s %6s %10s %10s %7s %9s %10s %7s\n", "d_z", "d_y", "rows", "step", "5xsgemm",
           "gemm/st", "h/50k", "unfused", "gemm/un");
    for (size_t i = 0; i < count; i++) {
        if (dzs[i] < 11)
            continue;
        long n = steps > 0 ? steps : dzs[i] >= 10000 ? 3 : dzs[i] >= 1000 ? 10 : 50;
        bench_one((size_t)dzs[i], (size_t)rows, n);
    }
    free(dzs);
    return 0;
}
