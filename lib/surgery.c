/* surgery.c — freeze-decoder and support-refit (see surgery.h). */
#include "surgery.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "linalg.h"
#include "metrics.h"

#define NORM_FLOOR 1e-8

/* ---------------------------------------------------------------- freeze */

const char *const FREEZE_MODE_NAMES[] = {"frozen", "renormed", "oracle-norms", NULL};

const char *freeze_mode_name(FreezeMode m)
{
    return (unsigned)m < 3 ? FREEZE_MODE_NAMES[m] : "?";
}

int freeze_mode_parse(const char *name, FreezeMode *out)
{
    for (int m = 0; m < 3; m++)
        if (strcmp(name, FREEZE_MODE_NAMES[m]) == 0) {
            *out = (FreezeMode)m;
            return 0;
        }
    return -1;
}

/* ‖column j‖ of m in double. */
static double column_norm(const Mat *m, size_t j)
{
    double s = 0.0;
    for (size_t i = 0; i < m->rows; i++) {
        double x = MAT_AT(*m, i, j);
        s += x * x;
    }
    return sqrt(s);
}

/* Column j of d = column j of src · target / max(‖src_j‖, 1e-8) (double, rounded once). */
static void scale_column(const Mat *src, size_t j, double target, Mat *d)
{
    double norm = column_norm(src, j);
    double f = target / (norm > NORM_FLOOR ? norm : NORM_FLOOR);
    for (size_t i = 0; i < src->rows; i++)
        MAT_AT(*d, i, j) = (float)((double)MAT_AT(*src, i, j) * f);
}

int freeze_decoder(const Mat *w_dec, FreezeMode mode, const Mat *truth, Mat *d, long *truth_col,
                   SkErr *err)
{
    size_t dy = w_dec->rows, width = w_dec->cols;
    if (truth_col)
        for (size_t j = 0; j < width; j++)
            truth_col[j] = -1;
    if (mode == FREEZE_FROZEN)
        return mat_copy(d, w_dec, err);
    if (mode == FREEZE_RENORMED) {
        if (mat_alloc(d, dy, width, err))
            return -1;
        for (size_t j = 0; j < width; j++)
            scale_column(w_dec, j, 1.0, d);
        return 0;
    }
    if (mode != FREEZE_ORACLE_NORMS)
        return sk_fail(err, "unknown freeze mode %d", (int)mode);
    if (!truth || !truth->v)
        return sk_fail(err, "oracle-norms needs the true dictionary");
    if (truth->rows != dy)
        return sk_fail(err, "true dictionary has %zu rows, the decoder %zu (d_y)", truth->rows, dy);
    long *dec_of_truth = malloc((truth->cols + 1) * sizeof *dec_of_truth);
    if (!dec_of_truth)
        return sk_fail(err, "out of memory");
    DictMatch dm;
    int rc = dict_match(w_dec, truth, dec_of_truth, &dm, err);
    if (rc == 0)
        rc = mat_alloc(d, dy, width, err); /* zeroed: unmatched columns stay 0 */
    for (size_t r = 0; rc == 0 && r < truth->cols; r++) {
        if (dec_of_truth[r] < 0)
            continue;
        size_t j = (size_t)dec_of_truth[r];
        scale_column(w_dec, j, column_norm(truth, r), d);
        if (truth_col)
            truth_col[j] = (long)r;
    }
    free(dec_of_truth);
    return rc;
}

/* ---------------------------------------------------------------- refit */

const char *const REFIT_VARIANT_NAMES[] = {"paper", "lstsq", "nnls", NULL};

const char *refit_variant_name(RefitVariant v) { return (unsigned)v < 3 ? REFIT_VARIANT_NAMES[v] : "?"; }

int refit_variant_parse(const char *name, RefitVariant *out)
{
    for (int v = 0; v < 3; v++)
        if (strcmp(name, REFIT_VARIANT_NAMES[v]) == 0) {
            *out = (RefitVariant)v;
            return 0;
        }
    return -1;
}

/* Buffers for one sample, grown to the largest support seen. */
typedef struct {
    size_t cap_s, dy;
    size_t *idx;        /* support columns */
    float *dts32;       /* s × d_y: the support columns of D as rows */
    float *g32, *h32;   /* PAPER: s × s Gram and s right-hand side, float32 */
    double *g64;        /* PAPER: s × s */
    double *dts64;      /* s × d_y */
    double *x;          /* s */
    double *r64;        /* d_y: y − b in double */
    float r32[];        /* d_y: y − b */
} RefitWork;

static int refit_reserve(RefitWork *w, size_t s, RefitVariant v, SkErr *err)
{
    if (s <= w->cap_s)
        return 0;
    size_t dy = w->dy, sq;
    if (!sk_mul_size(s, s, &sq))
        return sk_fail(err, "support of %zu columns is too large", s);
    free(w->idx);
    free(w->dts32);
    free(w->g32);
    free(w->h32);
    free(w->g64);
    free(w->dts64);
    free(w->x);
    w->idx = malloc(s * sizeof *w->idx);
    w->dts32 = malloc(s * dy * sizeof *w->dts32);
    w->h32 = malloc(s * sizeof *w->h32);
    w->x = malloc(s * sizeof *w->x);
    bool paper = v == REFIT_PAPER;
    w->g32 = paper ? malloc(sq * sizeof *w->g32) : NULL;
    w->g64 = paper ? malloc(sq * sizeof *w->g64) : NULL;
    w->dts64 = paper ? NULL : malloc(s * dy * sizeof *w->dts64);
    w->cap_s = s;
    if (!w->idx || !w->dts32 || !w->h32 || !w->x || (paper && (!w->g32 || !w->g64)) ||
        (!paper && !w->dts64)) {
        w->cap_s = 0;
        return sk_fail(err, "out of memory for a support of %zu columns", s);
    }
    return 0;
}

