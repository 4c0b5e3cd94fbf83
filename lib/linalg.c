#include "linalg.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

/* Cholesky is trusted for a least-squares solve when every pivot L_ii² is
 * above this × the largest diagonal entry; else the eigen route decides the
 * rank. */
#define CHOL_PIVOT_RTOL 1e-10

/* Off-diagonal Frobenius norm squared. */
static double off_diagonal_norm2(const double *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j)
                s += a[i * n + j] * a[i * n + j];
    return s;
}

/* Apply the rotation that zeroes a[p][q] to a (both sides) and to v (right). */
static void jacobi_rotate(double *a, double *v, size_t n, size_t p, size_t q)
{
    double apq = a[p * n + q];
    double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
    double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
    for (size_t k = 0; k < n; k++) {           /* columns p, q: A ← A J */
        double akp = a[k * n + p], akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for (size_t k = 0; k < n; k++) {           /* rows p, q: A ← Jᵀ A */
        double apk = a[p * n + k], aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
    for (size_t k = 0; k < n; k++) {           /* V ← V J */
        double vkp = v[k * n + p], vkq = v[k * n + q];
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
    }
}

static void sort_eigen_descending(double *w, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < n; j++)
            if (w[j] > w[best])
                best = j;
        if (best == i)
            continue;
        double t = w[i];
        w[i] = w[best];
        w[best] = t;
        for (size_t k = 0; k < n; k++) {
            t = v[k * n + i];
            v[k * n + i] = v[k * n + best];
            v[k * n + best] = t;
        }
    }
}

int sym_eig(double *a, size_t n, double *w, double *v, SkErr *err)
{
    memset(v, 0, n * n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i * n + i] = 1.0;
    double total = 0.0;
    for (size_t i = 0; i < n * n; i++)
        total += a[i] * a[i];
    int converged = 0;
    for (int sweep = 0; sweep < 100 && !converged; sweep++) {
        if (off_diagonal_norm2(a, n) <= 1e-30 * (total > 0 ? total : 1.0)) {
            converged = 1;
            break;
        }
        for (size_t p = 0; p + 1 < n; p++)
            for (size_t q = p + 1; q < n; q++)
                if (a[p * n + q] != 0.0)
                    jacobi_rotate(a, v, n, p, q);
    }
    if (!converged && off_diagonal_norm2(a, n) > 1e-20 * (total > 0 ? total : 1.0))
        return sk_fail(err, "symmetric eigensolver did not converge (NaN in input?)");
    for (size_t i = 0; i < n; i++)
        w[i] = a[i * n + i];
    sort_eigen_descending(w, v, n);
    return 0;
}

int sym_eig_max(const double *a, size_t n, double *lambda_max, SkErr *err)
{
    if (n == 0) {
        *lambda_max = 0.0;
        return 0;
    }
    double *work = malloc(n * n * sizeof *work), *vec = malloc(n * n * sizeof *vec),
           *w = malloc(n * sizeof *w);
    int rc = -1;
    if (!work || !vec || !w)
        sk_fail(err, "out of memory in eigensolver (n = %zu)", n);
    else {
        memcpy(work, a, n * n * sizeof *work);
        rc = sym_eig(work, n, w, vec, err);
        if (rc == 0)
            *lambda_max = w[0];
    }
    free(work);
    free(vec);
    free(w);
    return rc;
}

int cholesky(double *a, size_t n, SkErr *err)
{
    for (size_t j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0.0))
            return sk_fail(err, "matrix is not positive definite (pivot %zu)", j);
        d = sqrt(d);
        a[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    return 0;
}

void cholesky_solve_rows(const double *l, size_t n, double *b, size_t nrhs)
{
    for (size_t r = 0; r < nrhs; r++) {
        double *x = b + r * n;
        for (size_t i = 0; i < n; i++) {       /* L y = b */
            double s = x[i];
            for (size_t k = 0; k < i; k++)
                s -= l[i * n + k] * x[k];
            x[i] = s / l[i * n + i];
        }
        for (size_t i = n; i-- > 0;) {         /* Lᵀ x = y */
            double s = x[i];
            for (size_t k = i + 1; k < n; k++)
                s -= l[k * n + i] * x[k];
            x[i] = s / l[i * n + i];
        }
    }
}

/* ---------------------------------------------------------------- dense solvers */

