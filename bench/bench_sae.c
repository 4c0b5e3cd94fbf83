/* bench_sae — SAE training time (SPEC §3) per variant, timed against BLIS
 * sgemm measured in the same process on the step's main product shape.
 *
 *   bench_sae [--epochs N] [--threads N] [--large] [--dz N] [--variant V]
 *
 * Problem: gen-data's generator (lib/datagen) with k = 10, p = 5000 (2500
 * training rows), batch 64, the SPEC hyper-parameters. Default runs every
 * variant at d_z = 100 (d_y = 47) and TopK at d_z = 1000 (d_y = 93); --large
 * adds every variant at d_z = 10000 (d_y = 139). --dz N / --variant V run just
 * that. --epochs N (default 500) trains N epochs; when N < 500 the printed
 * 500-epoch time is EXTRAPOLATED linearly (an epoch costs the same whatever
 * its number; init and the final encode are excluded from the timing).
 * Printed: seconds per epoch, the (extrapolated) 500-epoch time, and the
 * rate of the products counted as dense-equivalent multiply-adds:
 *   ReLU, JumpReLU: 5 products n·w·d_y per step (encoder, decoder, ∂D, ∂z, ∂W_enc)
 *   TopK:           1 dense product (encoder) + 4 sparse ones n·k·d_y
 *   MP:             k dense products (one per pursuit step) + sparse backward
 * next to sgemm's rate on (64 × w × d_y), and their ratio.
 * Threads: --threads N (default 1) sets BLIS threads for the products. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datagen.h"
#include "gemm.h"
#include "sae.h"

typedef struct {
    long epochs, threads, dz;
    bool large, have_variant;
    SaeVariant variant;
} BenchOptions;

/* Best-of-several GFLOP/s of C (m × n) = A (m × k) · B (n × k)ᵀ, the encoder's shape. */
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
    int reps = (int)(2e9 / (2.0 * (double)m * (double)n * (double)k)) + 3;
    if (reps > 2000)
        reps = 2000;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = sk_seconds();
        sk_gemm(false, true, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
        double dt = sk_seconds() - t0;
        if (rep > 0 && dt < best) /* rep 0 warms up */
            best = dt;
    }
    free(a), free(b), free(c);
    return 2.0 * (double)m * (double)n * (double)k / best / 1e9;
}

/* Dense-equivalent flops of one training step on n rows. */
static double step_flops(const SaeConfig *c, size_t n)
{
    double nwd = (double)n * (double)c->width * (double)c->d_y;
    double nkd = (double)n * (double)c->k * (double)c->d_y;
    switch (c->variant) {
    case SAE_RELU:
    case SAE_JUMPRELU: return 2.0 * 5.0 * nwd;
    case SAE_TOPK: return 2.0 * (nwd + 4.0 * nkd);
    case SAE_MP: return 2.0 * ((double)c->k * nwd + 4.0 * nkd);
    }
    return 0.0;
}

static int bench_one(const Dataset *d, SaeVariant v, const BenchOptions *o, double gemm_rate)
{
    SaeConfig cfg = {.variant = v, .d_y = d->A.rows, .width = d->A.cols, .k = 10, .gamma = 1e-4f};
    Sae m;
    SkErr err = {{0}};
    if (sae_alloc(&m, &cfg, &err))
        return fprintf(stderr, "bench_sae: %s\n", err.msg), 1;
    sae_init(&m, 0);
    SaeTrainOptions t;
    sae_train_options_default(&t);
    t.epochs = o->epochs;
    double t0 = sk_seconds();
    int rc = sae_train(&m, &d->y_train, &t, NULL, NULL, &err);
    double dt = sk_seconds() - t0;
    sae_release(&m);
    if (rc)
        return fprintf(stderr, "bench_sae: %s\n", err.msg), 1;
    size_t n = d->y_train.rows, full = n / 64, rest = n % 64;
    double epoch_flops = (double)full * step_flops(&cfg, 64) + (rest ? step_flops(&cfg, rest) : 0.0);
    double per_epoch = dt / (double)o->epochs, rate = epoch_flops / per_epoch / 1e9;
    printf("  %-8s d_z %5zu: %8.4f s/epoch, 500 epochs %8.2f s%s   products %6.1f GFLOP/s = %.2f x sgemm\n",
           sae_variant_name(v), cfg.width, per_epoch, 500.0 * per_epoch,
           o->epochs < 500 ? " (extrapolated)" : "              ", rate, rate / gemm_rate);
    fflush(stdout);
    return 0;
}

static int bench_size(const BenchOptions *o, size_t dz, const SaeVariant *variants, size_t nv)
{
    DataParams p = {.dz = dz, .k = 10, .p = 5000, .dy = 0, .seed = 1};
    SkErr err = {{0}};
    Dataset d;
    if (datagen_validate(&p, &err) || datagen_generate(&p, &d, &err))
        return fprintf(stderr, "bench_sae: %s\n", err.msg), 1;
    double rate = sgemm_gflops(64, dz, p.dy);
    printf("d_z = %zu, d_y = %zu, %zu training rows, batch 64, %ld epochs timed, %ld BLIS thread(s)\n",
           dz, p.dy, d.y_train.rows, o->epochs, o->threads);
    printf("  sgemm 64 x %zu x %zu (the encoder's shape): %.1f GFLOP/s\n", dz, p.dy, rate);
    int rc = 0;
    for (size_t i = 0; i < nv && rc == 0; i++)
        rc = bench_one(&d, variants[i], o, rate);
    dataset_release(&d);
    return rc;
}

int main(int argc, char **argv)
{
    BenchOptions o = {.epochs = 500, .threads = 1};
    static const struct option longopts[] = {
        {"epochs", required_argument, 0, 'e'}, {"threads", required_argument, 0, 't'},
        {"dz", required_argument, 0, 'z'},     {"variant", required_argument, 0, 'v'},
        {"large", no_argument, 0, 'L'},        {0, 0, 0, 0}};
    SkErr err = {{0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'e': rc = cli_parse_long("--epochs", optarg, 1, 100000, &o.epochs, &err); break;
        case 't': rc = cli_parse_long("--threads", optarg, 1, 4096, &o.threads, &err); break;
        case 'z': rc = cli_parse_long("--dz", optarg, 20, 1000000, &o.dz, &err); break;
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
