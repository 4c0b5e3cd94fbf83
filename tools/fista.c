/* fista — sparse codes by non-negative FISTA (SPEC §3) for a given dictionary.
 *
 *   fista --dict FILE:MEMBER [options] INPUT -o FILE
 *
 * INPUT is a dataset .npz (codes of each of its Y_val, Y_ood are written as
 * Z_val, Z_ood) or one matrix FILE:MEMBER (written as Z). --init warm-starts
 * from given codes (a dataset-style file with Z_val/Z_ood, or one matrix),
 * --bias b makes FISTA work on y − b (the SAE surgeries). --snapshots N,…
 * also writes the codes after exactly N iterations of the same run as
 * Z_val_snapN, Z_ood_snapN (or Z_snapN), with snap_iters (int64, the sorted
 * budgets): each equals what `--iters N` writes as Z_val, Z_ood (or Z). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fista.h"
#include "gemm.h"
#include "npz.h"

static const char *PROG = "fista";

typedef struct {
    const char *dict, *input, *init, *bias, *output;
    double lambda;
    long iters, threads;
    int threads_used;   /* after choose_threads */
    FistaProduct product;
    bool verbose;
    long *snapshots;    /* sorted, distinct iteration budgets */
    size_t nsnapshots;
} Options;

static const char *const PRODUCT_NAMES[] = {"auto", "dense", "sparse", "gram"};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --dict FILE:MEMBER [options] INPUT [-o FILE]\n"
            "Non-negative FISTA codes: per row min 1/2 |y - D z|^2 + lambda |z|_1, z >= 0.\n"
            "INPUT is a dataset .npz (codes of Y_val, Y_ood written as Z_val, Z_ood)\n"
            "or one matrix FILE:MEMBER (codes written as Z). '-' reads stdin.\n\n"
            "  --dict FILE:MEMBER  dictionary D, d_y x d_z, atoms as columns (required)\n"
            "  --lambda X          L1 penalty, >= 0 (default: 0.1)\n"
            "  --iters N           FISTA iterations, >= 0 (default: 100)\n"
            "  --init CODES        warm start (unclamped): a file with Z_val/Z_ood for a\n"
            "                      dataset INPUT, else one matrix FILE[:MEMBER] (default\n"
            "                      member Z) (default: start from 0)\n"
            "  --bias FILE:MEMBER  1 x d_y vector b; solve on y - b (default: none)\n"
            "  --snapshots LIST    iteration budgets N (comma-separated, <= --iters) whose\n"
            "                      codes are also written as Z_val_snapN, Z_ood_snapN (or\n"
            "                      Z_snapN), N = 0 being the initial codes (default: none)\n"
            "  --product P         gradient product: auto, dense, sparse or gram; all give\n"
            "                      the same iterates up to float rounding (default: auto)\n"
            "  --threads N         BLIS threads (default: SLURM_CPUS_PER_TASK, else\n"
            "                      BLIS_NUM_THREADS, else the CPUs available)\n"
            "  -o, --output FILE   output .npz, '-' for stdout (default: -)\n"
            "  -v, --verbose       log progress lines on stderr\n"
            "  -h, --help          show this help\n"
            "  --version           show the version\n",
            PROG);
}

static int parse_product(const char *text, FistaProduct *out)
{
    for (int p = 0; p < 4; p++)
        if (strcmp(text, PRODUCT_NAMES[p]) == 0) {
            *out = (FistaProduct)p;
            return 0;
        }
    return -1;
}

enum { OPT_DICT = 256, OPT_LAMBDA, OPT_ITERS, OPT_INIT, OPT_BIAS, OPT_PRODUCT, OPT_THREADS,
       OPT_SNAPSHOTS, OPT_VERSION };
static const struct option LONG_OPTIONS[] = {
    {"dict", required_argument, 0, OPT_DICT},       {"lambda", required_argument, 0, OPT_LAMBDA},
    {"iters", required_argument, 0, OPT_ITERS},     {"init", required_argument, 0, OPT_INIT},
    {"bias", required_argument, 0, OPT_BIAS},       {"product", required_argument, 0, OPT_PRODUCT},
    {"threads", required_argument, 0, OPT_THREADS}, {"output", required_argument, 0, 'o'},
    {"snapshots", required_argument, 0, OPT_SNAPSHOTS},
    {"verbose", no_argument, 0, 'v'},               {"help", no_argument, 0, 'h'},
    {"version", no_argument, 0, OPT_VERSION},       {0, 0, 0, 0}};
static const char SHORT_OPTIONS[] = "o:vh";

