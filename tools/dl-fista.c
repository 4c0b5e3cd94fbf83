/* dl-fista — dictionary learning by alternating FISTA and a ridge update
 * (SPEC §3 "DL-FISTA"), learning from val and inferring OOD alongside.
 *
 *   dl-fista --data FILE --seed S [options] -o FILE
 *
 * Output members:
 *   D (d_y × p)            the dictionary after the last update
 *   Z_val, Z_ood (· × p)   the codes of the last FISTA pass (inferred with
 *                          the dictionary before that update)
 *   rel_change (rounds)    ‖D − D_old‖_F / ‖D_old‖_F per round (float64)
 *   rounds                 updates done (int64); FISTA passes = max(rounds, 1)
 *   stop_reason            0 = the --rounds budget, 1 = converged (int64)
 *   with --snapshots N,…: snap_rounds (int64, sorted budgets) and per budget
 *     Z_val_snapN, Z_ood_snapN: the codes of FISTA pass N (pass 1 for N = 0),
 *     D_snapN: the dictionary after N updates (the initial one for N = 0), i.e.
 *     exactly what `--rounds N` writes as Z_val, Z_ood, D. A run that stops
 *     early gives every later budget its final state (as --rounds N would).
 *   with --track-dict A: track_rounds (int64, 0-based rounds 0, 10, 20, … and
 *     the last), track_cos (mean matched |cos| of the post-update D to A),
 *     track_frac (fraction of matched |cos| > 0.9), both float64.
 *   meta.json */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlfista.h"
#include "fista.h"
#include "gemm.h"
#include "metrics.h"
#include "npz.h"

static const char *PROG = "dl-fista";

typedef struct {
    const char *data, *init, *bias, *track, *output;
    double lambda;
    long rounds, iters, threads, dz;
    uint64_t seed;
    bool have_seed, verbose;
    DlFistaSolve solve;
    long *snapshots;          /* sorted, distinct budgets */
    size_t nsnapshots;
    int threads_used;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --data FILE --seed S [options] [-o FILE]\n"
            "DL-FISTA: alternate non-negative FISTA on Y_val and Y_ood (warm-started)\n"
            "with the update D = Y_val' Z_val (Z_val' Z_val + 1e-6 I)^-1, unit columns;\n"
            "stop when |D - D_old|_F / |D_old|_F < 1e-5 after round 10.\n\n"
            "  --data FILE          dataset .npz with Y_val (and Y_ood), '-' = stdin (required)\n"
            "  --seed S             seed of the random initial dictionary (required\n"
            "                       unless --init)\n"
            "  --rounds N           maximum rounds (updates), >= 0; 0 = one FISTA pass on\n"
            "                       the initial dictionary (default: 1000)\n"
            "  --lambda X           FISTA L1 penalty, >= 0 (default: 0.1)\n"
            "  --iters N            FISTA iterations per pass, >= 0 (default: 100)\n"
            "  --init FILE:MEMBER   initial dictionary, d_y x p, any width p, zero\n"
            "                       columns allowed (default: random N(0,1), unit columns)\n"
            "  --dz N               width of the random dictionary (default: the dataset's\n"
            "                       meta.json params.dz)\n"
            "  --bias FILE:MEMBER   1 x d_y vector b: learn on y - b (default: none)\n"
            "  --snapshots LIST     round budgets N (comma-separated, <= --rounds) whose\n"
            "                       codes and dictionary are also written (default: none)\n"
            "  --track-dict FILE:MEMBER  true dictionary A: record the matched |cos| of D\n"
            "                       after rounds 0, 10, 20, ... and the last (default: none)\n"
            "  --solve P            update arithmetic: f32 (the paper's float32 Cholesky\n"
            "                       solve, SPEC section 7) or f64 (exact, double; the\n"
            "                       clean variant when n_val < d_z) (default: f32)\n"
            "  --threads N          threads (default: SLURM_CPUS_PER_TASK, else\n"
            "                       BLIS_NUM_THREADS, else the CPUs available)\n"
            "  -o, --output FILE    output .npz, '-' for stdout (default: -)\n"
            "  -v, --verbose        log progress lines on stderr\n"
            "  -h, --help           show this help\n"
            "  --version            show the version\n",
            PROG);
}

