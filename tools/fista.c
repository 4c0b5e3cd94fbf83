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
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "fista.h"
#include "gemm.h"
#include "npz.h"

static const char PROG[] = "fista";

typedef struct {
    FistaOptions fista; /* lambda, iters, product: fista_options_default() */
    const char *dict, *input, *init, *bias, *output;
    char **args;        /* INPUT */
    size_t nargs;
    long threads;
    int threads_used;   /* fista_threads() of --threads and the work */
    bool verbose;
    long slice_rows;    /* rows per slice of a sliced solve; 0 = automatic */
    long *snapshots;    /* sorted, distinct iteration budgets */
    size_t nsnapshots;
} Options;

/* --product writes the enum through an int */
_Static_assert(sizeof(FistaProduct) == sizeof(int), "FistaProduct is not int-sized");
static const char *const PRODUCT_NAMES[] = {"auto", "dense", "sparse", "gram", NULL};

static const CliOption OPTIONS[] = {
    {.name = "dict", .type = CLI_STRING, .offset = offsetof(Options, dict), .arg = "FILE:MEMBER",
     .flags = CLI_REQUIRED, .help = "dictionary D, d_y x d_z, atoms as columns"},
    {.name = "lambda", .type = CLI_FLOAT, .offset = offsetof(Options, fista.lambda), .arg = "X",
     .min = 0.0, .max = 3.0e38, .help = "L1 penalty, >= 0", .meta = "lambda"},
    {.name = "iters", .type = CLI_INT, .offset = offsetof(Options, fista.iters), .arg = "N",
     .min = 0, .max = 100000000, .help = "FISTA iterations, >= 0", .meta = "iters"},
    {.name = "init", .type = CLI_STRING, .offset = offsetof(Options, init), .arg = "CODES",
     .help = "warm start (unclamped): a file with Z_val/Z_ood for a\n"
             "dataset INPUT, else one matrix FILE[:MEMBER] (default\nmember Z)",
     .default_text = "start from 0", .flags = CLI_META_PRESENCE, .meta = "warm"},
    {.name = "bias", .type = CLI_STRING, .offset = offsetof(Options, bias), .arg = "FILE:MEMBER",
     .help = "1 x d_y vector b; solve on y - b", .flags = CLI_META_PRESENCE, .meta = "bias"},
    /* recorded only when given (so outputs without snapshots keep their bytes),
     * after d_y and d_z */
    {.name = "snapshots", .type = CLI_LONG_LIST, .offset = offsetof(Options, snapshots),
     .count_offset = offsetof(Options, nsnapshots), .arg = "LIST", .min = 0, .max = 9.3e18,
     .flags = CLI_SORTED_SET | CLI_META_IF_SET | CLI_META_PLACED, .meta = "snapshots",
     .help = "iteration budgets N (comma-separated, <= --iters) whose\n"
             "codes are also written as Z_val_snapN, Z_ood_snapN (or\n"
             "Z_snapN), N = 0 being the initial codes"},
    {.name = "product", .type = CLI_CHOICE, .offset = offsetof(Options, fista.product), .arg = "P",
     .choices = PRODUCT_NAMES,
     .help = "gradient product: auto, dense, sparse or gram; all give\n"
             "the same iterates up to float rounding"},
    {.name = "slice-rows", .type = CLI_LONG, .offset = offsetof(Options, slice_rows), .arg = "N",
     .min = 0, .max = 1000000000,
     .help = "without --init and --snapshots, solve N rows at a time\n"
             "(rounded up to whole blocks), keeping the codes sparse\n"
             "between slices; 0: about 256 MiB of codes a slice. The\n"
             "codes do not depend on it",
     .default_text = "0"},
    CLI_OPTION_THREADS(Options, threads),
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (o->nsnapshots && o->snapshots[o->nsnapshots - 1] > o->fista.iters)
        return sk_fail(err, "--snapshots: budget %ld exceeds --iters %d",
                       o->snapshots[o->nsnapshots - 1], o->fista.iters);
    return 0;
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--dict FILE:MEMBER [options] INPUT [-o FILE]",
    .about = "Non-negative FISTA codes: per row min 1/2 |y - D z|^2 + lambda |z|_1, z >= 0.\n"
             "INPUT is a dataset .npz (codes of Y_val, Y_ood written as Z_val, Z_ood)\n"
             "or one matrix FILE:MEMBER (codes written as Z). '-' reads stdin.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .args_name = "INPUT", .min_args = 1, .max_args = 1,
    .args_offset = offsetof(Options, args), .nargs_offset = offsetof(Options, nargs),
    .check = check_options,
    .run = run,
};

/* ---- inputs ------------------------------------------------------------ */

/* A cold solve without snapshots runs a slice of rows at a time, each slice's
 * codes kept sparse, so a split's codes are never dense in memory (500 × 10⁶
 * floats are 2 GB); a slice holds about SLICE_TARGET_BYTES of dense codes
 * (--slice-rows sets its rows). Slices are whole blocks of the one-piece
 * solve, so the codes do not depend on them. */
#define SLICE_TARGET_BYTES ((size_t)256 << 20)

