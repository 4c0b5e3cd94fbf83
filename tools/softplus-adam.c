/* softplus-adam — Softplus-Adam dictionary learning (SPEC §3).
 *
 *   softplus-adam --data FILE --seed S [options] -o FILE
 *
 * Learns D (d_y × d_z) and non-negative codes Z = softplus(P) for Y_val and
 * Y_ood of a dataset, by full-batch Adam with the paper's adaptive learning
 * rate and early stop. D starts from DL-FISTA's initial dictionary for the
 * same seed (or --init); the pre-activations from N(0, 1) − 10.
 * Writes D, Z_val, Z_ood, loss (per step), lr (after each step), steps,
 * early_stopped, meta.json. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "dlfista.h"
#include "gemm.h"
#include "npz.h"
#include "softplus_adam.h"

static const char PROG[] = "softplus-adam";
/* What a dataset must hold, for messages. */
static const char NEEDS[] = "Softplus-Adam needs Y_val and Y_ood";

typedef struct {
    const char *data, *init, *output;
    SoftplusAdamOptions train;   /* softplus_adam_options_default() */
    long dz, threads;
    uint64_t seed;
    bool verbose;
} Options;

static const CliOption OPTIONS[] = {
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz with Y_val, Y_ood; '-' reads stdin"},
    {.name = "seed", .type = CLI_U64, .offset = offsetof(Options, seed), .arg = "S",
     .flags = CLI_REQUIRED, .help = "seed of the initial D and pre-activations"},
    {.name = "lambda", .type = CLI_DOUBLE, .offset = offsetof(Options, train.lambda), .arg = "X",
     .min = 0, .max = 1e30, .help = "penalty weight, >= 0", .meta = "lambda"},
    /* the range is the library's lr clamp, lr_min and lr_max */
    {.name = "lr", .type = CLI_DOUBLE, .offset = offsetof(Options, train.lr), .arg = "X",
     .min = 1e-6, .max = 1.0, .help = "initial learning rate, in [1e-6, 1]", .meta = "lr"},
    {.name = "steps", .type = CLI_LONG, .offset = offsetof(Options, train.max_steps), .arg = "N",
     .min = 1, .max = 100000000, .help = "at most N Adam steps", .meta = "max_steps"},
    {.name = "stop-after", .type = CLI_LONG, .offset = offsetof(Options, train.stop_after),
     .arg = "N", .min = 0, .max = 100000000, .help = "early stop checked only after step N",
     .meta = "stop_after"},
    {.name = "stop-patience", .type = CLI_LONG, .offset = offsetof(Options, train.stop_patience),
     .arg = "N", .min = 1, .max = 100000000, .help = "stop after N steps without improvement",
     .meta = "stop_patience"},
    {.name = "stop-delta", .type = CLI_DOUBLE, .offset = offsetof(Options, train.stop_min_delta),
     .arg = "X", .min = 0, .max = 1e30, .help = "an improvement is a drop of more than X",
     .meta = "stop_delta"},
    {.name = "init", .type = CLI_STRING, .offset = offsetof(Options, init), .arg = "FILE:MEMBER",
     .help = "initial dictionary, d_y x d_z",
     .default_text = "DL-FISTA's\ninitial dictionary for --seed"},
    {.name = "dz", .type = CLI_LONG, .offset = offsetof(Options, dz), .arg = "N", .min = 1,
     .max = 100000000, .help = "number of atoms",
     .default_text = "the dataset's params.dz,\nelse the columns of its A; ignored with --init"},
    CLI_OPTION_THREADS_AUTO(Options, threads),
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

static int run_tool(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--data FILE --seed S [options] [-o FILE]",
    .about = "Softplus-Adam: learn a dictionary D and codes softplus(P) for Y_val and Y_ood\n"
             "by full-batch Adam on mse(Z_val D^T, Y_val) + mse(Z_ood sg(D)^T, Y_ood)\n"
             "+ lambda [mean(Z_val |d_j|) + mean(Z_ood sg|d_j|)]; lr x1.1 after an improving\n"
             "step, x0.5 after 2 non-improving ones, clamped to [1e-6, 1].\n"
             "Writes D, Z_val, Z_ood, loss, lr, steps, early_stopped, meta.json.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .required_each = true,
    .run = run_tool,
};

/* ---- inputs ------------------------------------------------------------ */

typedef struct {
    NpzCache cache;
    const char *name;            /* the data file as messages show it */
    const char *data_meta, *init_meta;
    Mat y_val, y_ood, d0;
} Problem;

static void problem_free(Problem *p)
{
    mat_release(&p->y_val);
    mat_release(&p->y_ood);
    mat_release(&p->d0);
    npz_cache_free(&p->cache);
}

/* d_z: --dz, else the dataset's params.dz, else the columns of its A. */
static int data_dz(const Problem *p, const Npz *npz, const Options *o, size_t *dz, SkErr *err)
{
    double x;
    const NpyArray *a;
    if (o->dz > 0)
        *dz = (size_t)o->dz;
    else if (npz->meta_json && json_get_number(npz->meta_json, "params.dz", &x) == 0 && x >= 1 &&
             x <= 1e8 && x == floor(x))
        *dz = (size_t)x;
    else if ((a = npz_get(npz, "A")) != NULL && a->ndim == 2 && a->shape[1] > 0)
        *dz = a->shape[1];
    else
        return sk_fail(err, "%s: cannot tell d_z (no params.dz in meta.json, no A): give --dz",
                       p->name);
    return 0;
}

static int load_dictionary(Problem *p, const Options *o, size_t dz, SkErr *err)
{
    size_t dy = p->y_val.cols;
    if (!o->init)
        return dlfista_init_dict(o->seed, dy, dz, &p->d0, err);
    if (npz_load_mat_finite(&p->cache, o->init, NULL, &p->d0, "initial dictionary", err))
        return -1;
    p->init_meta = npz_spec_meta(&p->cache, o->init);
    char file[512];
    npz_spec_file(o->init, file, sizeof file);
    if (p->d0.rows != dy || p->d0.cols == 0)
        return sk_fail(err, "%s: initial dictionary is %zu x %zu, expected %zu (d_y) rows", file,
                       p->d0.rows, p->d0.cols, dy);
    return 0;
}

static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    p->name = strcmp(o->data, "-") == 0 ? "stdin" : o->data;
    const Npz *npz;
    if (npz_cache_open(&p->cache, o->data, &npz, err))
        return -1;
    p->data_meta = npz->meta_json;
    if (npz_member_mat_nonempty(npz, p->name, "Y_val", NEEDS, &p->y_val, err) ||
        npz_member_mat_nonempty(npz, p->name, "Y_ood", NEEDS, &p->y_ood, err))
        return -1;
    if (p->y_ood.cols != p->y_val.cols)
        return sk_fail(err, "%s: Y_ood has %zu columns but Y_val has %zu", p->name,
                       p->y_ood.cols, p->y_val.cols);
    size_t dz = 0;
    if (!o->init && data_dz(p, npz, o, &dz, err))
        return -1;
    return load_dictionary(p, o, dz, err);
}

