/* train-sae — the four sparse autoencoders of SPEC §3 (ReLU, TopK, JumpReLU,
 * MP), trained on a dataset's Y_train; or, with --encode, the codes of a
 * trained model for another dataset.
 *
 *   train-sae --variant V --data FILE --seed S [options] [-o MODEL]
 *   train-sae --encode MODEL --data FILE [-o CODES]
 *
 * MODEL members: the model, saved and loaded by lib/sae_io (W_enc, b_enc,
 * W_dec, b_dec, log_theta for JumpReLU, variant, k; see sae_io.h), then
 * loss_history and l0_history (per epoch), with --track-dict track_epoch,
 * track_cos, track_frac09; Z_val, Z_ood (the final model's codes of the
 * training dataset's val and OOD samples), meta.json. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "gemm.h"
#include "metrics.h"
#include "npz.h"
#include "sae.h"
#include "sae_io.h"

#define PROG "train-sae"

/* Options only training takes, in the order a mistaken --encode names them. */
enum { T_VARIANT, T_SEED, T_K, T_WIDTH, T_EPOCHS, T_BATCH, T_LR, T_WD, T_GAMMA, T_RENORM, T_TRACK,
       N_TRAINING_ONLY };

typedef struct {
    const char *data, *encode, *track, *output;
    int variant;                /* SaeVariant */
    bool verbose;
    bool given[N_TRAINING_ONLY]; /* which training-only options were given */
    long k, width, threads;     /* 0: k and width from the data, 1 thread */
    double gamma;
    uint64_t seed;
    SaeTrainOptions train;      /* sae_train_options_default(): epochs, batch, renorm_every, adam */
} Options;


#define TRAINING_ONLY(i) .seen_offset = offsetof(Options, given) + (i) * sizeof(bool)

static const CliOption OPTIONS[] = {
    {.name = "variant", .type = CLI_CHOICE, .offset = offsetof(Options, variant), .arg = "V",
     .choices = SAE_VARIANT_NAMES, .default_text = "", TRAINING_ONLY(T_VARIANT),
     .help = "relu, topk, jumprelu or mp (required to train)"},
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz (Y_train, Y_val, Y_ood);\n'-' reads stdin"},
    {.name = "seed", .type = CLI_U64, .offset = offsetof(Options, seed), .arg = "S",
     .default_text = "", TRAINING_ONLY(T_SEED),
     .help = "seed of the initial weights (which depend on S, d_y and\n"
             "the width only) and of the batch order (required to train)"},
    {.name = "k", .type = CLI_LONG, .offset = offsetof(Options, k), .arg = "K", .min = 1,
     .max = 100000000, TRAINING_ONLY(T_K), .help = "TopK: latents kept; MP: pursuit steps",
     .default_text = "the\ndataset's k, params.k of its meta.json"},
    {.name = "width", .type = CLI_LONG, .offset = offsetof(Options, width), .arg = "N", .min = 1,
     .max = 100000000, TRAINING_ONLY(T_WIDTH), .help = "number of latents",
     .default_text = "the dataset's d_z, the\ncolumns of Z_train"},
    {.name = "epochs", .type = CLI_LONG, .offset = offsetof(Options, train.epochs), .arg = "N",
     .min = 1, .max = 100000000, TRAINING_ONLY(T_EPOCHS), .help = "passes over Y_train",
     .meta = "epochs"},
    {.name = "batch", .type = CLI_SIZE, .offset = offsetof(Options, train.batch), .arg = "N",
     .min = 1, .max = 100000000, TRAINING_ONLY(T_BATCH), .meta = "batch",
     .help = "minibatch rows; the last partial batch\nis kept"},
    {.name = "renorm-every", .type = CLI_LONG, .offset = offsetof(Options, train.renorm_every),
     .arg = "N", .min = 0, .max = 100000000, TRAINING_ONLY(T_RENORM), .meta = "renorm_every",
     .help = "renorm decoder columns after epochs 0, N, 2N, ...;\n0 never"},
    {.name = "track-dict", .type = CLI_STRING, .offset = offsetof(Options, track),
     .arg = "FILE:MEMBER", TRAINING_ONLY(T_TRACK), .default_text = "off",
     .flags = CLI_META_PRESENCE | CLI_META_PLACED, .meta = "track",
     .help = "record the Hungarian-matched |cos| of W_dec to\n"
             "this dictionary (d_y x any) and the fraction above 0.9\n"
             "after epochs 0, 10, 20, ... and the last"},
    {.name = "lr", .type = CLI_DOUBLE, .offset = offsetof(Options, train.adam.lr), .arg = "X",
     .min = 0.0, .max = 1e38, TRAINING_ONLY(T_LR), .help = "AdamW learning rate", .meta = "lr",
     .flags = CLI_META_PLACED},
    {.name = "weight-decay", .type = CLI_DOUBLE, .offset = offsetof(Options, train.adam.weight_decay),
     .arg = "X", .min = 0.0, .max = 1e38, TRAINING_ONLY(T_WD),
     .help = "AdamW decoupled weight decay", .meta = "weight_decay", .flags = CLI_META_PLACED},
    {.name = "gamma", .type = CLI_DOUBLE, .offset = offsetof(Options, gamma), .arg = "X",
     .min = 0.0, .max = 1e38, TRAINING_ONLY(T_GAMMA),
     .help = "regulariser weight, ReLU and JumpReLU", .meta = "gamma", .flags = CLI_META_PLACED},
    {.name = "encode", .type = CLI_STRING, .offset = offsetof(Options, encode), .arg = "MODEL",
     .default_text = "", .help = "encode --data with a trained model instead of training"},
    {.name = "threads", .type = CLI_LONG, .offset = offsetof(Options, threads), .arg = "N",
     .min = 1, .max = 4096, .default_text = "1",
     .help = "threads for the products and the optimiser pass;\nresults do not depend on it"},
    CLI_OPTION_OUTPUT(Options, output),
    CLI_OPTION_VERBOSE(Options, verbose),
    {0}};

