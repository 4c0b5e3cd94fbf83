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
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "dlfista.h"
#include "fista.h"
#include "gemm.h"
#include "metrics.h"
#include "npz.h"

static const char PROG[] = "dl-fista";

typedef struct {
    DlFistaOptions learn;     /* dlfista_options_default(), but the f32 solve */
    const char *data, *init, *bias, *track, *output;
    long threads, dz;
    uint64_t seed;
    bool have_seed, verbose;
    long *snapshots;          /* sorted, distinct budgets */
    size_t nsnapshots;
    int threads_used;
} Options;

/* --solve writes the enum through an int */
_Static_assert(sizeof(DlFistaSolve) == sizeof(int), "DlFistaSolve is not int-sized");
static const char *const SOLVE_NAMES[] = {"f64", "f32", NULL}; /* DlFistaSolve order */

/* meta.json's params keep their order: lambda, iters (cli_params_json), then
 * the CLI_META_PLACED ones among the fixed and derived values (build_meta). */
static const CliOption OPTIONS[] = {
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz with Y_val (and Y_ood), '-' = stdin"},
    {.name = "seed", .type = CLI_U64, .offset = offsetof(Options, seed), .arg = "S",
     .seen_offset = offsetof(Options, have_seed), .help = "seed of the random initial dictionary",
     .default_text = "none;\nrequired unless --init"},
    {.name = "rounds", .type = CLI_LONG, .offset = offsetof(Options, learn.rounds), .arg = "N",
     .min = 0, .max = 100000000, .flags = CLI_META_PLACED, .meta = "rounds",
     .help = "maximum rounds (updates), >= 0; 0 = one FISTA pass on\nthe initial dictionary"},
    {.name = "lambda", .type = CLI_FLOAT, .offset = offsetof(Options, learn.lambda), .arg = "X",
     .min = 0.0, .max = 3.0e38, .help = "FISTA L1 penalty, >= 0", .meta = "lambda"},
    {.name = "iters", .type = CLI_INT, .offset = offsetof(Options, learn.iters), .arg = "N",
     .min = 0, .max = 100000000, .help = "FISTA iterations per pass, >= 0", .meta = "iters"},
    {.name = "init", .type = CLI_STRING, .offset = offsetof(Options, init), .arg = "FILE:MEMBER",
     .help = "initial dictionary, d_y x p, any width p, zero\ncolumns allowed",
     .default_text = "random N(0,1), unit columns",
     .flags = CLI_META_PRESENCE | CLI_META_PLACED, .meta = "init"},
    {.name = "dz", .type = CLI_LONG, .offset = offsetof(Options, dz), .arg = "N", .min = 1,
     .max = 100000000, .help = "width of the random dictionary",
     .default_text = "the dataset's\nmeta.json params.dz"},
    {.name = "bias", .type = CLI_STRING, .offset = offsetof(Options, bias), .arg = "FILE:MEMBER",
     .help = "1 x d_y vector b: learn on y - b", .flags = CLI_META_PRESENCE | CLI_META_PLACED,
     .meta = "bias"},
    {.name = "snapshots", .type = CLI_LONG_LIST, .offset = offsetof(Options, snapshots),
     .count_offset = offsetof(Options, nsnapshots), .arg = "LIST", .min = 0, .max = 9.3e18,
     .flags = CLI_SORTED_SET | CLI_META_PLACED, .meta = "snapshots",
     .help = "round budgets N (comma-separated, <= --rounds) whose\n"
             "codes and dictionary are also written"},
    {.name = "track-dict", .type = CLI_STRING, .offset = offsetof(Options, track),
     .arg = "FILE:MEMBER", .flags = CLI_META_PRESENCE | CLI_META_PLACED, .meta = "track_dict",
     .help = "true dictionary A: record the matched |cos| of D\n"
             "after rounds 0, 10, 20, ... and the last"},
    {.name = "solve", .type = CLI_CHOICE, .offset = offsetof(Options, learn.solve), .arg = "P",
     .choices = SOLVE_NAMES, .flags = CLI_META_PLACED, .meta = "solve",
     .help = "update arithmetic: f32 (the paper's float32 Cholesky\n"
             "solve, SPEC section 7) or f64 (exact, double; the\nclean variant when n_val < d_z)"},
    CLI_OPTION_THREADS(Options, threads),
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (!o->have_seed && !o->init)
        return sk_fail(err, "--seed is required (or give --init)");
    if (o->init && o->dz)
        return sk_fail(err, "--dz sets the width of a random dictionary; not with --init");
    if (o->nsnapshots && o->snapshots[o->nsnapshots - 1] > o->learn.rounds)
        return sk_fail(err, "--snapshots: budget %ld exceeds --rounds %ld",
                       o->snapshots[o->nsnapshots - 1], o->learn.rounds);
    return 0;
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--data FILE --seed S [options] [-o FILE]",
    .about = "DL-FISTA: alternate non-negative FISTA on Y_val and Y_ood (warm-started)\n"
             "with the update D = Y_val' Z_val (Z_val' Z_val + 1e-6 I)^-1, unit columns;\n"
             "stop when |D - D_old|_F / |D_old|_F < 1e-5 after round 10.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run,
};

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
    if (npz_put_codes(run->w, name, r->z_val, err))
        return -1;
    if (r->z_ood) {
        snprintf(name, sizeof name, "Z_ood_snap%ld", budget);
        if (npz_put_codes(run->w, name, r->z_ood, err))
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
    long total = run->o->learn.rounds > 0 ? run->o->learn.rounds : 1;
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
    size_t cap = (size_t)(run->o->learn.rounds / 10 + 2);
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
    cli_params_json(&TOOL, o, &params); /* lambda, iters */
    cli_param_json(&TOOL, o, "rounds", &params);
    sb_printf(&params, ", \"tol\": %g, \"min_round\": %ld, \"ridge\": %g", o->learn.tol,
              o->learn.min_round, o->learn.ridge);
    cli_param_json(&TOOL, o, "solve", &params);
    cli_param_json(&TOOL, o, "init", &params);
    cli_param_json(&TOOL, o, "bias", &params);
    sb_printf(&params, ", \"d_y\": %zu, \"d_z\": %zu", p->d.rows, p->d.cols);
    cli_param_json(&TOOL, o, "snapshots", &params);
    cli_param_json(&TOOL, o, "track_dict", &params);
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
    int rc = npz_put_mat(w, "D", &p->d, err) || npz_put_codes(w, "Z_val", zv, err) ||
             (p->has_ood && npz_put_codes(w, "Z_ood", zo, err)) ||
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
        DlFistaOptions opt = o->learn;
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

static int run(void *opts, int argc, char **argv)
{
    Options *o = opts;
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    SkErr err = {{0}};
    int rc = 0;
    if (load_problem(&p, o, &err))
        rc = cli_error(PROG, SK_EXIT_DATA, &err);
    else {
        if (p.bias.v) {
            mat_subtract_row(&p.y_val, p.bias.v);
            if (p.has_ood)
                mat_subtract_row(&p.y_ood, p.bias.v);
        }
        o->threads_used = fista_threads(o->threads, p.y_val.rows + p.y_ood.rows, p.d.rows, p.d.cols,
                                        o->learn.iters);
        sk_gemm_set_threads(o->threads_used);
        if (learn_and_write(&p, o, &err))
            rc = cli_error(PROG, SK_EXIT_DATA, &err);
    }
    problem_free(&p);
    return rc;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-"};
    dlfista_options_default(&o.learn); /* the defaults --help shows */
    o.learn.solve = DLFISTA_SOLVE_F32; /* this tool runs the paper's arithmetic (SPEC section 7) */
    return cli_main(&TOOL, &o, argc, argv);
}
