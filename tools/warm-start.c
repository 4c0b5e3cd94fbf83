/* warm-start — MCC(OOD) curves of the warm-start surgeries (SPEC §5.2, §5.3)
 * on a trained SAE, against iteration budgets.
 *
 *   warm-start --model MODEL --data FILE --kind decoder --seed S [options] [-o CURVES.tsv]
 *   warm-start --model MODEL --data FILE --kind encoder [options] [-o CURVES.tsv]
 *
 * decoder: DL-FISTA (dlfista_learn) on y − b_dec from the raw SAE decoder
 *   (warm) and from a random dictionary of the SAE's width (cold, the seed's
 *   dl-fista init); a budget of N rounds = N FISTA passes, pass N's codes
 *   inferred with the dictionary after N − 1 updates (warm N = 0 and N = 1
 *   are the frozen decoder's FISTA codes; cold N = 0 is not run); a run that
 *   converges early gives later budgets its final codes. Exactly what
 *   `dl-fista --rounds N [--init MODEL:W_dec] --bias MODEL:b_dec` writes.
 * encoder: FISTA (fista_solve_prepared with snapshots) on the frozen decoder
 *   W_dec and y − b_dec, from 0 (cold) and from the SAE's codes (warm,
 *   unclamped); a budget of N = the codes after N iterations (warm 0 = the
 *   SAE's codes, cold 0 = zeros).
 * oracle: FISTA with the true A on the raw y (no bias), --oracle-iters
 *   iterations, cold: one row with start "oracle" and budget = those
 *   iterations (a reference line).
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
#include "metrics.h"
#include "npz.h"
#include "surgery.h"

#define PROG "warm-start"

typedef enum { KIND_DECODER, KIND_ENCODER } Kind;

static const long DECODER_BUDGETS[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
static const long ENCODER_BUDGETS[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500};

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
static char BUDGETS_TEXT[256];  /* the kinds' default budgets, for --help (filled by main) */

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
     .flags = CLI_SORTED_SET, .help = "comma-separated budgets", .default_text = BUDGETS_TEXT},
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

/* The kind's default budgets when --budgets is not given. */
static int default_budgets(Options *o)
{
    const long *src = o->kind == KIND_DECODER ? DECODER_BUDGETS : ENCODER_BUDGETS;
    size_t n = o->kind == KIND_DECODER ? sizeof DECODER_BUDGETS / sizeof *DECODER_BUDGETS
                                       : sizeof ENCODER_BUDGETS / sizeof *ENCODER_BUDGETS;
    o->budgets = malloc(n * sizeof *o->budgets);
    if (!o->budgets)
        return -1;
    memcpy(o->budgets, src, n * sizeof *src);
    o->nbudgets = n;
    return 0;
}

/* decoder needs --seed; the budgets default by kind (freed by cli_main). */
static int check_options(void *opts, SkErr *err)
{
    Options *o = opts;
    if (o->kind == KIND_DECODER && !o->have_seed)
        return sk_fail(err, "--kind decoder needs --seed (the cold dictionary)");
    if (!o->budgets && default_budgets(o))
        return sk_fail(err, "out of memory");
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

static int member_mat(const Npz *npz, const char *file, const char *name, Mat *m, SkErr *err)
{
    const NpyArray *a = npz_get(npz, name);
    if (!a)
        return sk_fail(err, "%s: no member '%s'", file, name);
    if (a->ndim != 2)
        return sk_fail(err, "%s: %s is %d-dimensional, expected a matrix", file, name, a->ndim);
    if (npy_to_mat(a, m, err))
        return sk_prefix(err, file);
    if (!mat_all_finite(m))
        return sk_fail(err, "%s: %s holds non-finite values", file, name);
    if (m->rows == 0 || m->cols == 0)
        return sk_fail(err, "%s: %s is %zu x %zu (empty)", file, name, m->rows, m->cols);
    return 0;
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
    if (member_mat(data, dfile, "Y_ood", &p->y_ood, err) ||
        member_mat(data, dfile, "Z_ood", &p->z_ood, err) ||
        (!encoder && member_mat(data, dfile, "Y_val", &p->y_val, err)) ||
        (o->oracle && member_mat(data, dfile, "A", &p->a, err)))
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
            member_mat(model, mfile, "Z_ood", &p->model.z_ood, err))
            return -1;
        if (p->model.z_ood.rows != n || p->model.z_ood.cols != width)
            return sk_fail(err, "%s: Z_ood is %zu x %zu, expected %zu x %zu (the data's OOD "
                                "samples x width): not a model of this data?",
                           mfile, p->model.z_ood.rows, p->model.z_ood.cols, n, width);
    }
    return 0;
}

