/* freeze-decoder — a trained SAE's decoder as a fixed dictionary for FISTA
 * (SPEC §5.1).
 *
 *   freeze-decoder --model MODEL [--mode frozen|renormed|oracle-norms]
 *                  [--truth FILE:MEMBER] [-o DICT]
 *
 * DICT members:
 *   D (d_y × width)   frozen: W_dec as it is; renormed: unit columns (zero
 *                     columns stay zero); oracle-norms: each column matched to
 *                     a true column (Hungarian on |cos|) rescaled to that true
 *                     column's norm, unmatched columns zero
 *   b (d_y)           the SAE's b_dec: FISTA runs on y − b
 *                     (`fista --dict DICT:D --bias DICT:b`)
 *   truth_col (width, int64, oracle-norms only)  the true column matched to
 *                     each decoder column, −1 when none
 *   meta.json */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "npz.h"
#include "sae_io.h"
#include "surgery.h"

#define PROG "freeze-decoder"

typedef struct {
    const char *model, *truth, *output;
    int mode;                 /* FreezeMode */
    bool verbose;
} Options;


static const CliOption OPTIONS[] = {
    {.name = "model", .type = CLI_STRING, .offset = offsetof(Options, model), .arg = "MODEL",
     .flags = CLI_REQUIRED, .help = "train-sae model (W_dec, b_dec); '-' reads stdin"},
    {.name = "mode", .type = CLI_CHOICE, .offset = offsetof(Options, mode), .arg = "M",
     .choices = FREEZE_MODE_NAMES, .meta = "mode",
     .help = "frozen: W_dec unchanged; renormed: every column divided\n"
             "by max(norm, 1e-8); oracle-norms: columns matched to the\n"
             "truth (Hungarian on |cos|) rescaled to the true column's\n"
             "norm, unmatched columns zeroed"},
    {.name = "truth", .type = CLI_STRING, .offset = offsetof(Options, truth), .arg = "FILE:MEMBER",
     .help = "true dictionary A (d_y x d_z), required by oracle-norms\nand only used there"},
    CLI_OPTION_OUTPUT(Options, output),
    {.name = "verbose", .short_name = 'v', .type = CLI_FLAG, .offset = offsetof(Options, verbose),
     .help = "log a summary line on stderr"},
    {0}};

static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (o->mode == FREEZE_ORACLE_NORMS && !o->truth)
        return sk_fail(err, "--mode oracle-norms needs --truth FILE:MEMBER");
    if (o->mode != FREEZE_ORACLE_NORMS && o->truth)
        return sk_fail(err, "--truth applies to --mode oracle-norms only");
    return 0;
}

static int run_tool(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--model MODEL [--mode M] [--truth FILE:MEMBER] [-o DICT]",
    .about = "The decoder of a trained SAE (train-sae MODEL) as a fixed dictionary.\n"
             "DICT holds D (d_y x width), b (d_y: the SAE's b_dec, to subtract from the\n"
             "inputs: fista --dict DICT:D --bias DICT:b), with oracle-norms truth_col\n"
             "(int64, the true column matched to each decoder column or -1), meta.json.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run_tool,
};

typedef struct {
    NpzCache cache;
    SaeModelFile model;
    Mat truth, d;
    long *truth_col;
    const char *truth_meta;
} Problem;

static void problem_free(Problem *p)
{
    sae_model_file_release(&p->model);
    mat_release(&p->truth);
    mat_release(&p->d);
    free(p->truth_col);
    npz_cache_free(&p->cache);
}

static int load_problem(Problem *p, const Options *o, SkErr *err)
{
    if (sae_model_file_load(&p->cache, o->model, false, &p->model, err))
        return -1;
    if (!o->truth)
        return 0;
    char file[512];
    npz_spec_file(o->truth, file, sizeof file);
    if (npz_load_mat_finite(&p->cache, o->truth, NULL, &p->truth, "the true dictionary", err))
        return -1;
    if (p->truth.rows != p->model.w_dec.rows || p->truth.cols == 0)
        return sk_fail(err, "%s: the true dictionary is %zu x %zu, expected %zu (d_y) rows", file,
                       p->truth.rows, p->truth.cols, p->model.w_dec.rows);
    p->truth_meta = npz_spec_meta(&p->cache, o->truth);
    return 0;
}