int lu_solve_f64(double *a, size_t n, double *b, SkErr *err)
{
    for (size_t k = 0; k < n; k++) {
        size_t p = k; /* partial pivoting: the largest |a_ik| at or below the diagonal */
        for (size_t i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > fabs(a[p * n + k]))
                p = i;
        if (a[p * n + k] == 0.0 || !isfinite(a[p * n + k]))
            return sk_fail(err, "LU: zero pivot at column %zu", k);
        if (p != k) {
            for (size_t j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[p * n + j];
                a[p * n + j] = t;
            }
            double t = b[k];
            b[k] = b[p];
            b[p] = t;
        }
        const double *row_k = a + k * n;
        for (size_t i = k + 1; i < n; i++) {
            double *row_i = a + i * n;
            double f = row_i[k] / row_k[k];
            if (f == 0.0)
                continue;
            row_i[k] = f;
            for (size_t j = k + 1; j < n; j++)
                row_i[j] -= f * row_k[j];
            b[i] -= f * b[k];
        }
    }
    for (size_t i = n; i-- > 0;) { /* U x = y */
        double s = b[i];
        for (size_t j = i + 1; j < n; j++)
            s -= a[i * n + j] * b[j];
        b[i] = s / a[i * n + i];
    }
    return 0;
}

/* x (n) = G⁺ b for a symmetric positive semi-definite G (n × n, kept): by
 * Cholesky when every pivot L_ii² > 1e-10 · max G_ii, else by the eigen
 * decomposition G = V Λ Vᵀ, x = Σ_{λ_i > 1e-13 λ_max} v_i (v_iᵀ b) / λ_i. */
static int psd_solve_min_norm(const double *g, size_t n, const double *b, double *x, SkErr *err)
{
    if (n == 0)
        return 0;
    double *work = malloc((2 * n * n + n + 1) * sizeof *work);
    if (!work)
        return sk_fail(err, "out of memory for a %zu x %zu solve", n, n);
    double *l = work, *v = work + n * n, *lambda = work + 2 * n * n;
    memcpy(l, g, n * n * sizeof *l);
    double max_diag = 0.0;
    for (size_t i = 0; i < n; i++)
        max_diag = g[i * n + i] > max_diag ? g[i * n + i] : max_diag;
    SkErr ignored;
    bool ok = cholesky(l, n, &ignored) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = l[i * n + i] * l[i * n + i] > CHOL_PIVOT_RTOL * max_diag;
    if (ok) {
        memcpy(x, b, n * sizeof *x);
        cholesky_solve_rows(l, n, x, 1);
        free(work);
        return 0;
    }
    memcpy(l, g, n * n * sizeof *l);
    if (sym_eig(l, n, lambda, v, err)) {
        free(work);
        return -1;
    }
    double cut = LSTSQ_EIG_RTOL * (lambda[0] > 0.0 ? lambda[0] : 0.0);
    memset(x, 0, n * sizeof *x);
    for (size_t k = 0; k < n && lambda[k] > cut; k++) {
        double c = 0.0; /* (v_kᵀ b) / λ_k */
        for (size_t i = 0; i < n; i++)
            c += v[i * n + k] * b[i];
        c /= lambda[k];
        for (size_t i = 0; i < n; i++)
            x[i] += c * v[i * n + k];
    }
    free(work);
    return 0;
}

int lstsq_min_norm(const double *dts, size_t s, size_t dy, const double *r, double *x,
                   SkErr *err)
{
    if (s == 0)
        return 0;
    bool primal = s <= dy;
    size_t n = primal ? s : dy;
    double *g = malloc((n * n + n + 1) * sizeof *g);
    if (!g)
        return sk_fail(err, "out of memory for a %zu x %zu Gram", n, n);
    double *u = g + n * n;
    int rc;
    if (primal) {
        /* G = D_SᵀD_S (s × s) = dts dtsᵀ;  h = D_Sᵀ r = dts r;  x = G⁺ h */
        sk_dgemm(false, true, s, s, dy, 1.0, dts, dy, dts, dy, 0.0, g, s);
        sk_dgemm(false, false, s, 1, dy, 1.0, dts, dy, r, 1, 0.0, u, 1);
        rc = psd_solve_min_norm(g, s, u, x, err);
    } else {
        /* K = D_S D_Sᵀ (d_y × d_y) = dtsᵀ dts;  u = K⁺ r;  x = D_Sᵀ u = dts u
         * (D_S⁺ = D_Sᵀ (D_S D_Sᵀ)⁺, the minimum-norm solution) */
        sk_dgemm(true, false, dy, dy, s, 1.0, dts, dy, dts, dy, 0.0, g, dy);
        double *sol = malloc((dy + 1) * sizeof *sol);
        rc = sol ? psd_solve_min_norm(g, dy, r, sol, err) : sk_fail(err, "out of memory");
        if (rc == 0)
            sk_dgemm(false, false, s, 1, dy, 1.0, dts, dy, sol, 1, 0.0, x, 1);
        free(sol);
    }
    free(g);
    return rc;
}

