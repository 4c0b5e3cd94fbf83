/* eval — score one method's codes against the truth (SPEC §4): one TSV table,
 * a header line and a value line.
 *
 *   eval --data DATA --codes CODES [--dict FILE:MEMBER [--bias FILE:MEMBER]]
 *        [--tag NAME=VALUE]... [-o FILE]
 *
 * DATA is a gen-data dataset (Z_val, Z_ood, and A, Y_val, Y_ood for --dict);
 * CODES holds the method's Z_val and Z_ood (samples as rows, any width). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "cliopts.h"
#include "colset.h"
#include "gemm.h"
#include "logreg.h"
#include "metrics.h"
#include "npz.h"

static const char PROG[] = "eval";

#define MAX_TAGS 32
#define MAX_COLUMNS 64

typedef struct {
    const char *v[MAX_TAGS];  /* "NAME=VALUE", in the order given */
    size_t n;
} Tags;

/* --columns: which columns of the codes and the truth the metrics read. */
typedef enum { COLUMNS_AUTO, COLUMNS_ALL } ColumnsMode;
static const char *const COLUMNS_NAMES[] = {"auto", "all", NULL};

typedef struct {
    const char *data, *codes, *dict, *bias, *output;
    Tags tags;
    long threads;             /* 0: sk_default_threads() */
    int columns;              /* ColumnsMode */
} Options;

/* One output table: names and values in order. */
typedef struct {
    const char *name[MAX_COLUMNS];
    double value[MAX_COLUMNS];
    size_t n;
} Row;

static void row_add(Row *r, const char *name, double value)
{
    if (r->n < MAX_COLUMNS) {
        r->name[r->n] = name;
        r->value[r->n++] = value;
    }
}

/* --tag NAME=VALUE, repeatable: one leading column each. */
static int parse_tag(const char *text, void *field, SkErr *err)
{
    Tags *tags = field;
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || strpbrk(text, "\t\n"))
        return sk_fail(err, "--tag: '%s' is not NAME=VALUE", text);
    if (tags->n == MAX_TAGS)
        return sk_fail(err, "--tag: more than %d tags", MAX_TAGS);
    tags->v[tags->n++] = text;
    return 0;
}

static const CliOption OPTIONS[] = {
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Options, data), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "dataset .npz from gen-data ('-' = stdin)"},
    {.name = "codes", .type = CLI_STRING, .offset = offsetof(Options, codes), .arg = "FILE",
     .flags = CLI_REQUIRED, .help = "codes .npz with Z_val and Z_ood"},
    {.name = "dict", .type = CLI_STRING, .offset = offsetof(Options, dict), .arg = "FILE:MEMBER",
     .help = "the method's dictionary (d_y x width)"},
    {.name = "bias", .type = CLI_STRING, .offset = offsetof(Options, bias), .arg = "FILE:MEMBER",
     .help = "decoder bias added to reconstructions"},
    {.name = "tag", .type = CLI_CUSTOM, .offset = offsetof(Options, tags), .arg = "NAME=VALUE",
     .parse = parse_tag, .help = "a leading column (repeatable; e.g. method=oracle)"},
    {.name = "columns", .type = CLI_CHOICE, .offset = offsetof(Options, columns), .arg = "C",
     .choices = COLUMNS_NAMES,
     .help = "columns the metrics read: auto (beyond 32768 code columns only\n"
             "those with a non-zero in val or OOD, and a few all-zero ones for\n"
             "the rest: the same metrics from n x (non-zero columns) matrices;\n"
             "mcc_id is NaN there anyway) or all (every column, held dense)"},
    {.name = "threads", .type = CLI_LONG, .offset = offsetof(Options, threads), .arg = "N",
     .min = 1, .max = 1024, .help = "BLIS threads",
     .default_text = "SLURM_CPUS_PER_TASK, else\nBLIS_NUM_THREADS, else the CPUs available"},
    {.name = "output", .short_name = 'o', .type = CLI_STRING, .offset = offsetof(Options, output),
     .arg = "FILE", .help = "output table, '-' for stdout"},
    {0}};

