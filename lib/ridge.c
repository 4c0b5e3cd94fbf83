/* ridge.c — multi-output ridge with efficient leave-one-out α selection
 * (sklearn RidgeCV, fit_intercept=False, GCV mode). See ridge.h. */
#include "ridge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "linalg.h"

const double ridge_default_alphas[RIDGE_DEFAULT_ALPHA_COUNT] = {1e-6, 1e-4, 1e-2, 1.0, 10.0};

/* Rows of Z processed at once (bounds the n × m double scratch). */
#define RIDGE_BLOCK_ELEMENTS ((size_t)1 << 22)

/* malloc of count doubles with overflow check; NULL on failure. */
static double *alloc_doubles(size_t count)
{
    size_t bytes;
    if (!sk_mul_size(count ? count : 1, sizeof(double), &bytes))
        return NULL;
    return malloc(bytes);
}

/* dst[i] = (double)src[i] for rows [r0, r1) of a float matrix. */
static void rows_to_double(const Mat *m, size_t r0, size_t r1, double *dst)
{
    const float *src = m->v + r0 * m->cols;
    size_t count = (r1 - r0) * m->cols;
    for (size_t i = 0; i < count; i++)
        dst[i] = (double)src[i];
}

static size_t block_rows(size_t m)
{
    size_t b = RIDGE_BLOCK_ELEMENTS / (m ? m : 1);
    return b ? b : 1;
}

static int check_inputs(const Mat *x, const Mat *z, const double *alphas, size_t n_alphas,
                        SkErr *err)
{
    if (!x->v || !z->v || x->rows == 0 || x->cols == 0 || z->cols == 0)
        return sk_fail(err, "ridge: empty input");
    if (x->rows != z->rows)
        return sk_fail(err, "ridge: %zu input rows but %zu target rows", x->rows, z->rows);
    for (size_t a = 0; a < n_alphas; a++)
        if (!(alphas[a] > 0.0) || !isfinite(alphas[a]))
            return sk_fail(err, "ridge: alpha %g is not a positive finite number", alphas[a]);
    return 0;
}

/* Eigendecomposition of the symmetric Gram g (k × k, overwritten): values
 * descending in w, eigenvectors as columns of v. */
static int gram_eig(double *g, size_t k, double *w, double *v, SkErr *err)
{
    if (sym_eig(g, k, w, v, err))
        return sk_prefix(err, "ridge");
    return 0;
}

/* ---- "svd" mode (n > d): work in feature space ------------------------
 * XᵀX = V diag(s²) Vᵀ, P = X V (n × d), Q = Vᵀ XᵀZ (d × m). For α:
 *   Ŵ = V diag(1/(s² + α)) Q,   Ẑ = P diag(1/(s² + α)) Q,
 *   H_ii = Σ_j P_ij² / (s_j² + α). */
typedef struct {
    size_t n, d, m;
    double *xd;   /* n × d */
    double *s2;   /* d */
    double *v;    /* d × d */
    double *p;    /* n × d */
    double *q;    /* d × m */
} PrimalDecomp;

static void primal_free(PrimalDecomp *pd)
{
    free(pd->xd);
    free(pd->s2);
    free(pd->v);
    free(pd->p);
    free(pd->q);
}

/* q = Vᵀ (XᵀZ), accumulating XᵀZ over blocks of rows of Z. */
static int primal_project_targets(PrimalDecomp *pd, const Mat *z, SkErr *err)
{
    size_t n = pd->n, d = pd->d, m = pd->m, br = block_rows(m);
    double *xtz = alloc_doubles(d * m), *zb = alloc_doubles((br < n ? br : n) * m);
    if (!xtz || !zb) {
        free(xtz);
        free(zb);
        return sk_fail(err, "ridge: out of memory (%zu × %zu targets)", n, m);
    }
    for (size_t r0 = 0; r0 < n; r0 += br) {
        size_t r1 = r0 + br < n ? r0 + br : n;
        rows_to_double(z, r0, r1, zb);
        sk_dgemm(true, false, d, m, r1 - r0, 1.0, pd->xd + r0 * d, d, zb, m,
                 r0 == 0 ? 0.0 : 1.0, xtz, m);
    }
    sk_dgemm(true, false, d, m, d, 1.0, pd->v, d, xtz, m, 0.0, pd->q, m);
    free(xtz);
    free(zb);
    return 0;
}

