/* warm-start — MCC(OOD) curves of the warm-start surgeries (SPEC §5.2, §5.3)
 * on a trained SAE, against iteration budgets.
 *
 *   warm-start --model MODEL --data FILE --kind decoder --seed S [options] [-o CURVES.tsv]
 *   warm-start --model MODEL --data FILE --kind encoder [options] [-o CURVES.tsv]
 *
 * The protocol (lib/warm_start.h): decoder, DL-FISTA on y − b_dec from the
 * SAE's decoder (warm) or a random dictionary (cold), budgets in rounds;
 * encoder, FISTA on the frozen decoder from the SAE's codes (warm) or from 0
 * (cold), budgets in iterations; oracle, FISTA with the true A on the raw y
 * (--oracle-iters iterations, a reference line; --no-oracle leaves it out).
 *
 * Output: a TSV with the header
 *   budget  start  mcc_ood  mcc_ood_clean
 * then one line per budget of the warm run, per budget of the cold run, and
 * the oracle line; mcc_ood is the paper's MCC(OOD) (mcc_paper_ood),
 * mcc_ood_clean the clean one (mcc_clean), both against the data's Z_ood. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "cliopts.h"
#include "dlfista.h"
#include "fista.h"
#include "gemm.h"
#include "npz.h"
#include "sae_io.h"
#include "warm_start.h"

#define PROG "warm-start"

typedef enum { KIND_DECODER, KIND_ENCODER } Kind;

typedef struct {
    const char *model, *data, *output;
    int kind;                 /* Kind */
    bool have_seed, verbose, oracle, no_oracle;
    uint64_t seed;
    float lambda;             /* dlfista_options_default()'s */
    long iters, oracle_iters, threads;
    int solve;                /* DlFistaSolve */
    long *budgets;            /* sorted, distinct */
    size_t nbudgets;
    int threads_used;
} Options;

#define MAX_BUDGET 100000000L

static const char *const KINDS[] = {"decoder", "encoder", NULL};   /* Kind order */
static const char *const SOLVES[] = {"f64", "f32", NULL};         /* DlFistaSolve order */

static const CliOption OPTIONS[] = {
    {.name = "model", .type = CLI_STRING, .offset = offsetof(Options, model), .arg = "MODEL",
     .flags = CLI_REQUIRED, .help = "train-sae model (W_dec, b_dec, Z_ood: its codes of FILE's\n"
                                    "Y_ood); '-' reads stdin"},
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "the dataset the model was trained on: Y_val (decoder),\n"
                                    "Y_ood, Z_ood, A (oracle)"},
    {.name = "kind", .type = CLI_CHOICE, .offset = offsetof(Options, kind), .arg = "K",
     .choices = KINDS, .flags = CLI_REQUIRED, .help = "decoder or encoder"},
    {.name = "budgets", .type = CLI_LONG_LIST, .offset = offsetof(Options, budgets),
     .count_offset = offsetof(Options, nbudgets), .arg = "LIST", .min = 0, .max = 1e9,
     .flags = CLI_SORTED_SET, .help = "comma-separated budgets", .default_text = WARM_START_DEFAULT_BUDGETS_TEXT},
    {.name = "seed", .type = CLI_U64, .offset = offsetof(Options, seed), .arg = "S",
     .seen_offset = offsetof(Options, have_seed), .default_text = "",
     .help = "seed of the cold random dictionary (required for decoder;\nunused by encoder)"},
    {.name = "lambda", .type = CLI_FLOAT, .offset = offsetof(Options, lambda), .arg = "X",
     .min = 0.0, .max = 3.0e38, .help = "FISTA L1 penalty, >= 0"},
    {.name = "iters", .type = CLI_LONG, .offset = offsetof(Options, iters), .arg = "N", .min = 0,
     .max = MAX_BUDGET, .help = "decoder: FISTA iterations per DL-FISTA pass"},
    {.name = "solve", .type = CLI_CHOICE, .offset = offsetof(Options, solve), .arg = "P",
     .choices = SOLVES,
     .help = "decoder: dictionary update arithmetic, f32 (the paper's)\nor f64"},
    {.name = "oracle-iters", .type = CLI_LONG, .offset = offsetof(Options, oracle_iters),
     .arg = "N", .min = 0, .max = MAX_BUDGET, .help = "FISTA iterations of the oracle row"},
    {.name = "no-oracle", .type = CLI_FLAG, .offset = offsetof(Options, no_oracle),
     .help = "leave out the oracle row (A is then not needed)"},
    {.name = "threads", .type = CLI_LONG, .offset = offsetof(Options, threads), .arg = "N",
     .min = 1, .max = 4096, .help = "threads; results do not depend on\nit",
     .default_text = "SLURM_CPUS_PER_TASK, else\n"
                     "BLIS_NUM_THREADS, else the CPUs available; 1 for small\nproblems"},
    {.name = "output", .short_name = 'o', .type = CLI_STRING, .offset = offsetof(Options, output),
     .arg = "FILE", .help = "output TSV, '-' for stdout"},
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