enum { OPT_DATA = 256, OPT_SEED, OPT_ROUNDS, OPT_LAMBDA, OPT_ITERS, OPT_INIT, OPT_DZ, OPT_BIAS,
       OPT_SNAPSHOTS, OPT_TRACK, OPT_SOLVE, OPT_THREADS, OPT_VERSION };
static const struct option LONG_OPTIONS[] = {
    {"data", required_argument, 0, OPT_DATA},       {"seed", required_argument, 0, OPT_SEED},
    {"rounds", required_argument, 0, OPT_ROUNDS},   {"lambda", required_argument, 0, OPT_LAMBDA},
    {"iters", required_argument, 0, OPT_ITERS},     {"init", required_argument, 0, OPT_INIT},
    {"dz", required_argument, 0, OPT_DZ},           {"bias", required_argument, 0, OPT_BIAS},
    {"snapshots", required_argument, 0, OPT_SNAPSHOTS},
    {"track-dict", required_argument, 0, OPT_TRACK},
    {"solve", required_argument, 0, OPT_SOLVE},     {"threads", required_argument, 0, OPT_THREADS},
    {"output", required_argument, 0, 'o'},          {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},                  {"version", no_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}};
static const char SHORT_OPTIONS[] = "o:vh";

/* Parse argv into o; returns 0, an exit code, or -1 for help/version (exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    *o = (Options){.output = "-", .lambda = 0.1, .rounds = 1000, .iters = 100,
                   .solve = DLFISTA_SOLVE_F32};
    SkErr err = {{0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_DATA: o->data = optarg; break;
        case OPT_SEED: rc = cli_parse_u64("--seed", optarg, &o->seed, &err); o->have_seed = true; break;
        case OPT_ROUNDS: rc = cli_parse_long("--rounds", optarg, 0, 100000000, &o->rounds, &err); break;
        case OPT_LAMBDA: rc = cli_parse_double("--lambda", optarg, 0.0, 3.0e38, &o->lambda, &err); break;
        case OPT_ITERS: rc = cli_parse_long("--iters", optarg, 0, 100000000, &o->iters, &err); break;
        case OPT_INIT: o->init = optarg; break;
        case OPT_DZ: rc = cli_parse_long("--dz", optarg, 1, 100000000, &o->dz, &err); break;
        case OPT_BIAS: o->bias = optarg; break;
        case OPT_SNAPSHOTS:
            free(o->snapshots);
            rc = cli_parse_long_list("--snapshots", optarg, &o->snapshots, &o->nsnapshots, &err);
            break;
        case OPT_TRACK: o->track = optarg; break;
        case OPT_SOLVE:
            if (strcmp(optarg, "f64") == 0)
                o->solve = DLFISTA_SOLVE_F64;
            else if (strcmp(optarg, "f32") == 0)
                o->solve = DLFISTA_SOLVE_F32;
            else
                return cli_usage_error(PROG, "--solve: '%s' is not f64 or f32", optarg);
            break;
        case OPT_THREADS: rc = cli_parse_long("--threads", optarg, 1, 4096, &o->threads, &err); break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: printf("%s sparsekit %s\n", PROG, SK_VERSION); return -1;
        default: return cli_bad_option(PROG, argv, optind, optopt);
        }
        if (rc)
            return cli_usage_error(PROG, "%s", err.msg);
    }
    if (optind < argc)
        return cli_usage_error(PROG, "unexpected argument '%s'", argv[optind]);
    if (!o->data)
        return cli_usage_error(PROG, "--data is required");
    if (!o->have_seed && !o->init)
        return cli_usage_error(PROG, "--seed is required (or give --init)");
    if (o->init && o->dz)
        return cli_usage_error(PROG, "--dz sets the width of a random dictionary; not with --init");
    if (o->snapshots) {
        cli_sort_unique(o->snapshots, &o->nsnapshots);
        if (o->snapshots[o->nsnapshots - 1] > o->rounds)
            return cli_usage_error(PROG, "--snapshots: budget %ld exceeds --rounds %ld",
                                   o->snapshots[o->nsnapshots - 1], o->rounds);
    }
    return 0;
}

/* ---- inputs ------------------------------------------------------------ */