/* ---- work ---------------------------------------------------------------- */

static void report(void *user, long step, long max_steps, double loss, double lr)
{
    progress_update(user, (double)step, (double)max_steps, "step %ld loss %.7g lr %.3g", step,
                    loss, lr);
}

/* ---- output ------------------------------------------------------------ */

static void build_meta(const Problem *p, const Options *o, const SoftplusAdamHistory *h,
                       StrBuf *meta)
{
    const SoftplusAdamOptions *t = &o->train;
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params,
              ", \"init\": %s, \"d_y\": %zu, "
              "\"d_z\": %zu, \"n_val\": %zu, \"n_ood\": %zu, \"steps\": %ld, "
              "\"early_stopped\": %s, \"final_loss\": %.9g, \"final_lr\": %.9g",
              o->init ? "\"file\"" : "\"dlfista\"", p->d0.rows, p->d0.cols, p->y_val.rows,
              p->y_ood.rows, h->steps, h->early_stopped ? "true" : "false",
              h->steps ? h->loss[h->steps - 1] : NAN, h->steps ? h->lr[h->steps - 1] : t->lr);
    meta_add_input(&inputs, "data", p->data_meta);
    if (o->init)
        meta_add_input(&inputs, "init", p->init_meta);
    meta_build(meta, PROG, 0, NULL, true, o->seed, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int write_outputs(const Problem *p, const Options *o, const SoftplusAdamModel *m,
                         const SoftplusAdamHistory *h, SkErr *err)
{
    Mat z_val = {0}, z_ood = {0};
    StrBuf meta;
    sb_init(&meta);
    build_meta(p, o, h, &meta);
    if (meta.failed) {
        sb_free(&meta);
        return sk_fail(err, "out of memory");
    }
    int rc = softplus_adam_codes(m, &z_val, &z_ood, err);
    NpzWriter *w = rc == 0 ? npz_create(o->output, 1, err) : NULL;
    if (!w)
        rc = -1;
    size_t steps_shape[1] = {(size_t)h->steps};
    uint8_t stopped = h->early_stopped;
    if (rc == 0)
        rc = npz_put_mat(w, "D", &m->d, err) || npz_put_codes(w, "Z_val", &z_val, err) ||
             npz_put_codes(w, "Z_ood", &z_ood, err) ||
             npz_put(w, "loss", NPY_FLOAT32, 1, steps_shape, h->loss, err) ||
             npz_put(w, "lr", NPY_FLOAT64, 1, steps_shape, h->lr, err) ||
             npz_put_i64(w, "steps", h->steps, err) ||
             npz_put(w, "early_stopped", NPY_BOOL, 0, NULL, &stopped, err) ||
             npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    if (rc == 0)
        rc = npz_commit(w, err);
    else
        npz_abort(w);
    mat_release(&z_val);
    mat_release(&z_ood);
    sb_free(&meta);
    return rc ? -1 : 0;
}

static int run(Options *o, SkErr *err)
{
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    SoftplusAdamModel m;
    memset(&m, 0, sizeof m);
    SoftplusAdamHistory h;
    memset(&h, 0, sizeof h);
    Mat pre_val = {0}, pre_ood = {0};
    int rc = load_problem(&p, o, err);
    if (rc == 0)
        rc = softplus_adam_init_preactivations(o->seed, p.y_val.rows, p.y_ood.rows, p.d0.cols,
                                               &pre_val, &pre_ood, err) ||
             softplus_adam_model_init(&m, &p.d0, &pre_val, &pre_ood, err);
    mat_release(&pre_val);
    mat_release(&pre_ood);
    if (rc == 0) {
        sk_gemm_set_threads(softplus_adam_threads(o->threads, p.y_val.rows + p.y_ood.rows,
                                                  p.d0.rows, p.d0.cols));
        Progress progress;
        progress_init(&progress, PROG, o->verbose);
        o->train.progress = report;
        o->train.progress_user = &progress;
        rc = softplus_adam_train(&m, &p.y_val, &p.y_ood, &o->train, &h, err);
        progress_finish(&progress);
        if (rc) {
            SkErr why = *err;
            sk_fail(err, "%s: %s; nothing written", p.name, why.msg);
        }
    }
    if (rc == 0)
        rc = write_outputs(&p, o, &m, &h, err);
    softplus_adam_history_release(&h);
    softplus_adam_model_release(&m);
    problem_free(&p);
    return rc ? -1 : 0;
}

static int run_tool(void *opts, int argc, char **argv)
{
    SkErr err = {{0}};
    if (run(opts, &err))
        return cli_error(PROG, SK_EXIT_DATA, &err);
    return 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-"};
    softplus_adam_options_default(&o.train);   /* the defaults --help shows */
    return cli_main(&TOOL, &o, argc, argv);
}