/* ---------------------------------------------------------------- NNLS */

/* NNLS forms the whole Gram D_SᵀD_S once when s is at most this (32 MiB);
 * above, each subproblem forms its own from the passive columns. */
#define NNLS_FULL_GRAM_MAX 2048

/* Scratch of one NNLS solve (s support columns, d_y rows). */
typedef struct {
    size_t s, dy;
    const double *dts;
    double *gram, *h;   /* D_SᵀD_S (s × s) and D_Sᵀ r (s), or NULL */
    double *x, *z, *w, *resid, *dtp, *gpp, *hp, *zp;
    size_t *passive_idx;
    unsigned char *passive, *blocked;
} Nnls;

/* z = argmin ‖D_P z − r‖ on the passive columns (0 elsewhere); the
 * minimum-norm one when those columns are dependent. */
static int nnls_subproblem(Nnls *q, const double *r, SkErr *err)
{
    size_t np = 0, dy = q->dy;
    for (size_t j = 0; j < q->s; j++)
        if (q->passive[j]) {
            if (!q->gram)
                memcpy(q->dtp + np * dy, q->dts + j * dy, dy * sizeof *q->dtp);
            q->passive_idx[np++] = j;
        }
    memset(q->z, 0, q->s * sizeof *q->z);
    if (np == 0)
        return 0;
    /* G_PP = D_PᵀD_P, h_P = D_Pᵀ r: picked from the full Gram, or formed */
    if (q->gram)
        for (size_t a = 0; a < np; a++) {
            q->hp[a] = q->h[q->passive_idx[a]];
            for (size_t b = 0; b < np; b++)
                q->gpp[a * np + b] = q->gram[q->passive_idx[a] * q->s + q->passive_idx[b]];
        }
    else {
        sk_dgemm(false, true, np, np, dy, 1.0, q->dtp, dy, q->dtp, dy, 0.0, q->gpp, np);
        sk_dgemm(false, false, np, 1, dy, 1.0, q->dtp, dy, r, 1, 0.0, q->hp, 1);
    }
    if (psd_solve_min_norm(q->gpp, np, q->hp, q->zp, err))
        return -1;
    for (size_t k = 0; k < np; k++)
        q->z[q->passive_idx[k]] = q->zp[k];
    return 0;
}

/* w = D_Sᵀ (r − D_S x) over all s columns. */
static void nnls_gradient(Nnls *q, const double *r)
{
    size_t dy = q->dy;
    memcpy(q->resid, r, dy * sizeof *q->resid);
    for (size_t j = 0; j < q->s; j++)
        if (q->x[j] != 0.0)
            for (size_t c = 0; c < dy; c++)
                q->resid[c] -= q->x[j] * q->dts[j * dy + c];
    sk_dgemm(false, false, q->s, 1, dy, 1.0, q->dts, dy, q->resid, 1, 0.0, q->w, 1);
}

static void nnls_free(Nnls *q)
{
    free(q->gram);
    free(q->h);
    free(q->x);
    free(q->z);
    free(q->w);
    free(q->resid);
    free(q->dtp);
    free(q->gpp);
    free(q->hp);
    free(q->zp);
    free(q->passive_idx);
    free(q->passive);
    free(q->blocked);
}

/* One inner loop of Lawson–Hanson: move x toward the passive subproblem's
 * solution, dropping columns that hit 0, until that solution is positive.
 * Returns 1 when the column just added was dropped at once (no progress). */
static int nnls_inner(Nnls *q, const double *r, size_t added, SkErr *err)
{
    for (size_t guard = 0; guard <= q->s; guard++) {
        if (nnls_subproblem(q, r, err))
            return -1;
        double alpha = 1.0;
        size_t hit = SIZE_MAX;
        for (size_t j = 0; j < q->s; j++)
            if (q->passive[j] && q->z[j] <= 0.0) {
                double den = q->x[j] - q->z[j]; /* x_j ≥ 0 ≥ z_j */
                double a = den > 0.0 ? q->x[j] / den : 0.0;
                if (hit == SIZE_MAX || a < alpha) {
                    alpha = a;
                    hit = j;
                }
            }
        if (hit == SIZE_MAX) { /* all passive z_j > 0: accept */
            for (size_t j = 0; j < q->s; j++)
                q->x[j] = q->passive[j] ? q->z[j] : 0.0;
            return 0;
        }
        if (guard == 0 && hit == added && alpha == 0.0) { /* rounding: t cannot enter */
            q->passive[added] = 0;
            return 1;
        }
        for (size_t j = 0; j < q->s; j++)
            if (q->passive[j]) {
                q->x[j] += alpha * (q->z[j] - q->x[j]);
                if (j == hit || q->x[j] <= 0.0) {
                    q->x[j] = 0.0;
                    q->passive[j] = 0;
                }
            }
    }
    return 0;
}