static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (o->bias && !o->dict)
        return sk_fail(err, "--bias needs --dict");
    return 0;
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = PROG,
    .synopsis = "--data DATA --codes CODES [options] [-o FILE]",
    .about =
        "Score a method's codes against the true latents (SPEC section 4); prints a\n"
        "TSV header line and a value line:\n"
        "  mcc_id mcc_ood            MCC, paper variant (noise padding, OOD variance selection)\n"
        "  mcc_id_clean mcc_ood_clean  MCC, rectangular assignment, no padding or selection\n"
        "  auc_id auc_ood auc_feature  best single-feature AUC on val, that feature on OOD\n"
        "  acc_id acc_ood            logistic regression on val codes, paper solver set-up\n"
        "  acc_id_l2 acc_ood_l2      the same with L2 (C = 1): a finite optimum\n"
        "  l0_id l0_ood dead width   mean #|z| > 0.01, latents never active on val, code width\n"
        "With --dict also (else NaN) dict_cos dict_angle dict_norm_ratio dict_frac09 (matched to\n"
        "the dataset's A), support_precision support_recall support_f1 true_l0\n"
        "pred_l0 pred_l0_total (OOD codes, columns aligned by that match) and\n"
        "recon_val recon_ood (mean squared error of Z Dᵀ + bias).\n"
        "Last, diverged: the codes file's own 0/1 member of that name (a training run\n"
        "that blew up, e.g. lista), NaN for methods without one.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .check = check_options,
    .run = run,
};

/* Everything eval reads. With column sets (--columns auto on wide codes) the
 * truth and code matrices hold only the sets' columns (colset.h), and d_kept
 * the dictionary's atoms of the code set. */
typedef struct {
    Mat zt_val, zt_ood, zp_val, zp_ood;   /* truth and codes, samples as rows */
    Mat a, y_val, y_ood, d, bias;         /* only with --dict; d may be a view of a */
    Mat d_kept;                           /* --dict with column sets */
    bool column_sets;
    ColumnSet truth_cols, code_cols;
    size_t width;                         /* the codes' own width */
    double diverged;                      /* the codes' member, NaN if absent */
} Inputs;

static void inputs_release(Inputs *in)
{
    if (in->d.v && in->d.v == in->a.v) /* --dict DATA:A: released as a */
        in->d = (Mat){0};
    Mat *all[] = {&in->zt_val, &in->zt_ood, &in->zp_val, &in->zp_ood, &in->a,
                  &in->y_val,  &in->y_ood,  &in->d,      &in->bias,   &in->d_kept};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        mat_release(all[i]);
    colset_release(&in->truth_cols);
    colset_release(&in->code_cols);
}

static int check_shapes(const Options *o, const Inputs *in, SkErr *err)
{
    if (in->zp_val.rows != in->zt_val.rows || in->zp_ood.rows != in->zt_ood.rows)
        return sk_fail(err, "%s: codes have %zu val / %zu OOD rows, the dataset %zu / %zu",
                       o->codes, in->zp_val.rows, in->zp_ood.rows, in->zt_val.rows, in->zt_ood.rows);
    if (in->zp_val.cols != in->zp_ood.cols)
        return sk_fail(err, "%s: Z_val has %zu columns but Z_ood %zu", o->codes, in->zp_val.cols,
                       in->zp_ood.cols);
    if (in->zt_val.rows < 2 || in->zt_ood.rows < 2)
        return sk_fail(err, "%s: needs at least 2 val and 2 OOD samples", o->data);
    if (!o->dict)
        return 0;
    size_t latents = in->column_sets ? in->truth_cols.width : in->zt_val.cols;
    if (in->a.cols != latents)
        return sk_fail(err, "%s: A has %zu columns but Z_val %zu", o->data, in->a.cols, latents);
    if (in->d.cols != in->width || in->d.rows != in->a.rows)
        return sk_fail(err, "%s: dictionary is %zu x %zu, expected %zu x %zu (d_y x code width)",
                       o->dict, in->d.rows, in->d.cols, in->a.rows, in->width);
    if (o->bias && mat_size(&in->bias) != in->a.rows)
        return sk_fail(err, "%s: bias has %zu values, expected d_y = %zu", o->bias,
                       mat_size(&in->bias), in->a.rows);
    return 0;
}

/* The codes file's optional "diverged" member: one value, 0 or 1. */
static int load_diverged(const Options *o, NpzCache *c, Inputs *in, SkErr *err)
{
    const Npz *npz;
    in->diverged = NAN;
    if (npz_cache_open(c, o->codes, &npz, err))
        return -1;
    const NpyArray *a = npz_get(npz, "diverged");
    if (!a)
        return 0;
    double *v = NULL;
    if (npy_to_doubles(a, &v, err))
        return -1;
    int rc = 0;
    if (npy_count(a) != 1 || (v[0] != 0.0 && v[0] != 1.0))
        rc = sk_fail(err, "%s: diverged must be one value, 0 or 1", o->codes);
    else
        in->diverged = v[0];
    free(v);
    return rc;
}