static void refit_work_free(RefitWork *w)
{
    free(w->idx);
    free(w->dts32);
    free(w->g32);
    free(w->h32);
    free(w->g64);
    free(w->dts64);
    free(w->x);
    free(w->r64);
    free(w);
}

/* The paper's solve: G (float32) = D_SᵀD_S, h (float32) = D_Sᵀ r, then in
 * double x = (G + ρI)⁻¹ h by LU. Returns 1 (x unusable) on a zero pivot or a
 * non-finite x. */
static int refit_paper(RefitWork *w, size_t s, SkErr *err)
{
    size_t dy = w->dy;
    (void)err;
    sk_gemm(false, true, s, s, dy, 1.0f, w->dts32, dy, w->dts32, dy, 0.0f, w->g32, s);
    sk_gemm(false, false, s, 1, dy, 1.0f, w->dts32, dy, w->r32, 1, 0.0f, w->h32, 1);
    for (size_t i = 0; i < s * s; i++)
        w->g64[i] = w->g32[i];
    for (size_t i = 0; i < s; i++) {
        w->g64[i * s + i] += REFIT_RIDGE;
        w->x[i] = w->h32[i];
    }
    SkErr ignored;
    if (lu_solve_f64(w->g64, s, w->x, &ignored))
        return 1;
    for (size_t i = 0; i < s; i++)
        if (!isfinite(w->x[i]))
            return 1;
    return 0;
}

/* Refit one sample: row y (d_y), model codes zm and output zo (width). */
static int refit_row(const Mat *dt, const float *bias, const float *y, const float *zm, float *zo,
                     RefitVariant v, RefitWork *w, RefitStats *st, SkErr *err)
{
    size_t width = dt->rows, dy = dt->cols, s = 0;
    for (size_t j = 0; j < width; j++)
        s += fabs((double)zm[j]) > REFIT_SUPPORT_THRESHOLD;
    memset(zo, 0, width * sizeof *zo);
    st->samples++;
    st->support_total += s;
    st->support_max = s > st->support_max ? s : st->support_max;
    st->singular += s > dy;
    if (s == 0) {
        st->empty++;
        return 0;
    }
    if (refit_reserve(w, s, v, err))
        return -1;
    for (size_t j = 0, k = 0; j < width; j++)
        if (fabs((double)zm[j]) > REFIT_SUPPORT_THRESHOLD) {
            w->idx[k] = j;
            memcpy(w->dts32 + k * dy, dt->v + j * dy, dy * sizeof *w->dts32);
            k++;
        }
    for (size_t c = 0; c < dy; c++)
        w->r32[c] = bias ? y[c] - bias[c] : y[c];
    if (v == REFIT_PAPER) {
        if (refit_paper(w, s, err)) {
            st->nonfinite++;
            return 0;
        }
    } else {
        for (size_t c = 0; c < dy; c++)
            w->r64[c] = w->r32[c];
        for (size_t i = 0; i < s * dy; i++)
            w->dts64[i] = w->dts32[i];
        int rc = v == REFIT_LSTSQ ? lstsq_min_norm(w->dts64, s, dy, w->r64, w->x, err)
                                  : nnls_solve(w->dts64, s, dy, w->r64, w->x, NULL, err);
        if (rc)
            return -1;
    }
    for (size_t k = 0; k < s; k++)
        zo[w->idx[k]] = w->x[k] > 0.0 ? (float)w->x[k] : 0.0f;
    return 0;
}

int support_refit(const Mat *d, const float *bias, const Mat *y, const Mat *z_model,
                  RefitVariant variant, Mat *z_out, RefitStats *stats, SkErr *err)
{
    size_t dy = d->rows, width = d->cols, n = y->rows;
    if ((unsigned)variant > REFIT_NNLS)
        return sk_fail(err, "unknown refit variant %d", (int)variant);
    if (y->cols != dy)
        return sk_fail(err, "samples have %zu columns, the dictionary %zu rows", y->cols, dy);
    if (z_model->rows != n || z_model->cols != width)
        return sk_fail(err, "model codes are %zu x %zu, expected %zu x %zu", z_model->rows,
                       z_model->cols, n, width);
    if (z_out->rows != n || z_out->cols != width)
        return sk_fail(err, "output codes are %zu x %zu, expected %zu x %zu", z_out->rows,
                       z_out->cols, n, width);
    Mat dt;
    if (mat_transpose(&dt, d, err))
        return -1;
    RefitWork *w = calloc(1, sizeof *w + (dy + 1) * sizeof(float));
    if (!w) {
        mat_release(&dt);
        return sk_fail(err, "out of memory");
    }
    w->dy = dy;
    w->r64 = malloc((dy + 1) * sizeof *w->r64);
    if (!w->r64) {
        refit_work_free(w);
        mat_release(&dt);
        return sk_fail(err, "out of memory");
    }
    RefitStats local = {0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = refit_row(&dt, bias, y->v + i * dy, z_model->v + i * width, z_out->v + i * width,
                       variant, w, &local, err);
        if (rc) {
            char where[48];
            snprintf(where, sizeof where, "sample %zu", i);
            sk_prefix(err, where);
        }
    }
    refit_work_free(w);
    mat_release(&dt);
    if (stats) {
        stats->samples += local.samples;
        stats->empty += local.empty;
        stats->singular += local.singular;
        stats->nonfinite += local.nonfinite;
        stats->support_total += local.support_total;
        stats->support_max = local.support_max > stats->support_max ? local.support_max
                                                                    : stats->support_max;
    }
    return rc;
}
