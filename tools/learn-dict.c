/* learn-dict — dictionary learning beyond the paper's DL-FISTA (SPEC §8),
 * and the true-code dictionary (the limit), under DL-FISTA's protocol: the
 * dictionary is learned from Y_val (--fit val) or Y_train ∪ Y_val (--fit
 * train+val, a named variant), then codes for Y_val and Y_ood are inferred by
 * non-negative FISTA on it (cold, λ, --final-iters).
 *
 *   learn-dict --data FILE --seed S [--learner NAME] [options] [-o FILE]
 *
 * Output members:
 *   D (d_y × d_z)             the learned dictionary (unit columns)
 *   Z_val, Z_ood              FISTA codes on D
 *   rel_change, fit_mse, lambda (float64), replaced (int64): per round
 *   rounds (int64), stop_reason (0 = --rounds budget, 1 = converged)
 *   with --track-dict A: track_cos, track_frac (float64), matched |cos| of
 *     D to A after every round
 *   meta.json
 * --learner true-codes: D = D* = Yᵀ Z (ZᵀZ)⁺ from the fit rows' *true* codes
 * (Z_val, or Z_train ∪ Z_val), no rounds. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "fista.h"
#include "gemm.h"
#include "learndict.h"
#include "metrics.h"
#include "npz.h"

static const char *const LEARNERS[] = {"default", "fista-fixes", "dl-fista", "ksvd", "itkrm",
                                       "true-codes", "long", NULL};
enum { LEARNER_TRUE_CODES = 5 };
static const char *const FITS[] = {"val", "train+val", NULL};
static const char *const INITS[] = {"random", "data", NULL};   /* LdInit order */
static const char *const CODERS[] = {"fista", "omp", NULL};    /* LdCoder order */
static const char *const UPDATES[] = {"mod", "ksvd", "mean", NULL}; /* LdUpdate order */
static const char *const ONOFF[] = {"off", "on", NULL};
static const char *const RESTART_INITS[] = {"random", "residuals", NULL};

typedef struct {
    const char *data, *track, *init_dict, *output;
    uint64_t seed;
    int learner, fit, init, coder, update, refit, replace, restart_init;
    long rounds, continuation, iters, final_iters, k, threads, dz, restart_round;
    double lambda, learn_lambda, lambda_start, dup_cos, restart_mass;
    bool verbose;
    /* which learner options were given (they override the learner's) */
    bool s_init, s_coder, s_update, s_refit, s_replace, s_rounds, s_cont, s_iters, s_final, s_k,
        s_lambda, s_llearn, s_lstart, s_dup, s_rround, s_rmass, s_rinit;
} Options;