/* One set of samples to code: Y (n × d_y) → Z (n × d_z), maybe warm. */
typedef struct {
    const char *y_name, *z_name;  /* member names ("Y_val" → "Z_val"; single: spec → "Z") */
    Mat y, z;                     /* z: all codes dense, unless sliced */
    bool sliced;                  /* solved in slices of rows into `codes` */
    CsrBuilder codes;
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
        csr_builder_release(&p->jobs[i].codes);
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
            /* cold, without snapshots: codes built sparse, slice by slice */
            j->sliced = !o->nsnapshots;
            csr_builder_init(&j->codes, dz);
            if (!j->sliced && mat_alloc(&j->z, j->y.rows, dz, err))
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

/* Rows per slice of a sliced job: whole blocks of the solve of all its rows
 * (fista_block_rows), so the slices' codes equal one solve's; `requested`
 * rounded up to whole blocks, or else a multiple of the workers' count with
 * about SLICE_TARGET_BYTES of codes. */
static size_t slice_rows(const FistaOptions *opt, size_t n, size_t dy, size_t dz, long requested)
{
    size_t block = fista_block_rows(opt, n, dy, dz);
    if (requested > 0)
        return ((size_t)requested + block - 1) / block * block;
    size_t workers = opt->threads > 1 ? (size_t)opt->threads : 1;
    size_t unit = block * workers;
    size_t units = SLICE_TARGET_BYTES / (unit * dz * sizeof(float));
    return unit * (units ? units : 1);
}

/* Solve job j a slice of rows at a time (opt->block_rows fixed to the blocks
 * of the whole solve), appending each slice's codes to j->codes. */
static int solve_sliced(const FistaDict *fd, Job *j, const float *bias, FistaOptions *opt,
                        long requested_rows, FistaWork *work, ProgressCtx *ctx, SkErr *err)
{
    size_t n = j->y.rows, dz = fd->d.cols, dy = j->y.cols;
    size_t rows = slice_rows(opt, n, dy, dz, requested_rows);
    opt->block_rows = fista_block_rows(opt, n, dy, dz);
    Mat z = {0};
    if (mat_alloc(&z, rows < n ? rows : n, dz, err))
        return -1;
    int rc = 0;
    double base = ctx->base;
    for (size_t r0 = 0; r0 < n && rc == 0; r0 += rows) {
        size_t m = n - r0 < rows ? n - r0 : rows;
        Mat y_slice = {m, dy, j->y.v + r0 * dy}, z_slice = {m, dz, z.v};
        ctx->base = base + (double)r0;
        ctx->rows = (double)m;
        rc = fista_solve_prepared(fd, &y_slice, bias, opt, &z_slice, work, err) ||
             csr_builder_append(&j->codes, &z_slice, err);
    }
    ctx->base = base;
    ctx->rows = (double)n;
    mat_release(&z);
    return rc ? -1 : 0;
}

static int solve_all(Problem *p, const Options *o, SkErr *err)
{
    FistaDict fd;
    if (fista_dict_prepare(&fd, &p->dict, o->fista.product, err))
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
        FistaOptions opt = o->fista;
        opt.warm = j->warm;
        opt.threads = o->threads_used;
        opt.progress = report_progress;
        opt.progress_user = &ctx;
        opt.snapshot_iters = snap_iters;
        opt.n_snapshots = j->nsnaps;
        opt.snapshots = j->snaps;
        ctx.what = j->z_name;
        ctx.rows = (double)j->y.rows;
        rc = j->sliced ? solve_sliced(&fd, j, p->bias.v, &opt, o->slice_rows, &work, &ctx, err)
                       : fista_solve_prepared(&fd, &j->y, p->bias.v, &opt, &j->z, &work, err);
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
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params, ", \"d_y\": %zu, \"d_z\": %zu", p->dict.rows, p->dict.cols);
    cli_param_json(&TOOL, o, "snapshots", &params);
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
            rc = npz_put_codes(w, name, &p->jobs[i].snaps[s], err);
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
        rc = p->jobs[i].sliced ? csr_builder_put_codes(w, p->jobs[i].z_name, &p->jobs[i].codes, err)
                               : npz_put_codes(w, p->jobs[i].z_name, &p->jobs[i].z, err);
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

static int run(void *opts, int argc, char **argv)
{
    Options *o = opts;
    o->input = o->args[0];
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    SkErr err = {{0}};
    int rc = 0;
    if (load_problem(&p, o, &err))
        rc = cli_error(PROG, SK_EXIT_DATA, &err);
    else {
        size_t rows = 0;
        for (size_t i = 0; i < p.njobs; i++)
            rows += p.jobs[i].y.rows;
        o->threads_used = fista_threads(o->threads, rows, p.dict.rows, p.dict.cols, o->fista.iters);
        sk_gemm_set_threads(o->threads_used);
        if (solve_all(&p, o, &err) || write_codes(&p, o, &err))
            rc = cli_error(PROG, SK_EXIT_DATA, &err);
    }
    problem_free(&p);
    return rc;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-"};
    fista_options_default(&o.fista); /* the defaults --help shows */
    return cli_main(&TOOL, &o, argc, argv);
}
