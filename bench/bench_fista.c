/* bench_fista — FISTA oracle inference (SPEC §3) at the paper's sizes, timed
 * against BLIS sgemm measured in the same process on the same shape.
 *
 *   bench_fista [--threads N] [--dz N] [--rows N] [--iters N] [--block-rows N] [--dense]
 *               [--blis-threads]
 *
 * The large-latents size (SPEC §8, issue 13): bench_fista --dz 100000 --rows 500
 * (d_y = 185, the paper's p = 1000 split; also --dz 1000000).
 *
 * Problem: gen-data's generator (lib/datagen) with k = 10, p = 2·rows, the
 * oracle dictionary A; FISTA codes Y_val (rows × d_y), λ = 0.1. Default runs
 * d_z = 10000 (d_y = 139) and d_z = 1000 (d_y = 93), 2500 rows, 100 iterations.
 * Printed: wall time, GFLOP/s actually executed, the "dense-equivalent" rate
 * (4·n·d_y·d_z per iteration, the cost of two dense gemms), sgemm GFLOP/s on
 * n × d_y × d_z, and their ratios. --dense also times the all-dense path.
 * Threads: FISTA's workers over row blocks (default), or with --blis-threads
 * one driver thread and BLIS threading each product. The process's peak
 * resident memory (getrusage) is printed after each run: the dataset
 * (generated whole, as gen-data does), the codes and FISTA's buffers. */
#include <getopt.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datagen.h"
#include "fista.h"
#include "gemm.h"

typedef struct {
    long threads, dz, rows, iters, block_rows;
    bool dense, blis_threads;
} BenchOptions;

/* Best-of-3 GFLOP/s of C (m × n) = A (m × k) · B (k × n). */
static double sgemm_gflops(size_t m, size_t n, size_t k)
{
    float *a = calloc(m * k, sizeof *a), *b = calloc(k * n, sizeof *b), *c = calloc(m * n, sizeof *c);
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        return 0.0;
    }
    for (size_t i = 0; i < m * k; i++)
        a[i] = (float)(i % 13) * 0.01f;
    for (size_t i = 0; i < k * n; i++)
        b[i] = (float)(i % 7) * 0.01f;
    double best = 1e30;
    for (int rep = 0; rep < 4; rep++) {
        double t0 = sk_seconds();
        sk_gemm(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        double dt = sk_seconds() - t0;
        if (rep > 0 && dt < best) /* rep 0 warms up */
            best = dt;
    }
    free(a), free(b), free(c);
    return 2.0 * (double)m * (double)n * (double)k / best / 1e9;
}

static int run_fista(const Mat *a, const Mat *y, const BenchOptions *o, FistaProduct product,
                     const char *label, double gemm_rate)
{
    SkErr err = {{0}};
    Mat z;
    if (mat_alloc(&z, y->rows, a->cols, &err))
        return fprintf(stderr, "bench_fista: %s\n", err.msg), 1;
    FistaStats stats = {0};
    FistaOptions opt;
    fista_options_default(&opt);
    opt.iters = (int)o->iters;
    opt.product = product;
    opt.block_rows = (size_t)o->block_rows;
    opt.stats = &stats;
    opt.threads = o->blis_threads ? 1 : (int)o->threads;
    double t0 = sk_seconds();
    int rc = fista_solve(a, y, NULL, &opt, &z, &err);
    double dt = sk_seconds() - t0;
    if (rc) {
        mat_release(&z);
        return fprintf(stderr, "bench_fista: %s\n", err.msg), 1;
    }
    size_t nnz = 0;
    for (size_t i = 0; i < mat_size(&z); i++)
        nnz += z.v[i] > 0.0f;
    double dense_equiv = 4.0 * (double)y->rows * (double)a->rows * (double)a->cols * (double)o->iters;
    double actual = stats.flops / dt / 1e9, equiv = dense_equiv / dt / 1e9;
    printf("  fista %-6s  %8.3f s   executed %7.1f GFLOP/s (%.0f GFLOP; block-iters dense %ld "
           "sparse %ld gram %ld)\n",
           label, dt, actual, stats.flops / 1e9, stats.iters_dense, stats.iters_sparse,
           stats.iters_gram);
    printf("                            dense-equivalent %7.1f GFLOP/s = %.2f x sgemm; executed "
           "rate = %.2f x sgemm; mean L0 %.2f\n",
           equiv, equiv / gemm_rate, actual / gemm_rate, (double)nnz / (double)y->rows);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        printf("                            peak resident memory so far %.0f MiB\n",
               (double)ru.ru_maxrss / 1024.0);
    mat_release(&z);
    return 0;
}

static int bench_size(const BenchOptions *o, size_t dz)
{
    DataParams p = {.dz = dz, .k = 10, .p = 2 * (size_t)o->rows, .dy = 0, .seed = 1};
    SkErr err = {{0}};
    Dataset d;
    if (datagen_validate(&p, &err) || datagen_generate(&p, &d, &err))
        return fprintf(stderr, "bench_fista: %s\n", err.msg), 1;
    const Mat *y = &d.y_val;
    sk_gemm_set_threads(1);
    double rate1 = sgemm_gflops(y->rows, dz, p.dy);
    sk_gemm_set_threads((int)o->threads);
    double rate = sgemm_gflops(y->rows, dz, p.dy);
    printf("d_z = %zu, d_y = %zu, n = %zu, k = 10, %ld iterations, %ld threads\n", dz, p.dy,
           y->rows, o->iters, o->threads);
    printf("  sgemm %zu x %zu x %zu: %.1f GFLOP/s on %ld threads (1 thread: %.1f); ratios below "
           "are against the %ld-thread rate\n", y->rows, p.dy, dz, rate, o->threads, rate1, o->threads);
    int rc = run_fista(&d.A, y, o, FISTA_PRODUCT_AUTO, "auto", rate);
    if (!rc && o->dense)
        rc = run_fista(&d.A, y, o, FISTA_PRODUCT_DENSE, "dense", rate);
    dataset_release(&d);
    return rc;
}

int main(int argc, char **argv)
{
    BenchOptions o = {.threads = 2, .dz = 0, .rows = 2500, .iters = 100, .block_rows = 0};
    static const struct option longopts[] = {
        {"threads", required_argument, 0, 't'}, {"dz", required_argument, 0, 'z'},
        {"rows", required_argument, 0, 'n'},    {"iters", required_argument, 0, 'i'},
        {"block-rows", required_argument, 0, 'b'}, {"dense", no_argument, 0, 'd'},
        {"blis-threads", no_argument, 0, 'B'},
        {0, 0, 0, 0}};
    SkErr err = {{0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 't': rc = cli_parse_long("--threads", optarg, 1, 4096, &o.threads, &err); break;
        case 'z': rc = cli_parse_long("--dz", optarg, 20, 1000000, &o.dz, &err); break;
        case 'n': rc = cli_parse_long("--rows", optarg, 1, 10000000, &o.rows, &err); break;
        case 'i': rc = cli_parse_long("--iters", optarg, 0, 1000000, &o.iters, &err); break;
        case 'b': rc = cli_parse_long("--block-rows", optarg, 0, 10000000, &o.block_rows, &err); break;
        case 'd': o.dense = true; break;
        case 'B': o.blis_threads = true; break;
        default: return cli_usage_error("bench_fista", "unknown option");
        }
        if (rc)
            return cli_usage_error("bench_fista", "%s", err.msg);
    }
    sk_gemm_set_threads((int)o.threads);
    if (o.dz)
        return bench_size(&o, (size_t)o.dz);
    return bench_size(&o, 10000) || bench_size(&o, 1000);
}
