/* gen-data — draw the synthetic dataset of SPEC §1 into one .npz:
 * A, Y_train, Z_train, Y_val, Z_val, Y_ood, Z_ood, meta.json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datagen.h"
#include "npz.h"

static const char *PROG = "gen-data";

typedef struct {
    DataParams data;
    const char *output;
    long level;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s --dz N --k K --p P --seed S [--dy M] [-o FILE]\n"
            "Draw the compositional-generalisation dataset (SPEC section 1).\n\n"
            "  --dz N        number of latents d_z (required)\n"
            "  --k K         active latents per sample (required)\n"
            "  --p P         in-distribution draws: first P/2 train, rest val; P/2 OOD (required)\n"
            "  --dy M        observed dimension (default: max(k+1, ceil(2 k ln(d_z/k))))\n"
            "  --seed S      seed of every random draw (required)\n"
            "  -o, --output FILE  output .npz, '-' for stdout (default: -)\n"
            "  --level L     deflate level 0-9 (default: 1)\n"
            "  -h, --help    show this help\n"
            "  --version     show the version\n",
            PROG);
}

/* Parse argv into o; returns 0, or an exit code (help/version: -1 = exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    enum { OPT_DZ = 256, OPT_K, OPT_P, OPT_DY, OPT_SEED, OPT_LEVEL, OPT_VERSION };
    static const struct option longopts[] = {
        {"dz", required_argument, 0, OPT_DZ},       {"k", required_argument, 0, OPT_K},
        {"p", required_argument, 0, OPT_P},         {"dy", required_argument, 0, OPT_DY},
        {"seed", required_argument, 0, OPT_SEED},   {"output", required_argument, 0, 'o'},
        {"level", required_argument, 0, OPT_LEVEL}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, OPT_VERSION},   {0, 0, 0, 0}};
    *o = (Options){.output = "-", .level = 1};
    bool have_dz = false, have_k = false, have_p = false, have_seed = false;
    SkErr err = {{0}};
    long v;
    int c;
    opterr = 0; /* cli_bad_option prints the one error line */
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_DZ: rc = cli_parse_long("--dz", optarg, 2, 10000000, &v, &err); o->data.dz = (size_t)v; have_dz = true; break;
        case OPT_K: rc = cli_parse_long("--k", optarg, 1, 10000000, &v, &err); o->data.k = (size_t)v; have_k = true; break;
        case OPT_P: rc = cli_parse_long("--p", optarg, 2, 100000000, &v, &err); o->data.p = (size_t)v; have_p = true; break;
        case OPT_DY: rc = cli_parse_long("--dy", optarg, 1, 10000000, &v, &err); o->data.dy = (size_t)v; break;
        case OPT_SEED: rc = cli_parse_u64("--seed", optarg, &o->data.seed, &err); have_seed = true; break;
        case OPT_LEVEL: rc = cli_parse_long("--level", optarg, 0, 9, &o->level, &err); break;
        case 'o': o->output = optarg; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: printf("%s sparsekit %s\n", PROG, SK_VERSION); return -1;
        default: return cli_bad_option(PROG, argv, optind, optopt);
        }
        if (rc)
            return cli_usage_error(PROG, "%s", err.msg);
    }
    if (optind < argc)
        return cli_usage_error(PROG, "unexpected argument '%s'", argv[optind]);
    if (!have_dz || !have_k || !have_p || !have_seed)
        return cli_usage_error(PROG, "--dz, --k, --p and --seed are required");
    if (datagen_validate(&o->data, &err))
        return cli_usage_error(PROG, "%s", err.msg);
    return 0;
}

static int write_dataset(const Options *o, const Dataset *d, const char *meta, SkErr *err)
{
    NpzWriter *w = npz_create(o->output, (int)o->level, err);
    if (!w)
        return -1;
    const struct { const char *name; const Mat *m; } members[] = {
        {"A", &d->A},         {"Y_train", &d->y_train}, {"Z_train", &d->z_train},
        {"Y_val", &d->y_val}, {"Z_val", &d->z_val},     {"Y_ood", &d->y_ood},
        {"Z_ood", &d->z_ood}};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (npz_put_mat(w, members[i].name, members[i].m, err)) {
            npz_abort(w);
            return -1;
        }
    if (npz_put_raw(w, "meta.json", meta, strlen(meta), err)) {
        npz_abort(w);
        return -1;
    }
    return npz_commit(w, err);
}

int main(int argc, char **argv)
{
    Options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    SkErr err = {{0}};
    Dataset d;
    if (datagen_generate(&o.data, &d, &err))
        return cli_error(PROG, SK_EXIT_DATA, &err);
    StrBuf params, meta;
    sb_init(&params);
    sb_init(&meta);
    sb_printf(&params, "\"dz\": %zu, \"k\": %zu, \"p\": %zu, \"dy\": %zu, "
                       "\"n_train\": %zu, \"n_val\": %zu, \"n_ood\": %zu",
              o.data.dz, o.data.k, o.data.p, o.data.dy, d.y_train.rows, d.y_val.rows, d.y_ood.rows);
    meta_build(&meta, PROG, argc, argv, true, o.data.seed, params.s, "");
    if (meta.failed)
        rc = cli_error(PROG, SK_EXIT_DATA, &(SkErr){"out of memory"});
    else if (write_dataset(&o, &d, meta.s, &err))
        rc = cli_error(PROG, SK_EXIT_DATA, &err);
    sb_free(&params);
    sb_free(&meta);
    dataset_release(&d);
    return rc;
}
