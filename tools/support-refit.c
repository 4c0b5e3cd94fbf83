/* support-refit — keep a trained SAE's support, re-estimate its magnitudes by
 * least squares on the active decoder columns (SPEC §5.4).
 *
 *   support-refit --model MODEL --data FILE [--variant paper|lstsq|nnls] [-o CODES]
 *
 * Per sample of Y_val and Y_ood: S = {j : |z_j| > 1e-4} of the SAE's own codes
 * (the MODEL's Z_val, Z_ood), r = y − b_dec, and
 *   paper  z_S = (D_SᵀD_S + 1e-8 I)⁻¹ D_Sᵀ r, Gram and D_Sᵀr in float32,
 *          ridge and solve in float64 (rounding noise when |S| > d_y)
 *   lstsq  z_S = D_S⁺ r, minimum-norm least squares in float64
 *   nnls   z_S = argmin_{z ≥ 0} ‖D_S z − r‖ in float64 (Lawson–Hanson)
 * clamped ≥ 0, 0 off the support. --dict, --bias and --codes replace the
 * model's W_dec, b_dec and Z_val/Z_ood (e.g. the true A and Z for a check).
 *
 * CODES members: Z_val, Z_ood (those FILE has), and over both splits
 * samples (int64), support_mean (float64), support_max, singular (|S| > d_y),
 * empty (|S| = 0), nonfinite (paper: a solve met a zero pivot or gave a
 * non-finite value; those samples' codes are 0), all int64 except
 * support_mean; meta.json. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "gemm.h"
#include "npz.h"
#include "sae_io.h"
#include "surgery.h"

#define PROG "support-refit"

/* Rows per call of support_refit between progress updates. */
#define ROWS_PER_STEP 64

typedef struct {
    const char *model, *data, *dict, *bias, *codes, *output;
    int variant;              /* RefitVariant */
    bool verbose;
} Options;


static const CliOption OPTIONS[] = {
    {.name = "model", .type = CLI_STRING, .offset = offsetof(Options, model), .arg = "MODEL",
     .default_text = "", .help = "train-sae model: W_dec, b_dec and its codes Z_val,\n"
                                 "Z_ood of FILE's samples; '-' reads stdin"},
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz with Y_val and/or Y_ood"},
    {.name = "variant", .type = CLI_CHOICE, .offset = offsetof(Options, variant), .arg = "V",
     .choices = REFIT_VARIANT_NAMES, .meta = "variant",
     .help = "paper: (D_S'D_S + 1e-8 I)^-1 D_S' r with the Gram in\n"
             "float32, ridge and LU solve in float64 (rounding noise\n"
             "when |S| > d_y, as in the paper); lstsq: minimum-norm\n"
             "least squares in float64; nnls: non-negative least\n"
             "squares in float64"},
    {.name = "dict", .type = CLI_STRING, .offset = offsetof(Options, dict), .arg = "FILE:MEMBER",
     .help = "dictionary d_y x width instead of\nMODEL:W_dec", .default_text = "MODEL's W_dec"},
    {.name = "bias", .type = CLI_STRING, .offset = offsetof(Options, bias), .arg = "FILE:MEMBER",
     .help = "vector of d_y subtracted from y",
     .default_text = "MODEL's\nb_dec; none without --model"},
    {.name = "codes", .type = CLI_STRING, .offset = offsetof(Options, codes), .arg = "FILE",
     .help = "codes Z_val/Z_ood whose support is kept", .default_text = "MODEL"},
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (!o->model && (!o->dict || !o->codes))
        return sk_fail(err, "--model is required (or both --dict and --codes)");
    return 0;
}

static int run_tool(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--model MODEL --data FILE [options] [-o CODES]",
    .about = "Keep the SAE's support S = {j : |z_j| > 1e-4} of each sample and re-estimate\n"
             "its magnitudes on the active decoder columns against r = y - b_dec; clamp\n"
             ">= 0, zero elsewhere. CODES holds Z_val, Z_ood, the support counts samples,\n"
             "support_mean, support_max, singular, empty, nonfinite, and meta.json.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run_tool,
};

/* ---- inputs ------------------------------------------------------------ */

/* One split: samples Y, the codes whose support is kept, the refit. */
typedef struct {
    const char *y_name, *z_name;
    Mat y, z_model, z;
} Split;

typedef struct {
    NpzCache cache;
    SaeModelFile model;
    Mat dict, bias;          /* from --dict / --bias (else the model's) */
    const Mat *d;            /* the dictionary used */
    const float *b;          /* the bias used, or NULL */
    Split splits[2];
    size_t nsplits;
    const char *data_meta, *dict_meta, *bias_meta, *codes_meta;
} Problem;

