/* metrics.c — evaluation metrics (see metrics.h and SPEC §4). */
#include "metrics.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "assign_sparse.h"
#include "auc.h"
#include "gemm.h"
#include "rng.h"

/* ---------------------------------------------------------------- columns */

/* mean[j] = (1/n) Σ_i z_ij, swept row by row (cache-friendly), in double. */
static void column_means(const Mat *z, double *mean)
{
    for (size_t j = 0; j < z->cols; j++)
        mean[j] = 0.0;
    for (size_t i = 0; i < z->rows; i++) {
        const float *row = z->v + i * z->cols;
        for (size_t j = 0; j < z->cols; j++)
            mean[j] += row[j];
    }
    for (size_t j = 0; j < z->cols; j++)
        mean[j] /= (double)z->rows;
}

/* ss[j] = Σ_i (z_ij − shift_j)², or Σ_i z_ij² when shift is NULL. */
static void column_sq_sums(const Mat *z, const double *shift, double *ss)
{
    for (size_t j = 0; j < z->cols; j++)
        ss[j] = 0.0;
    for (size_t i = 0; i < z->rows; i++) {
        const float *row = z->v + i * z->cols;
        for (size_t j = 0; j < z->cols; j++) {
            double c = row[j] - (shift ? shift[j] : 0.0);
            ss[j] += c * c;
        }
    }
}

int column_variances(const Mat *z, double *var, SkErr *err)
{
    if (z->rows == 0)
        return sk_fail(err, "column variances: no samples");
    double *mean = malloc((z->cols ? z->cols : 1) * sizeof *mean);
    if (!mean)
        return sk_fail(err, "column variances: out of memory");
    column_means(z, mean);
    column_sq_sums(z, mean, var);
    for (size_t j = 0; j < z->cols; j++)
        var[j] /= (double)z->rows;
    free(mean);
    return 0;
}

/* A matrix's columns prepared for |cos| / |Pearson| between columns:
 *   unit_j = (z_j − shift_j) / scale_j  (float32, for the gemm that scores all pairs)
 * shift_j = column mean (centred) or 0; norm_j = ‖z_j − shift_j‖₂; scale_j =
 * norm_j, or 1 when norm_j < 1e-8. The raw matrix and the double shift/scale
 * are kept so matched pairs can be recomputed exactly in double. */
typedef struct {
    const Mat *raw;
    Mat unit;
    double *shift, *norm, *scale;
} Columns;

static void columns_release(Columns *c)
{
    mat_release(&c->unit);
    free(c->shift);
    free(c->norm);
    free(c->scale);
    memset(c, 0, sizeof *c);
}

static int columns_prepare(Columns *c, const Mat *z, bool centre, SkErr *err)
{
    size_t d = z->cols ? z->cols : 1;
    memset(c, 0, sizeof *c);
    c->raw = z;
    c->shift = calloc(d, sizeof *c->shift);
    c->norm = malloc(d * sizeof *c->norm);
    c->scale = malloc(d * sizeof *c->scale);
    if (!c->shift || !c->norm || !c->scale) {
        columns_release(c);
        return sk_fail(err, "preparing columns: out of memory");
    }
    if (mat_alloc(&c->unit, z->rows, z->cols, err)) {
        columns_release(c);
        return -1;
    }
    if (centre)
        column_means(z, c->shift);
    column_sq_sums(z, c->shift, c->norm);
    for (size_t j = 0; j < z->cols; j++) {
        c->norm[j] = sqrt(c->norm[j]);
        c->scale[j] = c->norm[j] < METRICS_NORM_FLOOR ? 1.0 : c->norm[j];
    }
    for (size_t i = 0; i < z->rows; i++) {
        const float *row = z->v + i * z->cols;
        float *out = c->unit.v + i * z->cols;
        for (size_t j = 0; j < z->cols; j++)
            out[j] = (float)((row[j] - c->shift[j]) / c->scale[j]);
    }
    return 0;
}

/* out (n × k) = columns idx[0..k) of z (n × d). */
static int select_columns(const Mat *z, const size_t *idx, size_t k, Mat *out, SkErr *err)
{
    if (mat_alloc(out, z->rows, k, err))
        return -1;
    for (size_t i = 0; i < z->rows; i++)
        for (size_t c = 0; c < k; c++)
            MAT_AT(*out, i, c) = MAT_AT(*z, i, idx[c]);
    return 0;
}

