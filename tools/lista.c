/* lista — LISTA (SPEC §3): 16 unrolled, untied learned-ISTA steps trained on
 * Y_train with a fixed dictionary; codes for Y_val and Y_ood.
 *
 *   lista --dict FILE:MEMBER --data FILE --seed S [options] -o MODEL
 *
 * Writes W ((K·d_z) × d_z: rows k·d_z … (k+1)·d_z − 1 are W_k), S ((K·d_z) ×
 * d_y, likewise S_k), theta (K × d_z), D (the dictionary used), Z_val, Z_ood,
 * loss (per epoch: mean batch loss weighted by batch rows), diverged (int64
 * 0/1: the parameters written come from a diverged run, lista.h
 * ListaTrainReport; its epochs are in meta.json), meta.json. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "gemm.h"
#include "lista.h"
#include "npz.h"

/* What a dataset must hold, for messages. */
static const char NEEDS[] = "LISTA needs Y_train, Y_val, Y_ood";

typedef struct {
    ListaTrainOptions train;    /* lista_train_options_default() */
    const char *dict, *data, *output;
    long unroll, threads;
    double max_memory_gib;
    bool verbose;
} Options;

/* --variant stores the index of its name into train.variant */
static const char *const VARIANTS[] = {"paper", "stable", NULL};
_Static_assert(LISTA_VARIANT_PAPER == 0 && LISTA_VARIANT_STABLE == 1 &&
                   sizeof(ListaVariant) == sizeof(int),
               "VARIANTS lists ListaVariant's names in order");

static const CliOption OPTIONS[] = {
    {.name = "dict", .type = CLI_STRING, .offset = offsetof(Options, dict), .arg = "FILE:MEMBER",
     .flags = CLI_REQUIRED, .help = "dictionary D, d_y x d_z, atoms as columns"},
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz with Y_train, Y_val, Y_ood; '-' reads stdin"},
    {.name = "seed", .type = CLI_U64, .offset = offsetof(Options, train.seed), .arg = "S",
     .flags = CLI_REQUIRED, .help = "seed of the minibatch order"},
    {.name = "lambda", .type = CLI_DOUBLE, .offset = offsetof(Options, train.lambda), .arg = "X",
     .min = 0, .max = 1e30, .help = "L1 weight, >= 0", .meta = "lambda"},
    {.name = "lr", .type = CLI_DOUBLE, .offset = offsetof(Options, train.lr), .arg = "X",
     .min = 0, .max = 1e3, .help = "Adam learning rate", .meta = "lr"},
    {.name = "epochs", .type = CLI_LONG, .offset = offsetof(Options, train.epochs), .arg = "N",
     .min = 0, .max = 100000000, .help = "training epochs, >= 0", .meta = "epochs"},
    {.name = "batch", .type = CLI_SIZE, .offset = offsetof(Options, train.batch), .arg = "N",
     .min = 1, .max = 100000000, .help = "minibatch rows", .meta = "batch"},
    {.name = "unroll", .type = CLI_LONG, .offset = offsetof(Options, unroll), .arg = "K",
     .min = 1, .max = 1000, .help = "unrolled steps", .meta = "unroll"},
    {.name = "variant", .type = CLI_CHOICE, .offset = offsetof(Options, train.variant), .arg = "V",
     .choices = VARIANTS, .flags = CLI_META_PLACED, .meta = "variant",
     .help = "paper: the parameters after the last epoch; stable: those\n"
             "of the epoch with the lowest loss"},
    {.name = "max-memory", .type = CLI_DOUBLE, .offset = offsetof(Options, max_memory_gib),
     .arg = "GIB", .min = 0, .max = 1e9,
     .help = "refuse a model whose training needs more than GIB GiB"},
    CLI_OPTION_THREADS_AUTO(Options, threads),
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = "lista",
    .synopsis = "--dict FILE:MEMBER --data FILE --seed S [options] [-o FILE]",
    .about = "LISTA: K untied steps z <- soft(z W_k^T + y S_k^T, |theta_k|) from z = 0,\n"
             "initialised as ISTA on D (W = I - D^T D/L, S = D^T/L, theta = 0.01), trained on\n"
             "Y_train with D fixed: mse(z D^T, y) + lambda mean|z|, Adam, minibatches from a\n"
             "seeded permutation per epoch (last partial batch kept). Writes W ((K d_z) x d_z),\n"
             "S ((K d_z) x d_y), theta (K x d_z), D, Z_val, Z_ood, loss (per epoch), diverged\n"
             "(0/1), meta.json. A run diverged when an epoch's loss is not finite or above\n"
             "10 x the best epoch loss before it; diverged = 1 when the parameters written\n"
             "are such an epoch's (a non-finite loss stops training).\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .required_each = true,
    .run = run,
};