#define SEEN(f) .seen_offset = offsetof(Options, f)
static const CliOption OPTIONS[] = {
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz from gen-data, '-' = stdin"},
    CLI_OPTION_SEED(Options, seed, CLI_REQUIRED),
    {.name = "learner", .type = CLI_CHOICE, .offset = offsetof(Options, learner), .arg = "NAME",
     .choices = LEARNERS, .meta = "learner",
     .help = "default (random atoms, FISTA with lambda 0.3 -> 0.1, MOD,\n"
             "replacement; 150 rounds), long (the same, 300 rounds), fista-fixes\n"
             "(data init, refit), dl-fista (the paper's loop), ksvd, itkrm,\n"
             "or true-codes (D* from the true codes: the limit)"},
    {.name = "fit", .type = CLI_CHOICE, .offset = offsetof(Options, fit), .arg = "ROWS",
     .choices = FITS, .meta = "fit", .help = "rows the dictionary is learned from: val (the\npaper's protocol) or train+val"},
    {.name = "rounds", .type = CLI_LONG, .offset = offsetof(Options, rounds), .arg = "N",
     .min = 0, .max = 100000000, .meta = "rounds", SEEN(s_rounds), .help = "maximum rounds"},
    {.name = "init", .type = CLI_CHOICE, .offset = offsetof(Options, init), .arg = "I",
     .choices = INITS, .meta = "init", SEEN(s_init),
     .help = "initial atoms: random N(0,1) or normalised data rows"},
    {.name = "coder", .type = CLI_CHOICE, .offset = offsetof(Options, coder), .arg = "C",
     .choices = CODERS, .meta = "coder", SEEN(s_coder),
     .help = "sparse coding per round: fista (lambda, warm) or omp\n(non-negative OMP, --k atoms)"},
    {.name = "update", .type = CLI_CHOICE, .offset = offsetof(Options, update), .arg = "U",
     .choices = UPDATES, .meta = "update", SEEN(s_update),
     .help = "dictionary update: mod (ridge solve), ksvd (rank-one),\nmean (residual means)"},
    {.name = "refit", .type = CLI_CHOICE, .offset = offsetof(Options, refit), .arg = "on|off",
     .choices = ONOFF, .meta = "refit", SEEN(s_refit),
     .help = "least-squares refit of the codes on their support"},
    {.name = "replace", .type = CLI_CHOICE, .offset = offsetof(Options, replace), .arg = "on|off",
     .choices = ONOFF, .meta = "replace", SEEN(s_replace),
     .help = "replace dead/duplicate atoms by worst residuals"},
    {.name = "dup-cos", .type = CLI_DOUBLE, .offset = offsetof(Options, dup_cos), .arg = "X",
     .min = 0, .max = 1, .meta = "dup_cos", SEEN(s_dup), .help = "duplicate atoms: |cos| above this"},
    {.name = "restart-round", .type = CLI_LONG, .offset = offsetof(Options, restart_round),
     .arg = "R", .min = 0, .max = 100000000, .meta = "restart_round", SEEN(s_rround),
     .help = "at round R keep the atoms of large code mass fixed,\ndraw the others afresh and run the continuation again\n(0 = never)"},
    {.name = "restart-mass", .type = CLI_DOUBLE, .offset = offsetof(Options, restart_mass),
     .arg = "X", .min = 0, .max = 1e6, .meta = "restart_mass", SEEN(s_rmass),
     .help = "atoms kept: code mass at least X times the mean atom's"},
    {.name = "restart-init", .type = CLI_CHOICE, .offset = offsetof(Options, restart_init),
     .arg = "I", .choices = RESTART_INITS, .meta = "restart_init", SEEN(s_rinit),
     .help = "restarted atoms: random N(0,1) or the normalised\nresiduals the kept atoms leave in the worst-fit rows"},
    {.name = "lambda", .type = CLI_DOUBLE, .offset = offsetof(Options, lambda), .arg = "X",
     .min = 0, .max = 3e38, .meta = "lambda", SEEN(s_lambda),
     .help = "FISTA L1 penalty of the output codes"},
    {.name = "learn-lambda", .type = CLI_DOUBLE, .offset = offsetof(Options, learn_lambda),
     .arg = "X", .min = 0, .max = 3e38, .meta = "learn_lambda", SEEN(s_llearn),
     .help = "FISTA L1 penalty the rounds end at (0 = --lambda)"},
    {.name = "lambda-start", .type = CLI_DOUBLE, .offset = offsetof(Options, lambda_start),
     .arg = "X", .min = 0, .max = 3e38, .meta = "lambda_start", SEEN(s_lstart),
     .help = "continuation: first round's penalty"},
    {.name = "continuation", .type = CLI_LONG, .offset = offsetof(Options, continuation),
     .arg = "R", .min = 0, .max = 100000000, .meta = "continuation", SEEN(s_cont),
     .help = "rounds from --lambda-start to --learn-lambda (0 = off)"},
    {.name = "iters", .type = CLI_LONG, .offset = offsetof(Options, iters), .arg = "N", .min = 0,
     .max = 100000000, .meta = "iters", SEEN(s_iters), .help = "FISTA iterations per round"},
    {.name = "final-iters", .type = CLI_LONG, .offset = offsetof(Options, final_iters),
     .arg = "N", .min = 0, .max = 100000000, .meta = "final_iters", SEEN(s_final),
     .help = "FISTA iterations of the output codes (cold start)"},
    {.name = "k", .type = CLI_LONG, .offset = offsetof(Options, k), .arg = "K", .min = 1,
     .max = 256, .meta = "k", SEEN(s_k), .help = "atoms per sample of the omp coder"},
    {.name = "dz", .type = CLI_LONG, .offset = offsetof(Options, dz), .arg = "N", .min = 1,
     .max = 100000000, .default_text = "the dataset's meta.json params.dz",
     .help = "dictionary width"},
    {.name = "init-dict", .type = CLI_STRING, .offset = offsetof(Options, init_dict),
     .arg = "FILE:MEMBER", .flags = CLI_META_PRESENCE, .meta = "init_dict",
     .help = "start from this dictionary (d_y x d_z) instead of --init"},
    {.name = "track-dict", .type = CLI_STRING, .offset = offsetof(Options, track),
     .arg = "FILE:MEMBER", .flags = CLI_META_PRESENCE, .meta = "track_dict",
     .help = "true dictionary A: record D's matched |cos| each round"},
    CLI_OPTION_THREADS(Options, threads),
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

/* ---- inputs ---------------------------------------------------------------- */

typedef struct {
    NpzCache cache;
    Mat y_fit, z_fit, y_val, y_ood, truth, start;
    const char *data_meta, *track_meta, *start_meta;
    size_t dz;
} Problem;

static void problem_free(Problem *p)
{
    mat_release(&p->y_fit), mat_release(&p->z_fit), mat_release(&p->y_val);
    mat_release(&p->y_ood), mat_release(&p->truth), mat_release(&p->start);
    npz_cache_free(&p->cache);
}

static int get_member(const Npz *npz, const char *file, const char *name, Mat *m, SkErr *err)
{
    const NpyArray *a = npz_get(npz, name);
    if (!a)
        return sk_fail(err, "%s: no member %s (not a dataset?)", file, name);
    if (a->ndim != 2)
        return sk_fail(err, "%s: %s is not a matrix", file, name);
    if (npy_to_mat(a, m, err))
        return sk_prefix(err, file);
    if (!mat_all_finite(m))
        return sk_fail(err, "%s: %s holds non-finite values", file, name);
    if (m->rows == 0 || m->cols == 0)
        return sk_fail(err, "%s: %s is %zu x %zu (empty)", file, name, m->rows, m->cols);
    return 0;
}

/* out = rows of a then b (same width). */
static int stack_rows(const Mat *a, const Mat *b, Mat *out, const char *file, SkErr *err)
{
    if (a->cols != b->cols)
        return sk_fail(err, "%s: train and val have %zu and %zu columns", file, a->cols, b->cols);
    if (mat_alloc(out, a->rows + b->rows, a->cols, err))
        return -1;
    memcpy(out->v, a->v, mat_size(a) * sizeof *a->v);
    memcpy(out->v + mat_size(a), b->v, mat_size(b) * sizeof *b->v);
    return 0;
}

/* The rows to learn from (and their true codes for true-codes). */
static int load_fit(Problem *p, const Options *o, const Npz *npz, const char *file, SkErr *err)
{
    bool truth = o->learner == LEARNER_TRUE_CODES, both = o->fit == 1;
    Mat zv = {0}, yt = {0}, zt = {0};
    int rc = 0;
    if (truth)
        rc = get_member(npz, file, "Z_val", &zv, err);
    if (rc == 0 && both)
        rc = get_member(npz, file, "Y_train", &yt, err) || stack_rows(&yt, &p->y_val, &p->y_fit, file, err);
    else if (rc == 0)
        rc = mat_copy(&p->y_fit, &p->y_val, err);
    if (rc == 0 && truth && both)
        rc = get_member(npz, file, "Z_train", &zt, err) || stack_rows(&zt, &zv, &p->z_fit, file, err);
    else if (rc == 0 && truth)
        p->z_fit = zv, zv = (Mat){0};
    if (rc == 0 && truth && (p->z_fit.rows != p->y_fit.rows))
        rc = sk_fail(err, "%s: true codes and samples have different row counts", file);
    mat_release(&zv), mat_release(&yt), mat_release(&zt);
    return rc;
}

static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    char file[512];
    npz_spec_file(o->data, file, sizeof file);
    const Npz *npz;
    if (npz_cache_open(&p->cache, o->data, &npz, err) ||
        get_member(npz, file, "Y_val", &p->y_val, err) ||
        get_member(npz, file, "Y_ood", &p->y_ood, err))
        return -1;
    if (p->y_ood.cols != p->y_val.cols)
        return sk_fail(err, "%s: Y_ood has %zu columns, Y_val %zu", file, p->y_ood.cols,
                       p->y_val.cols);
    p->data_meta = npz->meta_json;
    if (load_fit(p, o, npz, file, err))
        return -1;
    double dz = (double)o->dz;
    if (o->learner == LEARNER_TRUE_CODES)
        dz = (double)p->z_fit.cols;
    else if (!o->dz && (!p->data_meta || json_get_number(p->data_meta, "params.dz", &dz) ||
                        !(dz >= 1.0 && dz <= 1e8 && dz == (double)(long)dz)))
        return sk_fail(err, "%s: meta.json has no params.dz; give --dz", file);
    p->dz = (size_t)dz;
    if (o->track) {
        npz_spec_file(o->track, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->track, NULL, &p->truth, "tracked dictionary", err))
            return -1;
        if (p->truth.rows != p->y_val.cols)
            return sk_fail(err, "%s: tracked dictionary has %zu rows, expected %zu (d_y)", file,
                           p->truth.rows, p->y_val.cols);
        p->track_meta = npz_spec_meta(&p->cache, o->track);
    }
    if (o->init_dict && o->learner != LEARNER_TRUE_CODES) {
        npz_spec_file(o->init_dict, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->init_dict, NULL, &p->start, "initial dictionary",
                                err))
            return -1;
        if (p->start.rows != p->y_val.cols || p->start.cols != p->dz)
            return sk_fail(err, "%s: initial dictionary is %zu x %zu, expected %zu x %zu", file,
                           p->start.rows, p->start.cols, p->y_val.cols, p->dz);
        p->start_meta = npz_spec_meta(&p->cache, o->init_dict);
    }
    return 0;
}