/* idx (d entries) receives the columns with variance > 1e-8; *k their count. */
static int varying_columns(const Mat *z, size_t *idx, size_t *k, SkErr *err)
{
    double *var = malloc((z->cols ? z->cols : 1) * sizeof *var);
    if (!var)
        return sk_fail(err, "out of memory");
    if (column_variances(z, var, err)) {
        free(var);
        return -1;
    }
    *k = 0;
    for (size_t j = 0; j < z->cols; j++)
        if (var[j] > METRICS_VAR_ACTIVE)
            idx[(*k)++] = j;
    free(var);
    return 0;
}

/* The varying columns of z as a new matrix. */
static int restrict_to_varying(const Mat *z, Mat *out, SkErr *err)
{
    size_t *idx = malloc((z->cols ? z->cols : 1) * sizeof *idx), k = 0;
    if (!idx)
        return sk_fail(err, "out of memory");
    int rc = varying_columns(z, idx, &k, err);
    if (rc == 0)
        rc = select_columns(z, idx, k, out, err);
    free(idx);
    return rc;
}

typedef struct {
    double var;
    size_t col;
} VarCol;

/* Descending variance, ties: lower column first. */
static int by_variance_desc(const void *a, const void *b)
{
    const VarCol *x = a, *y = b;
    if (x->var != y->var)
        return x->var < y->var ? 1 : -1;
    return (x->col > y->col) - (x->col < y->col);
}

/* The k columns of z with the largest variance (k ≤ z->cols). */
static int top_variance_columns(const Mat *z, size_t k, Mat *out, SkErr *err)
{
    size_t d = z->cols ? z->cols : 1;
    double *var = malloc(d * sizeof *var);
    VarCol *vc = malloc(d * sizeof *vc);
    size_t *idx = malloc(d * sizeof *idx);
    int rc = -1;
    if (!var || !vc || !idx) {
        sk_fail(err, "out of memory");
        goto done;
    }
    if (column_variances(z, var, err))
        goto done;
    for (size_t j = 0; j < z->cols; j++)
        vc[j] = (VarCol){var[j], j};
    qsort(vc, z->cols, sizeof *vc, by_variance_desc);
    for (size_t c = 0; c < k; c++)
        idx[c] = vc[c].col;
    rc = select_columns(z, idx, k, out, err);
done:
    free(var);
    free(vc);
    free(idx);
    return rc;
}

/* ---------------------------------------------------------------- MCC */

/* out (n × width) = z's columns then N(0,1) padding (float), drawn row by
 * row from r; width ≥ z->cols. */
static int pad_with_noise(const Mat *z, size_t width, Rng *r, Mat *out, SkErr *err)
{
    if (mat_alloc(out, z->rows, width, err))
        return -1;
    for (size_t i = 0; i < z->rows; i++) {
        float *row = out->v + i * width;
        memcpy(row, z->v + i * z->cols, z->cols * sizeof *row);
        for (size_t j = z->cols; j < width; j++)
            row[j] = (float)rng_normal(r);
    }
    return 0;
}

/* C (a × b) = |x.unitᵀ y.unit| (float32 gemm over the n samples);
 * non-finite entries (from NaN inputs) become 0. */
static int abs_cross_products(const Columns *x, const Columns *y, float **c_out, SkErr *err)
{
    size_t a = x->unit.cols, b = y->unit.cols, count;
    if (!sk_mul_size(a, b, &count) || !sk_mul_size(count, sizeof(float), &count))
        return sk_fail(err, "correlation matrix %zu x %zu is too large", a, b);
    float *c = malloc(count ? count : 1);
    if (!c)
        return sk_fail(err, "out of memory for a %zu x %zu correlation matrix", a, b);
    sk_gemm(true, false, a, b, x->unit.rows, 1.0f, x->unit.v, a, y->unit.v, b, 0.0f, c, b);
    for (size_t k = 0; k < a * b; k++)
        c[k] = isfinite(c[k]) ? fabsf(c[k]) : 0.0f;
    *c_out = c;
    return 0;
}

/* |Σ_i (x_ir − shift_r)(y_ij − shift_j)| / (scale_r · scale_j) in double from
 * the raw data (non-finite → 0). */
static double pair_abs_product(const Columns *x, size_t r, const Columns *y, size_t j)
{
    const Mat *xr = x->raw, *yr = y->raw;
    double acc = 0.0;
    for (size_t i = 0; i < xr->rows; i++)
        acc += ((double)MAT_AT(*xr, i, r) - x->shift[r]) * ((double)MAT_AT(*yr, i, j) - y->shift[j]);
    double v = fabs(acc) / (x->scale[r] * y->scale[j]);
    return isfinite(v) ? v : 0.0;
}

