/* bench_lista — time per LISTA training batch (SPEC §3: 16 untied steps,
 * batch 64) at several d_z, against its floor measured in the same process.
 *
 *   bench_lista [--threads N] [--dz LIST] [--batches N]
 *
 * d_y = ceil(2·k·ln(d_z/k)) with k = 10, random D. A batch is one
 * forward/backward (lista_loss_grad) plus one Adam update over the
 * 16·(d_z² + d_z·d_y + d_z) parameters. Printed per d_z: seconds per batch
 * (split into loss+gradient and Adam); "products": the batch's products run
 * alone through sk_gemm on their own shapes (per step k: z W_kᵀ (k > 0) and
 * y S_kᵀ forward; ∂W_k = guᵀ z_k (k > 0), ∂S_k = guᵀ y, gu W_k (k > 0)
 * backward; the decoding z_K Dᵀ and r D), best of the batches, and
 * products/batch; "floor" adds Adam's bytes (p, m, v read and written, g
 * read) at the rate of a STREAM triad over as many bytes measured here, and
 * floor/batch; the memory training needs, and hours for the paper's 200
 * epochs of 40 batches (2500 training rows). Times are this thread's CPU
 * time with 1 thread (the machine may be shared), wall time with more. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "adam.h"
#include "cli.h"
#include "gemm.h"
#include "benchutil.h"
#include "lista.h"
#include "rng.h"

/* Operands of the batch's products (any values): n × d_z (3), n × d_y (2),
 * d_z × d_z (2), d_z × d_y (2). */
typedef struct {
    float *nz[3], *ny[2], *zz[2], *zy[2];
} Operands;

static int operands_alloc(Operands *o, size_t n, size_t dz, size_t dy)
{
    int ok = 1;
    for (int i = 0; i < 3; i++)
        ok &= (o->nz[i] = bench_filled(n * dz, 0.01f)) != NULL;
    for (int i = 0; i < 2; i++) {
        ok &= (o->ny[i] = bench_filled(n * dy, 0.02f)) != NULL;
        ok &= (o->zz[i] = bench_filled(dz * dz, 0.001f)) != NULL;
        ok &= (o->zy[i] = bench_filled(dz * dy, 0.003f)) != NULL;
    }
    return ok ? 0 : -1;
}

static void operands_release(Operands *o)
{
    for (int i = 0; i < 3; i++)
        free(o->nz[i]);
    for (int i = 0; i < 2; i++)
        free(o->ny[i]), free(o->zz[i]), free(o->zy[i]);
}

/* lista_loss_grad's products, alone, on their shapes (steps K, n rows). */
static double run_products(size_t K, size_t n, size_t dz, size_t dy, const Operands *o)
{
    double t0 = bench_clock();
    for (size_t k = 0; k < K; k++) {   /* forward: u = z W_kᵀ + y S_kᵀ */
        if (k > 0)
            sk_gemm(false, true, n, dz, dz, 1.0f, o->nz[0], dz, o->zz[0], dz, 0.0f, o->nz[1], dz);
        sk_gemm(false, true, n, dz, dy, 1.0f, o->ny[0], dy, o->zy[0], dy, 1.0f, o->nz[1], dz);
    }
    sk_gemm(false, true, n, dy, dz, 1.0f, o->nz[0], dz, o->zy[0], dz, -1.0f, o->ny[1], dy);  /* r */
    sk_gemm(false, false, n, dz, dy, 1.0f, o->ny[1], dy, o->zy[1], dz, 0.0f, o->nz[2], dz);  /* gz */
    for (size_t k = K; k-- > 0;) {
        if (k > 0)   /* ∂W_k = guᵀ z_k */
            sk_gemm(true, false, dz, dz, n, 1.0f, o->nz[2], dz, o->nz[0], dz, 0.0f, o->zz[1], dz);
        sk_gemm(true, false, dz, dy, n, 1.0f, o->nz[2], dz, o->ny[0], dy, 0.0f, o->zy[1], dy);  /* ∂S_k */
        if (k > 0)   /* gz = gu W_k */
            sk_gemm(false, false, n, dz, dz, 1.0f, o->nz[2], dz, o->zz[0], dz, 0.0f, o->nz[1], dz);
    }
    return bench_clock() - t0;
}