static void problem_free(Problem *p)
{
    sae_model_file_release(&p->model);
    mat_release(&p->dict);
    mat_release(&p->bias);
    for (size_t i = 0; i < p->nsplits; i++) {
        mat_release(&p->splits[i].y);
        mat_release(&p->splits[i].z_model);
        mat_release(&p->splits[i].z);
    }
    npz_cache_free(&p->cache);
}

static const char *shown(const char *path) { return strcmp(path, "-") == 0 ? "stdin" : path; }

/* The dictionary and the bias: --dict/--bias, else the model's. */
static int load_dictionary(Problem *p, const Options *o, SkErr *err)
{
    char file[512];
    if (o->model && sae_model_file_load(&p->cache, o->model, o->codes == NULL, &p->model, err))
        return -1;
    if (o->dict) {
        npz_spec_file(o->dict, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->dict, NULL, &p->dict, "dictionary", err))
            return -1;
        if (p->dict.rows == 0 || p->dict.cols == 0)
            return sk_fail(err, "%s: dictionary is %zu x %zu (empty)", file, p->dict.rows,
                           p->dict.cols);
        p->dict_meta = npz_spec_meta(&p->cache, o->dict);
    }
    p->d = o->dict ? &p->dict : &p->model.w_dec;
    if (o->bias) {
        npz_spec_file(o->bias, file, sizeof file);
        if (npz_load_mat_finite(&p->cache, o->bias, NULL, &p->bias, "bias", err))
            return -1;
        if (p->bias.rows != 1 || p->bias.cols != p->d->rows)
            return sk_fail(err, "%s: bias is %zu x %zu, expected a vector of %zu (d_y)", file,
                           p->bias.rows, p->bias.cols, p->d->rows);
        p->bias_meta = npz_spec_meta(&p->cache, o->bias);
        p->b = p->bias.v;
    } else if (o->model) {
        if (p->model.b_dec.cols != p->d->rows)
            return sk_fail(err, "%s: b_dec has %zu values, the dictionary %zu rows", shown(o->model),
                           p->model.b_dec.cols, p->d->rows);
        p->b = p->model.b_dec.v;
    }
    return 0;
}

/* Y_val/Y_ood of the data and the matching codes of --codes (or the model). */
static int load_splits(Problem *p, const Options *o, SkErr *err)
{
    const char *dfile = shown(o->data);
    const Npz *data, *codes = NULL;
    if (npz_cache_open(&p->cache, o->data, &data, err))
        return -1;
    p->data_meta = data->meta_json;
    if (o->codes) {
        if (npz_cache_open(&p->cache, o->codes, &codes, err))
            return -1;
        p->codes_meta = codes->meta_json;
    }
    const char *cfile = shown(o->codes ? o->codes : o->model);
    static const char *const NAMES[2][2] = {{"Y_val", "Z_val"}, {"Y_ood", "Z_ood"}};
    size_t dy = p->d->rows, width = p->d->cols;
    for (int s = 0; s < 2; s++) {
        if (!npz_get(data, NAMES[s][0]))
            continue;
        Split *sp = &p->splits[p->nsplits++];
        sp->y_name = NAMES[s][0];
        sp->z_name = NAMES[s][1];
        if (npz_member_mat(data, dfile, sp->y_name, NULL, &sp->y, err))
            return -1;
        if (codes) {
            if (npz_member_mat(codes, cfile, sp->z_name, NULL, &sp->z_model, err))
                return -1;
        } else if (mat_copy(&sp->z_model, s == 0 ? &p->model.z_val : &p->model.z_ood, err))
            return -1;
        if (sp->y.cols != dy)
            return sk_fail(err, "%s: %s has %zu columns, the dictionary %zu rows (d_y)", dfile,
                           sp->y_name, sp->y.cols, dy);
        if (sp->z_model.rows != sp->y.rows || sp->z_model.cols != width)
            return sk_fail(err, "%s: %s is %zu x %zu, expected %zu x %zu (%s rows x width)",
                           cfile, sp->z_name, sp->z_model.rows, sp->z_model.cols, sp->y.rows,
                           width, sp->y_name);
        if (mat_alloc(&sp->z, sp->y.rows, width, err))
            return -1;
    }
    if (p->nsplits == 0)
        return sk_fail(err, "%s: no member Y_val or Y_ood", dfile);
    return 0;
}

/* ---- work ------------------------------------------------------------- */

