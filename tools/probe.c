/* probe — the linear probe baseline (SPEC §3): multi-output ridge
 * Y_train → Z_train, no intercept, float64, α chosen by efficient
 * leave-one-out; its "codes" are its predictions on val and OOD.
 *
 *   probe --data FILE [--alphas LIST] [-o FILE]
 *
 * FILE is a dataset from gen-data (members Y_train, Z_train, Y_val, Y_ood);
 * writes Z_val, Z_ood (float32 predictions), coef (d_z × d_y float64,
 * sklearn's coef_ layout), alpha (the chosen α), alphas and loo_mse (the mean
 * squared leave-one-out residual of every α), and meta.json. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "gemm.h"
#include "npz.h"
#include "ridge.h"

static const char PROG[] = "probe";
/* What a dataset must hold, for messages. */
static const char NEEDS[] = "a probe needs Y_train, Z_train, Y_val, Y_ood";

#define MAX_ALPHAS 64

typedef struct {
    const char *data, *output;
    double *alphas;            /* ridge_default_alphas until --alphas */
    size_t n_alphas;
    long threads;
} Options;

static const CliOption OPTIONS[] = {
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED,
     .help = "dataset .npz with Y_train, Z_train, Y_val, Y_ood;\n'-' reads stdin"},
    {.name = "alphas", .type = CLI_DOUBLE_LIST, .offset = offsetof(Options, alphas),
     .count_offset = offsetof(Options, n_alphas), .arg = "LIST", .min = 0.0, .max = 1e300,
     .help = "comma-separated positive\nalphas", .meta = "alphas"},
    CLI_OPTION_THREADS(Options, threads),
    CLI_OPTION_OUTPUT(Options, output),
    {0}};

/* every alpha a positive finite number (the list parser checked [0, 1e300]) */
static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (o->n_alphas > MAX_ALPHAS)
        return sk_fail(err, "--alphas: more than %d values", MAX_ALPHAS);
    for (size_t i = 0; i < o->n_alphas; i++)
        if (!(o->alphas[i] > 0.0))
            return sk_fail(err, "--alphas: %g is not positive", o->alphas[i]);
    return 0;
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--data FILE [options] [-o FILE]",
    .about = "Linear probe: ridge regression Y_train -> Z_train (no intercept, float64),\n"
             "alpha chosen by efficient leave-one-out (mean squared LOO residual over\n"
             "samples and outputs, ties to the first alpha); writes its predictions\n"
             "Z_val, Z_ood, and coef, alpha, alphas, loo_mse, meta.json.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run,
};

/* ---- inputs ------------------------------------------------------------ */

typedef struct {
    NpzCache cache;
    const char *name;          /* the data file as messages show it */
    const char *meta_json;     /* the dataset's meta.json, or NULL */
    Mat y_train, z_train, y_val, y_ood;
} Data;

static void data_free(Data *d)
{
    mat_release(&d->y_train);
    mat_release(&d->z_train);
    mat_release(&d->y_val);
    mat_release(&d->y_ood);
    npz_cache_free(&d->cache);
}

/* Shapes: Y_train n × d_y, Z_train n × d_z, Y_val and Y_ood · × d_y. */
static int check_shapes(const Data *d, SkErr *err)
{
    size_t n = d->y_train.rows, dy = d->y_train.cols;
    if (n == 0 || dy == 0 || d->z_train.cols == 0)
        return sk_fail(err, "%s: Y_train is %zu x %zu and Z_train %zu x %zu: nothing to fit",
                       d->name, n, dy, d->z_train.rows, d->z_train.cols);
    if (d->z_train.rows != n)
        return sk_fail(err, "%s: Y_train has %zu rows but Z_train has %zu", d->name, n,
                       d->z_train.rows);
    if (d->y_val.cols != dy)
        return sk_fail(err, "%s: Y_val has %zu columns but Y_train has %zu", d->name,
                       d->y_val.cols, dy);
    if (d->y_ood.cols != dy)
        return sk_fail(err, "%s: Y_ood has %zu columns but Y_train has %zu", d->name,
                       d->y_ood.cols, dy);
    return 0;
}

static int load_data(Data *d, const char *path, SkErr *err)
{
    d->name = strcmp(path, "-") == 0 ? "stdin" : path;
    const Npz *npz;
    if (npz_cache_open(&d->cache, path, &npz, err))
        return -1;
    d->meta_json = npz->meta_json;
    if (npz_member_mat(npz, d->name, "Y_train", NEEDS, &d->y_train, err) ||
        npz_member_mat(npz, d->name, "Z_train", NEEDS, &d->z_train, err) ||
        npz_member_mat(npz, d->name, "Y_val", NEEDS, &d->y_val, err) ||
        npz_member_mat(npz, d->name, "Y_ood", NEEDS, &d->y_ood, err))
        return -1;
    return check_shapes(d, err);
}

