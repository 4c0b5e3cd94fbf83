/* bench_sae — SAE training time (SPEC §3) per variant, against its floor:
 * BLIS sgemm on the step's own product shapes, measured in the same process.
 *
 *   bench_sae [--epochs N] [--steps N] [--threads N] [--large] [--dz N] [--variant V] [--p P]
 *
 * Problem: gen-data's generator (lib/datagen) with k = 10, p = 5000 (2500
 * training rows; --p P: P/2, e.g. large-latents' p = 1000), batch 64, the
 * SPEC hyper-parameters. Default runs every
 * variant at d_z = 100 (d_y = 47) and TopK at d_z = 1000 (d_y = 93); --large
 * adds every variant at d_z = 10000 (d_y = 139). --dz N / --variant V run just
 * that. Threads: --threads N (default 1) for the products and the optimiser.
 * Times are this thread's CPU time with 1 thread, wall time with more.
 *
 * Per variant, two measurements, each a ratio to the floor:
 *  1. step (64 rows): --steps N (default 20) training steps (sae_train_step:
 *     forward, backward, the fused projection + AdamW pass), interleaved with
 *     the step's products run alone through sk_gemm on the same shapes:
 *       ReLU, JumpReLU: encoder (64 × w × d_y, Bᵀ), decoder (64 × d_y × w),
 *                       ∂D and ∂W_enc (w × d_y × 64, Aᵀ), ∂z (64 × w × d_y, Bᵀ)
 *       TopK:           the encoder; its 4 sparse products (64 rows of k atoms
 *                       of d_y) counted as sgemm 64 × d_y × k each
 *       MP:             k encoder-shaped products (or, where lib/sae.c uses
 *                       the Gram matrix, w <= 64 (k − 1): the Gram product
 *                       w × w × d_y, one encoder-shaped product and the
 *                       updates as 64 × w × (k − 1)); 4 sparse ones as TopK
 *     Best of N of each (a loaded machine only slows things down), and
 *     products/step = the products' share of the step if they ran at sgemm's
 *     rate on their own. Also printed: the optimiser pass alone and its
 *     bandwidth against a STREAM triad over as many bytes, measured here
 *     (the floor of a pass that moves bytes: AdamW must read and write
 *     every parameter and both moments, and read the gradient rows it
 *     uses), and (products + those bytes at the triad's rate)/step, the
 *     floor of a step whose products are small next to its parameters
 *     (TopK: one 64-row product against 2·w·d_y parameters).
 *  2. training: --epochs N (default 3; 0 skips) epochs of sae_train; seconds
 *     per epoch, the 500-epoch time EXTRAPOLATED linearly when N < 500, and
 *     both ratios for the epoch (39 steps of 64 rows + 1 of 4). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datagen.h"
#include "gemm.h"
#include "benchutil.h"
#include "sae.h"

typedef struct {
    long epochs, steps, threads, dz, p;
    bool large, have_variant;
    SaeVariant variant;
} BenchOptions;

/* Operands for every product shape of a step on n rows (any values). */
typedef struct {
    float *nw, *nw_out, *nd, *nd_out, *wd, *wd_out, *ww_out;
} ProductBuffers;

/* lib/sae.c's rule: MP updates its correlations through the Gram matrix
 * (one w × w × d_y product a step) when w <= 64 (k − 1). */
static bool mp_gram(const SaeConfig *c)
{
    return c->variant == SAE_MP && c->k > 1 && c->width <= 64 * (c->k - 1);
}

static int product_buffers(const SaeConfig *c, size_t n, ProductBuffers *b)
{
    size_t nw = n * c->width, nd = n * c->d_y, wd = c->width * c->d_y;
    *b = (ProductBuffers){bench_filled(nw, 0.01f), bench_filled(nw, 0), bench_filled(nd, 0.02f), bench_filled(nd, 0),
                          bench_filled(wd, 0.03f), bench_filled(wd, 0), bench_filled(mp_gram(c) ? c->width * c->width : 1, 0)};
    return b->nw && b->nw_out && b->nd && b->nd_out && b->wd && b->wd_out && b->ww_out ? 0 : -1;
}