/* ---- the run ------------------------------------------------------------------- */

typedef struct {
    const Options *o;
    const Problem *p;
    Progress progress;
    long rounds; /* the learner's round budget */
    double *track_cos, *track_frac;
    long *match;
    size_t ntrack;
} Run;

static int on_round(void *user, const LearnDictRound *r, SkErr *err)
{
    Run *run = user;
    progress_update(&run->progress, (double)(r->round + 1), (double)run->rounds,
                    "round %ld, lambda %.3g, fit mse %.3g, replaced %ld", r->round, r->lambda,
                    r->fit_mse, r->replaced);
    if (!run->p->truth.v)
        return 0;
    DictMatch m;
    if (dict_match(r->d, &run->p->truth, run->match, &m, err))
        return -1;
    run->track_cos[run->ntrack] = m.mean_cosine;
    run->track_frac[run->ntrack++] = m.frac_close;
    if (run->o->verbose && (r->round % 10 == 0 || r->last))
        fprintf(stderr, "learn-dict: round %ld: matched |cos| %.4f, fraction > 0.9 %.4f\n",
                r->round, m.mean_cosine, m.frac_close);
    return 0;
}

static void learner_options(const Options *o, LearnDictOptions *lo)
{
    learndict_options_default(lo);
    learndict_preset(LEARNERS[o->learner], lo, NULL);
    if (o->s_init) lo->init = (LdInit)o->init;
    if (o->s_coder) lo->coder = (LdCoder)o->coder;
    if (o->s_update) lo->update = (LdUpdate)o->update;
    if (o->s_refit) lo->refit = o->refit;
    if (o->s_replace) lo->replace = o->replace;
    if (o->s_dup) lo->dup_cos = o->dup_cos;
    if (o->s_lambda) lo->lambda = (float)o->lambda;
    if (o->s_llearn) lo->learn_lambda = (float)o->learn_lambda;
    if (o->s_lstart) lo->lambda_start = (float)o->lambda_start;
    if (o->s_cont) lo->continuation = o->continuation;
    if (o->s_iters) lo->iters = (int)o->iters;
    if (o->s_final) lo->final_iters = (int)o->final_iters;
    if (o->s_k) lo->k = (int)o->k;
    if (o->s_rounds) lo->rounds = o->rounds;
    if (o->s_rround) lo->restart_round = o->restart_round;
    if (o->s_rmass) lo->restart_mass = o->restart_mass;
    if (o->s_rinit) lo->restart_residuals = o->restart_init == 1;
    lo->seed = o->seed;
}