/* Match the columns of x (a) to those of y (b): exact maximum-weight
 * assignment on the float |products| matrix; col_of_row[r] (a entries) gets
 * r's partner or -1, value[r] the pair's |product| recomputed in double (0
 * when unmatched). */
static int match_columns(const Columns *x, const Columns *y, long *col_of_row, double *value,
                         SkErr *err)
{
    float *c = NULL;
    if (abs_cross_products(x, y, &c, err))
        return -1;
    size_t a = x->unit.cols, b = y->unit.cols;
    int rc = assign_solve_f32(c, a, b, ASSIGN_MAXIMIZE, col_of_row, err);
    free(c);
    if (rc)
        return rc;
    for (size_t r = 0; r < a; r++)
        value[r] = col_of_row[r] >= 0 ? pair_abs_product(x, r, y, (size_t)col_of_row[r]) : 0.0;
    return 0;
}

/* ---- matching on a sparse candidate graph (wide dictionaries) ---------- */

/* Per row of the |product| matrix, the m largest entries as a min-heap
 * (w[0] the smallest kept): rows × m weights and their columns. */
typedef struct {
    size_t m;
    float *w;
    long *col;
    size_t *kept;   /* per row, entries held so far (≤ m) */
} TopM;

static void topm_release(TopM *t)
{
    free(t->w);
    free(t->col);
    free(t->kept);
}

/* Offer value c at column j to row heap (w, col) holding *kept of m. */
static void topm_offer(float *w, long *col, size_t *kept, size_t m, float c, long j)
{
    size_t i;
    if (*kept < m) { /* sift up from the end */
        i = (*kept)++;
        while (i > 0 && w[(i - 1) / 2] > c) {
            w[i] = w[(i - 1) / 2];
            col[i] = col[(i - 1) / 2];
            i = (i - 1) / 2;
        }
    } else if (c > w[0]) { /* replace the smallest, sift down */
        i = 0;
        for (;;) {
            size_t child = 2 * i + 1;
            if (child >= m)
                break;
            if (child + 1 < m && w[child + 1] < w[child])
                child++;
            if (w[child] >= c)
                break;
            w[i] = w[child];
            col[i] = col[child];
            i = child;
        }
    } else {
        return;
    }
    w[i] = c;
    col[i] = j;
}

/* Block sizes of the |x.unitᵀ y.unit| products: 256 × 8192 floats (8 MiB). */
#define TOPM_ROW_BLOCK 256
#define TOPM_COL_BLOCK 8192

/* The m largest |products| of every column of x with the columns of y, from
 * blocked float32 products (never the whole a × b matrix); non-finite → 0. */
static int collect_top_m(const Columns *x, const Columns *y, size_t m, TopM *t, SkErr *err)
{
    size_t a = x->unit.cols, b = y->unit.cols, n = x->unit.rows;
    t->m = m;
    t->w = malloc(a * m * sizeof *t->w);
    t->col = malloc(a * m * sizeof *t->col);
    t->kept = calloc(a, sizeof *t->kept);
    float *block = malloc((size_t)TOPM_ROW_BLOCK * TOPM_COL_BLOCK * sizeof *block);
    if (!t->w || !t->col || !t->kept || !block) {
        free(block);
        topm_release(t);
        return sk_fail(err, "matching: out of memory for %zu x %zu candidates", a, m);
    }
    for (size_t r0 = 0; r0 < a; r0 += TOPM_ROW_BLOCK) {
        size_t rows = a - r0 < TOPM_ROW_BLOCK ? a - r0 : TOPM_ROW_BLOCK;
        for (size_t c0 = 0; c0 < b; c0 += TOPM_COL_BLOCK) {
            size_t cols = b - c0 < TOPM_COL_BLOCK ? b - c0 : TOPM_COL_BLOCK;
            sk_gemm(true, false, rows, cols, n, 1.0f, x->unit.v + r0, a, y->unit.v + c0, b, 0.0f,
                    block, cols);
            for (size_t r = 0; r < rows; r++)
                for (size_t j = 0; j < cols; j++) {
                    float c = block[r * cols + j];
                    c = isfinite(c) ? fabsf(c) : 0.0f;
                    topm_offer(t->w + (r0 + r) * m, t->col + (r0 + r) * m, &t->kept[r0 + r], m,
                               c, (long)(c0 + j));
                }
        }
    }
    free(block);
    return 0;
}

/* Exact assignment of x's a columns to y's b ≥ a columns on the top-m
 * candidate graph; res (assign_sparse.h) says whether every column matched,
 * whether the duals prove it optimal for the whole |product| matrix, and
 * otherwise how far above it that optimum may lie. */