/* ---- curves ------------------------------------------------------------- */

typedef struct {
    long budget;
    const char *start;      /* "warm", "cold", "oracle" */
    double mcc, mcc_clean;
} Point;

typedef struct {
    const Options *o;
    const Problem *p;
    Point *points;
    size_t npoints, cap;
    Progress progress;
    double done, total;     /* progress units: FISTA passes or iterations */
    /* the DL-FISTA run in progress */
    const char *start;
    size_t next_budget;     /* index into o->budgets */
    double done_before;     /* progress units before this run */
} Curves;

/* Score OOD codes and append a point. */
static int add_point(Curves *c, long budget, const char *start, const Mat *z_ood, SkErr *err)
{
    if (c->npoints == c->cap)
        return sk_fail(err, "internal: too many points");
    Point *pt = &c->points[c->npoints];
    if (mcc_paper_ood(&c->p->z_ood, z_ood, &pt->mcc, err) ||
        mcc_clean(&c->p->z_ood, z_ood, &pt->mcc_clean, err))
        return -1;
    pt->budget = budget;
    pt->start = start;
    c->npoints++;
    if (c->o->verbose)
        fprintf(stderr, "%s: %s budget %ld: mcc_ood %.4f, clean %.4f\n", PROG, start, budget,
                pt->mcc, pt->mcc_clean);
    return 0;
}

/* DL-FISTA after each pass: budget N ≥ 1 is pass N's codes, budget 0 pass 1's;
 * after the last pass every remaining budget gets the final codes. */
static int on_round(void *user, const DlFistaRound *r, SkErr *err)
{
    Curves *c = user;
    const Options *o = c->o;
    c->done = c->done_before + (double)r->pass;
    progress_update(&c->progress, c->done, c->total, "%s DL-FISTA round %ld", c->start, r->round);
    while (c->next_budget < o->nbudgets) {
        long n = o->budgets[c->next_budget];
        bool now = (n == 0 && r->pass == 1) || n == r->pass || (r->last && n > r->pass);
        if (!now)
            break;
        if (!(n == 0 && strcmp(c->start, "cold") == 0) && add_point(c, n, c->start, r->z_ood, err))
            return -1;
        c->next_budget++;
    }
    return 0;
}

/* One DL-FISTA run from d (consumed) on y_val, y_ood (already y − b). */
static int decoder_run(Curves *c, const char *start, Mat *d, const Mat *y_val, const Mat *y_ood,
                       SkErr *err)
{
    const Options *o = c->o;
    long max_budget = o->budgets[o->nbudgets - 1];
    Mat zv = {0}, zo = {0};
    if (mat_alloc(&zv, y_val->rows, d->cols, err) || mat_alloc(&zo, y_ood->rows, d->cols, err)) {
        mat_release(&zv);
        return -1;
    }
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    opt.lambda = (float)o->lambda;
    opt.iters = (int)o->iters;
    opt.rounds = max_budget;
    opt.solve = o->solve;
    opt.threads = o->threads_used;
    opt.on_round = on_round;
    opt.user = c;
    c->start = start;
    c->next_budget = 0;
    c->done_before = c->done;
    DlFistaResult res;
    int rc = dlfista_learn(y_val, y_ood, d, &zv, &zo, &opt, &res, err);
    if (rc == 0)
        dlfista_result_release(&res);
    else
        sk_prefix(err, start);
    c->done = c->done_before + (double)(max_budget > 0 ? max_budget : 1);
    mat_release(&zv);
    mat_release(&zo);
    return rc;
}