/* ---- inputs ------------------------------------------------------------ */

typedef struct {
    NpzCache cache;
    const char *name;      /* the data file as messages show it */
    const char *data_meta, *dict_meta;
    Mat d, y_train, y_val, y_ood;
} Problem;

static void problem_free(Problem *p)
{
    mat_release(&p->d);
    mat_release(&p->y_train);
    mat_release(&p->y_val);
    mat_release(&p->y_ood);
    npz_cache_free(&p->cache);
}

static int load_dict(Problem *p, const char *spec, SkErr *err)
{
    if (npz_load_mat_finite(&p->cache, spec, NULL, &p->d, "dictionary", err))
        return -1;
    p->dict_meta = npz_spec_meta(&p->cache, spec);
    char file[512];
    npz_spec_file(spec, file, sizeof file);
    if (p->d.rows == 0 || p->d.cols == 0)
        return sk_fail(err, "%s: dictionary is %zu x %zu (empty)", file, p->d.rows, p->d.cols);
    return 0;
}

static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    p->name = strcmp(o->data, "-") == 0 ? "stdin" : o->data;
    if (load_dict(p, o->dict, err))
        return -1;
    const Npz *npz;
    if (npz_cache_open(&p->cache, o->data, &npz, err))
        return -1;
    p->data_meta = npz->meta_json;
    if (npz_member_mat_nonempty(npz, p->name, "Y_train", NEEDS, &p->y_train, err) ||
        npz_member_mat_nonempty(npz, p->name, "Y_val", NEEDS, &p->y_val, err) ||
        npz_member_mat_nonempty(npz, p->name, "Y_ood", NEEDS, &p->y_ood, err))
        return -1;
    const Mat *splits[3] = {&p->y_train, &p->y_val, &p->y_ood};
    static const char *const NAMES[3] = {"Y_train", "Y_val", "Y_ood"};
    for (int s = 0; s < 3; s++)
        if (splits[s]->cols != p->d.rows)
            return sk_fail(err, "%s: %s has %zu columns but the dictionary has %zu rows (d_y)",
                           p->name, NAMES[s], splits[s]->cols, p->d.rows);
    return 0;
}

/* Refuse before allocating when training would need more than --max-memory. */
static int check_memory(const Problem *p, const Options *o, SkErr *err)
{
    const double gib = 1073741824.0;
    size_t count;
    double need = lista_param_count(p->d.rows, p->d.cols, (size_t)o->unroll, &count)
                      ? lista_training_bytes(p->d.rows, p->d.cols, (size_t)o->unroll,
                                             o->train.batch) +
                            lista_variant_bytes(o->train.variant, p->d.rows, p->d.cols,
                                                (size_t)o->unroll)
                      : INFINITY;
    /* the data and the codes written */
    need += 4.0 * (double)(p->y_train.rows + p->y_val.rows + p->y_ood.rows) *
            (double)(p->d.rows + p->d.cols);
    if (need > o->max_memory_gib * gib)
        return sk_fail(err, "d_z = %zu with %ld steps needs about %.1f GiB (W is %ld x %zu x %zu, "
                            "kept 4 times for Adam), above --max-memory %g GiB",
                       p->d.cols, o->unroll, need / gib, o->unroll, p->d.cols, p->d.cols,
                       o->max_memory_gib);
    return 0;
}

/* ---- work ---------------------------------------------------------------- */

static void report(void *user, long epoch, long epochs, size_t batch, size_t batches, double loss)
{
    double done = (double)(epoch - 1) + (double)batch / (double)batches;
    progress_update(user, done, (double)epochs, "epoch %ld/%ld loss %.7g", epoch, epochs, loss);
}

/* ---- output ------------------------------------------------------------ */

/* A JSON number, or null when not finite. */
static void json_number(StrBuf *b, const char *name, double x)
{
    if (isfinite(x))
        sb_printf(b, ", \"%s\": %.9g", name, x);
    else
        sb_printf(b, ", \"%s\": null", name);
}