/* The set's columns of member `name` of `path`, which must be finite. */
static int gather_finite(const ColumnSet *s, const NpyArray *a, const char *path,
                         const char *name, Mat *out, SkErr *err)
{
    if (colset_gather(s, a, out, err))
        return sk_prefix(err, path);
    if (!mat_all_finite(out)) {
        mat_release(out);
        return sk_fail(err, "%s: %s holds non-finite values", path, name);
    }
    return 0;
}

/* The truth's columns with a non-zero in val or OOD (and column 0, the
 * anchor); the codes' columns with a non-zero in val or OOD, and as many
 * all-zero ones as the truth has columns, plus one: mcc_paper_ood selects as
 * many code columns as the truth has active ones, and the lowest-index
 * all-zero column stands for every other in the AUC's "lowest index" tie. */
static int load_column_sets(const Options *o, const NpyArray *t[2], const NpyArray *p[2],
                            Inputs *in, SkErr *err)
{
    in->column_sets = true;
    if (colset_nonzero(t, 2, 0, true, &in->truth_cols, err))
        return sk_prefix(err, o->data);
    if (colset_nonzero(p, 2, in->truth_cols.kept + 1, false, &in->code_cols, err))
        return sk_prefix(err, o->codes);
    return gather_finite(&in->truth_cols, t[0], o->data, "Z_val", &in->zt_val, err) ||
           gather_finite(&in->truth_cols, t[1], o->data, "Z_ood", &in->zt_ood, err) ||
           gather_finite(&in->code_cols, p[0], o->codes, "Z_val", &in->zp_val, err) ||
           gather_finite(&in->code_cols, p[1], o->codes, "Z_ood", &in->zp_ood, err);
}

/* Column sets pay when the codes are wider than the padded MCC's limit
 * (beyond it mcc_paper_id is NaN whatever the columns) and every matrix is
 * 2-d with matching widths (anything else goes the dense way, to its errors). */
static bool wants_column_sets(const Options *o, const NpyArray *t[2], const NpyArray *p[2])
{
    if (o->columns != COLUMNS_AUTO)
        return false;
    for (int s = 0; s < 2; s++)
        if (t[s]->ndim != 2 || p[s]->ndim != 2)
            return false;
    return t[0]->shape[1] == t[1]->shape[1] && p[0]->shape[1] == p[1]->shape[1] &&
           p[0]->shape[1] > METRICS_PADDED_MCC_MAX_WIDTH;
}

/* The truth and the codes: whole, or (--columns auto on wide codes) their
 * column sets. */
static int load_codes(const Options *o, NpzCache *c, Inputs *in, SkErr *err)
{
    const NpyArray *t[2], *p[2];
    if (npz_load_member_array(c, o->data, "Z_val", &t[0], err) ||
        npz_load_member_array(c, o->data, "Z_ood", &t[1], err) ||
        npz_load_member_array(c, o->codes, "Z_val", &p[0], err) ||
        npz_load_member_array(c, o->codes, "Z_ood", &p[1], err))
        return -1;
    if (wants_column_sets(o, t, p)) {
        in->width = p[0]->shape[1];
        return load_column_sets(o, t, p, in, err);
    }
    if (npz_load_member_finite(c, o->data, "Z_val", &in->zt_val, err) ||
        npz_load_member_finite(c, o->data, "Z_ood", &in->zt_ood, err) ||
        npz_load_member_finite(c, o->codes, "Z_val", &in->zp_val, err) ||
        npz_load_member_finite(c, o->codes, "Z_ood", &in->zp_ood, err))
        return -1;
    in->width = in->zp_val.cols;
    return 0;
}

/* --dict: the method's dictionary; when it names the dataset's own A (the
 * oracle's DATA:A) it is that matrix, not a second copy (0.9 GB at d_z = 10⁶). */
static int load_dictionary(const Options *o, NpzCache *c, Inputs *in, SkErr *err)
{
    const NpyArray *dict, *truth;
    if (npz_load_array(c, o->dict, NULL, &dict, err) ||
        npz_load_member_array(c, o->data, "A", &truth, err))
        return -1;
    if (dict == truth) {
        in->d = in->a;
        return 0;
    }
    return npz_load_mat_finite(c, o->dict, NULL, &in->d, "dictionary", err);
}