static void bench_one(size_t dz, long batches)
{
    const size_t dy = (size_t)ceil(2.0 * 10.0 * log((double)dz / 10.0)), batch = 64;
    Rng r;
    rng_init(&r, 1, 0);
    Mat d, y;
    SkErr err = {{0}};
    ListaModel m;
    ListaWork w;
    Adam adam;
    float *grad = NULL;
    if (mat_alloc(&d, dy, dz, &err) || mat_alloc(&y, batch, dy, &err))
        exit(1);
    for (size_t i = 0; i < mat_size(&d); i++)
        d.v[i] = (float)(rng_normal(&r) / sqrt((double)dy));
    for (size_t i = 0; i < mat_size(&y); i++)
        y.v[i] = (float)rng_normal(&r);
    if (lista_model_init(&m, &d, LISTA_STEPS, &err) || lista_work_init(&w, &m, batch, &err) ||
        adam_init(&adam, m.n_params, &err) || !(grad = malloc(m.n_params * sizeof *grad))) {
        fprintf(stderr, "bench_lista: d_z %zu: %s\n", dz, err.msg[0] ? err.msg : "out of memory");
        exit(1);
    }
    Operands ops;
    if (operands_alloc(&ops, batch, dz, dy)) {
        fprintf(stderr, "bench_lista: d_z %zu: out of memory\n", dz);
        exit(1);
    }
    lista_loss_grad(&m, &d, y.v, batch, 0.1, grad, &w);   /* warm-up, first touches */
    adam_step(&adam, m.params, grad, 1e-3);
    run_products(LISTA_STEPS, batch, dz, dy, &ops);
    /* best of the batches (a shared machine only slows things down) */
    double t_grad = 1e30, t_adam = 1e30, t_products = 1e30;
    for (long b = 0; b < batches; b++) {
        double tp = run_products(LISTA_STEPS, batch, dz, dy, &ops);
        double t0 = bench_clock();
        lista_loss_grad(&m, &d, y.v, batch, 0.1, grad, &w);
        double t1 = bench_clock();
        adam_step(&adam, m.params, grad, 1e-3);
        double t2 = bench_clock();
        t_products = tp < t_products ? tp : t_products;
        t_grad = t1 - t0 < t_grad ? t1 - t0 : t_grad;
        t_adam = t2 - t1 < t_adam ? t2 - t1 : t_adam;
    }
    double adam_bytes = 7.0 * 4.0 * (double)m.n_params;
    double t_bytes = adam_bytes / (bench_triad_gbs(4.0 * 4.0 * (double)m.n_params, 3) * 1e9);
    double step = t_grad + t_adam;
    printf("%6zu %4zu %10.4f %10.4f %10.4f %10.4f %6.2f %10.4f %6.2f %8.2f %9.2f\n", dz, dy, step, t_grad,
           t_adam, t_products, t_products / step, t_products + t_bytes, (t_products + t_bytes) / step,
           lista_training_bytes(dy, dz, LISTA_STEPS, batch) / 1073741824.0, step * 200.0 * 40.0 / 3600.0);
    operands_release(&ops);
    fflush(stdout);
    free(grad);
    adam_release(&adam);
    lista_work_release(&w);
    lista_model_release(&m);
    mat_release(&d);
    mat_release(&y);
}

int main(int argc, char **argv)
{
    long threads = 1, batches = 0;
    const char *dz_list = "100,500,1000,2000";
    static const struct option opts[] = {{"threads", required_argument, 0, 't'},
                                         {"dz", required_argument, 0, 'd'},
                                         {"batches", required_argument, 0, 'b'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': threads = atol(optarg); break;
        case 'd': dz_list = optarg; break;
        case 'b': batches = atol(optarg); break;
        default:
            fprintf(stderr, "usage: bench_lista [--threads N] [--dz LIST] [--batches N]\n");
            return 2;
        }
    }
    long *dzs;
    size_t count;
    SkErr err = {{0}};
    if (threads < 1 || cli_parse_long_list("--dz", dz_list, &dzs, &count, &err))
        return fprintf(stderr, "bench_lista: bad --threads or --dz\n"), 2;
    sk_gemm_set_threads((int)threads);
    printf("LISTA batch (64 rows, 16 steps), %ld thread(s), BLIS kernels %s; seconds per batch (%s)\n",
           threads, sk_gemm_kernels(), bench_uses_cpu_clock() ? "thread CPU time" : "wall time");
    printf("%6s %4s %10s %10s %10s %10s %6s %10s %6s %8s %9s\n", "d_z", "d_y", "batch", "loss+grad", "adam",
           "products", "p/b", "floor", "f/b", "GiB", "h/200ep");
    for (size_t i = 0; i < count; i++) {
        if (dzs[i] < 11)
            continue;
        bench_one((size_t)dzs[i], batches > 0 ? batches : dzs[i] >= 2000 ? 3 : 10);
    }
    free(dzs);
    return 0;
}