static void build_meta(const Problem *p, const Options *o, StrBuf *meta)
{
    StrBuf params, inputs;
    sb_init(&params);
    sb_init(&inputs);
    cli_params_json(&TOOL, o, &params);
    sb_printf(&params, ", \"variant_id\": %ld, \"d_y\": %zu, \"width\": %zu", p->model.variant,
              p->model.w_dec.rows, p->model.w_dec.cols);
    meta_add_input(&inputs, "model", p->model.meta_json);
    if (o->truth)
        meta_add_input(&inputs, "truth", p->truth_meta);
    meta_build(meta, PROG, 0, NULL, false, 0, params.s, inputs.s);
    if (params.failed || inputs.failed)
        meta->failed = true;
    sb_free(&params);
    sb_free(&inputs);
}

static int write_dict(const Problem *p, const Options *o, SkErr *err)
{
    StrBuf meta;
    sb_init(&meta);
    build_meta(p, o, &meta);
    if (meta.failed) {
        sb_free(&meta);
        return sk_fail(err, "out of memory");
    }
    size_t width = p->d.cols, dy = p->d.rows;
    size_t dy_shape[1] = {dy}, width_shape[1] = {width};
    int64_t *cols = NULL;
    NpzWriter *w = npz_create(o->output, 1, err);
    int rc = w ? 0 : -1;
    if (rc == 0)
        rc = npz_put_mat(w, "D", &p->d, err) ||
             npz_put(w, "b", NPY_FLOAT32, 1, dy_shape, p->model.b_dec.v, err);
    if (rc == 0 && o->mode == FREEZE_ORACLE_NORMS) {
        cols = malloc(width * sizeof *cols);
        rc = cols ? 0 : sk_fail(err, "out of memory");
        for (size_t j = 0; rc == 0 && j < width; j++)
            cols[j] = p->truth_col[j];
        if (rc == 0)
            rc = npz_put(w, "truth_col", NPY_INT64, 1, width_shape, cols, err);
    }
    if (rc == 0)
        rc = npz_put_raw(w, "meta.json", meta.s, meta.len, err);
    if (rc == 0)
        rc = npz_commit(w, err);
    else
        npz_abort(w);
    free(cols);
    sb_free(&meta);
    return rc ? -1 : 0;
}

static int run(const Options *o, SkErr *err)
{
    Problem p;
    memset(&p, 0, sizeof p);
    npz_cache_init(&p.cache);
    int rc = load_problem(&p, o, err);
    if (rc == 0) {
        p.truth_col = malloc((p.model.w_dec.cols + 1) * sizeof *p.truth_col);
        rc = p.truth_col ? 0 : sk_fail(err, "out of memory");
    }
    if (rc == 0)
        rc = freeze_decoder(&p.model.w_dec, o->mode, o->truth ? &p.truth : NULL, &p.d,
                            p.truth_col, err);
    if (rc == 0 && o->verbose) {
        size_t matched = 0;
        for (size_t j = 0; j < p.d.cols; j++)
            matched += p.truth_col[j] >= 0;
        fprintf(stderr, "%s: %s decoder, %zu x %zu%s", PROG, freeze_mode_name(o->mode), p.d.rows,
                p.d.cols, o->mode == FREEZE_ORACLE_NORMS ? "" : "\n");
        if (o->mode == FREEZE_ORACLE_NORMS)
            fprintf(stderr, ", %zu columns matched\n", matched);
    }
    if (rc == 0)
        rc = write_dict(&p, o, err);
    problem_free(&p);
    return rc;
}

static int run_tool(void *opts, int argc, char **argv)
{
    SkErr err = {{0}};
    return run(opts, &err) ? cli_error(PROG, SK_EXIT_DATA, &err) : 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-", .mode = FREEZE_FROZEN};
    return cli_main(&TOOL, &o, argc, argv);
}