/* Parse argv into o; returns 0, an exit code, or -1 for help/version (exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    *o = (Options){.output = "-", .lambda = 0.1, .iters = 100, .product = FISTA_PRODUCT_AUTO};
    SkErr err = {{0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_DICT: o->dict = optarg; break;
        case OPT_LAMBDA: rc = cli_parse_double("--lambda", optarg, 0.0, 3.0e38, &o->lambda, &err); break;
        case OPT_ITERS: rc = cli_parse_long("--iters", optarg, 0, 100000000, &o->iters, &err); break;
        case OPT_INIT: o->init = optarg; break;
        case OPT_BIAS: o->bias = optarg; break;
        case OPT_PRODUCT:
            if (parse_product(optarg, &o->product))
                return cli_usage_error(PROG, "--product: '%s' is not auto, dense, sparse or gram", optarg);
            break;
        case OPT_THREADS: rc = cli_parse_long("--threads", optarg, 1, 4096, &o->threads, &err); break;
        case OPT_SNAPSHOTS:
            free(o->snapshots);
            o->snapshots = NULL;
            rc = cli_parse_long_list("--snapshots", optarg, &o->snapshots, &o->nsnapshots, &err);
            break;
        case 'o': o->output = optarg; break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: printf("%s sparsekit %s\n", PROG, SK_VERSION); return -1;
        default: return cli_bad_option(PROG, argv, optind, optopt);
        }
        if (rc)
            return cli_usage_error(PROG, "%s", err.msg);
    }
    if (o->snapshots) {
        cli_sort_unique(o->snapshots, &o->nsnapshots);
        if (o->snapshots[o->nsnapshots - 1] > o->iters)
            return cli_usage_error(PROG, "--snapshots: budget %ld exceeds --iters %ld",
                                   o->snapshots[o->nsnapshots - 1], o->iters);
    }
    if (!o->dict)
        return cli_usage_error(PROG, "--dict is required");
    if (optind >= argc)
        return cli_usage_error(PROG, "missing INPUT");
    if (optind + 1 < argc)
        return cli_usage_error(PROG, "unexpected argument '%s'", argv[optind + 1]);
    o->input = argv[optind];
    return 0;
}

/* ---- inputs ------------------------------------------------------------ */

/* One set of samples to code: Y (n × d_y) → Z (n × d_z), maybe warm. */
typedef struct {
    const char *y_name, *z_name;  /* member names ("Y_val" → "Z_val"; single: spec → "Z") */
    Mat y, z;
    bool warm;
    Mat *snaps;                   /* one per budget of --snapshots, or NULL */
    size_t nsnaps;
} Job;

typedef struct {
    NpzCache cache;
    Mat dict, bias;
    Job jobs[2];
    size_t njobs;
    const char *input_file_meta, *dict_file_meta, *init_file_meta, *bias_file_meta;
} Problem;

static void problem_free(Problem *p)
{
    mat_release(&p->dict);
    mat_release(&p->bias);
    for (size_t i = 0; i < p->njobs; i++) {
        mat_release(&p->jobs[i].y);
        mat_release(&p->jobs[i].z);
        for (size_t s = 0; s < p->jobs[i].nsnaps; s++)
            mat_release(&p->jobs[i].snaps[s]);
        free(p->jobs[i].snaps);
    }
    npz_cache_free(&p->cache);
}

/* Decide the jobs: a dataset archive (has Y_val and/or Y_ood) or one matrix. */
static int load_samples(Problem *p, const char *input, SkErr *err)
{
    char *file = NULL, *member = NULL;
    const Npz *npz = NULL;
    if (npz_split_spec(input, &file, &member, err))
        return -1;
    int rc = 0;
    if (!member && (rc = npz_cache_open(&p->cache, file, &npz, err)) == 0 &&
        (npz_get(npz, "Y_val") || npz_get(npz, "Y_ood"))) {
        static const char *const SPLITS[][2] = {{"Y_val", "Z_val"}, {"Y_ood", "Z_ood"}};
        for (size_t s = 0; s < 2 && rc == 0; s++) {
            if (!npz_get(npz, SPLITS[s][0]))
                continue;
            Job *j = &p->jobs[p->njobs++];
            j->y_name = SPLITS[s][0];
            j->z_name = SPLITS[s][1];
            rc = npz_load_member_finite(&p->cache, file, j->y_name, &j->y, err);
        }
    } else if (rc == 0) {
        Job *j = &p->jobs[p->njobs++];
        j->y_name = "samples";
        j->z_name = "Z";
        rc = npz_load_mat_finite(&p->cache, input, NULL, &j->y, "samples", err);
    }
    free(file);
    free(member);
    return rc;
}