/* --encode takes none of the training options; training needs --variant and
 * --seed and a positive --lr. */
static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (o->encode) {
        for (size_t i = 0; i < N_TRAINING_ONLY; i++)
            for (const CliOption *opt = OPTIONS; o->given[i] && opt->name; opt++)
                if (opt->seen_offset == offsetof(Options, given) + i * sizeof(bool))
                    return sk_fail(err, "--%s does not apply to --encode (the model fixes it)",
                                   opt->name);
        return 0;
    }
    if (!o->given[T_VARIANT] || !o->given[T_SEED])
        return sk_fail(err, "--variant and --seed are required (or --encode MODEL)");
    if (!(o->train.adam.lr > 0.0))
        return sk_fail(err, "--lr: must be positive");
    return 0;
}

static int run_tool(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--variant V --data FILE --seed S [options] [-o MODEL]\n"
                "       " PROG " --encode MODEL --data FILE [-o CODES]",
    .about = "Train a sparse autoencoder (SPEC section 3) on the dataset's Y_train: AdamW,\n"
             "minibatches from a fresh seeded permutation each epoch, decoder gradients\n"
             "projected orthogonal to their columns, columns renormed every few epochs.\n"
             "MODEL holds W_enc (width x d_y), b_enc (width), W_dec (d_y x width), b_dec\n"
             "(d_y), log_theta (JumpReLU), variant (0 relu, 1 topk, 2 jumprelu, 3 mp), k,\n"
             "loss_history and l0_history (per epoch: mean batch loss, mean L0), the codes\n"
             "Z_val and Z_ood of the dataset's Y_val and Y_ood, and with --track-dict\n"
             "track_epoch, track_cos, track_frac09. With --encode, writes the codes Z_val,\n"
             "Z_ood (of whichever of Y_val, Y_ood FILE has) of a trained MODEL.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run_tool,
};

/* ---- inputs ------------------------------------------------------------ */

typedef struct {
    NpzCache cache;
    const char *name;            /* the data file as messages show it */
    const char *meta_json;       /* the dataset's meta.json, or NULL */
    const char *track_meta_json; /* the tracked dictionary's file's meta.json */
    const char *model_meta_json; /* --encode: the model's meta.json */
    Mat y_train, y_val, y_ood, track;
    bool has_val, has_ood;
    size_t data_width;           /* columns of Z_train, or 0 */
} Inputs;