static int primal_decompose(const Mat *x, const Mat *z, PrimalDecomp *pd, SkErr *err)
{
    size_t n = x->rows, d = x->cols, m = z->cols;
    *pd = (PrimalDecomp){.n = n, .d = d, .m = m};
    pd->xd = alloc_doubles(n * d);
    pd->s2 = alloc_doubles(d);
    pd->v = alloc_doubles(d * d);
    pd->p = alloc_doubles(n * d);
    pd->q = alloc_doubles(d * m);
    double *g = alloc_doubles(d * d);
    if (!pd->xd || !pd->s2 || !pd->v || !pd->p || !pd->q || !g) {
        free(g);
        primal_free(pd);
        return sk_fail(err, "ridge: out of memory");
    }
    rows_to_double(x, 0, n, pd->xd);
    sk_dgemm(true, false, d, d, n, 1.0, pd->xd, d, pd->xd, d, 0.0, g, d);   /* XᵀX */
    int rc = gram_eig(g, d, pd->s2, pd->v, err);
    free(g);
    if (rc) {
        primal_free(pd);
        return rc;
    }
    for (size_t j = 0; j < d; j++)          /* singular values squared are ≥ 0 */
        if (pd->s2[j] < 0.0)
            pd->s2[j] = 0.0;
    sk_dgemm(false, false, n, d, d, 1.0, pd->xd, d, pd->v, d, 0.0, pd->p, d);  /* P = X V */
    if (primal_project_targets(pd, z, err)) {
        primal_free(pd);
        return -1;
    }
    return 0;
}

/* qa = diag(inv) q (d × m), with inv_j = 1/(s_j² + α). */
static void primal_scaled_q(const PrimalDecomp *pd, const double *inv, double *qa)
{
    for (size_t j = 0; j < pd->d; j++)
        for (size_t k = 0; k < pd->m; k++)
            qa[j * pd->m + k] = inv[j] * pd->q[j * pd->m + k];
}

/* Mean over i, k of ((z_ik − ẑ_ik)/(1 − H_ii))² for one α; scratch qa (d × m). */
static int primal_loo_score(const PrimalDecomp *pd, const Mat *z, double alpha,
                            double *inv, double *qa, double *score, SkErr *err)
{
    size_t n = pd->n, d = pd->d, m = pd->m, br = block_rows(m);
    for (size_t j = 0; j < d; j++)
        inv[j] = 1.0 / (pd->s2[j] + alpha);
    primal_scaled_q(pd, inv, qa);
    double *zhat = alloc_doubles((br < n ? br : n) * m);
    if (!zhat)
        return sk_fail(err, "ridge: out of memory");
    double sum = 0.0;
    for (size_t r0 = 0; r0 < n; r0 += br) {
        size_t r1 = r0 + br < n ? r0 + br : n;
        sk_dgemm(false, false, r1 - r0, m, d, 1.0, pd->p + r0 * d, d, qa, m, 0.0, zhat, m);
        for (size_t i = r0; i < r1; i++) {
            const double *pi = pd->p + i * d;
            double h = 0.0;
            for (size_t j = 0; j < d; j++)
                h += pi[j] * pi[j] * inv[j];
            const float *zi = z->v + i * m;
            const double *zh = zhat + (i - r0) * m;
            for (size_t k = 0; k < m; k++) {
                double e = ((double)zi[k] - zh[k]) / (1.0 - h);
                sum += e * e;
            }
        }
    }
    free(zhat);
    *score = sum / ((double)n * (double)m);
    return 0;
}

/* coef (m × d) = (V diag(inv) Q)ᵀ. */
static void primal_coef(const PrimalDecomp *pd, const double *qa, double *coef)
{
    sk_dgemm(true, true, pd->m, pd->d, pd->d, 1.0, qa, pd->m, pd->v, pd->d, 0.0, coef, pd->d);
}

/* ---- "eigen" mode (n ≤ d): work in sample space -------------------------
 * XXᵀ = U diag(λ) Uᵀ; G = (XXᵀ + αI)⁻¹ = U diag(1/(λ + α)) Uᵀ;
 * dual coefficients C = G Z (n × m), LOO residual e_ik = C_ik / G_ii,
 * primal coef = Cᵀ X (m × d). */