typedef struct {
    NpzCache cache;
    Mat y_val, y_ood, d, bias, truth;
    bool has_ood;
    const char *data_meta, *init_meta, *bias_meta, *track_meta;
} Problem;

static void problem_free(Problem *p)
{
    mat_release(&p->y_val);
    mat_release(&p->y_ood);
    mat_release(&p->d);
    mat_release(&p->bias);
    mat_release(&p->truth);
    npz_cache_free(&p->cache);
}

/* Y_val (required) and Y_ood (optional) of the dataset archive. */
static int load_samples(Problem *p, const char *data, SkErr *err)
{
    const Npz *npz;
    char file[512];
    snprintf(file, sizeof file, "%s", strcmp(data, "-") == 0 ? "stdin" : data);
    if (npz_cache_open(&p->cache, data, &npz, err))
        return -1;
    static const char *const NAMES[2] = {"Y_val", "Y_ood"};
    Mat *dst[2] = {&p->y_val, &p->y_ood};
    for (int s = 0; s < 2; s++) {
        const NpyArray *a = npz_get(npz, NAMES[s]);
        if (!a) {
            if (s == 0)
                return sk_fail(err, "%s: no member Y_val (not a dataset?)", file);
            continue;
        }
        if (a->ndim != 2 || npy_to_mat(a, dst[s], err))
            return a->ndim != 2 ? sk_fail(err, "%s: %s is not a matrix", file, NAMES[s])
                                : sk_prefix(err, file);
        if (!mat_all_finite(dst[s]))
            return sk_fail(err, "%s: %s holds non-finite values", file, NAMES[s]);
        if (dst[s]->rows == 0 || dst[s]->cols == 0)
            return sk_fail(err, "%s: %s is %zu x %zu (empty)", file, NAMES[s], dst[s]->rows,
                           dst[s]->cols);
    }
    p->has_ood = p->y_ood.v != NULL;
    if (p->has_ood && p->y_ood.cols != p->y_val.cols)
        return sk_fail(err, "%s: Y_ood has %zu columns, Y_val %zu", file, p->y_ood.cols,
                       p->y_val.cols);
    p->data_meta = npz->meta_json;
    return 0;
}

/* The initial dictionary: --init, or random of width --dz / params.dz. */
static int load_dictionary(Problem *p, const Options *o, SkErr *err)
{
    size_t dy = p->y_val.cols;
    char file[512];
    if (o->init) {
        npz_spec_file(o->init, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->init, NULL, &p->d, "initial dictionary", err))
            return -1;
        if (p->d.rows != dy || p->d.cols == 0)
            return sk_fail(err, "%s: initial dictionary is %zu x %zu, expected %zu (d_y) x p",
                           file, p->d.rows, p->d.cols, dy);
        p->init_meta = npz_spec_meta(&p->cache, o->init);
        return 0;
    }
    double dz = (double)o->dz;
    if (!o->dz && (!p->data_meta || json_get_number(p->data_meta, "params.dz", &dz) ||
                   !(dz >= 1.0 && dz <= 1e8 && dz == floor(dz)))) {
        npz_spec_file(o->data, file, sizeof file);
        return sk_fail(err, "%s: meta.json has no params.dz; give --dz or --init", file);
    }
    return dlfista_init_dict(o->seed, dy, (size_t)dz, &p->d, err);
}