static int match_on_candidates(const Columns *x, const Columns *y, size_t m, long *col_of_row,
                               SparseAssignResult *res, SkErr *err)
{
    size_t a = x->unit.cols;
    TopM t;
    if (collect_top_m(x, y, m, &t, err))
        return -1;
    size_t *ptr = malloc((a + 1) * sizeof *ptr);
    double *w = malloc(a * m * sizeof *w), *bound = malloc(a * sizeof *bound);
    int rc = 0;
    if (!ptr || !w || !bound)
        rc = sk_fail(err, "matching: out of memory");
    for (size_t r = 0; rc == 0 && r < a; r++) {
        ptr[r] = r * m;
        for (size_t k = 0; k < m; k++) /* every row saw all b ≥ m columns: m kept */
            w[r * m + k] = (double)t.w[r * m + k];
        bound[r] = m == y->unit.cols ? -INFINITY : (double)t.w[r * m];
    }
    if (rc == 0) {
        ptr[a] = a * m;
        SparseAssignProblem p = {a, y->unit.cols, ptr, t.col, w, bound};
        rc = assign_sparse_max(&p, col_of_row, res, err);
    }
    free(ptr);
    free(w);
    free(bound);
    topm_release(&t);
    return rc;
}

/* The first candidate graph's m (candidates a column). */
static size_t first_graph(const DictMatchOptions *o)
{
    return o->candidates ? o->candidates : METRICS_MATCH_CANDIDATES;
}

/* The widest candidate graph match_columns_sparse tries: m ≤ the option's
 * max_candidates and a·m ≤ METRICS_MATCH_MAX_EDGES, never below the first m. */
static size_t widest_graph(const DictMatchOptions *o, size_t a)
{
    size_t m0 = first_graph(o);
    size_t m = o->max_candidates ? o->max_candidates : METRICS_MATCH_MAX_CANDIDATES;
    if (a > 0 && m > METRICS_MATCH_MAX_EDGES / a)
        m = METRICS_MATCH_MAX_EDGES / a;
    return m > m0 ? m : m0;
}

/* match_columns for a ≤ b on the top-m candidate graph (m from o), doubling m
 * until the result is complete and certified, m reaches b, or the next graph
 * would be wider than widest_graph; the final m and the outcome go to out. */
static int match_columns_sparse(const Columns *x, const Columns *y, const DictMatchOptions *o,
                                long *col_of_row, double *value, DictMatch *out, SkErr *err)
{
    size_t a = x->unit.cols, b = y->unit.cols;
    if (a > b)
        return sk_fail(err, "matching: %zu columns to %zu (the wider side goes second)", a, b);
    const size_t widest = widest_graph(o, a);
    size_t m = first_graph(o);
    for (;;) {
        size_t cap = m < b ? m : b;
        SparseAssignResult res;
        if (match_on_candidates(x, y, cap, col_of_row, &res, err))
            return -1;
        out->candidates = cap;
        out->complete = res.complete;
        out->certified = res.certified;
        out->gap = res.certified ? 0.0 : res.complete ? res.gap : INFINITY;
        if ((res.complete && res.certified) || cap == b || 2 * cap > widest)
            break;
        m = 2 * cap; /* not proved optimal (or no complete matching): widen the graph */
    }
    for (size_t r = 0; r < a; r++)
        value[r] = col_of_row[r] >= 0 ? pair_abs_product(x, r, y, (size_t)col_of_row[r]) : 0.0;
    return 0;
}

/* Σ over x's columns of the matched |Pearson correlation| with y's columns. */
static int correlation_matched_sum(const Mat *x, const Mat *y, const DictMatchOptions *o,
                                   double *sum, SkErr *err)
{
    Columns cx, cy;
    if (columns_prepare(&cx, x, true, err))
        return -1;
    if (columns_prepare(&cy, y, true, err)) {
        columns_release(&cx);
        return -1;
    }
    size_t a = x->cols ? x->cols : 1;
    long *match = malloc(a * sizeof *match);
    double *value = malloc(a * sizeof *value);
    int rc = (!match || !value) ? sk_fail(err, "out of memory") : 0;
    bool wide = x->cols <= y->cols &&
                (o->method == DICT_MATCH_CANDIDATES ||
                 (o->method == DICT_MATCH_AUTO &&
                  (double)x->cols * (double)y->cols > (double)METRICS_DENSE_MATCH_MAX));
    DictMatch how = {.complete = true, .certified = true};
    if (rc == 0 && wide)
        rc = match_columns_sparse(&cx, &cy, o, match, value, &how, err);
    else if (rc == 0)
        rc = match_columns(&cx, &cy, match, value, err);
    if (rc == 0) {
        *sum = 0.0;
        for (size_t r = 0; r < x->cols; r++)
            *sum += value[r];
        /* not proved optimal, nor within METRICS_MATCH_GAP a column of it (the
         * gap of an incomplete matching is infinite): no number rather than a
         * wrong one */
        if (how.gap > METRICS_MATCH_GAP * (double)x->cols)
            *sum = NAN;
    }
    free(match);
    free(value);
    columns_release(&cx);
    columns_release(&cy);
    return rc;
}