static int decoder_curves(Curves *c, SkErr *err)
{
    const Problem *p = c->p;
    Mat y_val = {0}, y_ood = {0}, d = {0};
    int rc = mat_copy(&y_val, &p->y_val, err) || mat_copy(&y_ood, &p->y_ood, err) ? -1 : 0;
    if (rc == 0) {
        mat_subtract_row(&y_val, p->model.b_dec.v);
        mat_subtract_row(&y_ood, p->model.b_dec.v);
        rc = mat_copy(&d, &p->model.w_dec, err);
    }
    if (rc == 0)
        rc = decoder_run(c, "warm", &d, &y_val, &y_ood, err);
    mat_release(&d);
    bool cold = c->o->budgets[c->o->nbudgets - 1] > 0; /* cold 0 is not run */
    if (rc == 0 && cold)
        rc = dlfista_init_dict(c->o->seed, p->model.w_dec.rows, p->model.w_dec.cols, &d, err);
    if (rc == 0 && cold)
        rc = decoder_run(c, "cold", &d, &y_val, &y_ood, err);
    mat_release(&d);
    mat_release(&y_val);
    mat_release(&y_ood);
    return rc;
}

/* FISTA's rows per block, chosen independently of the thread count (as
 * DL-FISTA does) so that results are too: about 2^21 elements per
 * block × d_z buffer, at least 32 rows, a block count that is a multiple of
 * 16 when there are enough rows. */
static size_t fista_block_rows(size_t n, size_t p)
{
    size_t target = ((size_t)1 << 21) / (p ? p : 1);
    target = target < 32 ? 32 : target > 1024 ? 1024 : target;
    size_t blocks = (n + target - 1) / target;
    blocks = (blocks + 15) / 16 * 16;
    size_t most = (n + 31) / 32;
    blocks = blocks < most ? blocks : most;
    blocks = blocks ? blocks : 1;
    return (n + blocks - 1) / blocks;
}

typedef struct {
    Curves *c;
    const char *what;
    double units;           /* progress units of this solve: its iterations */
} FistaProgress;

static void fista_progress(void *user, long done, long total)
{
    FistaProgress *fp = user;
    Curves *c = fp->c;
    double part = total > 0 ? (double)done / (double)total : 1.0;
    progress_update(&c->progress, c->done_before + part * fp->units, c->total, "%s FISTA",
                    fp->what);
}

/* FISTA on d for y (already y − b) from init (NULL: cold) with a snapshot at
 * every budget; scores each snapshot. */
static int fista_curve(Curves *c, const char *start, const Mat *d, const Mat *y, const Mat *init,
                       int iters, const long *budgets, size_t nbudgets, SkErr *err)
{
    Mat *snaps = calloc(nbudgets + 1, sizeof *snaps);
    int *snap_iters = calloc(nbudgets + 1, sizeof *snap_iters);
    Mat z = {0};
    int rc = snaps && snap_iters ? 0 : sk_fail(err, "out of memory");
    for (size_t s = 0; s < nbudgets && rc == 0; s++) {
        snap_iters[s] = (int)budgets[s];
        rc = mat_alloc(&snaps[s], y->rows, d->cols, err);
    }
    if (rc == 0)
        rc = mat_alloc(&z, y->rows, d->cols, err);
    if (rc == 0 && init)
        memcpy(z.v, init->v, mat_size(&z) * sizeof *z.v);
    FistaProgress fp = {c, start, (double)iters};
    if (rc == 0) {
        FistaOptions opt;
        fista_options_default(&opt);
        opt.lambda = (float)c->o->lambda;
        opt.iters = iters;
        opt.warm = init != NULL;
        opt.threads = c->o->threads_used;
        opt.block_rows = fista_block_rows(y->rows, d->cols);
        opt.snapshot_iters = snap_iters;
        opt.n_snapshots = nbudgets;
        opt.snapshots = snaps;
        opt.progress = fista_progress;
        opt.progress_user = &fp;
        c->done_before = c->done;
        rc = fista_solve(d, y, NULL, &opt, &z, err);
        c->done = c->done_before + (double)iters;
    }
    for (size_t s = 0; s < nbudgets && rc == 0; s++)
        rc = add_point(c, budgets[s], start, &snaps[s], err);
    for (size_t s = 0; s < nbudgets && snaps; s++)
        mat_release(&snaps[s]);
    free(snaps);
    free(snap_iters);
    mat_release(&z);
    return rc;
}

