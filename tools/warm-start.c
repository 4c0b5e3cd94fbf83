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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "dlfista.h"
#include "fista.h"
#include "gemm.h"
#include "npz.h"
#include "sae_io.h"
#include "warm_start.h"

static const char *PROG = "warm-start";

typedef enum { KIND_DECODER, KIND_ENCODER } Kind;

typedef struct {
    const char *model, *data, *output;
    Kind kind;
    bool have_kind, have_seed, verbose, oracle;
    uint64_t seed;
    double lambda;
    long iters, oracle_iters, threads;
    DlFistaSolve solve;
    long *budgets;            /* sorted, distinct */
    size_t nbudgets;
    int threads_used;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --model MODEL --data FILE --kind decoder --seed S [options] [-o FILE]\n"
            "       %s --model MODEL --data FILE --kind encoder [options] [-o FILE]\n"
            "MCC(OOD) after each budget of the warm-start surgeries on a trained SAE (SPEC\n"
            "5.2, 5.3), as a TSV: budget, start (warm, cold or oracle), mcc_ood (paper),\n"
            "mcc_ood_clean. decoder: DL-FISTA on y - b_dec from the SAE decoder (warm) or\n"
            "from random (cold, seeded like dl-fista); budget N = N FISTA passes (cold 0\n"
            "is not run). encoder: FISTA on the frozen decoder and y - b_dec from the SAE's\n"
            "codes (warm) or from 0 (cold); budget N = N iterations. oracle: FISTA with the\n"
            "data's A on the raw y.\n\n"
            "  --model MODEL       train-sae model (W_dec, b_dec, Z_ood: its codes of FILE's\n"
            "                      Y_ood); '-' reads stdin (required)\n"
            "  --data FILE         the dataset the model was trained on: Y_val (decoder),\n"
            "                      Y_ood, Z_ood, A (oracle) (required)\n"
            "  --kind K            decoder or encoder (required)\n"
            "  --budgets LIST      comma-separated budgets (default: decoder\n"
            "                      0,1,2,5,10,20,50,100,200,500,1000; encoder\n"
            "                      0,1,2,5,10,20,50,100,200,500)\n"
            "  --seed S            seed of the cold random dictionary (required for decoder;\n"
            "                      unused by encoder)\n"
            "  --lambda X          FISTA L1 penalty, >= 0 (default: 0.1)\n"
            "  --iters N           decoder: FISTA iterations per DL-FISTA pass (default: 100)\n"
            "  --solve P           decoder: dictionary update arithmetic, f32 (the paper's)\n"
            "                      or f64 (default: f32)\n"
            "  --oracle-iters N    FISTA iterations of the oracle row (default: 500)\n"
            "  --no-oracle         leave out the oracle row (A is then not needed)\n"
            "  --threads N         threads; results do not depend on it (default:\n"
            "                      SLURM_CPUS_PER_TASK, else BLIS_NUM_THREADS, else the CPUs\n"
            "                      available; 1 for small problems)\n"
            "  -o, --output FILE   output TSV, '-' for stdout (default: -)\n"
            "  -v, --verbose       log progress lines on stderr\n"
            "  -h, --help          show this help\n"
            "  --version           show the version\n",
            PROG, PROG);
}

enum { OPT_MODEL = 256, OPT_DATA, OPT_KIND, OPT_BUDGETS, OPT_SEED, OPT_LAMBDA, OPT_ITERS,
       OPT_SOLVE, OPT_ORACLE_ITERS, OPT_NO_ORACLE, OPT_THREADS, OPT_VERSION };
static const struct option LONG_OPTIONS[] = {
    {"model", required_argument, 0, OPT_MODEL},     {"data", required_argument, 0, OPT_DATA},
    {"kind", required_argument, 0, OPT_KIND},       {"budgets", required_argument, 0, OPT_BUDGETS},
    {"seed", required_argument, 0, OPT_SEED},       {"lambda", required_argument, 0, OPT_LAMBDA},
    {"iters", required_argument, 0, OPT_ITERS},     {"solve", required_argument, 0, OPT_SOLVE},
    {"oracle-iters", required_argument, 0, OPT_ORACLE_ITERS},
    {"no-oracle", no_argument, 0, OPT_NO_ORACLE},   {"threads", required_argument, 0, OPT_THREADS},
    {"output", required_argument, 0, 'o'},          {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},                  {"version", no_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}};