static int load_inputs(const Options *o, NpzCache *c, Inputs *in, SkErr *err)
{
    *in = (Inputs){.truth_cols = {.zero = -1}, .code_cols = {.zero = -1}};
    if (load_codes(o, c, in, err) || load_diverged(o, c, in, err))
        return -1;
    if (o->dict && (npz_load_member_finite(c, o->data, "A", &in->a, err) ||
                    npz_load_member_finite(c, o->data, "Y_val", &in->y_val, err) ||
                    npz_load_member_finite(c, o->data, "Y_ood", &in->y_ood, err) ||
                    load_dictionary(o, c, in, err)))
        return -1;
    if (o->bias && npz_load_mat_finite(c, o->bias, NULL, &in->bias, "bias", err))
        return -1;
    if (check_shapes(o, in, err))
        return -1;
    return o->dict && in->column_sets ? colset_gather_atoms(&in->code_cols, &in->d, &in->d_kept, err)
                                      : 0;
}

static bool both_classes(const unsigned char *label, size_t n)
{
    size_t positives = 0;
    for (size_t i = 0; i < n; i++)
        positives += label[i] != 0;
    return positives > 0 && positives < n;
}

/* acc on val (training) and OOD of a logistic regression fitted on val codes;
 * NaN when val holds one class only (no classifier to fit). */
static int accuracy_columns(const Inputs *in, const unsigned char *lv, const unsigned char *lo,
                            bool l2, Row *row, SkErr *err)
{
    if (!both_classes(lv, in->zp_val.rows)) {
        row_add(row, l2 ? "acc_id_l2" : "acc_id", NAN);
        row_add(row, l2 ? "acc_ood_l2" : "acc_ood", NAN);
        return 0;
    }
    LogReg model;
    int rc = l2 ? logreg_fit_l2(&in->zp_val, lv, 1.0, &model, err)
                : logreg_fit_paper(&in->zp_val, lv, &model, err);
    if (rc)
        return -1;
    row_add(row, l2 ? "acc_id_l2" : "acc_id", logreg_accuracy(&model, &in->zp_val, lv));
    row_add(row, l2 ? "acc_ood_l2" : "acc_ood", logreg_accuracy(&model, &in->zp_ood, lo));
    logreg_free(&model);
    return 0;
}

static int code_columns(const Inputs *in, Row *row, SkErr *err)
{
    double m[4] = {NAN}; /* mcc_paper_id is NaN beyond the column sets' width */
    if ((!in->column_sets && mcc_paper_id(&in->zt_val, &in->zp_val, &m[0], err)) ||
        mcc_paper_ood(&in->zt_ood, &in->zp_ood, &m[1], err) ||
        mcc_clean(&in->zt_val, &in->zp_val, &m[2], err) ||
        mcc_clean(&in->zt_ood, &in->zp_ood, &m[3], err))
        return -1;
    if (isnan(m[0])) /* mcc_paper_id's only NaN: the width limit */
        fprintf(stderr, "%s: note: mcc_id (noise-padded to %zu code columns) is not computed "
                        "beyond %d columns: nan; mcc_id_clean is\n",
                PROG, in->width, METRICS_PADDED_MCC_MAX_WIDTH);
    for (int i = 2; i < 4; i++)
        if (isnan(m[i]))
            fprintf(stderr,
                    "%s: note: %s could not be proved optimal, nor within %g a column of it, on "
                    "its candidate graph: nan\n",
                    PROG, i == 2 ? "mcc_id_clean" : "mcc_ood_clean", METRICS_MATCH_GAP);
    row_add(row, "mcc_id", m[0]);
    row_add(row, "mcc_ood", m[1]);
    row_add(row, "mcc_id_clean", m[2]);
    row_add(row, "mcc_ood_clean", m[3]);

    unsigned char *lv = malloc(in->zt_val.rows), *lo = malloc(in->zt_ood.rows);
    int rc = -1;
    AucSelection auc;
    if (!lv || !lo)
        sk_fail(err, "out of memory");
    else if (anchor_labels(&in->zt_val, lv, err) == 0 && anchor_labels(&in->zt_ood, lo, err) == 0 &&
             auc_select_feature(&in->zp_val, lv, &in->zp_ood, lo, &auc, err) == 0) {
        row_add(row, "auc_id", auc.auc_val);
        row_add(row, "auc_ood", auc.auc_ood);
        row_add(row, "auc_feature",
                (double)(in->column_sets ? in->code_cols.column[auc.column] : auc.column));
        rc = accuracy_columns(in, lv, lo, false, row, err) || accuracy_columns(in, lv, lo, true, row, err);
    }
    free(lv);
    free(lo);
    if (rc)
        return -1;
    size_t dead;
    if (dead_latents(&in->zp_val, METRICS_ACTIVE_THRESHOLD, &dead, err))
        return -1;
    row_add(row, "l0_id", mean_l0(&in->zp_val, METRICS_ACTIVE_THRESHOLD));
    row_add(row, "l0_ood", mean_l0(&in->zp_ood, METRICS_ACTIVE_THRESHOLD));
    if (in->column_sets) /* a column outside the set is all zero: dead */
        dead += in->width - in->code_cols.kept;
    row_add(row, "dead", (double)dead);
    row_add(row, "width", (double)in->width);
    return 0;
}