/* Load and check everything before any work. */
static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    char file[512];
    if (load_samples(p, o->data, err) || load_dictionary(p, o, err))
        return -1;
    size_t dy = p->y_val.cols;
    if (o->bias) {
        npz_spec_file(o->bias, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->bias, NULL, &p->bias, "bias", err))
            return -1;
        if (p->bias.rows != 1 || p->bias.cols != dy)
            return sk_fail(err, "%s: bias is %zu x %zu, expected a vector of %zu (d_y)", file,
                           p->bias.rows, p->bias.cols, dy);
        p->bias_meta = npz_spec_meta(&p->cache, o->bias);
    }
    if (o->track) {
        npz_spec_file(o->track, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->track, NULL, &p->truth, "tracked dictionary", err))
            return -1;
        if (p->truth.rows != dy || p->truth.cols == 0)
            return sk_fail(err, "%s: tracked dictionary is %zu x %zu, expected %zu (d_y) x q",
                           file, p->truth.rows, p->truth.cols, dy);
        p->track_meta = npz_spec_meta(&p->cache, o->track);
    }
    return 0;
}

/* ---- the run: progress, snapshots, tracking ----------------------------- */

typedef struct {
    const Options *o;
    const Problem *p;
    NpzWriter *w;
    Progress progress;
    size_t next_snapshot;     /* index into o->snapshots of the next budget to write */
    /* tracking */
    int64_t *track_rounds;
    double *track_cos, *track_frac;
    size_t ntrack;
    long *match;
} Run;

static int put_snapshot(Run *run, long budget, const DlFistaRound *r, const Mat *d, SkErr *err)
{
    char name[64];
    snprintf(name, sizeof name, "Z_val_snap%ld", budget);
    if (npz_put_mat(run->w, name, r->z_val, err))
        return -1;
    if (r->z_ood) {
        snprintf(name, sizeof name, "Z_ood_snap%ld", budget);
        if (npz_put_mat(run->w, name, r->z_ood, err))
            return -1;
    }
    snprintf(name, sizeof name, "D_snap%ld", budget);
    return npz_put_mat(run->w, name, d, err);
}

/* Budget N ≥ 1 is pass N's codes with the dictionary after N updates;
 * budget 0 is pass 1's codes with the initial dictionary; after the last
 * pass every remaining budget gets the final state. */
static int write_snapshots(Run *run, const DlFistaRound *r, SkErr *err)
{
    const Options *o = run->o;
    while (run->next_snapshot < o->nsnapshots) {
        long n = o->snapshots[run->next_snapshot];
        const Mat *d;
        if (n == 0 && r->pass == 1)
            d = r->d_used;
        else if (n == r->pass || (r->last && n > r->pass))
            d = r->d;
        else
            break;
        if (put_snapshot(run, n, r, d, err))
            return -1;
        run->next_snapshot++;
    }
    return 0;
}

static int track_dictionary(Run *run, const DlFistaRound *r, SkErr *err)
{
    if (!run->p->truth.v || !r->updated || (r->round % 10 != 0 && !r->last))
        return 0;
    DictMatch m;
    if (dict_match(r->d, &run->p->truth, run->match, &m, err))
        return -1;
    run->track_rounds[run->ntrack] = r->round;
    run->track_cos[run->ntrack] = m.mean_cosine;
    run->track_frac[run->ntrack] = m.frac_close;
    run->ntrack++;
    if (run->o->verbose)
        fprintf(stderr, "%s: round %ld: matched |cos| %.4f, fraction > 0.9 %.4f\n", PROG, r->round,
                m.mean_cosine, m.frac_close);
    return 0;
}

static int on_round(void *user, const DlFistaRound *r, SkErr *err)
{
    Run *run = user;
    long total = run->o->rounds > 0 ? run->o->rounds : 1;
    progress_update(&run->progress, (double)r->pass, (double)total, "round %ld, change %.3g",
                    r->round, r->rel_change);
    if (write_snapshots(run, r, err) || track_dictionary(run, r, err))
        return -1;
    return 0;
}