static void build_meta(const Problem *p, const Options *o, const double *hist,
                       const ListaTrainReport *rep, StrBuf *meta)
{
    const long epochs = o->train.epochs;
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params,
              ", \"d_y\": %zu, \"d_z\": %zu, \"n_train\": %zu, "
              "\"layout\": \"W rows k*d_z..(k+1)*d_z-1 are W_k; S likewise; theta row k is theta_k\"",
              p->d.rows, p->d.cols, p->y_train.rows);
    json_number(&params, "final_loss", epochs > 0 ? hist[epochs - 1] : NAN);
    cli_param_json(&TOOL, o, "variant", &params);
    sb_printf(&params,
              ", \"diverged\": %s, \"diverged_epoch\": %ld, "
              "\"best_epoch\": %ld, \"kept_epoch\": %ld, \"nonfinite_epoch\": %ld",
              rep->diverged ? "true" : "false",
              rep->diverged_epoch, rep->best_epoch, rep->kept_epoch, rep->nonfinite_epoch);
    json_number(&params, "best_loss", rep->best_loss);
    json_number(&params, "kept_loss", rep->kept_loss);
    meta_add_input(&inputs, "dict", p->dict_meta);
    meta_add_input(&inputs, "data", p->data_meta);
    meta_build(meta, TOOL.prog, 0, NULL, true, o->train.seed, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int write_outputs(const Problem *p, const Options *o, const ListaModel *m,
                         const double *hist, const ListaTrainReport *rep, SkErr *err)
{
    Mat z_val = {0}, z_ood = {0};
    StrBuf meta;
    sb_init(&meta);
    build_meta(p, o, hist, rep, &meta);
    if (meta.failed) {
        sb_free(&meta);
        return sk_fail(err, "out of memory");
    }
    int rc = lista_encode(m, &p->y_val, &z_val, err) || lista_encode(m, &p->y_ood, &z_ood, err);
    NpzWriter *w = rc == 0 ? npz_create(o->output, 1, err) : NULL;
    if (!w)
        rc = -1;
    const size_t K = m->steps, dz = m->d_z, dy = m->d_y;
    const Mat wm = {K * dz, dz, m->w}, sm = {K * dz, dy, m->s}, tm = {K, dz, m->theta};
    size_t hist_shape[1] = {(size_t)o->train.epochs};
    if (rc == 0)
        rc = npz_put_mat(w, "W", &wm, err) || npz_put_mat(w, "S", &sm, err) ||
             npz_put_mat(w, "theta", &tm, err) || npz_put_mat(w, "D", &p->d, err) ||
             npz_put_codes(w, "Z_val", &z_val, err) || npz_put_codes(w, "Z_ood", &z_ood, err) ||
             npz_put(w, "loss", NPY_FLOAT64, 1, hist_shape, hist, err) ||
             npz_put_i64(w, "diverged", rep->diverged ? 1 : 0, err) ||
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

/* One line on stderr when the run blew up (the output records it too). */
static void warn_divergence(const Problem *p, const Options *o, const double *hist,
                            const ListaTrainReport *rep)
{
    if (rep->diverged_epoch == 0)
        return;
    fprintf(stderr,
            "%s: %s: warning: the loss exploded at epoch %ld (%.4g); lowest %.4g at epoch %ld; "
            "wrote the parameters of epoch %ld (--variant %s): %s\n",
            TOOL.prog, p->name, rep->diverged_epoch, hist[rep->diverged_epoch - 1], rep->best_loss,
            rep->best_epoch, rep->kept_epoch, lista_variant_name(o->train.variant),
            rep->diverged ? "diverged" : "not diverged");
}

static int train_and_write(Options *o, SkErr *err)
{
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    ListaModel m;
    memset(&m, 0, sizeof m);
    double *hist = NULL;
    ListaTrainReport rep;
    int rc = load_problem(&p, o, err) || check_memory(&p, o, err);
    if (rc == 0) {
        sk_gemm_set_threads(lista_threads(o->threads, o->train.batch, p.d.cols));
        rc = lista_model_init(&m, &p.d, (size_t)o->unroll, err);
    }
    if (rc == 0) {
        Progress progress;
        progress_init(&progress, TOOL.prog, o->verbose);
        o->train.progress = report;
        o->train.progress_user = &progress;
        rc = lista_train(&m, &p.d, &p.y_train, &o->train, &hist, &rep, err);
        progress_finish(&progress);
        if (rc == 0)
            warn_divergence(&p, o, hist, &rep);
        if (rc) {
            SkErr why = *err;
            sk_fail(err, "%s: %s; nothing written", p.name, why.msg);
        }
    }
    if (rc == 0)
        rc = write_outputs(&p, o, &m, hist, &rep, err);
    free(hist);
    lista_model_release(&m);
    problem_free(&p);
    return rc ? -1 : 0;
}

static int run(void *opts, int argc, char **argv)
{
    SkErr err = {{0}};
    return train_and_write(opts, &err) ? cli_error(TOOL.prog, SK_EXIT_DATA, &err) : 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-", .unroll = LISTA_STEPS, .max_memory_gib = 12.0};
    lista_train_options_default(&o.train);   /* the defaults --help shows */
    return cli_main(&TOOL, &o, argc, argv);
}