static WarmStartKind lib_kind(int k)
{
    return k == KIND_DECODER ? WARM_START_DECODER : WARM_START_ENCODER;
}

/* The kind's default budgets when --budgets is not given: the library's own
 * (read-only) array; cli_main frees only lists it parsed from argv. */
static void default_budgets(Options *o)
{
    o->budgets = (long *)warm_start_default_budgets(lib_kind(o->kind), &o->nbudgets);
}

/* decoder needs --seed; the budgets default by kind. */
static int check_options(void *opts, SkErr *err)
{
    Options *o = opts;
    if (o->kind == KIND_DECODER && !o->have_seed)
        return sk_fail(err, "--kind decoder needs --seed (the cold dictionary)");
    if (!o->budgets)
        default_budgets(o);
    if (o->budgets[o->nbudgets - 1] > MAX_BUDGET)
        return sk_fail(err, "--budgets: %ld is too large", o->budgets[o->nbudgets - 1]);
    return 0;
}

static int run_tool(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--model MODEL --data FILE --kind decoder --seed S [options] [-o FILE]\n"
                "       " PROG " --model MODEL --data FILE --kind encoder [options] [-o FILE]",
    .about = "MCC(OOD) after each budget of the warm-start surgeries on a trained SAE (SPEC\n"
             "5.2, 5.3), as a TSV: budget, start (warm, cold or oracle), mcc_ood (paper),\n"
             "mcc_ood_clean. decoder: DL-FISTA on y - b_dec from the SAE decoder (warm) or\n"
             "from random (cold, seeded like dl-fista); budget N = N FISTA passes (cold 0\n"
             "is not run). encoder: FISTA on the frozen decoder and y - b_dec from the SAE's\n"
             "codes (warm) or from 0 (cold); budget N = N iterations. oracle: FISTA with the\n"
             "data's A on the raw y.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run_tool,
};

/* ---- inputs ------------------------------------------------------------ */

typedef struct {
    NpzCache cache;
    SaeModelFile model;
    Mat y_val, y_ood, z_ood, a;   /* the data (y − b_dec not yet applied) */
    const char *data_meta;
} Problem;

static void problem_free(Problem *p)
{
    sae_model_file_release(&p->model);
    mat_release(&p->y_val);
    mat_release(&p->y_ood);
    mat_release(&p->z_ood);
    mat_release(&p->a);
    npz_cache_free(&p->cache);
}

static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    bool encoder = o->kind == KIND_ENCODER;
    if (sae_model_file_load(&p->cache, o->model, false, &p->model, err))
        return -1;
    const char *mfile = strcmp(o->model, "-") == 0 ? "stdin" : o->model;
    const char *dfile = strcmp(o->data, "-") == 0 ? "stdin" : o->data;
    const Npz *data;
    if (npz_cache_open(&p->cache, o->data, &data, err))
        return -1;
    p->data_meta = data->meta_json;
    if (npz_member_mat_nonempty(data, dfile, "Y_ood", NULL, &p->y_ood, err) ||
        npz_member_mat_nonempty(data, dfile, "Z_ood", NULL, &p->z_ood, err) ||
        (!encoder && npz_member_mat_nonempty(data, dfile, "Y_val", NULL, &p->y_val, err)) ||
        (o->oracle && npz_member_mat_nonempty(data, dfile, "A", NULL, &p->a, err)))
        return -1;
    size_t dy = p->model.w_dec.rows, width = p->model.w_dec.cols, n = p->y_ood.rows;
    if (p->y_ood.cols != dy || (!encoder && p->y_val.cols != dy))
        return sk_fail(err, "%s: samples have %zu columns, the model's d_y is %zu", dfile,
                       p->y_ood.cols, dy);
    if (p->z_ood.rows != n)
        return sk_fail(err, "%s: Z_ood has %zu rows, Y_ood %zu", dfile, p->z_ood.rows, n);
    if (o->oracle && p->a.rows != dy)
        return sk_fail(err, "%s: A has %zu rows, the samples %zu columns", dfile, p->a.rows, dy);
    if (encoder) {
        const Npz *model;
        if (npz_cache_open(&p->cache, o->model, &model, err) ||
            npz_member_mat_nonempty(model, mfile, "Z_ood", NULL, &p->model.z_ood, err))
            return -1;
        if (p->model.z_ood.rows != n || p->model.z_ood.cols != width)
            return sk_fail(err, "%s: Z_ood is %zu x %zu, expected %zu x %zu (the data's OOD "
                                "samples x width): not a model of this data?",
                           mfile, p->model.z_ood.rows, p->model.z_ood.cols, n, width);
    }
    return 0;
}