static int put_f64(NpzWriter *w, const char *name, const double *v, size_t n, SkErr *err)
{
    size_t shape[1] = {n};
    return npz_put(w, name, NPY_FLOAT64, 1, shape, v, err);
}

static int put_history(NpzWriter *w, const LearnDictResult *res, const Run *run, SkErr *err)
{
    size_t n = (size_t)res->rounds_run, shape[1] = {n};
    int64_t *repl = malloc((n ? n : 1) * sizeof *repl);
    if (!repl)
        return sk_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++)
        repl[i] = res->replaced[i];
    int rc = put_f64(w, "rel_change", res->rel_change, n, err) ||
             put_f64(w, "fit_mse", res->fit_mse, n, err) ||
             put_f64(w, "lambda", res->lambda, n, err) ||
             npz_put(w, "replaced", NPY_INT64, 1, shape, repl, err) ||
             npz_put_i64(w, "rounds", res->rounds_run, err) ||
             npz_put_i64(w, "stop_reason", res->converged ? 1 : 0, err);
    if (rc == 0 && run->p->truth.v)
        rc = put_f64(w, "track_cos", run->track_cos, run->ntrack, err) ||
             put_f64(w, "track_frac", run->track_frac, run->ntrack, err);
    free(repl);
    return rc;
}