static int check_same_samples(const Mat *zt, const Mat *zp, const char *what, SkErr *err)
{
    if (zt->rows != zp->rows)
        return sk_fail(err, "%s: truth has %zu samples, codes have %zu", what, zt->rows,
                       zp->rows);
    if (zt->rows == 0)
        return sk_fail(err, "%s: no samples", what);
    return 0;
}

int mcc_paper(const Mat *zt, const Mat *zp, double *mcc, SkErr *err)
{
    if (check_same_samples(zt, zp, "mcc", err))
        return -1;
    size_t width = zt->cols > zp->cols ? zt->cols : zp->cols;
    if (width == 0)
        return sk_fail(err, "mcc: no columns");
    Rng r;
    rng_init(&r, METRICS_PAD_SEED, 0);
    Mat tn = {0}, pn = {0};
    double sum = 0.0;
    int rc = pad_with_noise(zt, width, &r, &tn, err);
    if (rc == 0)
        rc = pad_with_noise(zp, width, &r, &pn, err);
    if (rc == 0)
        rc = correlation_matched_sum(&tn, &pn, &(DictMatchOptions){.method = DICT_MATCH_DENSE}, &sum, err);
    if (rc == 0)
        *mcc = sum / (double)width;
    mat_release(&tn);
    mat_release(&pn);
    return rc;
}

int mcc_paper_id(const Mat *z_true_val, const Mat *z_pred_val, double *mcc, SkErr *err)
{
    if (check_same_samples(z_true_val, z_pred_val, "mcc (ID)", err))
        return -1;
    if (z_pred_val->cols > METRICS_PADDED_MCC_MAX_WIDTH) {
        *mcc = NAN; /* the padded width² matrix and its assignment are out of reach */
        return 0;
    }
    Mat t = {0};
    if (restrict_to_varying(z_true_val, &t, err))
        return -1;
    int rc = mcc_paper(&t, z_pred_val, mcc, err);
    mat_release(&t);
    return rc;
}

int mcc_paper_ood(const Mat *z_true_ood, const Mat *z_pred_ood, double *mcc, SkErr *err)
{
    if (check_same_samples(z_true_ood, z_pred_ood, "mcc (OOD)", err))
        return -1;
    Mat t = {0}, p = {0};
    int rc = restrict_to_varying(z_true_ood, &t, err);
    if (rc == 0) {
        size_t k = t.cols < z_pred_ood->cols ? t.cols : z_pred_ood->cols;
        rc = top_variance_columns(z_pred_ood, k, &p, err);
    }
    if (rc == 0)
        rc = mcc_paper(&t, &p, mcc, err);
    mat_release(&t);
    mat_release(&p);
    return rc;
}

int mcc_clean(const Mat *z_true, const Mat *z_pred, double *mcc, SkErr *err)
{
    DictMatchOptions o = {.method = DICT_MATCH_AUTO, .candidates = METRICS_MATCH_CANDIDATES};
    return mcc_clean_with(z_true, z_pred, &o, mcc, err);
}

int mcc_clean_with(const Mat *z_true, const Mat *z_pred, const DictMatchOptions *o, double *mcc,
                   SkErr *err)
{
    if (check_same_samples(z_true, z_pred, "mcc (clean)", err))
        return -1;
    Mat t = {0};
    double sum = 0.0;
    int rc = restrict_to_varying(z_true, &t, err);
    if (rc == 0 && t.cols == 0)
        rc = sk_fail(err, "mcc (clean): no truth column varies");
    if (rc == 0)
        rc = correlation_matched_sum(&t, z_pred, o, &sum, err);
    if (rc == 0)
        *mcc = sum / (double)t.cols;
    mat_release(&t);
    return rc;
}

/* ---------------------------------------------------------------- labels, AUC */

int anchor_labels(const Mat *z_true, unsigned char *label, SkErr *err)
{
    if (z_true->cols == 0)
        return sk_fail(err, "labels: truth has no columns");
    for (size_t i = 0; i < z_true->rows; i++)
        label[i] = MAT_AT(*z_true, i, 0) > METRICS_ANCHOR_THRESHOLD;
    return 0;
}