static const char SHORT_OPTIONS[] = "o:vh";

#define MAX_BUDGET 100000000L

static WarmStartKind lib_kind(Kind k)
{
    return k == KIND_DECODER ? WARM_START_DECODER : WARM_START_ENCODER;
}

/* The kind's default budgets when --budgets is not given. */
static int default_budgets(Options *o)
{
    size_t n;
    const long *src = warm_start_default_budgets(lib_kind(o->kind), &n);
    o->budgets = malloc(n * sizeof *o->budgets);
    if (!o->budgets)
        return -1;
    memcpy(o->budgets, src, n * sizeof *src);
    o->nbudgets = n;
    return 0;
}

/* Parse argv into o; returns 0, an exit code, or -1 for help/version (exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    *o = (Options){.output = "-", .lambda = 0.1, .iters = 100, .oracle_iters = 500,
                   .oracle = true, .solve = DLFISTA_SOLVE_F32};
    SkErr err = {{0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_MODEL: o->model = optarg; break;
        case OPT_DATA: o->data = optarg; break;
        case OPT_KIND:
            if (strcmp(optarg, "decoder") == 0)
                o->kind = KIND_DECODER;
            else if (strcmp(optarg, "encoder") == 0)
                o->kind = KIND_ENCODER;
            else
                return cli_usage_error(PROG, "--kind: '%s' is not decoder or encoder", optarg);
            o->have_kind = true;
            break;
        case OPT_BUDGETS:
            free(o->budgets);
            o->budgets = NULL;
            rc = cli_parse_long_list("--budgets", optarg, &o->budgets, &o->nbudgets, &err);
            break;
        case OPT_SEED: rc = cli_parse_u64("--seed", optarg, &o->seed, &err); o->have_seed = true; break;
        case OPT_LAMBDA: rc = cli_parse_double("--lambda", optarg, 0.0, 3.0e38, &o->lambda, &err); break;
        case OPT_ITERS: rc = cli_parse_long("--iters", optarg, 0, MAX_BUDGET, &o->iters, &err); break;
        case OPT_SOLVE:
            if (strcmp(optarg, "f64") == 0)
                o->solve = DLFISTA_SOLVE_F64;
            else if (strcmp(optarg, "f32") == 0)
                o->solve = DLFISTA_SOLVE_F32;
            else
                return cli_usage_error(PROG, "--solve: '%s' is not f64 or f32", optarg);
            break;
        case OPT_ORACLE_ITERS:
            rc = cli_parse_long("--oracle-iters", optarg, 0, MAX_BUDGET, &o->oracle_iters, &err);
            break;
        case OPT_NO_ORACLE: o->oracle = false; break;
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
    if (!o->model || !o->data || !o->have_kind)
        return cli_usage_error(PROG, "--model, --data and --kind are required");
    if (o->kind == KIND_DECODER && !o->have_seed)
        return cli_usage_error(PROG, "--kind decoder needs --seed (the cold dictionary)");
    if (!o->budgets && default_budgets(o))
        return cli_usage_error(PROG, "out of memory");
    cli_sort_unique(o->budgets, &o->nbudgets);
    if (o->budgets[o->nbudgets - 1] > MAX_BUDGET)
        return cli_usage_error(PROG, "--budgets: %ld is too large", o->budgets[o->nbudgets - 1]);
    return 0;
}

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
    wo.lambda = (float)o->lambda;
    wo.iters = (int)o->iters;
    wo.solve = o->solve;
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
    if (rc == 0) {
        SkErr err = {{0}};
        if (run(&o, &err))
            rc = cli_error(PROG, SK_EXIT_DATA, &err);
    } else if (rc < 0)
        rc = 0;
    free(o.budgets);
    free(args);
    return rc;
}