static int put_meta(NpzWriter *w, const CliTool *tool, const Options *o, const Problem *p,
                    const LearnDictOptions *lo, int argc, char **argv, SkErr *err)
{
    StrBuf params, inputs, meta;
    sb_init(&params), sb_init(&inputs), sb_init(&meta);
    cli_params_json(tool, o, &params);
    sb_printf(&params, ", \"effective\": {\"init\": \"%s\", \"coder\": \"%s\", \"update\": \"%s\", "
                       "\"refit\": %s, \"replace\": %s, \"lambda\": %.9g, \"learn_lambda\": %.9g, "
                       "\"lambda_start\": %.9g, "
                       "\"continuation\": %ld, \"iters\": %d, \"final_iters\": %d, \"k\": %d, "
                       "\"rounds\": %ld}, \"d_y\": %zu, \"d_z\": %zu, \"n_fit\": %zu",
              INITS[lo->init], CODERS[lo->coder], UPDATES[lo->update], lo->refit ? "true" : "false",
              lo->replace ? "true" : "false", (double)lo->lambda, (double)lo->learn_lambda,
              (double)lo->lambda_start,
              lo->continuation, lo->iters, lo->final_iters, lo->k, lo->rounds, p->y_val.cols, p->dz,
              p->y_fit.rows);
    meta_add_input(&inputs, "data", p->data_meta);
    if (o->track)
        meta_add_input(&inputs, "track_dict", p->track_meta);
    if (p->start.v)
        meta_add_input(&inputs, "init_dict", p->start_meta);
    meta_build(&meta, tool->prog, argc, argv, true, o->seed, params.s, inputs.s);
    int rc = meta.failed || params.failed || inputs.failed
                 ? sk_fail(err, "out of memory")
                 : npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    sb_free(&params), sb_free(&inputs), sb_free(&meta);
    return rc;
}

/* D* from the true codes, then the final FISTA codes. */
static int run_true_codes(const Problem *p, const LearnDictOptions *lo, Mat *d, Mat *zv, Mat *zo,
                          SkErr *err)
{
    if (learndict_true_code_dict(&p->y_fit, &p->z_fit, d, err))
        return -1;
    FistaOptions fo;
    fista_options_default(&fo);
    fo.lambda = lo->lambda;
    fo.iters = lo->final_iters;
    return fista_solve(d, &p->y_val, NULL, &fo, zv, err) ||
           fista_solve(d, &p->y_ood, NULL, &fo, zo, err);
}