static void inputs_free(Inputs *in)
{
    mat_release(&in->y_train);
    mat_release(&in->y_val);
    mat_release(&in->y_ood);
    mat_release(&in->track);
    npz_cache_free(&in->cache);
}

/* The dataset: Y_train (training) and whichever of Y_val, Y_ood it has
 * (training requires both). */
static int load_data(Inputs *in, const char *path, bool training, SkErr *err)
{
    in->name = strcmp(path, "-") == 0 ? "stdin" : path;
    const Npz *npz;
    if (npz_cache_open(&in->cache, path, &npz, err))
        return -1;
    in->meta_json = npz->meta_json;
    in->has_val = npz_get(npz, "Y_val") != NULL || training;
    in->has_ood = npz_get(npz, "Y_ood") != NULL || training;
    if (!in->has_val && !in->has_ood)
        return sk_fail(err, "%s: no member 'Y_val' or 'Y_ood' to encode", in->name);
    if ((training && npz_member_mat(npz, in->name, "Y_train", NULL, &in->y_train, err)) ||
        (in->has_val && npz_member_mat(npz, in->name, "Y_val", NULL, &in->y_val, err)) ||
        (in->has_ood && npz_member_mat(npz, in->name, "Y_ood", NULL, &in->y_ood, err)))
        return -1;
    const NpyArray *z = npz_get(npz, "Z_train");
    in->data_width = z && z->ndim == 2 ? z->shape[1] : 0;
    return 0;
}

/* Every Y has d_y columns. */
static int check_columns(const Inputs *in, size_t dy, bool training, SkErr *err)
{
    if (training && (in->y_train.rows == 0 || in->y_train.cols == 0))
        return sk_fail(err, "%s: Y_train is %zu x %zu: nothing to train on", in->name,
                       in->y_train.rows, in->y_train.cols);
    const struct { bool has; const char *name; const Mat *m; } ys[] = {
        {in->has_val, "Y_val", &in->y_val}, {in->has_ood, "Y_ood", &in->y_ood}};
    for (size_t i = 0; i < 2; i++)
        if (ys[i].has && ys[i].m->cols != dy)
            return sk_fail(err, "%s: %s has %zu columns, the SAE takes d_y = %zu", in->name,
                           ys[i].name, ys[i].m->cols, dy);
    return 0;
}

static int load_track(Inputs *in, const char *spec, size_t dy, SkErr *err)
{
    char name[512];
    npz_spec_file(spec, name, sizeof name);
    if (npz_load_mat_finite(&in->cache, spec, NULL, &in->track, "the --track-dict dictionary", err))
        return -1;
    in->track_meta_json = npz_spec_meta(&in->cache, spec);
    if (in->track.rows != dy || in->track.cols == 0)
        return sk_fail(err, "%s: the --track-dict dictionary is %zu x %zu, expected %zu (d_y) rows",
                       name, in->track.rows, in->track.cols, dy);
    return 0;
}

/* k for TopK/MP: --k, else params.k of the dataset's meta.json. */
static int resolve_k(const Options *o, const Inputs *in, size_t *k, SkErr *err)
{
    *k = 0;
    if (o->variant != SAE_TOPK && o->variant != SAE_MP)
        return 0;
    if (o->k > 0) {
        *k = (size_t)o->k;
        return 0;
    }
    double x;
    if (!in->meta_json || json_get_number(in->meta_json, "params.k", &x) || !(x >= 1.0) ||
        x != floor(x) || x > 1e8)
        return sk_fail(err, "%s: no params.k in its meta.json: give --k for %s", in->name,
                       sae_variant_name(o->variant));
    *k = (size_t)x;
    return 0;
}

/* ---- training ------------------------------------------------------------ */

typedef struct {
    Progress progress;
    long epochs;
    const Mat *track;           /* NULL: no tracking */
    long *col_of_track;
    size_t n_track;
    int64_t *track_epoch;
    double *track_cos, *track_frac;
} TrainLog;

