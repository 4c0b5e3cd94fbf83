/* bench_dlfista — DL-FISTA rounds (SPEC §3) at the paper's sizes, with the
 * time split and rates against BLIS measured in the same process.
 *
 *   bench_dlfista [--threads N] [--dz N] [--rounds N] [--f32]
 *
 * Problem: gen-data's generator (lib/datagen), k = 10, p = 5000 (2500 val +
 * 2500 OOD rows), the random initial dictionary; default d_z = 1000 (d_y = 93)
 * and d_z = 10000 (d_y = 139), 2 rounds each (round 0 from zero codes on the
 * random dictionary, round 1 warm). Per round: wall time, split into FISTA
 * (both passes), Gram (sparse ZᵀY and Gram), Cholesky, solves, rest; the
 * Cholesky's GFLOP/s (n³/3) next to BLIS dgemm/sgemm on a square product of
 * the same order. --f32 also times the paper's float32 primal solve (a d_z ×
 * d_z Cholesky: 3.3e11 flops at d_z = 10000). Also: the blocked Cholesky
 * against the simple one (lib/linalg) at n = 1000. The machine may be shared:
 * compare ratios within one run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datagen.h"
#include "dlfista.h"
#include "gemm.h"
#include "linalg.h"
#include "rng.h"

typedef struct {
    long threads, dz, rounds;
    bool f32;
} BenchOptions;

/* Best-of-3 GFLOP/s of a square n × n × n product, float or double. */
static double gemm_gflops(size_t n, bool dbl)
{
    size_t bytes = n * n * (dbl ? sizeof(double) : sizeof(float));
    char *a = calloc(1, bytes), *b = calloc(1, bytes), *c = calloc(1, bytes);
    double best = 1e30;
    for (int rep = 0; a && b && c && rep < 4; rep++) {
        double t0 = sk_seconds();
        if (dbl)
            sk_dgemm(false, true, n, n, n, 1.0, (double *)a, n, (double *)b, n, 0.0, (double *)c, n);
        else
            sk_gemm(false, true, n, n, n, 1.0f, (float *)a, n, (float *)b, n, 0.0f, (float *)c, n);
        double dt = sk_seconds() - t0;
        if (rep > 0 && dt < best) /* rep 0 warms up */
            best = dt;
    }
    free(a), free(b), free(c);
    return 2.0 * (double)n * (double)n * (double)n / best / 1e9;
}

/* Per-round times, from the callback. */
typedef struct {
    DlFistaTimes *times, last;
    double start;
    size_t rows, dy, dz;
    long iters;
} RoundLog;

static int log_round(void *user, const DlFistaRound *r, SkErr *err)
{
    (void)err;
    RoundLog *log = user;
    DlFistaTimes now = *log->times, d = {0};
    d.fista = now.fista - log->last.fista;
    d.gram = now.gram - log->last.gram;
    d.cholesky = now.cholesky - log->last.cholesky;
    d.solve = now.solve - log->last.solve;
    d.rest = now.rest - log->last.rest;
    d.chol_flops = now.chol_flops - log->last.chol_flops;
    double wall = sk_seconds() - log->start;
    double dense_equiv = 4.0 * (double)log->rows * (double)log->dy * (double)log->dz * (double)log->iters;
    printf("  round %ld: %7.3f s = FISTA %.3f (%.0f GFLOP/s dense-equivalent) + Gram %.3f + "
           "Cholesky %.3f (%.1f GFLOP/s) + solves %.3f + rest %.3f;  change %.3g\n",
           r->round, wall, d.fista, dense_equiv / d.fista / 1e9, d.gram, d.cholesky,
           d.cholesky > 0 ? d.chol_flops / d.cholesky / 1e9 : 0.0, d.solve, d.rest, r->rel_change);
    size_t nnz = 0;
    for (size_t i = 0; i < mat_size(r->z_val); i++)
        nnz += r->z_val->v[i] != 0.0f;
    printf("           val codes: mean L0 %.2f\n", (double)nnz / (double)r->z_val->rows);
    log->last = now;
    log->start = sk_seconds();
    return 0;
}