static void product_buffers_release(ProductBuffers *b)
{
    free(b->nw), free(b->nw_out), free(b->nd), free(b->nd_out), free(b->wd), free(b->wd_out), free(b->ww_out);
}

/* The step's products on n rows, run alone (see the header); returns seconds. */
static double run_products(const SaeConfig *c, size_t n, const ProductBuffers *b)
{
    size_t w = c->width, dy = c->d_y, k = c->k;
    double t0 = bench_clock();
    switch (c->variant) {
    case SAE_RELU:
    case SAE_JUMPRELU:
        sk_gemm(false, true, n, w, dy, 1.0f, b->nd, dy, b->wd, dy, 0.0f, b->nw_out, w);   /* encoder */
        sk_gemm(false, false, n, dy, w, 1.0f, b->nw, w, b->wd, dy, 0.0f, b->nd_out, dy);  /* decoder */
        sk_gemm(true, false, w, dy, n, 1.0f, b->nw, w, b->nd, dy, 0.0f, b->wd_out, dy);   /* ∂D */
        sk_gemm(false, true, n, w, dy, 1.0f, b->nd, dy, b->wd, dy, 0.0f, b->nw_out, w);   /* ∂z */
        sk_gemm(true, false, w, dy, n, 1.0f, b->nw, w, b->nd, dy, 0.0f, b->wd_out, dy);   /* ∂W_enc */
        break;
    case SAE_TOPK:
    case SAE_MP:
        if (mp_gram(c)) {   /* Gram matrix, first correlations, k − 1 rank-1 updates a row */
            sk_gemm(false, true, w, w, dy, 1.0f, b->wd, dy, b->wd, dy, 0.0f, b->ww_out, w);
            sk_gemm(false, true, n, w, dy, 1.0f, b->nd, dy, b->wd, dy, 0.0f, b->nw_out, w);
            sk_gemm(false, false, n, w, k - 1, 1.0f, b->nd, k - 1, b->wd, w, 0.0f, b->nw_out, w);
        } else
            for (size_t t = 0; t < (c->variant == SAE_MP ? k : 1); t++)
                sk_gemm(false, true, n, w, dy, 1.0f, b->nd, dy, b->wd, dy, 0.0f, b->nw_out, w);
        for (int t = 0; t < 4; t++)   /* the sparse ones, as dense products of their size */
            sk_gemm(false, false, n, dy, k, 1.0f, b->nw, k, b->wd, dy, 0.0f, b->nd_out, dy);
        break;
    }
    return bench_clock() - t0;
}

typedef struct {
    double floor, step, optimizer, optimizer_bytes;
} StepTimes;

static double min_d(double a, double b) { return a < b ? a : b; }

/* Best-of-reps times of a training step on the first n rows of y, of its
 * products alone, and of the optimiser pass alone. */