typedef struct {
    size_t n, d, m;
    double *xd;    /* n × d */
    double *lam;   /* n */
    double *u;     /* n × n */
    double *utz;   /* n × m: Uᵀ Z */
} DualDecomp;

static void dual_free(DualDecomp *dd)
{
    free(dd->xd);
    free(dd->lam);
    free(dd->u);
    free(dd->utz);
}

static int dual_decompose(const Mat *x, const Mat *z, DualDecomp *dd, SkErr *err)
{
    size_t n = x->rows, d = x->cols, m = z->cols;
    *dd = (DualDecomp){.n = n, .d = d, .m = m};
    dd->xd = alloc_doubles(n * d);
    dd->lam = alloc_doubles(n);
    dd->u = alloc_doubles(n * n);
    dd->utz = alloc_doubles(n * m);
    double *g = alloc_doubles(n * n), *zd = alloc_doubles(n * m);
    if (!dd->xd || !dd->lam || !dd->u || !dd->utz || !g || !zd) {
        free(g);
        free(zd);
        dual_free(dd);
        return sk_fail(err, "ridge: out of memory");
    }
    rows_to_double(x, 0, n, dd->xd);
    rows_to_double(z, 0, n, zd);
    sk_dgemm(false, true, n, n, d, 1.0, dd->xd, d, dd->xd, d, 0.0, g, n);   /* XXᵀ */
    int rc = gram_eig(g, n, dd->lam, dd->u, err);
    if (rc == 0)
        sk_dgemm(true, false, n, m, n, 1.0, dd->u, n, zd, m, 0.0, dd->utz, m);
    free(g);
    free(zd);
    if (rc)
        dual_free(dd);
    return rc;
}

/* Dual coefficients c = U diag(w) Uᵀ Z (n × m) and g_ii for one α, w = 1/(λ + α);
 * scratch wz (n × m). */
static void dual_solve(const DualDecomp *dd, double alpha, double *w, double *wz,
                       double *c, double *gdiag)
{
    size_t n = dd->n, m = dd->m;
    for (size_t j = 0; j < n; j++)
        w[j] = 1.0 / (dd->lam[j] + alpha);
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < m; k++)
            wz[j * m + k] = w[j] * dd->utz[j * m + k];
    sk_dgemm(false, false, n, m, n, 1.0, dd->u, n, wz, m, 0.0, c, m);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += dd->u[i * n + j] * dd->u[i * n + j] * w[j];
        gdiag[i] = s;
    }
}

static double dual_loo_score(const DualDecomp *dd, const double *c, const double *gdiag)
{
    double sum = 0.0;
    for (size_t i = 0; i < dd->n; i++)
        for (size_t k = 0; k < dd->m; k++) {
            double e = c[i * dd->m + k] / gdiag[i];
            sum += e * e;
        }
    return sum / ((double)dd->n * (double)dd->m);
}

/* ---- α selection ------------------------------------------------------- */

/* sklearn keeps the first α unless a later one scores strictly better
 * (a NaN score never wins). */
static size_t best_alpha_index(const double *scores, size_t count)
{
    size_t best = 0;
    for (size_t a = 1; a < count; a++)
        if (scores[a] < scores[best])
            best = a;
    return best;
}

static int fit_primal(const Mat *x, const Mat *z, const double *alphas, Ridge *r,
                      SkErr *err)
{
    PrimalDecomp pd;
    if (primal_decompose(x, z, &pd, err))
        return -1;
    double *inv = alloc_doubles(pd.d), *qa = alloc_doubles(pd.d * pd.m);
    int rc = (!inv || !qa) ? sk_fail(err, "ridge: out of memory") : 0;
    for (size_t a = 0; rc == 0 && a < r->n_alphas; a++)
        rc = primal_loo_score(&pd, z, alphas[a], inv, qa, &r->loo_mse[a], err);
    if (rc == 0) {
        r->alpha_index = best_alpha_index(r->loo_mse, r->n_alphas);
        r->alpha = alphas[r->alpha_index];
        for (size_t j = 0; j < pd.d; j++)
            inv[j] = 1.0 / (pd.s2[j] + r->alpha);
        primal_scaled_q(&pd, inv, qa);
        primal_coef(&pd, qa, r->coef);
    }
    free(inv);
    free(qa);
    primal_free(&pd);
    return rc;
}