static int bench_size(const BenchOptions *o, size_t dz, DlFistaSolve solve)
{
    DataParams p = {.dz = dz, .k = 10, .p = 5000, .dy = 0, .seed = 1};
    SkErr err = {{0}};
    Dataset ds;
    if (datagen_validate(&p, &err) || datagen_generate(&p, &ds, &err))
        return fprintf(stderr, "bench_dlfista: %s\n", err.msg), 1;
    Mat d, zv, zo;
    if (dlfista_init_dict(1, p.dy, dz, &d, &err) || mat_alloc(&zv, ds.y_val.rows, dz, &err) ||
        mat_alloc(&zo, ds.y_ood.rows, dz, &err))
        return fprintf(stderr, "bench_dlfista: %s\n", err.msg), 1;
    size_t order = solve == DLFISTA_SOLVE_F32 || dz <= ds.y_val.rows ? dz : ds.y_val.rows;
    sk_gemm_set_threads((int)o->threads);
    double dgemm = gemm_gflops(order < 2000 ? order : 2000, true);
    double sgemm = gemm_gflops(order < 2000 ? order : 2000, false);
    printf("d_z = %zu, d_y = %zu, %zu val + %zu OOD rows, %ld threads, solve %s (Cholesky of "
           "order %zu)\n", dz, p.dy, ds.y_val.rows, ds.y_ood.rows, o->threads,
           solve == DLFISTA_SOLVE_F32 ? "f32 primal" : "f64", order);
    printf("  BLIS square gemm (order %zu): dgemm %.1f GFLOP/s, sgemm %.1f GFLOP/s\n",
           order < 2000 ? order : 2000, dgemm, sgemm);
    DlFistaTimes times = {0};
    RoundLog log = {.times = &times, .start = sk_seconds(), .rows = ds.y_val.rows + ds.y_ood.rows,
                    .dy = p.dy, .dz = dz, .iters = 100};
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    opt.rounds = o->rounds;
    opt.solve = solve;
    opt.threads = (int)o->threads;
    opt.times = &times;
    opt.on_round = log_round;
    opt.user = &log;
    DlFistaResult res;
    int rc = dlfista_learn(&ds.y_val, &ds.y_ood, &d, &zv, &zo, &opt, &res, &err);
    if (rc)
        fprintf(stderr, "bench_dlfista: %s\n", err.msg);
    else
        dlfista_result_release(&res);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    dataset_release(&ds);
    return rc ? 1 : 0;
}

/* The blocked Cholesky against lib/linalg's simple one on one SPD matrix. */
static void bench_cholesky(size_t n)
{
    double *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b);
    if (!a || !b) {
        free(a), free(b);
        return;
    }
    Rng r;
    rng_init(&r, 1, 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            a[i * n + j] = a[j * n + i] = 0.01 * rng_normal(&r) + (i == j ? 1.0 : 0.0);
    memcpy(b, a, n * n * sizeof *a);
    SkErr err;
    double t0 = sk_seconds();
    int rc1 = cholesky(a, n, &err);
    double t1 = sk_seconds();
    int rc2 = chol_blocked_f64(b, n, 0, NULL, &err);
    double t2 = sk_seconds();
    double flops = (double)n * (double)n * (double)n / 3.0;
    if (rc1 == 0 && rc2 == 0)
        printf("Cholesky n = %zu (double): simple %.3f s (%.2f GFLOP/s), blocked %.3f s (%.1f "
               "GFLOP/s): %.1fx\n", n, t1 - t0, flops / (t1 - t0) / 1e9, t2 - t1,
               flops / (t2 - t1) / 1e9, (t1 - t0) / (t2 - t1));
    free(a), free(b);
}

int main(int argc, char **argv)
{
    BenchOptions o = {.threads = 2, .dz = 0, .rounds = 2};
    static const struct option longopts[] = {
        {"threads", required_argument, 0, 't'}, {"dz", required_argument, 0, 'z'},
        {"rounds", required_argument, 0, 'r'},  {"f32", no_argument, 0, 'f'},
        {0, 0, 0, 0}};
    SkErr err = {{0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 't': rc = cli_parse_long("--threads", optarg, 1, 4096, &o.threads, &err); break;
        case 'z': rc = cli_parse_long("--dz", optarg, 20, 1000000, &o.dz, &err); break;
        case 'r': rc = cli_parse_long("--rounds", optarg, 1, 1000, &o.rounds, &err); break;
        case 'f': o.f32 = true; break;
        default: return cli_usage_error("bench_dlfista", "unknown option");
        }
        if (rc)
            return cli_usage_error("bench_dlfista", "%s", err.msg);
    }
    sk_gemm_set_threads((int)o.threads);
    bench_cholesky(1000);
    static const size_t SIZES[] = {1000, 10000};
    for (size_t i = 0; i < 2; i++) {
        size_t dz = o.dz ? (size_t)o.dz : SIZES[i];
        if (bench_size(&o, dz, DLFISTA_SOLVE_F64))
            return 1;
        if (o.f32 && bench_size(&o, dz, DLFISTA_SOLVE_F32))
            return 1;
        if (o.dz)
            break;
    }
    return 0;
}
