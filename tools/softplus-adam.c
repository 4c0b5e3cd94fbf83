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
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlfista.h"
#include "gemm.h"
#include "npz.h"
#include "softplus_adam.h"

static const char *PROG = "softplus-adam";
/* What a dataset must hold, for messages. */
static const char NEEDS[] = "Softplus-Adam needs Y_val and Y_ood";

typedef struct {
    const char *data, *init, *output;
    SoftplusAdamOptions train;
    long dz, threads;
    uint64_t seed;
    bool has_seed, verbose;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --data FILE --seed S [options] [-o FILE]\n"
            "Softplus-Adam: learn a dictionary D and codes softplus(P) for Y_val and Y_ood\n"
            "by full-batch Adam on mse(Z_val D^T, Y_val) + mse(Z_ood sg(D)^T, Y_ood)\n"
            "+ lambda [mean(Z_val |d_j|) + mean(Z_ood sg|d_j|)]; lr x1.1 after an improving\n"
            "step, x0.5 after 2 non-improving ones, clamped to [1e-6, 1].\n"
            "Writes D, Z_val, Z_ood, loss, lr, steps, early_stopped, meta.json.\n\n"
            "  --data FILE         dataset .npz with Y_val, Y_ood; '-' reads stdin (required)\n"
            "  --seed S            seed of the initial D and pre-activations (required)\n"
            "  --steps N           at most N Adam steps (default: 50000)\n"
            "  --lambda X          penalty weight, >= 0 (default: 0.1)\n"
            "  --lr X              initial learning rate, in [1e-6, 1] (default: 0.001)\n"
            "  --init FILE:MEMBER  initial dictionary, d_y x d_z (default: DL-FISTA's\n"
            "                      initial dictionary for --seed)\n"
            "  --dz N              number of atoms (default: the dataset's params.dz,\n"
            "                      else the columns of its A; ignored with --init)\n"
            "  --stop-after N      early stop checked only after step N (default: 10000)\n"
            "  --stop-patience N   stop after N steps without improvement (default: 5000)\n"
            "  --stop-delta X      an improvement is a drop of more than X (default: 1e-06)\n"
            "  --threads N         BLIS threads (default: 1 for small problems, else\n"
            "                      SLURM_CPUS_PER_TASK, BLIS_NUM_THREADS or the CPUs available)\n"
            "  -o, --output FILE   output .npz, '-' for stdout (default: -)\n"
            "  -v, --verbose       log progress lines on stderr\n"
            "  -h, --help          show this help\n"
            "  --version           show the version\n",
            PROG);
}

enum { OPT_DATA = 256, OPT_SEED, OPT_STEPS, OPT_LAMBDA, OPT_LR, OPT_INIT, OPT_DZ, OPT_STOP_AFTER,
       OPT_STOP_PATIENCE, OPT_STOP_DELTA, OPT_THREADS, OPT_VERSION };
static const struct option LONG_OPTIONS[] = {
    {"data", required_argument, 0, OPT_DATA},
    {"seed", required_argument, 0, OPT_SEED},
    {"steps", required_argument, 0, OPT_STEPS},
    {"lambda", required_argument, 0, OPT_LAMBDA},
    {"lr", required_argument, 0, OPT_LR},
    {"init", required_argument, 0, OPT_INIT},
    {"dz", required_argument, 0, OPT_DZ},
    {"stop-after", required_argument, 0, OPT_STOP_AFTER},
    {"stop-patience", required_argument, 0, OPT_STOP_PATIENCE},
    {"stop-delta", required_argument, 0, OPT_STOP_DELTA},
    {"threads", required_argument, 0, OPT_THREADS},
    {"output", required_argument, 0, 'o'},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},
    {"version", no_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}};
static const char SHORT_OPTIONS[] = "o:vh";

/* Parse argv into o; returns 0, an exit code, or -1 for help/version (exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->output = "-";
    softplus_adam_options_default(&o->train);
    SoftplusAdamOptions *t = &o->train;
    SkErr err = {{0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_DATA: o->data = optarg; break;
        case OPT_SEED: rc = cli_parse_u64("--seed", optarg, &o->seed, &err); o->has_seed = true; break;
        case OPT_STEPS: rc = cli_parse_long("--steps", optarg, 1, 100000000, &t->max_steps, &err); break;
        case OPT_LAMBDA: rc = cli_parse_double("--lambda", optarg, 0.0, 1e30, &t->lambda, &err); break;
        case OPT_LR: rc = cli_parse_double("--lr", optarg, t->lr_min, t->lr_max, &t->lr, &err); break;
        case OPT_INIT: o->init = optarg; break;
        case OPT_DZ: rc = cli_parse_long("--dz", optarg, 1, 100000000, &o->dz, &err); break;
        case OPT_STOP_AFTER:
            rc = cli_parse_long("--stop-after", optarg, 0, 100000000, &t->stop_after, &err);
            break;
        case OPT_STOP_PATIENCE:
            rc = cli_parse_long("--stop-patience", optarg, 1, 100000000, &t->stop_patience, &err);
            break;
        case OPT_STOP_DELTA:
            rc = cli_parse_double("--stop-delta", optarg, 0.0, 1e30, &t->stop_min_delta, &err);
            break;
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
    if (!o->data)
        return cli_usage_error(PROG, "--data is required");
    if (!o->has_seed)
        return cli_usage_error(PROG, "--seed is required");
    if (optind < argc)
        return cli_usage_error(PROG, "unexpected argument '%s'", argv[optind]);
    return 0;
}

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
    sb_printf(&params,
              "\"lambda\": %.9g, \"lr\": %.9g, \"max_steps\": %ld, \"stop_after\": %ld, "
              "\"stop_patience\": %ld, \"stop_delta\": %.9g, \"init\": %s, \"d_y\": %zu, "
              "\"d_z\": %zu, \"n_val\": %zu, \"n_ood\": %zu, \"steps\": %ld, "
              "\"early_stopped\": %s, \"final_loss\": %.9g, \"final_lr\": %.9g",
              t->lambda, t->lr, t->max_steps, t->stop_after, t->stop_patience, t->stop_min_delta,
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
        rc = npz_put_mat(w, "D", &m->d, err) || npz_put_mat(w, "Z_val", &z_val, err) ||
             npz_put_mat(w, "Z_ood", &z_ood, err) ||
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

int main(int argc, char **argv)
{
    Options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    SkErr err = {{0}};
    if (run(&o, &err))
        return cli_error(PROG, SK_EXIT_DATA, &err);
    return 0;
}