/* Codes buffers, and the warm-start codes when --init is given. */
static int load_init(Problem *p, const Options *o, SkErr *err)
{
    size_t dz = p->dict.cols;
    bool dataset = p->njobs > 0 && strcmp(p->jobs[0].z_name, "Z") != 0;
    for (size_t i = 0; i < p->njobs; i++) {
        Job *j = &p->jobs[i];
        if (!o->init) {
            if (mat_alloc(&j->z, j->y.rows, dz, err))
                return -1;
            continue;
        }
        char file[512];
        npz_spec_file(o->init, file, sizeof file);
        int rc = dataset ? npz_load_member_finite(&p->cache, o->init, j->z_name, &j->z, err)
                         : npz_load_mat_finite(&p->cache, o->init, "Z", &j->z, "init codes",
                                               err);
        if (rc)
            return -1;
        if (j->z.rows != j->y.rows || j->z.cols != dz)
            return sk_fail(err, "%s: init codes %s are %zu x %zu, expected %zu x %zu", file,
                           dataset ? j->z_name : "", j->z.rows, j->z.cols, j->y.rows, dz);
        j->warm = true;
    }
    return 0;
}

/* The snapshot buffers of every job (n × d_z per budget). */
static int alloc_snapshots(Problem *p, const Options *o, SkErr *err)
{
    for (size_t i = 0; i < p->njobs && o->nsnapshots; i++) {
        Job *j = &p->jobs[i];
        j->snaps = calloc(o->nsnapshots, sizeof *j->snaps);
        if (!j->snaps)
            return sk_fail(err, "out of memory");
        j->nsnaps = o->nsnapshots;
        for (size_t s = 0; s < o->nsnapshots; s++)
            if (mat_alloc(&j->snaps[s], j->y.rows, p->dict.cols, err))
                return -1;
    }
    return 0;
}

/* Load and check everything before any work. */
static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    char file[512];
    if (npz_load_mat_finite(&p->cache, o->dict, NULL, &p->dict, "dictionary", err) ||
        load_samples(p, o->input, err))
        return -1;
    size_t dy = p->dict.rows;
    if (dy == 0 || p->dict.cols == 0) {
        npz_spec_file(o->dict, file, sizeof file);
        return sk_fail(err, "%s: dictionary is %zu x %zu (empty)", file, dy, p->dict.cols);
    }
    for (size_t i = 0; i < p->njobs; i++)
        if (p->jobs[i].y.cols != dy) {
            npz_spec_file(o->input, file, sizeof file);
            return sk_fail(err, "%s: %s has %zu columns but the dictionary has %zu rows (d_y)",
                           file, p->jobs[i].y_name, p->jobs[i].y.cols, dy);
        }
    if (o->bias) {
        if (npz_load_mat_finite(&p->cache, o->bias, NULL, &p->bias, "bias", err))
            return -1;
        if (p->bias.rows != 1 || p->bias.cols != dy) {
            npz_spec_file(o->bias, file, sizeof file);
            return sk_fail(err, "%s: bias is %zu x %zu, expected a vector of %zu (d_y)", file,
                           p->bias.rows, p->bias.cols, dy);
        }
    }
    if (load_init(p, o, err) || alloc_snapshots(p, o, err))
        return -1;
    p->dict_file_meta = npz_spec_meta(&p->cache, o->dict);
    p->input_file_meta = npz_spec_meta(&p->cache, o->input);
    p->init_file_meta = o->init ? npz_spec_meta(&p->cache, o->init) : NULL;
    p->bias_file_meta = o->bias ? npz_spec_meta(&p->cache, o->bias) : NULL;
    return 0;
}

/* ---- work ------------------------------------------------------------- */

/* Progress in rows: a job reports the fraction of its (blocks × iterations) done. */
typedef struct {
    Progress *progress;
    const char *what;
    double base, rows, total;   /* rows of earlier jobs, of this job, of all jobs */
} ProgressCtx;

static void report_progress(void *user, long done, long total)
{
    ProgressCtx *c = user;
    double part = total > 0 ? (double)done / (double)total : 1.0;
    progress_update(c->progress, c->base + c->rows * part, c->total, "%s", c->what);
}