int auc_per_column(const Mat *z, const unsigned char *label, double *auc, SkErr *err)
{
    for (size_t j = 0; j < z->cols; j++)
        if (auc_column(z, j, label, &auc[j], err))
            return sk_prefix(err, "auc per column");
    return 0;
}

int auc_select_feature(const Mat *z_val, const unsigned char *label_val, const Mat *z_ood,
                       const unsigned char *label_ood, AucSelection *out, SkErr *err)
{
    if (z_val->cols != z_ood->cols)
        return sk_fail(err, "auc: val codes have %zu columns, OOD codes %zu", z_val->cols,
                       z_ood->cols);
    if (z_val->cols == 0)
        return sk_fail(err, "auc: codes have no columns");
    double best = -1.0;
    size_t best_col = 0;
    for (size_t j = 0; j < z_val->cols; j++) {
        double auc;
        if (auc_column(z_val, j, label_val, &auc, err))
            return sk_prefix(err, "auc (val)");
        if (auc_fold(auc) > best) {
            best = auc_fold(auc);
            best_col = j;
        }
    }
    double auc_ood;
    if (auc_column(z_ood, best_col, label_ood, &auc_ood, err))
        return sk_prefix(err, "auc (OOD)");
    out->column = best_col;
    out->auc_val = best;
    out->auc_ood = auc_fold(auc_ood);
    return 0;
}

/* ---------------------------------------------------------------- dictionary */

/* Truth column r of ca matched to a column of cd, on the candidate graph of
 * the narrower side; value[r] its |cos| in double (0 when unmatched). */
static int match_dictionary_sparse(const Columns *ca, const Columns *cd, const DictMatchOptions *o,
                                   long *d_col_of_a,
                                   double *value, DictMatch *out, SkErr *err)
{
    size_t q = ca->unit.cols, p = cd->unit.cols;
    if (q <= p)
        return match_columns_sparse(ca, cd, o, d_col_of_a, value, out, err);
    long *a_col_of_d = malloc(p * sizeof *a_col_of_d);
    double *unused = malloc(p * sizeof *unused);
    int rc = a_col_of_d && unused ? match_columns_sparse(cd, ca, o, a_col_of_d, unused, out, err)
                                  : sk_fail(err, "dictionary match: out of memory");
    for (size_t r = 0; rc == 0 && r < q; r++) {
        d_col_of_a[r] = -1;
        value[r] = 0.0;
    }
    for (size_t j = 0; rc == 0 && j < p; j++)
        if (a_col_of_d[j] >= 0) {
            size_t r = (size_t)a_col_of_d[j];
            d_col_of_a[r] = (long)j;
            value[r] = pair_abs_product(ca, r, cd, j);
        }
    free(a_col_of_d);
    free(unused);
    return rc;
}

/* A dictionary bit-identical to the truth (the oracle's A scored against
 * itself): every |cos| is at most 1 and the identity reaches 1 on every
 * non-zero column, so it is an optimal assignment, proved without scoring
 * any other pair (at d_z = 10⁶ the candidate graph's products are 4.6·10¹⁴
 * flops). value[r] is the pair's |cos| recomputed in double. */
static bool same_matrix(const Mat *x, const Mat *y)
{
    return x->rows == y->rows && x->cols == y->cols &&
           memcmp(x->v, y->v, mat_size(x) * sizeof *x->v) == 0;
}

static void match_identity(const Columns *ca, const Columns *cd, long *d_col_of_a, double *value)
{
    for (size_t r = 0; r < ca->unit.cols; r++) {
        d_col_of_a[r] = (long)r;
        value[r] = pair_abs_product(ca, r, cd, r);
    }
}

/* The summary of matched pairs (DictMatch's means). */
static void summarise_match(const Columns *ca, const Columns *cd, const long *d_col_of_a,
                            const double *cosine, DictMatch *m)
{
    m->n_matched = 0;
    m->mean_cosine = m->mean_angle = m->mean_norm_ratio = m->frac_close = 0.0;
    for (size_t r = 0; r < ca->unit.cols; r++) {
        if (d_col_of_a[r] < 0)
            continue;
        size_t j = (size_t)d_col_of_a[r];
        double cs = cosine[r];
        m->n_matched++;
        m->mean_cosine += cs;
        m->mean_angle += acos(cs < 1.0 ? cs : 1.0);
        m->mean_norm_ratio += cd->norm[j] / ca->scale[r];
        m->frac_close += cs > METRICS_CLOSE_COSINE;
    }
    double n = m->n_matched ? (double)m->n_matched : NAN;
    m->mean_cosine /= n;
    m->mean_angle /= n;
    m->mean_norm_ratio /= n;
    m->frac_close /= n;
}