int nnls_solve(const double *dts, size_t s, size_t dy, const double *r, double *x,
               size_t *iterations, SkErr *err)
{
    if (iterations)
        *iterations = 0;
    if (s == 0)
        return 0;
    Nnls q = {.s = s, .dy = dy, .dts = dts};
    q.x = calloc(s, sizeof *q.x);
    q.z = calloc(s, sizeof *q.z);
    q.w = calloc(s, sizeof *q.w);
    q.zp = calloc(s, sizeof *q.zp);
    q.hp = calloc(s, sizeof *q.hp);
    q.resid = calloc(dy + 1, sizeof *q.resid);
    q.passive_idx = calloc(s, sizeof *q.passive_idx);
    q.passive = calloc(s, 1);
    q.blocked = calloc(s, 1);
    size_t np_max = s < dy ? s : dy; /* grown below when needed */
    q.dtp = malloc((s * dy + 1) * sizeof *q.dtp);
    q.gpp = malloc((np_max * np_max + 1) * sizeof *q.gpp);
    if (s <= NNLS_FULL_GRAM_MAX) {
        q.gram = malloc(s * s * sizeof *q.gram);
        q.h = malloc(s * sizeof *q.h);
    }
    if (!q.x || !q.z || !q.w || !q.zp || !q.hp || !q.resid || !q.passive_idx || !q.passive ||
        !q.blocked || !q.dtp || !q.gpp || (s <= NNLS_FULL_GRAM_MAX && (!q.gram || !q.h))) {
        nnls_free(&q);
        return sk_fail(err, "out of memory for NNLS on %zu columns", s);
    }
    if (q.gram) {
        sk_dgemm(false, true, s, s, dy, 1.0, dts, dy, dts, dy, 0.0, q.gram, s);
        sk_dgemm(false, false, s, 1, dy, 1.0, dts, dy, r, 1, 0.0, q.h, 1);
    }
    /* tol = 10 ε max(s, d_y) max_j ‖d_j‖ ‖r‖: the scale of rounding in w. */
    double max_col = 0.0, r_norm = 0.0;
    for (size_t j = 0; j < s; j++) {
        double c = 0.0;
        for (size_t i = 0; i < dy; i++)
            c += dts[j * dy + i] * dts[j * dy + i];
        max_col = sqrt(c) > max_col ? sqrt(c) : max_col;
    }
    for (size_t i = 0; i < dy; i++)
        r_norm += r[i] * r[i];
    double tol = 10.0 * DBL_EPSILON * (double)(s > dy ? s : dy) * max_col * sqrt(r_norm);
    int rc = 0;
    size_t it = 0, passive_count = 0;
    nnls_gradient(&q, r);
    for (; it < 3 * s + 10; it++) {
        size_t t = SIZE_MAX;
        for (size_t j = 0; j < s; j++)
            if (!q.passive[j] && !q.blocked[j] && q.w[j] > tol && (t == SIZE_MAX || q.w[j] > q.w[t]))
                t = j;
        if (t == SIZE_MAX)
            break;
        q.passive[t] = 1;
        passive_count = 0;
        for (size_t j = 0; j < s; j++)
            passive_count += q.passive[j];
        if (passive_count > np_max) { /* more passive columns than foreseen */
            np_max = passive_count;
            double *g = realloc(q.gpp, (np_max * np_max + 1) * sizeof *g);
            if (!g) {
                rc = sk_fail(err, "out of memory for NNLS");
                break;
            }
            q.gpp = g;
        }
        int inner = nnls_inner(&q, r, t, err);
        if (inner < 0) {
            rc = -1;
            break;
        }
        if (inner == 1) { /* t could not enter: skip it until x moves */
            q.blocked[t] = 1;
            continue;
        }
        memset(q.blocked, 0, s);
        nnls_gradient(&q, r);
    }
    if (rc == 0)
        memcpy(x, q.x, s * sizeof *x);
    if (iterations)
        *iterations = it;
    nnls_free(&q);
    return rc;
}