static int fit_dual(const Mat *x, const Mat *z, const double *alphas, Ridge *r, SkErr *err)
{
    DualDecomp dd;
    if (dual_decompose(x, z, &dd, err))
        return -1;
    size_t n = dd.n, m = dd.m;
    double *w = alloc_doubles(n), *wz = alloc_doubles(n * m), *c = alloc_doubles(n * m),
           *gdiag = alloc_doubles(n);
    int rc = (!w || !wz || !c || !gdiag) ? sk_fail(err, "ridge: out of memory") : 0;
    for (size_t a = 0; rc == 0 && a < r->n_alphas; a++) {
        dual_solve(&dd, alphas[a], w, wz, c, gdiag);
        r->loo_mse[a] = dual_loo_score(&dd, c, gdiag);
    }
    if (rc == 0) {
        r->alpha_index = best_alpha_index(r->loo_mse, r->n_alphas);
        r->alpha = alphas[r->alpha_index];
        dual_solve(&dd, r->alpha, w, wz, c, gdiag);
        /* coef (m × d) = Cᵀ X */
        sk_dgemm(true, false, m, dd.d, n, 1.0, c, m, dd.xd, dd.d, 0.0, r->coef, dd.d);
    }
    free(w);
    free(wz);
    free(c);
    free(gdiag);
    dual_free(&dd);
    return rc;
}

/* ---- public API ---------------------------------------------------------- */

int ridge_fit_loo(const Mat *x, const Mat *z, const double *alphas, size_t n_alphas,
                  Ridge *out, SkErr *err)
{
    memset(out, 0, sizeof *out);
    if (!alphas || n_alphas == 0) {
        alphas = ridge_default_alphas;
        n_alphas = RIDGE_DEFAULT_ALPHA_COUNT;
    }
    if (check_inputs(x, z, alphas, n_alphas, err))
        return -1;
    out->n_outputs = z->cols;
    out->n_features = x->cols;
    out->n_alphas = n_alphas;
    out->coef = alloc_doubles(z->cols * x->cols);
    out->loo_mse = alloc_doubles(n_alphas);
    if (!out->coef || !out->loo_mse) {
        ridge_free(out);
        return sk_fail(err, "ridge: out of memory");
    }
    /* sklearn: decompose XᵀX when there are more samples than features. */
    int rc = x->rows > x->cols ? fit_primal(x, z, alphas, out, err)
                               : fit_dual(x, z, alphas, out, err);
    if (rc)
        ridge_free(out);
    return rc;
}

void ridge_free(Ridge *r)
{
    free(r->coef);
    free(r->loo_mse);
    memset(r, 0, sizeof *r);
}

int ridge_predict_f64(const Ridge *r, const Mat *x, double *out, SkErr *err)
{
    if (x->cols != r->n_features)
        return sk_fail(err, "ridge: input has %zu columns, the probe was fitted on %zu",
                       x->cols, r->n_features);
    size_t n = x->rows, d = x->cols, m = r->n_outputs;
    if (n == 0)
        return 0;
    double *xd = alloc_doubles(n * d);
    if (!xd)
        return sk_fail(err, "ridge: out of memory");
    rows_to_double(x, 0, n, xd);
    sk_dgemm(false, true, n, m, d, 1.0, xd, d, r->coef, d, 0.0, out, m);   /* X coefᵀ */
    free(xd);
    return 0;
}

int ridge_predict(const Ridge *r, const Mat *x, Mat *out, SkErr *err)
{
    size_t count;
    if (!sk_mul_size(x->rows, r->n_outputs, &count))
        return sk_fail(err, "ridge: prediction size overflows");
    double *pred = alloc_doubles(count);
    if (!pred)
        return sk_fail(err, "ridge: out of memory");
    int rc = ridge_predict_f64(r, x, pred, err);
    if (rc == 0)
        rc = mat_alloc(out, x->rows, r->n_outputs, err);
    if (rc == 0)
        for (size_t i = 0; i < count; i++)
            out->v[i] = (float)pred[i];
    free(pred);
    return rc;
}
