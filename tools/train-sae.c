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
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gemm.h"
#include "metrics.h"
#include "npz.h"
#include "sae.h"
#include "sae_io.h"

static const char *PROG = "train-sae";

typedef struct {
    const char *data, *encode, *track, *output;
    SaeVariant variant;
    bool have_variant, have_seed, verbose;
    long k, epochs, batch, renorm_every, threads;
    double lr, gamma, weight_decay;
    uint64_t seed;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --variant V --data FILE --seed S [options] [-o MODEL]\n"
            "       %s --encode MODEL --data FILE [-o CODES]\n"
            "Train a sparse autoencoder (SPEC section 3) on the dataset's Y_train: AdamW,\n"
            "minibatches from a fresh seeded permutation each epoch, decoder gradients\n"
            "projected orthogonal to their columns, columns renormed every few epochs.\n"
            "MODEL holds W_enc (width x d_y), b_enc (width), W_dec (d_y x width), b_dec\n"
            "(d_y), log_theta (JumpReLU), variant (0 relu, 1 topk, 2 jumprelu, 3 mp), k,\n"
            "loss_history and l0_history (per epoch: mean batch loss, mean L0), the codes\n"
            "Z_val and Z_ood of the dataset's Y_val and Y_ood, and with --track-dict\n"
            "track_epoch, track_cos, track_frac09. With --encode, writes the codes Z_val,\n"
            "Z_ood (of whichever of Y_val, Y_ood FILE has) of a trained MODEL.\n\n"
            "  --variant V         relu, topk, jumprelu or mp (required to train)\n"
            "  --data FILE         dataset .npz (Y_train, Y_val, Y_ood); '-' reads stdin\n"
            "                      (required)\n"
            "  --seed S            seed of the initial weights (which depend on S, d_y and\n"
            "                      the width only) and of the batch order (required to train)\n"
            "  --k K               TopK: latents kept; MP: pursuit steps (default: the\n"
            "                      dataset's k, params.k of its meta.json)\n"
            "  --width N           number of latents (default: the dataset's d_z, the\n"
            "                      columns of Z_train)\n"
            "  --epochs N          passes over Y_train (default: 500)\n"
            "  --batch N           minibatch rows; the last partial batch is kept\n"
            "                      (default: 64)\n"
            "  --lr X              AdamW learning rate (default: 0.0005)\n"
            "  --weight-decay X    AdamW decoupled weight decay (default: 0.01)\n"
            "  --gamma X           regulariser weight, ReLU and JumpReLU (default: 0.0001)\n"
            "  --renorm-every N    renorm decoder columns after epochs 0, N, 2N, ...;\n"
            "                      0 never (default: 50)\n"
            "  --track-dict FILE:MEMBER  record the Hungarian-matched |cos| of W_dec to\n"
            "                      this dictionary (d_y x any) and the fraction above 0.9\n"
            "                      after epochs 0, 10, 20, ... and the last (default: off)\n"
            "  --encode MODEL      encode --data with a trained model instead of training\n"
            "  --threads N         BLIS threads for the products; results do not depend\n"
            "                      on it (default: 1)\n"
            "  -o, --output FILE   output .npz, '-' for stdout (default: -)\n"
            "  -v, --verbose       log progress lines on stderr\n"
            "  -h, --help          show this help\n"
            "  --version           show the version\n",
            PROG, PROG);
}

enum { OPT_VARIANT = 256, OPT_DATA, OPT_SEED, OPT_K, OPT_WIDTH, OPT_EPOCHS, OPT_BATCH, OPT_LR,
       OPT_WD, OPT_GAMMA, OPT_RENORM, OPT_TRACK, OPT_ENCODE, OPT_THREADS, OPT_VERSION };
static const struct option LONG_OPTIONS[] = {
    {"variant", required_argument, 0, OPT_VARIANT}, {"data", required_argument, 0, OPT_DATA},
    {"seed", required_argument, 0, OPT_SEED},       {"k", required_argument, 0, OPT_K},
    {"width", required_argument, 0, OPT_WIDTH},     {"epochs", required_argument, 0, OPT_EPOCHS},
    {"batch", required_argument, 0, OPT_BATCH},     {"lr", required_argument, 0, OPT_LR},
    {"weight-decay", required_argument, 0, OPT_WD}, {"gamma", required_argument, 0, OPT_GAMMA},
    {"renorm-every", required_argument, 0, OPT_RENORM},
    {"track-dict", required_argument, 0, OPT_TRACK}, {"encode", required_argument, 0, OPT_ENCODE},
    {"threads", required_argument, 0, OPT_THREADS}, {"output", required_argument, 0, 'o'},
    {"verbose", no_argument, 0, 'v'},               {"help", no_argument, 0, 'h'},
    {"version", no_argument, 0, OPT_VERSION},       {0, 0, 0, 0}};
static const char SHORT_OPTIONS[] = "o:vh";

/* Options given to the training mode only. */
static const char *training_option_given(const bool *given)
{
    static const struct { int opt; const char *name; } ONLY_TRAIN[] = {
        {OPT_VARIANT, "--variant"}, {OPT_SEED, "--seed"}, {OPT_K, "--k"}, {OPT_WIDTH, "--width"},
        {OPT_EPOCHS, "--epochs"}, {OPT_BATCH, "--batch"}, {OPT_LR, "--lr"},
        {OPT_WD, "--weight-decay"}, {OPT_GAMMA, "--gamma"}, {OPT_RENORM, "--renorm-every"},
        {OPT_TRACK, "--track-dict"}};
    for (size_t i = 0; i < sizeof ONLY_TRAIN / sizeof ONLY_TRAIN[0]; i++)
        if (given[ONLY_TRAIN[i].opt - OPT_VARIANT])
            return ONLY_TRAIN[i].name;
    return NULL;
}