static int encoder_curves(Curves *c, SkErr *err)
{
    const Problem *p = c->p;
    const Options *o = c->o;
    Mat y = {0};
    if (mat_copy(&y, &p->y_ood, err))
        return -1;
    mat_subtract_row(&y, p->model.b_dec.v);
    int iters = (int)o->budgets[o->nbudgets - 1];
    int rc = fista_curve(c, "warm", &p->model.w_dec, &y, &p->model.z_ood, iters, o->budgets,
                         o->nbudgets, err);
    if (rc == 0)
        rc = fista_curve(c, "cold", &p->model.w_dec, &y, NULL, iters, o->budgets, o->nbudgets, err);
    mat_release(&y);
    return rc;
}

/* FISTA with A on the raw y_ood. */
static int oracle_point(Curves *c, SkErr *err)
{
    long iters = c->o->oracle_iters;
    return fista_curve(c, "oracle", &c->p->a, &c->p->y_ood, NULL, (int)iters, &iters, 1, err);
}

/* ---- output ------------------------------------------------------------ */

static int write_tsv(const Curves *c, const char *path, SkErr *err)
{
    AtomicFile f;
    if (atomic_open(&f, path, err))
        return -1;
    fprintf(f.f, "budget\tstart\tmcc_ood\tmcc_ood_clean\n");
    for (size_t i = 0; i < c->npoints; i++) {
        const Point *pt = &c->points[i];
        fprintf(f.f, "%ld\t%s\t%.10g\t%.10g\n", pt->budget, pt->start, pt->mcc, pt->mcc_clean);
    }
    if (ferror(f.f)) {
        atomic_abort(&f);
        return sk_fail(err, "%s: write error", path);
    }
    return atomic_commit(&f, err);
}

/* --threads, else the default; small problems run on one thread (BLIS's
 * fork/join per product costs more than it saves below ~1 GFLOP). */
static int choose_threads(const Problem *p, const Options *o)
{
    double rows = (double)p->y_ood.rows + (double)p->y_val.rows;
    double iters = o->kind == KIND_DECODER ? (double)o->iters : 1.0;
    double flops = 4.0 * rows * (double)p->model.w_dec.rows * (double)p->model.w_dec.cols * iters;
    return sk_threads_for_work(o->threads, flops, 1e9);
}

static int run(Options *o, SkErr *err)
{
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    int rc = load_problem(&p, o, err);
    Curves c = {.o = o, .p = &p, .cap = 2 * o->nbudgets + 1};
    if (rc == 0) {
        c.points = calloc(c.cap, sizeof *c.points);
        rc = c.points ? 0 : sk_fail(err, "out of memory");
    }
    if (rc == 0) {
        o->threads_used = choose_threads(&p, o);
        sk_gemm_set_threads(o->threads_used);
        long max_budget = o->budgets[o->nbudgets - 1];
        c.total = (o->kind == KIND_DECODER ? 2.0 * (double)(max_budget > 0 ? max_budget : 1)
                                           : 2.0 * (double)max_budget) +
                  (o->oracle ? (double)o->oracle_iters : 0.0);
        progress_init(&c.progress, PROG, o->verbose);
        rc = o->kind == KIND_DECODER ? decoder_curves(&c, err) : encoder_curves(&c, err);
        if (rc == 0 && o->oracle)
            rc = oracle_point(&c, err);
        progress_finish(&c.progress);
    }
    if (rc == 0)
        rc = write_tsv(&c, o->output, err);
    free(c.points);
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

/* "0,1,2" from n budgets. */
static void budget_list(StrBuf *b, const long *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_printf(b, "%s%ld", i ? "," : "", v[i]);
}

int main(int argc, char **argv)
{
    StrBuf text;
    sb_init(&text);
    sb_printf(&text, "decoder\n");
    budget_list(&text, DECODER_BUDGETS, sizeof DECODER_BUDGETS / sizeof *DECODER_BUDGETS);
    sb_printf(&text, "; encoder\n");
    budget_list(&text, ENCODER_BUDGETS, sizeof ENCODER_BUDGETS / sizeof *ENCODER_BUDGETS);
    snprintf(BUDGETS_TEXT, sizeof BUDGETS_TEXT, "%s", text.failed ? "by kind" : text.s);
    sb_free(&text);
    DlFistaOptions dl;
    dlfista_options_default(&dl);
    Options o = {.output = "-", .lambda = dl.lambda, .iters = dl.iters, .oracle_iters = 500,
                 .solve = DLFISTA_SOLVE_F32};
    return cli_main(&TOOL, &o, argc, argv);
}
