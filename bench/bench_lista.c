/* bench_lista — time per LISTA training batch (SPEC §3: 16 untied steps,
 * batch 64) at several d_z, against BLIS sgemm measured in the same process.
 *
 *   bench_lista [--threads N] [--dz LIST] [--batches N]
 *
 * d_y = ceil(2·k·ln(d_z/k)) with k = 10, random D. A batch is one
 * forward/backward (lista_loss_grad) plus one Adam update over the
 * 16·(d_z² + d_z·d_y + d_z) parameters. Printed per d_z: seconds per batch
 * (split into loss+gradient and Adam), the batch's products (about
 * 16·3·64·d_z² multiply-adds) timed at the sgemm rate measured here on
 * 64 × d_z × d_z, the memory training needs, and hours for the paper's
 * 200 epochs of 40 batches (2500 training rows). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "adam.h"
#include "cli.h"
#include "gemm.h"
#include "lista.h"
#include "rng.h"

static double sgemm_seconds(size_t m, size_t n, size_t k)
{
    float *a = calloc(m * k, sizeof *a), *b = calloc(k * n, sizeof *b), *c = calloc(m * n, sizeof *c);
    double best = 1e30;
    if (a && b && c)
        for (int rep = 0; rep < 4; rep++) {
            double t0 = sk_seconds();
            sk_gemm(false, true, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
            double dt = sk_seconds() - t0;
            if (rep > 0 && dt < best)
                best = dt;
        }
    free(a), free(b), free(c);
    return best;
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
    lista_loss_grad(&m, &d, y.v, batch, 0.1, grad, &w);   /* warm-up, first touches */
    adam_step(&adam, m.params, grad, 1e-3);
    double t_grad = 0.0, t_adam = 0.0;
    for (long b = 0; b < batches; b++) {
        double t0 = sk_seconds();
        lista_loss_grad(&m, &d, y.v, batch, 0.1, grad, &w);
        double t1 = sk_seconds();
        adam_step(&adam, m.params, grad, 1e-3);
        t_grad += t1 - t0;
        t_adam += sk_seconds() - t1;
    }
    t_grad /= (double)batches;
    t_adam /= (double)batches;
    double t_gemm = 3.0 * 16.0 * sgemm_seconds(batch, dz, dz);
    double step = t_grad + t_adam;
    printf("%6zu %4zu %10.4f %10.4f %10.4f %10.4f %8.2f %9.2f\n", dz, dy, step, t_grad, t_adam,
           t_gemm, lista_training_bytes(dy, dz, LISTA_STEPS, batch) / 1073741824.0,
           step * 200.0 * 40.0 / 3600.0);
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
    printf("LISTA batch (64 rows, 16 steps), %ld thread(s), BLIS kernels %s; seconds per batch\n",
           threads, sk_gemm_kernels());
    printf("%6s %4s %10s %10s %10s %10s %8s %9s\n", "d_z", "d_y", "batch", "loss+grad", "adam",
           "48xsgemm", "GiB", "h/200ep");
    for (size_t i = 0; i < count; i++) {
        if (dzs[i] < 11)
            continue;
        bench_one((size_t)dzs[i], batches > 0 ? batches : dzs[i] >= 2000 ? 3 : 10);
    }
    free(dzs);
    return 0;
}
