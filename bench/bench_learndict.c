/* bench_learndict — seconds per round of the learners of lib/learndict
 * against DL-FISTA's round (lib/dlfista), measured in the same process on the
 * same data (beyond the paper, SPEC §8).
 *
 *   bench_learndict [--threads N] [--dz N] [--rounds N]
 *
 * Problem: gen-data's generator, k = 10, p = 5000 (2500 val rows to learn
 * from, 2500 OOD rows DL-FISTA also codes each round); default d_z = 1000
 * and 10000, 2 rounds each. Per learner: seconds per round (the rounds
 * alone), seconds of the output codes (FISTA on Y_val and Y_ood), and the
 * round's ratio to DL-FISTA's; then seconds per run at each method's own
 * round budget (learner: budget × round + output codes; DL-FISTA: its budget
 * × round, its codes come with each round) and its ratio to DL-FISTA's run:
 * a projection from the first rounds, which start from colder codes than
 * later ones, and an upper bound where a run converges early. The machine may be
 * shared: compare ratios within one run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datagen.h"
#include "dlfista.h"
#include "gemm.h"
#include "learndict.h"

typedef struct {
    long threads, dz, rounds;
} BenchOptions;

/* DL-FISTA: seconds per round (FISTA on val and OOD + update), and its
 * default round budget. */
static int time_dlfista(const Dataset *ds, size_t dz, long rounds, double *per_round,
                        long *budget, SkErr *err)
{
    Mat d = {0}, zv = {0}, zo = {0};
    int rc = dlfista_init_dict(1, ds->A.rows, dz, &d, err) ||
             mat_alloc(&zv, ds->y_val.rows, dz, err) || mat_alloc(&zo, ds->y_ood.rows, dz, err);
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    *budget = opt.rounds;
    opt.rounds = rounds;
    DlFistaResult res = {0};
    double t0 = sk_seconds();
    if (rc == 0)
        rc = dlfista_learn(&ds->y_val, &ds->y_ood, &d, &zv, &zo, &opt, &res, err);
    *per_round = (sk_seconds() - t0) / (double)rounds;
    dlfista_result_release(&res);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    return rc;
}

/* A learner preset: seconds per round, of the output codes, and its round
 * budget. */
static int time_learner(const Dataset *ds, size_t dz, long rounds, const char *name,
                        double *per_round, double *final, long *budget, SkErr *err)
{
    LearnDictOptions opt;
    learndict_options_default(&opt);
    if (learndict_preset(name, &opt, err))
        return -1;
    *budget = opt.rounds;
    opt.rounds = rounds;
    opt.tol = 0.0;
    Mat d = {0}, zv = {0}, zo = {0};
    LearnDictResult res = {0};
    int rc = learndict_init(opt.init, 1, &ds->y_val, dz, &d, err) ||
             mat_alloc(&zv, ds->y_val.rows, dz, err) || mat_alloc(&zo, ds->y_ood.rows, dz, err) ||
             learndict_learn(&ds->y_val, &ds->y_val, &ds->y_ood, &d, &zv, &zo, &opt, &res, err);
    *per_round = res.seconds_learn / (double)rounds;
    *final = res.seconds_final;
    learndict_result_release(&res);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    return rc;
}

static int bench_size(const BenchOptions *o, size_t dz)
{
    DataParams p = {.dz = dz, .k = 10, .p = 5000, .dy = 0, .seed = 1};
    SkErr err = {{0}};
    Dataset ds;
    if (datagen_validate(&p, &err) || datagen_generate(&p, &ds, &err))
        return fprintf(stderr, "bench_learndict: %s\n", err.msg), 1;
    sk_gemm_set_threads((int)o->threads);
    printf("d_z = %zu, d_y = %zu, %zu val + %zu OOD rows, %ld threads, %ld rounds\n", dz, p.dy,
           ds.y_val.rows, ds.y_ood.rows, o->threads, o->rounds);
    double base;
    long base_budget;
    if (time_dlfista(&ds, dz, o->rounds, &base, &base_budget, &err))
        return fprintf(stderr, "bench_learndict: %s\n", err.msg), 1;
    double base_run = base * (double)base_budget;
    printf("  %-12s %8.3f s/round; a run of %ld rounds %.1f s\n", "DL-FISTA", base, base_budget,
           base_run);
    static const char *const NAMES[] = {"default", "fista-fixes", "ksvd"};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        double per, fin;
        long budget;
        if (time_learner(&ds, dz, o->rounds, NAMES[i], &per, &fin, &budget, &err))
            return fprintf(stderr, "bench_learndict: %s: %s\n", NAMES[i], err.msg), 1;
        double run = per * (double)budget + fin;
        printf("  %-12s %8.3f s/round (%.2fx DL-FISTA's), output codes %.3f s; "
               "a run of %ld rounds %.1f s (%.2fx DL-FISTA's)\n",
               NAMES[i], per, per / base, fin, budget, run, run / base_run);
    }
    dataset_release(&ds);
    return 0;
}

int main(int argc, char **argv)
{
    BenchOptions o = {.threads = sk_default_threads(), .rounds = 2};
    static const struct option LONG[] = {{"threads", required_argument, 0, 't'},
                                         {"dz", required_argument, 0, 'd'},
                                         {"rounds", required_argument, 0, 'r'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", LONG, NULL)) != -1) {
        long *field = c == 't' ? &o.threads : c == 'd' ? &o.dz : c == 'r' ? &o.rounds : NULL;
        if (!field)
            return fprintf(stderr, "usage: bench_learndict [--threads N] [--dz N] [--rounds N]\n"), 2;
        *field = strtol(optarg, NULL, 10);
        if (*field < 1)
            return fprintf(stderr, "bench_learndict: %s must be >= 1\n", argv[optind - 2]), 2;
    }
    if (o.dz)
        return bench_size(&o, (size_t)o.dz);
    return bench_size(&o, 1000) || bench_size(&o, 10000);
}