static int on_epoch(void *user, const Sae *m, long epoch, double loss, double l0, SkErr *err)
{
    TrainLog *log = user;
    progress_update(&log->progress, (double)(epoch + 1), (double)log->epochs,
                    "epoch %ld/%ld loss %.6g L0 %.2f", epoch + 1, log->epochs, loss, l0);
    if (!log->track || (epoch % 10 != 0 && epoch != log->epochs - 1))
        return 0;
    Mat dec;
    DictMatch dm;
    if (sae_decoder_mat(m, &dec, err))
        return -1;
    int rc = dict_match(&dec, log->track, log->col_of_track, &dm, err);
    mat_release(&dec);
    if (rc)
        return -1;
    log->track_epoch[log->n_track] = epoch;
    log->track_cos[log->n_track] = dm.mean_cosine;
    log->track_frac[log->n_track] = dm.frac_close;
    log->n_track++;
    return 0;
}

/* Model, histories and codes of a training run. */
typedef struct {
    Sae sae;
    double *loss_history, *l0_history;
    TrainLog log;
    Mat z_val, z_ood;
} Result;

static void result_free(Result *r)
{
    sae_release(&r->sae);
    free(r->loss_history);
    free(r->l0_history);
    free(r->log.col_of_track);
    free(r->log.track_epoch);
    free(r->log.track_cos);
    free(r->log.track_frac);
    mat_release(&r->z_val);
    mat_release(&r->z_ood);
}

/* Codes of Y_val and Y_ood (those the inputs hold). */
static int encode_splits(const Sae *m, const Inputs *in, Result *r, SkErr *err)
{
    SaeWork w;
    if (sae_work_alloc(&w, &m->cfg, 256, err))
        return -1;
    int rc = 0;
    if (in->has_val)
        rc = sae_encode(m, &in->y_val, &w, &r->z_val, err);
    if (rc == 0 && in->has_ood)
        rc = sae_encode(m, &in->y_ood, &w, &r->z_ood, err);
    sae_work_release(&w);
    return rc;
}

static int train(const Options *o, const Inputs *in, Result *r, SkErr *err)
{
    size_t epochs = (size_t)o->train.epochs, n_track = (epochs + 9) / 10 + 1;
    r->loss_history = malloc(epochs * sizeof(double));
    r->l0_history = malloc(epochs * sizeof(double));
    if (!r->loss_history || !r->l0_history)
        return sk_fail(err, "out of memory");
    r->log.epochs = o->train.epochs;
    if (in->track.v) {
        r->log.track = &in->track;
        r->log.col_of_track = malloc(in->track.cols * sizeof(long));
        r->log.track_epoch = malloc(n_track * sizeof(int64_t));
        r->log.track_cos = malloc(n_track * sizeof(double));
        r->log.track_frac = malloc(n_track * sizeof(double));
        if (!r->log.col_of_track || !r->log.track_epoch || !r->log.track_cos || !r->log.track_frac)
            return sk_fail(err, "out of memory");
    }
    SaeTrainOptions t = o->train;
    t.seed = o->seed;
    t.on_epoch = on_epoch;
    t.user = &r->log;
    progress_init(&r->log.progress, PROG, o->verbose);
    int rc = sae_train(&r->sae, &in->y_train, &t, r->loss_history, r->l0_history, err);
    progress_finish(&r->log.progress);
    if (rc)
        return sk_prefix(err, in->name);
    return encode_splits(&r->sae, in, r, err);
}

/* ---- output ------------------------------------------------------------ */