static int run_alloc(Run *run, SkErr *err)
{
    if (!run->p->truth.v)
        return 0;
    size_t cap = (size_t)(run->o->rounds / 10 + 2);
    run->track_rounds = malloc(cap * sizeof *run->track_rounds);
    run->track_cos = malloc(cap * sizeof *run->track_cos);
    run->track_frac = malloc(cap * sizeof *run->track_frac);
    run->match = malloc(run->p->truth.cols * sizeof *run->match);
    if (!run->track_rounds || !run->track_cos || !run->track_frac || !run->match)
        return sk_fail(err, "out of memory");
    return 0;
}

static void run_free(Run *run)
{
    free(run->track_rounds);
    free(run->track_cos);
    free(run->track_frac);
    free(run->match);
}

/* ---- output ------------------------------------------------------------ */

static void build_meta(const Problem *p, const Options *o, StrBuf *meta)
{
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    sb_printf(&params,
              "\"lambda\": %.9g, \"iters\": %ld, \"rounds\": %ld, \"tol\": 1e-05, "
              "\"min_round\": 10, \"ridge\": 1e-06, \"solve\": \"%s\", \"init\": %s, "
              "\"bias\": %s, \"d_y\": %zu, \"d_z\": %zu, \"snapshots\": [",
              o->lambda, o->iters, o->rounds, o->solve == DLFISTA_SOLVE_F32 ? "f32" : "f64",
              o->init ? "true" : "false", o->bias ? "true" : "false", p->d.rows, p->d.cols);
    for (size_t i = 0; i < o->nsnapshots; i++)
        sb_printf(&params, "%s%ld", i ? ", " : "", o->snapshots[i]);
    sb_printf(&params, "], \"track_dict\": %s", o->track ? "true" : "false");
    meta_add_input(&inputs, "data", p->data_meta);
    if (o->init)
        meta_add_input(&inputs, "init", p->init_meta);
    if (o->bias)
        meta_add_input(&inputs, "bias", p->bias_meta);
    if (o->track)
        meta_add_input(&inputs, "track_dict", p->track_meta);
    meta_build(meta, PROG, 0, NULL, o->have_seed, o->seed, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int put_i64_array(NpzWriter *w, const char *name, const int64_t *v, size_t n, SkErr *err)
{
    size_t shape[1] = {n};
    return npz_put(w, name, NPY_INT64, 1, shape, v, err);
}

static int put_f64_array(NpzWriter *w, const char *name, const double *v, size_t n, SkErr *err)
{
    size_t shape[1] = {n};
    return npz_put(w, name, NPY_FLOAT64, 1, shape, v, err);
}

static int write_results(Run *run, const Mat *zv, const Mat *zo, const DlFistaResult *res,
                         SkErr *err)
{
    const Problem *p = run->p;
    const Options *o = run->o;
    NpzWriter *w = run->w;
    int rc = npz_put_mat(w, "D", &p->d, err) || npz_put_mat(w, "Z_val", zv, err) ||
             (p->has_ood && npz_put_mat(w, "Z_ood", zo, err)) ||
             put_f64_array(w, "rel_change", res->rel_change, (size_t)res->rounds_run, err) ||
             npz_put_i64(w, "rounds", res->rounds_run, err) ||
             npz_put_i64(w, "solve_fallbacks", res->f32_fallbacks, err) ||
             npz_put_i64(w, "stop_reason", res->converged ? 1 : 0, err);
    if (rc == 0 && o->nsnapshots) {
        int64_t *budgets = malloc(o->nsnapshots * sizeof *budgets);
        if (!budgets)
            return sk_fail(err, "out of memory");
        for (size_t i = 0; i < o->nsnapshots; i++)
            budgets[i] = o->snapshots[i];
        rc = put_i64_array(w, "snap_rounds", budgets, o->nsnapshots, err);
        free(budgets);
    }
    if (rc == 0 && p->truth.v)
        rc = put_i64_array(w, "track_rounds", run->track_rounds, run->ntrack, err) ||
             put_f64_array(w, "track_cos", run->track_cos, run->ntrack, err) ||
             put_f64_array(w, "track_frac", run->track_frac, run->ntrack, err);
    if (rc)
        return -1;
    StrBuf meta;
    sb_init(&meta);
    build_meta(p, o, &meta);
    rc = meta.failed ? sk_fail(err, "out of memory")
                     : npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    sb_free(&meta);
    return rc;
}

/* Learn, streaming snapshots into the output, then write the results. */
static int learn_and_write(Problem *p, const Options *o, SkErr *err)
{
    Mat zv = {0}, zo = {0};
    if (mat_alloc(&zv, p->y_val.rows, p->d.cols, err) ||
        (p->has_ood && mat_alloc(&zo, p->y_ood.rows, p->d.cols, err))) {
        mat_release(&zv);
        return -1;
    }
    Run run = {.o = o, .p = p};
    int rc = run_alloc(&run, err);
    if (rc == 0 && !(run.w = npz_create(o->output, 1, err)))
        rc = -1;
    DlFistaResult res = {0};
    if (rc == 0) {
        DlFistaOptions opt;
        dlfista_options_default(&opt);
        opt.lambda = (float)o->lambda;
        opt.iters = (int)o->iters;
        opt.rounds = o->rounds;
        opt.solve = o->solve;
        opt.threads = o->threads_used;
        opt.on_round = on_round;
        opt.user = &run;
        progress_init(&run.progress, PROG, o->verbose);
        rc = dlfista_learn(&p->y_val, p->has_ood ? &p->y_ood : NULL, &p->d, &zv,
                           p->has_ood ? &zo : NULL, &opt, &res, err);
        progress_finish(&run.progress);
    }
    if (rc == 0 && res.f32_fallbacks > 0)
        fprintf(stderr, "%s: note: %ld of %ld float32 updates broke down in rounding (singular Gram) and were solved in double (member solve_fallbacks)\n",
                PROG, res.f32_fallbacks, res.rounds_run);
    if (rc == 0 && o->verbose)
        fprintf(stderr, "%s: %ld rounds, %s\n", PROG, res.rounds_run,
                res.converged ? "converged" : "round budget reached");
    if (rc == 0)
        rc = write_results(&run, &zv, &zo, &res, err);
    if (rc == 0)
        rc = npz_commit(run.w, err);
    else
        npz_abort(run.w);
    dlfista_result_release(&res);
    run_free(&run);
    mat_release(&zv);
    mat_release(&zo);
    return rc;
}

int main(int argc, char **argv)
{
    Options o;
    int args_count;
    char **args = cli_protect_stdin_specs(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, &args_count);
    if (!args) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return SK_EXIT_DATA;
    }
    int rc = parse_options(args_count, args, &o);
    if (rc) {
        free(o.snapshots);
        free(args);
        return rc < 0 ? 0 : rc;
    }
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    SkErr err = {{0}};
    if (load_problem(&p, &o, &err))
        rc = cli_error(PROG, SK_EXIT_DATA, &err);
    else {
        if (p.bias.v) {
            mat_subtract_row(&p.y_val, p.bias.v);
            if (p.has_ood)
                mat_subtract_row(&p.y_ood, p.bias.v);
        }
        o.threads_used = fista_threads(o.threads, p.y_val.rows + p.y_ood.rows, p.d.rows, p.d.cols,
                                       o.iters);
        sk_gemm_set_threads(o.threads_used);
        if (learn_and_write(&p, &o, &err))
            rc = cli_error(PROG, SK_EXIT_DATA, &err);
    }
    problem_free(&p);
    free(o.snapshots);
    free(args);
    return rc;
}
