/* gen-data — draw the synthetic dataset of SPEC §1 into one .npz:
 * A, Y_train, Z_train, Y_val, Z_val, Y_ood, Z_ood, meta.json. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "csr.h"
#include "datagen.h"
#include "gemm.h"
#include "npz.h"

typedef struct {
    DataParams data;
    const char *output;
    long level;
    int storage;   /* CsrStorage of the code matrices Z_* */
    long threads;  /* deflating members of 8 MiB and more (lib/zip.c) */
} Options;

static const CliOption OPTIONS[] = {
    {.name = "dz", .type = CLI_SIZE, .offset = offsetof(Options, data.dz), .arg = "N",
     .min = 2, .max = 10000000, .flags = CLI_REQUIRED, .help = "number of latents d_z", .meta = "dz"},
    {.name = "k", .type = CLI_SIZE, .offset = offsetof(Options, data.k), .arg = "K",
     .min = 1, .max = 10000000, .flags = CLI_REQUIRED, .help = "active latents per sample", .meta = "k"},
    {.name = "p", .type = CLI_SIZE, .offset = offsetof(Options, data.p), .arg = "P",
     .min = 2, .max = 100000000, .flags = CLI_REQUIRED,
     .help = "in-distribution draws: first P/2 train, rest val; P/2 OOD", .meta = "p"},
    {.name = "dy", .type = CLI_SIZE, .offset = offsetof(Options, data.dy), .arg = "M",
     .min = 1, .max = 10000000, .help = "observed dimension",
     .default_text = "max(k+1, ceil(2 k ln(d_z/k)))", .meta = "dy"},
    CLI_OPTION_SEED(Options, data.seed, CLI_REQUIRED),
    CLI_OPTION_OUTPUT(Options, output),
    {.name = "level", .type = CLI_LONG, .offset = offsetof(Options, level), .arg = "L",
     .min = 0, .max = 9, .help = "deflate level 0-9"},
    {.name = "storage", .type = CLI_CHOICE, .offset = offsetof(Options, storage), .arg = "S",
     .choices = CSR_STORAGE_NAMES,
     .help = "layout of the codes Z_*: dense, sparse (CSR members Z_val.data,\n"
             ".indices, .indptr, .shape) or auto (sparse for large, mostly-zero\nmatrices)"},
    CLI_OPTION_THREADS(Options, threads),
    {0}};

static int check_options(void *opts, SkErr *err)
{
    Options *o = opts;
    return datagen_validate(&o->data, err);
}

static int write_dataset(const Options *o, const Dataset *d, const char *meta, SkErr *err)
{
    NpzWriter *w = npz_create(o->output, (int)o->level, err);
    if (!w)
        return -1;
    const CsrStorage codes = (CsrStorage)o->storage;
    const struct { const char *name; const Mat *m; CsrStorage storage; } members[] = {
        {"A", &d->A, CSR_STORAGE_DENSE},         {"Y_train", &d->y_train, CSR_STORAGE_DENSE},
        {"Z_train", &d->z_train, codes},         {"Y_val", &d->y_val, CSR_STORAGE_DENSE},
        {"Z_val", &d->z_val, codes},             {"Y_ood", &d->y_ood, CSR_STORAGE_DENSE},
        {"Z_ood", &d->z_ood, codes}};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (npz_put_mat_stored(w, members[i].name, members[i].m, members[i].storage, err)) {
            npz_abort(w);
            return -1;
        }
    if (npz_put_raw(w, "meta.json", meta, strlen(meta), err)) {
        npz_abort(w);
        return -1;
    }
    return npz_commit(w, err);
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = "gen-data",
    .synopsis = "--dz N --k K --p P --seed S [--dy M] [-o FILE]",
    .about = "Draw the compositional-generalisation dataset (SPEC section 1).\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run,
};

static int run(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    SkErr err = {{0}};
    sk_gemm_set_threads(o->threads ? (int)o->threads : sk_default_threads());
    Dataset d;
    if (datagen_generate(&o->data, &d, &err))
        return cli_error(TOOL.prog, SK_EXIT_DATA, &err);
    StrBuf params, meta;
    sb_init(&params);
    sb_init(&meta);
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params, ", \"n_train\": %zu, \"n_val\": %zu, \"n_ood\": %zu", d.y_train.rows,
              d.y_val.rows, d.y_ood.rows);
    meta_build(&meta, TOOL.prog, argc, argv, true, o->data.seed, params.s, "");
    int rc = 0;
    if (meta.failed || params.failed)
        rc = cli_error(TOOL.prog, SK_EXIT_DATA, &(SkErr){"out of memory"});
    else if (write_dataset(o, &d, meta.s, &err))
        rc = cli_error(TOOL.prog, SK_EXIT_DATA, &err);
    sb_free(&params);
    sb_free(&meta);
    dataset_release(&d);
    return rc;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-", .level = 1};
    return cli_main(&TOOL, &o, argc, argv);
}