static void build_meta(const Options *o, const Inputs *in, const Sae *m, StrBuf *meta)
{
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    const SaeConfig *c = &m->cfg;
    sb_printf(&params, "\"mode\": \"%s\", \"variant\": \"%s\", \"variant_id\": %d, \"k\": %zu, "
                       "\"d_y\": %zu, \"width\": %zu",
              o->encode ? "encode" : "train", sae_variant_name(c->variant), (int)c->variant, c->k,
              c->d_y, c->width);
    if (!o->encode) {
        /* epochs, batch, renorm_every, then n_train (a result), then the
         * placed options in the order meta.json always had */
        cli_params_json(&TOOL, o, &params);
        sb_printf(&params, ", \"n_train\": %zu", in->y_train.rows);
        static const char *const AFTER_N_TRAIN[] = {"track", "lr", "weight_decay", "gamma"};
        for (size_t i = 0; i < sizeof AFTER_N_TRAIN / sizeof *AFTER_N_TRAIN; i++)
            cli_param_json(&TOOL, o, AFTER_N_TRAIN[i], &params);
    }
    meta_add_input(&inputs, "data", in->meta_json);
    if (o->track)
        meta_add_input(&inputs, "track_dict", in->track_meta_json);
    if (o->encode)
        meta_add_input(&inputs, "model", in->model_meta_json);
    meta_build(meta, PROG, 0, NULL, !o->encode, o->seed, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int put_history(NpzWriter *w, const Options *o, const Result *r, SkErr *err)
{
    size_t ep[1] = {(size_t)o->train.epochs}, tr[1] = {r->log.n_track};
    if (npz_put(w, "loss_history", NPY_FLOAT64, 1, ep, r->loss_history, err) ||
        npz_put(w, "l0_history", NPY_FLOAT64, 1, ep, r->l0_history, err))
        return -1;
    if (!r->log.track)
        return 0;
    return npz_put(w, "track_epoch", NPY_INT64, 1, tr, r->log.track_epoch, err) ||
                   npz_put(w, "track_cos", NPY_FLOAT64, 1, tr, r->log.track_cos, err) ||
                   npz_put(w, "track_frac09", NPY_FLOAT64, 1, tr, r->log.track_frac, err)
               ? -1
               : 0;
}

static int write_output(const Options *o, const Inputs *in, const Result *r, SkErr *err)
{
    StrBuf meta;
    sb_init(&meta);
    build_meta(o, in, &r->sae, &meta);
    if (meta.failed) {
        sb_free(&meta);
        return sk_fail(err, "out of memory");
    }
    NpzWriter *w = npz_create(o->output, 1, err);
    int rc = w ? 0 : -1;
    if (rc == 0 && !o->encode)
        rc = sae_save(w, &r->sae, err) || put_history(w, o, r, err);
    if (rc == 0 && in->has_val)
        rc = npz_put_codes(w, "Z_val", &r->z_val, err);
    if (rc == 0 && in->has_ood)
        rc = npz_put_codes(w, "Z_ood", &r->z_ood, err);
    if (rc == 0)
        rc = npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    if (rc == 0)
        rc = npz_commit(w, err);
    else
        npz_abort(w);
    sb_free(&meta);
    return rc ? -1 : 0;
}

/* ---- main ------------------------------------------------------------- */

static int run(const Options *o, long width_opt, SkErr *err)
{
    Inputs in;
    memset(&in, 0, sizeof in);
    npz_cache_init(&in.cache);
    Result r;
    memset(&r, 0, sizeof r);
    bool training = o->encode == NULL;
    int rc = 0;
    if (!training) {
        rc = sae_load(&in.cache, o->encode, &r.sae, &in.model_meta_json, err) ||
             load_data(&in, o->data, false, err) || check_columns(&in, r.sae.cfg.d_y, false, err);
        if (rc == 0) {
            sk_gemm_set_threads(sae_threads(o->threads));
            rc = encode_splits(&r.sae, &in, &r, err);
        }
    } else {
        rc = load_data(&in, o->data, true, err);
        size_t k = 0, dy = in.y_train.cols;
        size_t width = width_opt > 0 ? (size_t)width_opt : in.data_width;
        if (rc == 0 && width == 0)
            rc = sk_fail(err, "%s: no Z_train to take the width (d_z) from: give --width", in.name);
        if (rc == 0)
            rc = check_columns(&in, dy, true, err) || resolve_k(o, &in, &k, err) ||
                 (o->track && load_track(&in, o->track, dy, err));
        if (rc == 0) {
            SaeConfig cfg = {.variant = o->variant, .d_y = dy, .width = width, .k = k,
                             .gamma = (float)o->gamma};
            rc = sae_alloc(&r.sae, &cfg, err);
            if (rc)
                sk_prefix(err, in.name);
        }
        if (rc == 0) {
            sae_init(&r.sae, o->seed);
            sk_gemm_set_threads(sae_threads(o->threads));
            rc = train(o, &in, &r, err);
        }
    }
    if (rc == 0)
        rc = write_output(o, &in, &r, err);
    result_free(&r);
    inputs_free(&in);
    return rc ? -1 : 0;
}

static int run_tool(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    SkErr err = {{0}};
    return run(o, o->width, &err) ? cli_error(PROG, SK_EXIT_DATA, &err) : 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-", .gamma = 1e-4};
    sae_train_options_default(&o.train);
    return cli_main(&TOOL, &o, argc, argv);
}