static int time_step(const SaeConfig *cfg, const Mat *y, size_t n, long reps, StepTimes *out)
{
    Sae m;
    SaeWork w = {0};
    AdamW opt = {0};
    ProductBuffers pb = {0};
    SkErr err = {{0}};
    float *grad = NULL;
    SaeTrainOptions t;
    sae_train_options_default(&t);
    if (sae_alloc(&m, cfg, &err))
        return fprintf(stderr, "bench_sae: %s\n", err.msg), -1;
    sae_init(&m, 0);
    int rc = 0;
    if (sae_work_alloc(&w, cfg, n, &err) || adamw_init(&opt, m.n_params - m.trained_offset, &t.adam, &err) ||
        product_buffers(cfg, n, &pb) || !(grad = calloc(m.n_params, sizeof *grad)))
        rc = (fprintf(stderr, "bench_sae: %s\n", err.msg[0] ? err.msg : "out of memory"), -1);
    bool sparse = cfg->variant == SAE_TOPK || cfg->variant == SAE_MP;
    unsigned char *support = calloc(cfg->width, 1);   /* the last step's support (sparse variants) */
    if (rc == 0 && !support)
        rc = (fprintf(stderr, "bench_sae: out of memory\n"), -1);
    *out = (StepTimes){1e30, 1e30, 1e30, 0};
    for (long r = 0; rc == 0 && r <= reps; r++) {   /* r = 0 warms up */
        SaeLoss loss;
        double fl = run_products(cfg, n, &pb), t0 = bench_clock();
        if (sae_train_step(&m, y->v, n, &w, grad, &opt, false, &loss))
            rc = (fprintf(stderr, "bench_sae: the loss is not finite\n"), -1);
        double t1 = bench_clock();
        if (sparse)
            memset(support, 0, cfg->width);
        for (size_t i = 0; sparse && i < n * cfg->k; i++)
            support[w.idx[i]] = 1;
        sae_optimizer_step(&m, grad, &opt, sparse ? support : NULL, false);
        double t2 = bench_clock();
        if (r > 0)
            *out = (StepTimes){min_d(out->floor, fl), min_d(out->step, t1 - t0), min_d(out->optimizer, t2 - t1), 0};
    }
    /* bytes the optimiser must move: p, m, v read and written, g read on the
     * rows it reads (sparse variants: only the support's W_enc, D rows) */
    size_t trained = m.n_params - m.trained_offset, rows_read = 0;
    for (size_t j = 0; j < cfg->width && support; j++)
        rows_read += sparse ? support[j] : 1;
    size_t row_mats = m.trained_offset ? 1 : 2;   /* MP trains D only */
    out->optimizer_bytes = 4.0 * (6.0 * (double)trained +
                                  (double)(trained - row_mats * cfg->width * cfg->d_y) +
                                  (double)(row_mats * rows_read * cfg->d_y));
    free(support);
    free(grad);
    product_buffers_release(&pb);
    adamw_release(&opt);
    sae_work_release(&w);
    sae_release(&m);
    return rc;
}

static int bench_one(const Dataset *d, SaeVariant v, const BenchOptions *o, double triad)
{
    SaeConfig cfg = {.variant = v, .d_y = d->A.rows, .width = d->A.cols, .k = 10, .gamma = 1e-4f};
    size_t rows = d->y_train.rows, full = rows / 64, rest = rows % 64;
    StepTimes s64, s_rest = {0, 0, 0, 0};
    if (time_step(&cfg, &d->y_train, 64, o->steps, &s64) ||
        (rest && time_step(&cfg, &d->y_train, rest, o->steps, &s_rest)))
        return 1;
    /* the optimiser's bytes at the triad's rate: the floor of that pass */
    double bytes_floor = s64.optimizer_bytes / (triad * 1e9), bytes_rest = s_rest.optimizer_bytes / (triad * 1e9);
    printf("  %-8s d_z %5zu: step %7.2f ms, products alone %7.2f ms, optimiser pass %5.2f ms "
           "(%4.1f GB/s = %.2f x triad); products/step %.2f, (products + optimiser bytes at triad)/step %.2f\n",
           sae_variant_name(v), cfg.width, 1e3 * s64.step, 1e3 * s64.floor, 1e3 * s64.optimizer,
           s64.optimizer_bytes / s64.optimizer / 1e9, s64.optimizer_bytes / s64.optimizer / 1e9 / triad,
           s64.floor / s64.step, (s64.floor + bytes_floor) / s64.step);
    fflush(stdout);
    if (o->epochs == 0)
        return 0;
    Sae m;
    SkErr err = {{0}};
    if (sae_alloc(&m, &cfg, &err))
        return fprintf(stderr, "bench_sae: %s\n", err.msg), 1;
    sae_init(&m, 0);
    SaeTrainOptions t;
    sae_train_options_default(&t);
    t.epochs = o->epochs;
    double t0 = bench_clock();
    int rc = sae_train(&m, &d->y_train, &t, NULL, NULL, &err);
    double dt = bench_clock() - t0;
    sae_release(&m);
    if (rc)
        return fprintf(stderr, "bench_sae: %s\n", err.msg), 1;
    double per_epoch = dt / (double)o->epochs;
    double floor_epoch = (double)full * s64.floor + s_rest.floor;
    double bytes_epoch = (double)full * bytes_floor + bytes_rest;
    printf("  %-8s d_z %5zu: %8.4f s/epoch, 500 epochs %8.2f s%s; products/epoch %.2f, "
           "(products + optimiser bytes)/epoch %.2f\n",
           sae_variant_name(v), cfg.width, per_epoch, 500.0 * per_epoch,
           o->epochs < 500 ? " (extrapolated)" : "", floor_epoch / per_epoch,
           (floor_epoch + bytes_epoch) / per_epoch);
    fflush(stdout);
    return 0;
}