/* ---- curves ------------------------------------------------------------- */

/* Progress line and, with -v, a log line per point (lib/warm_start reports both). */
typedef struct {
    Progress progress;
    bool verbose;
} Report;

static void report_progress(void *user, double done, double total, const char *what)
{
    Report *r = user;
    progress_update(&r->progress, done, total, "%s", what);
}

static void report_point(void *user, const WarmStartPoint *pt)
{
    Report *r = user;
    if (r->verbose)
        fprintf(stderr, "%s: %s budget %ld: mcc_ood %.4f, clean %.4f\n", PROG, pt->start,
                pt->budget, pt->mcc, pt->mcc_clean);
}

static int curves(const Problem *p, const Options *o, WarmStartPoint **points, size_t *npoints,
                  SkErr *err)
{
    WarmStartProblem wp = {.w_dec = &p->model.w_dec, .b_dec = p->model.b_dec.v,
                           .z_sae = &p->model.z_ood, .y_val = &p->y_val, .y_ood = &p->y_ood,
                           .z_ood = &p->z_ood, .a = o->oracle ? &p->a : NULL};
    Report report = {.verbose = o->verbose};
    WarmStartOptions wo;
    warm_start_options_default(&wo);
    wo.kind = lib_kind(o->kind);
    wo.budgets = o->budgets;
    wo.nbudgets = o->nbudgets;
    wo.lambda = o->lambda;
    wo.iters = (int)o->iters;
    wo.solve = (DlFistaSolve)o->solve;
    wo.seed = o->seed;
    wo.oracle_iters = o->oracle_iters;
    wo.threads = o->threads_used;
    wo.on_point = report_point;
    wo.progress = report_progress;
    wo.user = &report;
    progress_init(&report.progress, PROG, o->verbose);
    int rc = warm_start_curves(&wp, &wo, points, npoints, err);
    progress_finish(&report.progress);
    return rc;
}

/* ---- output ------------------------------------------------------------ */

static int write_tsv(const WarmStartPoint *points, size_t npoints, const char *path, SkErr *err)
{
    AtomicFile f;
    if (atomic_open(&f, path, err))
        return -1;
    fprintf(f.f, "budget\tstart\tmcc_ood\tmcc_ood_clean\n");
    for (size_t i = 0; i < npoints; i++) {
        const WarmStartPoint *pt = &points[i];
        fprintf(f.f, "%ld\t%s\t%.10g\t%.10g\n", pt->budget, pt->start, pt->mcc, pt->mcc_clean);
    }
    if (ferror(f.f)) {
        atomic_abort(&f);
        return sk_fail(err, "%s: write error", path);
    }
    return atomic_commit(&f, err);
}

static int run(Options *o, SkErr *err)
{
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    WarmStartPoint *points = NULL;
    size_t npoints = 0;
    int rc = load_problem(&p, o, err);
    if (rc == 0) {
        o->threads_used = fista_threads(o->threads, p.y_ood.rows + p.y_val.rows, p.model.w_dec.rows,
                                        p.model.w_dec.cols, o->kind == KIND_DECODER ? o->iters : 1);
        sk_gemm_set_threads(o->threads_used);
        rc = curves(&p, o, &points, &npoints, err);
    }
    if (rc == 0)
        rc = write_tsv(points, npoints, o->output, err);
    free(points);
    problem_free(&p);
    return rc ? -1 : 0;
}

static int run_tool(void *opts, int argc, char **argv)
{
    Options *o = opts;
    o->oracle = !o->no_oracle;
    SkErr err = {{0}};
    return run(o, &err) ? cli_error(PROG, SK_EXIT_DATA, &err) : 0;
}

int main(int argc, char **argv)
{
    DlFistaOptions dl;
    dlfista_options_default(&dl);
    Options o = {.output = "-", .lambda = dl.lambda, .iters = dl.iters, .oracle_iters = 500,
                 .solve = DLFISTA_SOLVE_F32};
    return cli_main(&TOOL, &o, argc, argv);
}