/* Parse argv into o; returns 0, an exit code, or -1 for help/version (exit 0).
 * o->k and width stay 0 when not given (taken from the data). */
static int parse_options(int argc, char **argv, Options *o, long *width)
{
    *o = (Options){.output = "-", .epochs = 500, .batch = 64, .renorm_every = 50, .lr = 5e-4,
                   .gamma = 1e-4, .weight_decay = 0.01};
    *width = 0;
    bool given[OPT_VERSION - OPT_VARIANT + 1] = {false};
    SkErr err = {{0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, NULL)) != -1) {
        int rc = 0;
        if (c >= OPT_VARIANT && c <= OPT_VERSION)
            given[c - OPT_VARIANT] = true;
        switch (c) {
        case OPT_VARIANT:
            if (sae_variant_parse(optarg, &o->variant))
                return cli_usage_error(PROG, "--variant: '%s' is not relu, topk, jumprelu or mp", optarg);
            o->have_variant = true;
            break;
        case OPT_DATA: o->data = optarg; break;
        case OPT_SEED: rc = cli_parse_u64("--seed", optarg, &o->seed, &err); o->have_seed = true; break;
        case OPT_K: rc = cli_parse_long("--k", optarg, 1, 100000000, &o->k, &err); break;
        case OPT_WIDTH: rc = cli_parse_long("--width", optarg, 1, 100000000, width, &err); break;
        case OPT_EPOCHS: rc = cli_parse_long("--epochs", optarg, 1, 100000000, &o->epochs, &err); break;
        case OPT_BATCH: rc = cli_parse_long("--batch", optarg, 1, 100000000, &o->batch, &err); break;
        case OPT_LR: rc = cli_parse_double("--lr", optarg, 0.0, 1e38, &o->lr, &err); break;
        case OPT_WD: rc = cli_parse_double("--weight-decay", optarg, 0.0, 1e38, &o->weight_decay, &err); break;
        case OPT_GAMMA: rc = cli_parse_double("--gamma", optarg, 0.0, 1e38, &o->gamma, &err); break;
        case OPT_RENORM: rc = cli_parse_long("--renorm-every", optarg, 0, 100000000, &o->renorm_every, &err); break;
        case OPT_TRACK: o->track = optarg; break;
        case OPT_ENCODE: o->encode = optarg; break;
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
    if (!o->data)
        return cli_usage_error(PROG, "--data is required");
    if (o->encode) {
        const char *extra = training_option_given(given);
        if (extra)
            return cli_usage_error(PROG, "%s does not apply to --encode (the model fixes it)", extra);
        return 0;
    }
    if (!o->have_variant || !o->have_seed)
        return cli_usage_error(PROG, "--variant and --seed are required (or --encode MODEL)");
    if (!(o->lr > 0.0))
        return cli_usage_error(PROG, "--lr: must be positive");
    return 0;
}

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
    size_t epochs = (size_t)o->epochs, n_track = (epochs + 9) / 10 + 1;
    r->loss_history = malloc(epochs * sizeof(double));
    r->l0_history = malloc(epochs * sizeof(double));
    if (!r->loss_history || !r->l0_history)
        return sk_fail(err, "out of memory");
    r->log.epochs = o->epochs;
    if (in->track.v) {
        r->log.track = &in->track;
        r->log.col_of_track = malloc(in->track.cols * sizeof(long));
        r->log.track_epoch = malloc(n_track * sizeof(int64_t));
        r->log.track_cos = malloc(n_track * sizeof(double));
        r->log.track_frac = malloc(n_track * sizeof(double));
        if (!r->log.col_of_track || !r->log.track_epoch || !r->log.track_cos || !r->log.track_frac)
            return sk_fail(err, "out of memory");
    }
    SaeTrainOptions t;
    sae_train_options_default(&t);
    t.epochs = o->epochs;
    t.batch = (size_t)o->batch;
    t.renorm_every = o->renorm_every;
    t.adam.lr = o->lr;
    t.adam.weight_decay = o->weight_decay;
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

/* Append a double in the shortest of %.15g / %.17g that reads back exactly. */
static void sb_double(StrBuf *b, const char *key, double v)
{
    char text[40];
    snprintf(text, sizeof text, "%.15g", v);
    if (strtod(text, NULL) != v)
        snprintf(text, sizeof text, "%.17g", v);
    sb_printf(b, ", \"%s\": %s", key, text);
}

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
        sb_printf(&params, ", \"epochs\": %ld, \"batch\": %ld, \"renorm_every\": %ld, "
                           "\"n_train\": %zu, \"track\": %s",
                  o->epochs, o->batch, o->renorm_every, in->y_train.rows, o->track ? "true" : "false");
        sb_double(&params, "lr", o->lr);
        sb_double(&params, "weight_decay", o->weight_decay);
        sb_double(&params, "gamma", o->gamma);
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
    size_t ep[1] = {(size_t)o->epochs}, tr[1] = {r->log.n_track};
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
        rc = npz_put_mat(w, "Z_val", &r->z_val, err);
    if (rc == 0 && in->has_ood)
        rc = npz_put_mat(w, "Z_ood", &r->z_ood, err);
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

int main(int argc, char **argv)
{
    Options o;
    long width;
    int rc = parse_options(argc, argv, &o, &width);
    if (rc)
        return rc < 0 ? 0 : rc;
    SkErr err = {{0}};
    if (run(&o, width, &err))
        return cli_error(PROG, SK_EXIT_DATA, &err);
    return 0;
}