int dict_match_with(const Mat *d, const Mat *a, const DictMatchOptions *o, long *d_col_of_a,
                    DictMatch *out, SkErr *err)
{
    if (d->rows != a->rows)
        return sk_fail(err, "dictionary match: dictionary has %zu rows, truth %zu", d->rows,
                       a->rows);
    size_t q = a->cols, p = d->cols;
    if (q == 0 || p == 0)
        return sk_fail(err, "dictionary match: no columns");
    bool sparse = o->method == DICT_MATCH_CANDIDATES ||
                  (o->method == DICT_MATCH_AUTO && (double)q * (double)p > (double)METRICS_DENSE_MATCH_MAX);
    bool identical = sparse && same_matrix(d, a); /* one set of prepared columns serves both */
    Columns ca, cd = {0};
    if (columns_prepare(&ca, a, false, err))
        return -1;
    if (!identical && columns_prepare(&cd, d, false, err)) {
        columns_release(&ca);
        return -1;
    }
    const Columns *dcols = identical ? &ca : &cd;
    DictMatch m = {.certified = true, .complete = true};
    double *cosine = malloc(q * sizeof *cosine);
    int rc;
    if (!cosine)
        rc = sk_fail(err, "dictionary match: out of memory");
    else if (identical) {
        match_identity(&ca, dcols, d_col_of_a, cosine);
        rc = 0;
    } else if (sparse)
        rc = match_dictionary_sparse(&ca, &cd, o, d_col_of_a, cosine, &m, err);
    else
        rc = match_columns(&ca, &cd, d_col_of_a, cosine, err);
    if (rc == 0) {
        summarise_match(&ca, dcols, d_col_of_a, cosine, &m);
        *out = m;
    }
    free(cosine);
    columns_release(&ca);
    if (!identical)
        columns_release(&cd);
    return rc;
}

int dict_match(const Mat *d, const Mat *a, long *d_col_of_a, DictMatch *out, SkErr *err)
{
    DictMatchOptions o = {.method = DICT_MATCH_AUTO, .candidates = METRICS_MATCH_CANDIDATES};
    return dict_match_with(d, a, &o, d_col_of_a, out, err);
}

/* ---------------------------------------------------------------- support */

/* #(|x_j| > thr) over a row of length d. */
static size_t count_active(const float *row, size_t d, double thr)
{
    size_t k = 0;
    for (size_t j = 0; j < d; j++)
        k += fabs((double)row[j]) > thr;
    return k;
}

/* matched[c] = 1 for every column c of z_pred (a position in cols->pred_index's
 * set) that some truth column is matched to; fails on a match out of range
 * or on a code column matched twice (not an assignment). */
static int matched_code_columns(const SupportColumns *cols, size_t pred_cols,
                                const long *pred_col_of_true, unsigned char *matched, SkErr *err)
{
    for (size_t r = 0; r < cols->truth_width; r++) {
        long j = pred_col_of_true[r];
        if (j < 0)
            continue;
        if ((size_t)j >= cols->pred_width)
            return sk_fail(err, "support: truth column %zu matched to code column %ld of %zu",
                           r, j, cols->pred_width);
        int64_t c = cols->pred_index ? cols->pred_index[j] : (int64_t)j;
        if (c < 0)
            continue; /* an all-zero code column outside the set: never active */
        if ((size_t)c >= pred_cols)
            return sk_fail(err, "support: code column %ld is not in the codes given", j);
        if (matched[c])
            return sk_fail(err, "support: code column %ld is matched twice", j);
        matched[c] = 1;
    }
    return 0;
}