static int refit_all(Problem *p, const Options *o, RefitStats *st, SkErr *err)
{
    Progress progress;
    progress_init(&progress, PROG, o->verbose);
    double total = 0.0, done = 0.0;
    for (size_t i = 0; i < p->nsplits; i++)
        total += (double)p->splits[i].y.rows;
    int rc = 0;
    for (size_t i = 0; i < p->nsplits && rc == 0; i++) {
        Split *sp = &p->splits[i];
        size_t n = sp->y.rows, dy = sp->y.cols, width = sp->z.cols;
        for (size_t r0 = 0; r0 < n && rc == 0; r0 += ROWS_PER_STEP) {
            size_t m = n - r0 < ROWS_PER_STEP ? n - r0 : ROWS_PER_STEP;
            /* views of rows r0 … r0 + m − 1 (not owned) */
            Mat y = {m, dy, sp->y.v + r0 * dy}, zm = {m, width, sp->z_model.v + r0 * width},
                z = {m, width, sp->z.v + r0 * width};
            rc = support_refit(p->d, p->b, &y, &zm, o->variant, &z, st, err);
            if (rc) {
                char where[64];
                snprintf(where, sizeof where, "%s (rows from %zu)", sp->y_name, r0);
                sk_prefix(err, where);
            }
            done += (double)m;
            progress_update(&progress, done, total, "%s", sp->z_name);
        }
    }
    progress_finish(&progress);
    return rc;
}

/* ---- output ------------------------------------------------------------ */

static void build_meta(const Problem *p, const Options *o, StrBuf *meta)
{
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params,
              ", \"threshold\": 0.0001, \"ridge\": 1e-08, \"d_y\": %zu, \"width\": %zu, "
              "\"dict\": \"%s\", \"bias\": %s, \"codes\": \"%s\"",
              p->d->rows, p->d->cols, o->dict ? "given" : "model", p->b ? "true" : "false",
              o->codes ? "given" : "model");
    meta_add_input(&inputs, "data", p->data_meta);
    if (o->model)
        meta_add_input(&inputs, "model", p->model.meta_json);
    if (o->dict)
        meta_add_input(&inputs, "dict", p->dict_meta);
    if (o->bias)
        meta_add_input(&inputs, "bias", p->bias_meta);
    if (o->codes)
        meta_add_input(&inputs, "codes", p->codes_meta);
    meta_build(meta, PROG, 0, NULL, false, 0, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int write_codes(const Problem *p, const Options *o, const RefitStats *st, SkErr *err)
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
    for (size_t i = 0; i < p->nsplits && rc == 0; i++)
        rc = npz_put_codes(w, p->splits[i].z_name, &p->splits[i].z, err);
    double mean = st->samples ? (double)st->support_total / (double)st->samples : 0.0;
    if (rc == 0)
        rc = npz_put_i64(w, "samples", (int64_t)st->samples, err) ||
             npz_put_f64(w, "support_mean", mean, err) ||
             npz_put_i64(w, "support_max", (int64_t)st->support_max, err) ||
             npz_put_i64(w, "singular", (int64_t)st->singular, err) ||
             npz_put_i64(w, "empty", (int64_t)st->empty, err) ||
             npz_put_i64(w, "nonfinite", (int64_t)st->nonfinite, err) ||
             npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    if (rc == 0)
        rc = npz_commit(w, err);
    else
        npz_abort(w);
    sb_free(&meta);
    return rc ? -1 : 0;
}

static int run(const Options *o, SkErr *err)
{
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    RefitStats st = {0};
    int rc = load_dictionary(&p, o, err) || load_splits(&p, o, err);
    if (rc == 0) {
        sk_gemm_set_threads(1); /* per-sample products are small */
        rc = refit_all(&p, o, &st, err);
    }
    if (rc == 0 && o->verbose)
        fprintf(stderr,
                "%s: %s, %zu samples, mean support %.2f (max %zu), %zu singular, %zu empty, "
                "%zu non-finite\n",
                PROG, refit_variant_name(o->variant), st.samples,
                st.samples ? (double)st.support_total / (double)st.samples : 0.0, st.support_max,
                st.singular, st.empty, st.nonfinite);
    if (rc == 0)
        rc = write_codes(&p, o, &st, err);
    problem_free(&p);
    return rc ? -1 : 0;
}

static int run_tool(void *opts, int argc, char **argv)
{
    SkErr err = {{0}};
    return run(opts, &err) ? cli_error(PROG, SK_EXIT_DATA, &err) : 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-", .variant = REFIT_PAPER};
    return cli_main(&TOOL, &o, argc, argv);
}