/* ---- output ------------------------------------------------------------ */

/* Append a double in the shortest of %.15g / %.17g that reads back exactly. */
static void sb_double(StrBuf *b, double v)
{
    char text[40];
    snprintf(text, sizeof text, "%.15g", v);
    if (strtod(text, NULL) != v)
        snprintf(text, sizeof text, "%.17g", v);
    sb_printf(b, "%s", text);
}

static void build_meta(const Data *d, const Options *o, const Ridge *r, StrBuf *meta)
{
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params, ", \"alpha\": ");
    sb_double(&params, r->alpha);
    sb_printf(&params, ", \"n_train\": %zu, \"d_y\": %zu, \"d_z\": %zu", d->y_train.rows,
              d->y_train.cols, d->z_train.cols);
    meta_add_input(&inputs, "data", d->meta_json);
    /* argv is left out so that the same data give the same bytes whatever the
     * file names (a pipe and a file path included) */
    meta_build(meta, PROG, 0, NULL, false, 0, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int put_outputs(NpzWriter *w, const Ridge *r, const Mat *z_val, const Mat *z_ood,
                       const char *meta, size_t meta_len, SkErr *err)
{
    size_t coef_shape[2] = {r->n_outputs, r->n_features}, alpha_shape[1] = {r->n_alphas};
    return npz_put_codes(w, "Z_val", z_val, err) || npz_put_codes(w, "Z_ood", z_ood, err) ||
           npz_put(w, "coef", NPY_FLOAT64, 2, coef_shape, r->coef, err) ||
           npz_put_f64(w, "alpha", r->alpha, err) ||
           npz_put(w, "loo_mse", NPY_FLOAT64, 1, alpha_shape, r->loo_mse, err) ||
           npz_put_raw(w, "meta.json", meta, meta_len, err);
}

static int write_outputs(const Data *d, const Options *o, const Ridge *r, const Mat *z_val,
                         const Mat *z_ood, SkErr *err)
{
    StrBuf meta;
    sb_init(&meta);
    build_meta(d, o, r, &meta);
    if (meta.failed) {
        sb_free(&meta);
        return sk_fail(err, "out of memory");
    }
    size_t alpha_shape[1] = {o->n_alphas};
    NpzWriter *w = npz_create(o->output, 1, err);
    int rc = w ? 0 : -1;
    if (rc == 0)
        rc = put_outputs(w, r, z_val, z_ood, meta.s, meta.len, err) ||
             npz_put(w, "alphas", NPY_FLOAT64, 1, alpha_shape, o->alphas, err);
    if (rc == 0)
        rc = npz_commit(w, err);
    else
        npz_abort(w);
    sb_free(&meta);
    return rc ? -1 : 0;
}

/* ---- work ---------------------------------------------------------------- */

static int fit_and_write(const Options *o, SkErr *err)
{
    Data d;
    memset(&d, 0, sizeof d);
    npz_cache_init(&d.cache);
    Ridge r;
    memset(&r, 0, sizeof r);
    Mat z_val = {0}, z_ood = {0};
    int rc = load_data(&d, o->data, err);
    if (rc == 0 && (rc = ridge_fit_loo(&d.y_train, &d.z_train, o->alphas, o->n_alphas, &r, err)))
        sk_prefix(err, d.name);
    if (rc == 0)
        rc = ridge_predict(&r, &d.y_val, &z_val, err) || ridge_predict(&r, &d.y_ood, &z_ood, err);
    if (rc == 0)
        rc = write_outputs(&d, o, &r, &z_val, &z_ood, err);
    mat_release(&z_val);
    mat_release(&z_ood);
    ridge_free(&r);
    data_free(&d);
    return rc ? -1 : 0;
}

static int run(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    sk_gemm_set_threads(o->threads ? (int)o->threads : sk_default_threads());
    SkErr err = {{0}};
    if (fit_and_write(o, &err))
        return cli_error(PROG, SK_EXIT_DATA, &err);
    return 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-", .alphas = (double *)ridge_default_alphas, /* never written */
                 .n_alphas = RIDGE_DEFAULT_ALPHA_COUNT};
    return cli_main(&TOOL, &o, argc, argv);
}