int support_stats_columns(const Mat *z_true, const Mat *z_pred, const SupportColumns *cols,
                          const long *pred_col_of_true, SupportStats *out, SkErr *err)
{
    if (check_same_samples(z_true, z_pred, "support", err))
        return -1;
    unsigned char *matched = calloc(z_pred->cols ? z_pred->cols : 1, 1);
    if (!matched)
        return sk_fail(err, "out of memory");
    if (matched_code_columns(cols, z_pred->cols, pred_col_of_true, matched, err)) {
        free(matched);
        return -1;
    }
    const double thr = METRICS_SUPPORT_THRESHOLD;
    SupportStats s = {0};
    for (size_t i = 0; i < z_true->rows; i++) {
        const float *t = z_true->v + i * z_true->cols, *p = z_pred->v + i * z_pred->cols;
        size_t tp = 0, n_true = 0, n_pred = 0;
        for (size_t rc = 0; rc < z_true->cols; rc++) {
            long j = pred_col_of_true[cols->truth_col ? cols->truth_col[rc] : rc];
            if (j < 0)
                continue;
            int64_t c = cols->pred_index ? cols->pred_index[j] : (int64_t)j;
            bool in_t = fabs((double)t[rc]) > thr, in_p = c >= 0 && fabs((double)p[c]) > thr;
            tp += in_t && in_p;
            n_true += in_t;
        }
        for (size_t c = 0; c < z_pred->cols; c++) /* P: the matched code columns active */
            n_pred += matched[c] && fabs((double)p[c]) > thr;
        double prec = n_pred ? (double)tp / (double)n_pred : 0.0;
        double rec = n_true ? (double)tp / (double)n_true : 0.0;
        s.precision += prec;
        s.recall += rec;
        s.f1 += prec + rec > 0.0 ? 2.0 * prec * rec / (prec + rec) : 0.0;
        s.pred_l0_matched += (double)n_pred;
        s.true_l0 += (double)count_active(t, z_true->cols, thr);
        s.pred_l0_total += (double)count_active(p, z_pred->cols, thr);
    }
    free(matched);
    double n = (double)z_true->rows;
    s.precision /= n;
    s.recall /= n;
    s.f1 /= n;
    s.true_l0 /= n;
    s.pred_l0_matched /= n;
    s.pred_l0_total /= n;
    *out = s;
    return 0;
}

int support_stats(const Mat *z_true, const Mat *z_pred, const long *pred_col_of_true,
                  SupportStats *out, SkErr *err)
{
    const SupportColumns all = {.truth_width = z_true->cols, .pred_width = z_pred->cols};
    return support_stats_columns(z_true, z_pred, &all, pred_col_of_true, out, err);
}

/* ---------------------------------------------------------------- reconstruction, sparsity */

int recon_mse(const Mat *y, const Mat *y_hat, double *mse, SkErr *err)
{
    if (y->rows != y_hat->rows || y->cols != y_hat->cols)
        return sk_fail(err, "mse: shapes %zu x %zu and %zu x %zu differ", y->rows, y->cols,
                       y_hat->rows, y_hat->cols);
    size_t count = mat_size(y);
    if (count == 0)
        return sk_fail(err, "mse: empty matrices");
    double ss = 0.0;
    for (size_t k = 0; k < count; k++) {
        double e = (double)y->v[k] - (double)y_hat->v[k];
        ss += e * e;
    }
    *mse = ss / (double)count;
    return 0;
}

int recon_mse_codes(const Mat *y, const Mat *z, const Mat *d, const float *bias, double *mse,
                    SkErr *err)
{
    if (z->rows != y->rows || d->rows != y->cols || d->cols != z->cols)
        return sk_fail(err,
                       "mse: y %zu x %zu, codes %zu x %zu and dictionary %zu x %zu do not fit",
                       y->rows, y->cols, z->rows, z->cols, d->rows, d->cols);
    Mat y_hat;
    if (mat_alloc(&y_hat, y->rows, y->cols, err))
        return -1;
    /* ŷ (n × d_y) = z (n × p) · dᵀ (p × d_y) + bias */
    sk_gemm(false, true, z->rows, d->rows, z->cols, 1.0f, z->v, z->cols, d->v, d->cols, 0.0f,
            y_hat.v, y_hat.cols);
    if (bias)
        for (size_t i = 0; i < y_hat.rows; i++)
            for (size_t j = 0; j < y_hat.cols; j++)
                MAT_AT(y_hat, i, j) += bias[j];
    int rc = recon_mse(y, &y_hat, mse, err);
    mat_release(&y_hat);
    return rc;
}

double mean_l0(const Mat *z, double threshold)
{
    if (z->rows == 0)
        return 0.0;
    double total = 0.0;
    for (size_t i = 0; i < z->rows; i++)
        total += (double)count_active(z->v + i * z->cols, z->cols, threshold);
    return total / (double)z->rows;
}

int dead_latents(const Mat *z, double threshold, size_t *dead, SkErr *err)
{
    unsigned char *alive = calloc(z->cols ? z->cols : 1, 1);
    if (!alive)
        return sk_fail(err, "dead latents: out of memory");
    for (size_t i = 0; i < z->rows; i++)
        for (size_t j = 0; j < z->cols; j++)
            if (fabs((double)MAT_AT(*z, i, j)) > threshold)
                alive[j] = 1;
    *dead = 0;
    for (size_t j = 0; j < z->cols; j++)
        *dead += !alive[j];
    free(alive);
    return 0;
}