static const char *const DICT_COLUMNS[] = {
    "dict_cos", "dict_angle", "dict_norm_ratio", "dict_frac09", "support_precision",
    "support_recall", "support_f1", "true_l0", "pred_l0", "pred_l0_total", "recon_val", "recon_ood"};

/* Without --dict the dictionary columns are NaN, so every row of an
 * experiment has the same columns whatever its method. */
static void dictionary_columns_absent(Row *row)
{
    for (size_t i = 0; i < sizeof DICT_COLUMNS / sizeof DICT_COLUMNS[0]; i++)
        row_add(row, DICT_COLUMNS[i], NAN);
}

static int dictionary_columns(const Inputs *in, Row *row, SkErr *err)
{
    long *match = malloc((in->a.cols ? in->a.cols : 1) * sizeof *match);
    if (!match)
        return sk_fail(err, "out of memory");
    DictMatch dm;
    SupportStats ss;
    double rv, ro;
    const float *bias = in->bias.v;
    const SupportColumns cols = {
        .truth_col = in->column_sets ? in->truth_cols.column : NULL,
        .pred_index = in->column_sets ? in->code_cols.index : NULL,
        .truth_width = in->a.cols,
        .pred_width = in->width};
    const Mat *d = in->column_sets ? &in->d_kept : &in->d; /* atoms of zp's columns */
    int rc = dict_match(&in->d, &in->a, match, &dm, err) ||
             support_stats_columns(&in->zt_ood, &in->zp_ood, &cols, match, &ss, err) ||
             recon_mse_codes(&in->y_val, &in->zp_val, d, bias, &rv, err) ||
             recon_mse_codes(&in->y_ood, &in->zp_ood, d, bias, &ro, err);
    free(match);
    if (rc)
        return -1;
    const double values[] = {dm.mean_cosine, dm.mean_angle, dm.mean_norm_ratio, dm.frac_close,
                             ss.precision, ss.recall, ss.f1, ss.true_l0, ss.pred_l0_matched,
                             ss.pred_l0_total, rv, ro};
    for (size_t i = 0; i < sizeof DICT_COLUMNS / sizeof DICT_COLUMNS[0]; i++)
        row_add(row, DICT_COLUMNS[i], values[i]);
    return 0;
}

static int write_row(const Options *o, const Row *row, SkErr *err)
{
    AtomicFile out;
    if (atomic_open(&out, o->output, err))
        return -1;
    for (size_t i = 0; i < o->tags.n; i++)
        fprintf(out.f, "%.*s\t", (int)strcspn(o->tags.v[i], "="), o->tags.v[i]);
    for (size_t i = 0; i < row->n; i++)
        fprintf(out.f, "%s%s", row->name[i], i + 1 < row->n ? "\t" : "\n");
    for (size_t i = 0; i < o->tags.n; i++)
        fprintf(out.f, "%s\t", strchr(o->tags.v[i], '=') + 1);
    for (size_t i = 0; i < row->n; i++)
        fprintf(out.f, "%.10g%s", row->value[i], i + 1 < row->n ? "\t" : "\n");
    return atomic_commit(&out, err);
}

static int run(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    sk_gemm_set_threads(o->threads ? (int)o->threads : sk_default_threads());
    SkErr err = {{0}};
    NpzCache cache;
    npz_cache_init(&cache);
    Inputs in;
    Row row = {0};
    int rc = load_inputs(o, &cache, &in, &err) || code_columns(&in, &row, &err) ||
             (o->dict ? dictionary_columns(&in, &row, &err) : (dictionary_columns_absent(&row), 0)) ||
             (row_add(&row, "diverged", in.diverged), 0) || write_row(o, &row, &err);
    if (rc)
        cli_error(PROG, SK_EXIT_DATA, &err);
    inputs_release(&in);
    npz_cache_free(&cache);
    return rc ? SK_EXIT_DATA : 0;
}

int main(int argc, char **argv)
{
    Options o = {.output = "-"};
    return cli_main(&TOOL, &o, argc, argv);
}