static int bench_size(const BenchOptions *o, size_t dz, const SaeVariant *variants, size_t nv)
{
    DataParams p = {.dz = dz, .k = 10, .p = (size_t)o->p, .dy = 0, .seed = 1};
    SkErr err = {{0}};
    Dataset d;
    if (datagen_validate(&p, &err) || datagen_generate(&p, &d, &err))
        return fprintf(stderr, "bench_sae: %s\n", err.msg), 1;
    /* the triad over the optimiser's footprint: parameters, moments, gradient */
    double footprint = 4.0 * 4.0 * (double)(2 * dz * p.dy);
    double triad = bench_triad_gbs(footprint, 5);
    printf("d_z = %zu, d_y = %zu, %zu training rows, batch 64, %ld steps, %ld epochs timed, %ld thread(s), %s\n",
           dz, p.dy, d.y_train.rows, o->steps, o->epochs, o->threads,
           bench_uses_cpu_clock() ? "thread CPU time" : "wall time");
    printf("  STREAM triad over %.1f MB (the optimiser's footprint): %.1f GB/s\n", footprint / 1e6, triad);
    int rc = 0;
    for (size_t i = 0; i < nv && rc == 0; i++)
        rc = bench_one(&d, variants[i], o, triad);
    dataset_release(&d);
    return rc;
}

int main(int argc, char **argv)
{
    BenchOptions o = {.epochs = 3, .steps = 20, .threads = 1, .p = 5000};
    static const struct option longopts[] = {
        {"epochs", required_argument, 0, 'e'}, {"threads", required_argument, 0, 't'},
        {"steps", required_argument, 0, 's'},
        {"dz", required_argument, 0, 'z'},     {"variant", required_argument, 0, 'v'},
        {"p", required_argument, 0, 'p'},
        {"large", no_argument, 0, 'L'},        {0, 0, 0, 0}};
    SkErr err = {{0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'e': rc = cli_parse_long("--epochs", optarg, 0, 100000, &o.epochs, &err); break;
        case 's': rc = cli_parse_long("--steps", optarg, 1, 100000, &o.steps, &err); break;
        case 't': rc = cli_parse_long("--threads", optarg, 1, 4096, &o.threads, &err); break;
        case 'z': rc = cli_parse_long("--dz", optarg, 20, 1000000, &o.dz, &err); break;
        case 'p': rc = cli_parse_long("--p", optarg, 130, 1000000, &o.p, &err); break;
        case 'v':
            if (sae_variant_parse(optarg, &o.variant))
                return cli_usage_error("bench_sae", "--variant: '%s' is not relu, topk, jumprelu or mp", optarg);
            o.have_variant = true;
            break;
        case 'L': o.large = true; break;
        default: return cli_usage_error("bench_sae", "unknown option");
        }
        if (rc)
            return cli_usage_error("bench_sae", "%s", err.msg);
    }
    sk_gemm_set_threads((int)o.threads);
    static const SaeVariant ALL[] = {SAE_RELU, SAE_TOPK, SAE_JUMPRELU, SAE_MP};
    static const SaeVariant TOPK[] = {SAE_TOPK};
    const SaeVariant *chosen = o.have_variant ? &o.variant : ALL;
    size_t n_chosen = o.have_variant ? 1 : 4;
    if (o.dz)
        return bench_size(&o, (size_t)o.dz, chosen, n_chosen);
    int rc = bench_size(&o, 100, chosen, n_chosen);
    if (rc == 0 && (!o.have_variant || o.variant == SAE_TOPK))
        rc = bench_size(&o, 1000, TOPK, 1);
    if (rc == 0 && o.large)
        rc = bench_size(&o, 10000, chosen, n_chosen);
    return rc;
}