static int learn_and_write(const CliTool *tool, const Options *o, const Problem *p, int argc,
                           char **argv, SkErr *err)
{
    LearnDictOptions lo;
    learner_options(o, &lo);
    Run run = {.o = o, .p = p, .rounds = lo.rounds};
    Mat d = {0}, zv = {0}, zo = {0};
    LearnDictResult res = {0};
    size_t cap = (size_t)(lo.rounds > 0 ? lo.rounds : 1);
    int rc = mat_alloc(&zv, p->y_val.rows, p->dz, err) || mat_alloc(&zo, p->y_ood.rows, p->dz, err);
    if (rc == 0 && p->truth.v) {
        run.track_cos = malloc(cap * sizeof *run.track_cos);
        run.track_frac = malloc(cap * sizeof *run.track_frac);
        run.match = malloc(p->truth.cols * sizeof *run.match);
        rc = run.track_cos && run.track_frac && run.match ? 0 : sk_fail(err, "out of memory");
    }
    if (rc == 0 && o->learner == LEARNER_TRUE_CODES) {
        rc = run_true_codes(p, &lo, &d, &zv, &zo, err);
        lo.rounds = 0;
    } else if (rc == 0) {
        lo.on_round = on_round, lo.user = &run;
        progress_init(&run.progress, tool->prog, o->verbose);
        rc = (p->start.v ? mat_copy(&d, &p->start, err)
                         : learndict_init(lo.init, o->seed, &p->y_fit, p->dz, &d, err)) ||
             learndict_learn(&p->y_fit, &p->y_val, &p->y_ood, &d, &zv, &zo, &lo, &res, err);
        progress_finish(&run.progress);
    }
    NpzWriter *w = rc == 0 ? npz_create(o->output, 1, err) : NULL;
    rc = w ? 0 : -1;
    if (rc == 0 && (npz_put_mat(w, "D", &d, err) || npz_put_codes(w, "Z_val", &zv, err) ||
                    npz_put_codes(w, "Z_ood", &zo, err) || put_history(w, &res, &run, err) ||
                    put_meta(w, tool, o, p, &lo, argc, argv, err)))
        rc = -1;
    if (w && rc == 0)
        rc = npz_commit(w, err);
    else if (w)
        npz_abort(w);
    if (rc == 0 && o->verbose)
        fprintf(stderr, "learn-dict: %ld rounds (%s), %ld atoms replaced, %.1f s learning, %.1f s codes\n",
                res.rounds_run, res.converged ? "converged" : "round budget", res.replaced_total,
                res.seconds_learn, res.seconds_final);
    learndict_result_release(&res);
    free(run.track_cos), free(run.track_frac), free(run.match);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    return rc;
}

static int run_tool(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = "learn-dict",
    .synopsis = "--data FILE --seed S [--learner NAME] [options] [-o FILE]",
    .about = "Learn a dictionary from Y_val (or Y_train + Y_val) beyond the paper's DL-FISTA\n"
             "(SPEC section 8), then infer Y_val and Y_ood codes by non-negative FISTA on it.\n"
             "Learner options not given take the chosen learner's values; the defaults\n"
             "shown are the default learner's.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .run = run_tool,
};

static int run_tool(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    SkErr err = {{0}};
    int rc = 0;
    if (load_problem(&p, o, &err))
        rc = cli_error(TOOL.prog, SK_EXIT_DATA, &err);
    else {
        double flops = 4.0 * (double)p.y_fit.rows * (double)p.y_val.cols * (double)p.dz * 100.0;
        sk_gemm_set_threads(sk_threads_for_work(o->threads, flops, 1e9));
        if (learn_and_write(&TOOL, o, &p, argc, argv, &err))
            rc = cli_error(TOOL.prog, SK_EXIT_DATA, &err);
    }
    problem_free(&p);
    return rc;
}

/* A float as the shortest decimal that rounds back to it (0.1f → 0.1), so
 * --help shows the default as typed. */
static double float_decimal(float x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", (double)x);
    return strtod(buf, NULL);
}

int main(int argc, char **argv)
{
    LearnDictOptions lo;
    learndict_options_default(&lo);
    Options o = {.output = "-", .init = (int)lo.init, .coder = (int)lo.coder,
                 .update = (int)lo.update, .refit = lo.refit, .replace = lo.replace,
                 .rounds = lo.rounds, .continuation = lo.continuation, .iters = lo.iters,
                 .final_iters = lo.final_iters, .k = lo.k, .lambda = float_decimal(lo.lambda),
                 .learn_lambda = float_decimal(lo.learn_lambda),
                 .lambda_start = float_decimal(lo.lambda_start), .dup_cos = lo.dup_cos,
                 .restart_round = lo.restart_round,
                 .restart_mass = lo.restart_mass, .restart_init = lo.restart_residuals};
    return cli_main(&TOOL, &o, argc, argv);
}