static int solve_all(Problem *p, const Options *o, SkErr *err)
{
    FistaDict fd;
    if (fista_dict_prepare(&fd, &p->dict, o->product, err))
        return -1;
    FistaWork work;
    fista_work_init(&work);
    Progress progress;
    progress_init(&progress, PROG, o->verbose);
    ProgressCtx ctx = {&progress, NULL, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < p->njobs; i++)
        ctx.total += (double)p->jobs[i].y.rows;
    int *snap_iters = calloc(o->nsnapshots + 1, sizeof *snap_iters);
    int rc = snap_iters ? 0 : sk_fail(err, "out of memory");
    for (size_t s = 0; s < o->nsnapshots; s++)
        snap_iters[s] = (int)o->snapshots[s];
    for (size_t i = 0; i < p->njobs && rc == 0; i++) {
        Job *j = &p->jobs[i];
        FistaOptions opt;
        fista_options_default(&opt);
        opt.lambda = (float)o->lambda;
        opt.iters = (int)o->iters;
        opt.warm = j->warm;
        opt.product = o->product;
        opt.threads = o->threads_used;
        opt.progress = report_progress;
        opt.progress_user = &ctx;
        opt.snapshot_iters = snap_iters;
        opt.n_snapshots = j->nsnaps;
        opt.snapshots = j->snaps;
        ctx.what = j->z_name;
        ctx.rows = (double)j->y.rows;
        rc = fista_solve_prepared(&fd, &j->y, p->bias.v, &opt, &j->z, &work, err);
        ctx.base += ctx.rows;
    }
    progress_finish(&progress);
    free(snap_iters);
    fista_work_release(&work);
    fista_dict_release(&fd);
    return rc;
}

/* ---- output ------------------------------------------------------------ */

static void build_meta(const Problem *p, const Options *o, StrBuf *meta)
{
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    sb_printf(&params, "\"lambda\": %.9g, \"iters\": %ld, \"warm\": %s, \"bias\": %s, "
                       "\"d_y\": %zu, \"d_z\": %zu",
              o->lambda, o->iters, o->init ? "true" : "false", o->bias ? "true" : "false",
              p->dict.rows, p->dict.cols);
    if (o->nsnapshots) { /* only then, so outputs without snapshots keep their bytes */
        sb_printf(&params, ", \"snapshots\": [");
        for (size_t s = 0; s < o->nsnapshots; s++)
            sb_printf(&params, "%s%ld", s ? ", " : "", o->snapshots[s]);
        sb_printf(&params, "]");
    }
    meta_add_input(&inputs, "dict", p->dict_file_meta);
    meta_add_input(&inputs, "input", p->input_file_meta);
    if (o->init)
        meta_add_input(&inputs, "init", p->init_file_meta);
    if (o->bias)
        meta_add_input(&inputs, "bias", p->bias_file_meta);
    meta_build(meta, PROG, 0, NULL, false, 0, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

/* snap_iters (int64, the sorted budgets), then per budget each job's
 * snapshot as "<z_name>_snapN". */
static int write_snapshots(NpzWriter *w, const Problem *p, const Options *o, SkErr *err)
{
    int64_t *budgets = malloc(o->nsnapshots * sizeof *budgets);
    if (!budgets)
        return sk_fail(err, "out of memory");
    for (size_t s = 0; s < o->nsnapshots; s++)
        budgets[s] = o->snapshots[s];
    size_t shape[1] = {o->nsnapshots};
    int rc = npz_put(w, "snap_iters", NPY_INT64, 1, shape, budgets, err);
    free(budgets);
    for (size_t s = 0; s < o->nsnapshots && rc == 0; s++)
        for (size_t i = 0; i < p->njobs && rc == 0; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s_snap%ld", p->jobs[i].z_name, o->snapshots[s]);
            rc = npz_put_mat(w, name, &p->jobs[i].snaps[s], err);
        }
    return rc;
}

static int write_codes(const Problem *p, const Options *o, SkErr *err)
{
    StrBuf meta;
    sb_init(&meta);
    build_meta(p, o, &meta);
    if (meta.failed) {
        sb_free(&meta);
        return sk_fail(err, "out of memory");
    }
    NpzWriter *w = npz_create(o->output, 1, err);
    int rc = w ? 0 : -1;
    for (size_t i = 0; i < p->njobs && rc == 0; i++)
        rc = npz_put_mat(w, p->jobs[i].z_name, &p->jobs[i].z, err);
    if (rc == 0 && o->nsnapshots)
        rc = write_snapshots(w, p, o, err);
    if (rc == 0)
        rc = npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    if (rc == 0)
        rc = npz_commit(w, err);
    else
        npz_abort(w);
    sb_free(&meta);
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
        size_t rows = 0;
        for (size_t i = 0; i < p.njobs; i++)
            rows += p.jobs[i].y.rows;
        o.threads_used = fista_threads(o.threads, rows, p.dict.rows, p.dict.cols, o.iters);
        sk_gemm_set_threads(o.threads_used);
        if (solve_all(&p, &o, &err) || write_codes(&p, &o, &err))
            rc = cli_error(PROG, SK_EXIT_DATA, &err);
    }
    problem_free(&p);
    free(o.snapshots);
    free(args);
    return rc;
}
