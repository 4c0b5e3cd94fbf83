/* dlfista.c — DL-FISTA dictionary learning (see dlfista.h). */
#include "dlfista.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fista.h"
#include "gemm.h"
#include "rng.h"

#define CHOL_BLOCK 192
/* Factorisations below this many flops run BLIS on one thread: its fork/join
 * per product costs more than it saves there (and much more when the other
 * cores are busy: 10x slower was seen on a shared 2-core machine). */
#define CHOL_SERIAL_FLOPS 2e9
#define NORM_FLOOR 1e-8

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- initial dictionary ------------------------------------------------ */

int dlfista_init_dict(uint64_t seed, size_t d_y, size_t d_z, Mat *d, SkErr *err)
{
    if (d_y == 0 || d_z == 0)
        return sk_fail(err, "initial dictionary is %zu x %zu (empty)", d_y, d_z);
    if (mat_alloc(d, d_y, d_z, err))
        return -1;
    Rng r;
    rng_init(&r, seed, DLFISTA_STREAM_INIT);
    for (size_t i = 0; i < d_y * d_z; i++) /* row-major, like randn(d_y, d_z) */
        d->v[i] = (float)rng_normal(&r);
    for (size_t j = 0; j < d_z; j++) {
        double s = 0.0;
        for (size_t i = 0; i < d_y; i++)
            s += (double)d->v[i * d_z + j] * (double)d->v[i * d_z + j];
        double norm = sqrt(s) > NORM_FLOOR ? sqrt(s) : NORM_FLOOR;
        for (size_t i = 0; i < d_y; i++)
            d->v[i * d_z + j] = (float)((double)d->v[i * d_z + j] / norm);
    }
    return 0;
}

/* ---- blocked Cholesky (one body for float and double) ------------------ */

size_t chol_block_default(size_t n) { return n < CHOL_BLOCK ? (n ? n : 1) : CHOL_BLOCK; }

/* The template below defines, for element type T and gemm GEMM:
 *   chol_diag_T    unblocked Cholesky of the bs × bs block at a (stride n)
 *   tri_inv_T      inv (bs × bs, stride bs) = L11⁻¹ (lower), upper set to 0
 *   chol_blocked_T left-looking blocked factorisation
 *   chol_solve_blocked_T  forward then backward substitution by blocks      */
#define DEFINE_CHOLESKY(T, SUF, GEMM)                                                          \
    static int chol_diag_##SUF(T *a, size_t n, size_t bs, size_t offset, SkErr *err)          \
    {                                                                                          \
        for (size_t j = 0; j < bs; j++) {                                                      \
            T d = a[j * n + j];                                                                \
            for (size_t k = 0; k < j; k++)                                                     \
                d -= a[j * n + k] * a[j * n + k];                                              \
            if (!(d > 0))                                                                      \
                return sk_fail(err, "matrix is not positive definite (pivot %zu)", offset + j); \
            d = (T)sqrt((double)d);                                                            \
            a[j * n + j] = d;                                                                  \
            for (size_t i = j + 1; i < bs; i++) {                                              \
                T s = a[i * n + j];                                                            \
                for (size_t k = 0; k < j; k++)                                                 \
                    s -= a[i * n + k] * a[j * n + k];                                          \
                a[i * n + j] = s / d;                                                          \
            }                                                                                  \
        }                                                                                      \
        return 0;                                                                              \
    }                                                                                          \
                                                                                               \
    static void tri_inv_##SUF(const T *l, size_t n, size_t bs, T *inv)                        \
    {                                                                                          \
        memset(inv, 0, bs * bs * sizeof *inv);                                                 \
        for (size_t j = 0; j < bs; j++) {                                                      \
            inv[j * bs + j] = (T)1 / l[j * n + j];                                             \
            for (size_t i = j + 1; i < bs; i++) {                                              \
                T s = 0;                                                                       \
                for (size_t k = j; k < i; k++)                                                 \
                    s += l[i * n + k] * inv[k * bs + j];                                       \
                inv[i * bs + j] = -s / l[i * n + i];                                           \
            }                                                                                  \
        }                                                                                      \
    }                                                                                          \
                                                                                               \
    int chol_blocked_##SUF(T *a, size_t n, size_t nb, T *inv, SkErr *err)                     \
    {                                                                                          \
        nb = nb ? nb : chol_block_default(n);                                                  \
        T *tmp = malloc((n * nb + 1) * sizeof *tmp);                                           \
        T *own = inv ? NULL : malloc((nb * nb + 1) * sizeof *own);                             \
        if (!tmp || (!inv && !own)) {                                                          \
            free(tmp);                                                                         \
            free(own);                                                                         \
            return sk_fail(err, "out of memory for a %zu x %zu Cholesky", n, n);               \
        }                                                                                      \
        int rc = 0;                                                                            \
        for (size_t k0 = 0; k0 < n && rc == 0; k0 += nb) {                                     \
            size_t bs = n - k0 < nb ? n - k0 : nb, below = n - k0 - bs;                        \
            T *col = a + k0 * n + k0;                       /* a[k0:, k0:k0+bs] */             \
            T *blk_inv = inv ? inv + k0 * nb : own;                                            \
            /* a[k0:n, k0:k0+bs] −= L[k0:n, 0:k0] · L[k0:k0+bs, 0:k0]ᵀ */                     \
            if (k0 > 0)                                                                        \
                GEMM(false, true, n - k0, bs, k0, -1, a + k0 * n, n, a + k0 * n, n, 1, col, n); \
            rc = chol_diag_##SUF(col, n, bs, k0, err);                                         \
            if (rc)                                                                            \
                break;                                                                         \
            tri_inv_##SUF(col, n, bs, blk_inv);                                                \
            /* panel: L[k0+bs:n, k0:k0+bs] = a[…] · L11⁻ᵀ */                                  \
            if (below > 0) {                                                                   \
                T *panel = col + bs * n;                                                       \
                GEMM(false, true, below, bs, bs, 1, panel, n, blk_inv, bs, 0, tmp, bs);        \
                for (size_t i = 0; i < below; i++)                                             \
                    memcpy(panel + i * n, tmp + i * bs, bs * sizeof *tmp);                     \
            }                                                                                  \
        }                                                                                      \
        if (rc == 0)                                                                           \
            for (size_t i = 0; i < n; i++)                                                     \
                memset(a + i * n + i + 1, 0, (n - i - 1) * sizeof *a);                         \
        free(tmp);                                                                             \
        free(own);                                                                             \
        return rc;                                                                             \
    }                                                                                          \
                                                                                               \
    void chol_solve_blocked_##SUF(const T *l, const T *inv, size_t n, size_t nb, T *b,        \
                                  size_t m)                                                    \
    {                                                                                          \
        nb = nb ? nb : chol_block_default(n);                                                  \
        T *tmp = malloc((nb * m + 1) * sizeof *tmp);                                           \
        if (!tmp)                                                                              \
            abort(); /* nb × m scratch: tiny next to the n × n factor */                      \
        /* L Y = B, block rows top-down: Y_k = L_kk⁻¹ (B_k − L[k, 0:k0] Y[0:k0]) */           \
        for (size_t k0 = 0; k0 < n; k0 += nb) {                                                \
            size_t bs = n - k0 < nb ? n - k0 : nb;                                             \
            if (k0 > 0)                                                                        \
                GEMM(false, false, bs, m, k0, -1, l + k0 * n, n, b, m, 1, b + k0 * m, m);      \
            GEMM(false, false, bs, m, bs, 1, inv + k0 * nb, bs, b + k0 * m, m, 0, tmp, m);     \
            memcpy(b + k0 * m, tmp, bs * m * sizeof *tmp);                                     \
        }                                                                                      \
        /* Lᵀ X = Y, block rows bottom-up: X_k = L_kk⁻ᵀ (Y_k − L[k0+bs:, k]ᵀ X[k0+bs:]) */   \
        for (size_t bi = (n + nb - 1) / nb; bi-- > 0;) {                                       \
            size_t k0 = bi * nb;                                                               \
            size_t bs = n - k0 < nb ? n - k0 : nb, below = n - k0 - bs;                        \
            if (below > 0)                                                                     \
                GEMM(true, false, bs, m, below, -1, l + (k0 + bs) * n + k0, n,                 \
                     b + (k0 + bs) * m, m, 1, b + k0 * m, m);                                  \
            GEMM(true, false, bs, m, bs, 1, inv + k0 * nb, bs, b + k0 * m, m, 0, tmp, m);      \
            memcpy(b + k0 * m, tmp, bs * m * sizeof *tmp);                                     \
        }                                                                                      \
        free(tmp);                                                                             \
    }

DEFINE_CHOLESKY(double, f64, sk_dgemm)
DEFINE_CHOLESKY(float, f32, sk_gemm)

/* ---- dictionary update -------------------------------------------------- */

/* Z (n × p) by rows: the non-zeros of row i are col/val[ptr[i] .. ptr[i+1]),
 * columns ascending. */
typedef struct {
    size_t n, p, nnz;
    size_t *ptr;
    uint32_t *col;
    double *val;
} SparseRows;

static void sparse_release(SparseRows *s)
{
    free(s->ptr);
    free(s->col);
    free(s->val);
    memset(s, 0, sizeof *s);
}

static int sparse_from_mat(SparseRows *s, const Mat *z, SkErr *err)
{
    memset(s, 0, sizeof *s);
    s->n = z->rows;
    s->p = z->cols;
    size_t total = mat_size(z);
    for (size_t i = 0; i < total; i++)
        s->nnz += z->v[i] != 0.0f;
    s->ptr = malloc((s->n + 1) * sizeof *s->ptr);
    s->col = malloc((s->nnz + 1) * sizeof *s->col);
    s->val = malloc((s->nnz + 1) * sizeof *s->val);
    if (!s->ptr || !s->col || !s->val) {
        sparse_release(s);
        return sk_fail(err, "out of memory for sparse codes (%zu non-zeros)", s->nnz);
    }
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        s->ptr[i] = k;
        const float *row = z->v + i * s->p;
        for (size_t j = 0; j < s->p; j++)
            if (row[j] != 0.0f) {
                s->col[k] = (uint32_t)j;
                s->val[k++] = row[j];
            }
    }
    s->ptr[s->n] = k;
    return 0;
}

/* The transpose (columns of Z as rows): row l lists the samples where latent
 * l is non-zero, ascending. */
static int sparse_transpose(const SparseRows *s, SparseRows *t, SkErr *err)
{
    memset(t, 0, sizeof *t);
    t->n = s->p;
    t->p = s->n;
    t->nnz = s->nnz;
    t->ptr = calloc(t->n + 1, sizeof *t->ptr);
    t->col = malloc((t->nnz + 1) * sizeof *t->col);
    t->val = malloc((t->nnz + 1) * sizeof *t->val);
    if (!t->ptr || !t->col || !t->val) {
        sparse_release(t);
        return sk_fail(err, "out of memory for sparse codes (%zu non-zeros)", s->nnz);
    }
    for (size_t k = 0; k < s->nnz; k++)
        t->ptr[s->col[k] + 1]++;
    for (size_t l = 0; l < t->n; l++)
        t->ptr[l + 1] += t->ptr[l];
    size_t *fill = malloc((t->n + 1) * sizeof *fill);
    if (!fill) {
        sparse_release(t);
        return sk_fail(err, "out of memory for sparse codes");
    }
    memcpy(fill, t->ptr, (t->n + 1) * sizeof *fill);
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = s->ptr[i]; k < s->ptr[i + 1]; k++) {
            size_t at = fill[s->col[k]]++;
            t->col[at] = (uint32_t)i;
            t->val[at] = s->val[k];
        }
    free(fill);
    return 0;
}

/* Lower triangle of Σ_rows r rᵀ + ridge·I (q × q, q = s->p) from the sparse
 * rows: one outer product of each row's non-zeros, n·nnz²/2 multiply-adds. */
static void gram_lower_f64(const SparseRows *s, double ridge, double *g)
{
    size_t q = s->p;
    memset(g, 0, q * q * sizeof *g);
    for (size_t i = 0; i < s->n; i++)
        for (size_t a = s->ptr[i]; a < s->ptr[i + 1]; a++) {
            double va = s->val[a];
            double *grow = g + (size_t)s->col[a] * q;
            for (size_t b = s->ptr[i]; b <= a; b++)
                grow[s->col[b]] += va * s->val[b];
        }
    for (size_t j = 0; j < q; j++)
        g[j * q + j] += ridge;
}

static void gram_lower_f32(const SparseRows *s, double ridge, float *g)
{
    size_t q = s->p;
    memset(g, 0, q * q * sizeof *g);
    for (size_t i = 0; i < s->n; i++)
        for (size_t a = s->ptr[i]; a < s->ptr[i + 1]; a++) {
            float va = (float)s->val[a];
            float *grow = g + (size_t)s->col[a] * q;
            for (size_t b = s->ptr[i]; b <= a; b++)
                grow[s->col[b]] += va * (float)s->val[b];
        }
    for (size_t j = 0; j < q; j++)
        g[j * q + j] += (float)ridge;
}

/* xt (p × d_y) = Zᵀ Y, from the sparse rows of Z and y (n × d_y). */
static void zt_y_f64(const SparseRows *z, const Mat *y, double *xt)
{
    size_t dy = y->cols;
    memset(xt, 0, z->p * dy * sizeof *xt);
    for (size_t i = 0; i < z->n; i++)
        for (size_t k = z->ptr[i]; k < z->ptr[i + 1]; k++) {
            double v = z->val[k];
            double *dst = xt + (size_t)z->col[k] * dy;
            const float *yi = y->v + i * dy;
            for (size_t c = 0; c < dy; c++)
                dst[c] += v * (double)yi[c];
        }
}

/* xt (p × d_y) = Zᵀ W for w (n × d_y, double). */
static void zt_w_f64(const SparseRows *z, const double *w, size_t dy, double *xt)
{
    memset(xt, 0, z->p * dy * sizeof *xt);
    for (size_t i = 0; i < z->n; i++)
        for (size_t k = z->ptr[i]; k < z->ptr[i + 1]; k++) {
            double v = z->val[k];
            double *dst = xt + (size_t)z->col[k] * dy;
            const double *wi = w + i * dy;
            for (size_t c = 0; c < dy; c++)
                dst[c] += v * wi[c];
        }
}

/* Allocate count doubles/floats with an overflow check. */
static void *alloc_elems(size_t a, size_t b, size_t size, SkErr *err)
{
    size_t count, bytes;
    if (!sk_mul_size(a, b, &count) || !sk_mul_size(count + 1, size, &bytes)) {
        sk_fail(err, "dictionary update: %zu x %zu is too large", a, b);
        return NULL;
    }
    void *p = malloc(bytes);
    if (!p)
        sk_fail(err, "out of memory for a %zu x %zu matrix in the dictionary update", a, b);
    return p;
}

/* For a factorisation of order q: BLIS on one thread when it is small.
 * Returns the thread count to restore. */
static int serial_if_small(size_t q)
{
    int threads = sk_gemm_get_threads();
    if ((double)q * (double)q * (double)q / 3.0 < CHOL_SERIAL_FLOPS)
        sk_gemm_set_threads(1);
    return threads;
}

/* Factor the q × q lower-triangle SPD matrix and solve for the q × m rows of
 * rhs in place (double). */
static int spd_solve_f64(double *g, size_t q, double *rhs, size_t m, DlFistaTimes *t, SkErr *err)
{
    size_t nb = chol_block_default(q);
    double *inv = alloc_elems(q, nb, sizeof(double), err);
    if (!inv)
        return -1;
    int threads = serial_if_small(q);
    double t0 = now_seconds();
    int rc = chol_blocked_f64(g, q, nb, inv, err);
    double t1 = now_seconds();
    if (rc == 0)
        chol_solve_blocked_f64(g, inv, q, nb, rhs, m);
    sk_gemm_set_threads(threads);
    if (t) {
        t->cholesky += t1 - t0;
        t->solve += now_seconds() - t1;
        t->chol_flops += (double)q * (double)q * (double)q / 3.0;
    }
    free(inv);
    return rc;
}

/* xt (p × d_y) = (ZᵀZ + ρI)⁻¹ Zᵀ Y in double, primal or dual by size. */
static int solve_f64(const SparseRows *z, const Mat *y, double ridge, double *xt,
                     DlFistaTimes *t, SkErr *err)
{
    size_t n = z->n, p = z->p, dy = y->cols;
    double t0 = now_seconds();
    if (p <= n) { /* primal: G = ZᵀZ + ρI (p × p), xt = G⁻¹ (Zᵀ Y) */
        double *g = alloc_elems(p, p, sizeof(double), err);
        if (!g)
            return -1;
        gram_lower_f64(z, ridge, g);
        zt_y_f64(z, y, xt);
        if (t)
            t->gram += now_seconds() - t0;
        int rc = spd_solve_f64(g, p, xt, dy, t, err);
        free(g);
        return rc;
    }
    /* dual: K = Z Zᵀ + ρI (n × n) from Z's columns, W = K⁻¹ Y, xt = Zᵀ W */
    SparseRows cols;
    if (sparse_transpose(z, &cols, err))
        return -1;
    double *k = alloc_elems(n, n, sizeof(double), err);
    double *w = k ? alloc_elems(n, dy, sizeof(double), err) : NULL;
    int rc = w ? 0 : -1;
    if (rc == 0) {
        gram_lower_f64(&cols, ridge, k);
        for (size_t i = 0; i < n * dy; i++)
            w[i] = (double)y->v[i];
        if (t)
            t->gram += now_seconds() - t0;
        rc = spd_solve_f64(k, n, w, dy, t, err);
    }
    if (rc == 0) {
        double t1 = now_seconds();
        zt_w_f64(z, w, dy, xt);
        if (t)
            t->solve += now_seconds() - t1;
    }
    free(k);
    free(w);
    sparse_release(&cols);
    return rc;
}

/* solve_f32's return when the float32 Cholesky breaks down (a pivot ≤ 0). */
enum { SOLVE_F32_BREAKDOWN = 1 };

/* xt (p × d_y) = (ZᵀZ + ρI)⁻¹ Zᵀ Y with the Gram, Cholesky and solves in
 * float32; SOLVE_F32_BREAKDOWN when rounding leaves a pivot ≤ 0. */
static int solve_f32(const SparseRows *z, const Mat *y, double ridge, double *xt,
                     DlFistaTimes *t, SkErr *err)
{
    size_t p = z->p, dy = y->cols;
    double t0 = now_seconds();
    size_t nb = chol_block_default(p);
    float *g = alloc_elems(p, p, sizeof(float), err);
    float *rhs = g ? alloc_elems(p, dy, sizeof(float), err) : NULL;
    float *inv = rhs ? alloc_elems(p, nb, sizeof(float), err) : NULL;
    int rc = inv ? 0 : -1;
    if (rc == 0) {
        gram_lower_f32(z, ridge, g);
        memset(rhs, 0, p * dy * sizeof *rhs); /* Zᵀ Y in float */
        for (size_t i = 0; i < z->n; i++)
            for (size_t k = z->ptr[i]; k < z->ptr[i + 1]; k++) {
                float v = (float)z->val[k];
                float *dst = rhs + (size_t)z->col[k] * dy;
                for (size_t c = 0; c < dy; c++)
                    dst[c] += v * y->v[i * dy + c];
            }
        int threads = serial_if_small(p);
        double t1 = now_seconds();
        rc = chol_blocked_f32(g, p, nb, inv, err) ? SOLVE_F32_BREAKDOWN : 0;
        double t2 = now_seconds();
        if (rc == 0)
            chol_solve_blocked_f32(g, inv, p, nb, rhs, dy);
        sk_gemm_set_threads(threads);
        if (t) {
            t->gram += t1 - t0;
            t->cholesky += t2 - t1;
            t->solve += now_seconds() - t2;
            t->chol_flops += (double)p * (double)p * (double)p / 3.0;
        }
    }
    if (rc == 0)
        for (size_t i = 0; i < p * dy; i++)
            xt[i] = (double)rhs[i];
    free(g);
    free(rhs);
    free(inv);
    return rc;
}

/* d (d_y × p) = xtᵀ with each column divided by max(‖column‖, 1e-8); columns
 * of latents that are never active are exactly +0. */
static void normalise_columns(const double *xt, const SparseRows *z, Mat *d)
{
    size_t p = d->cols, dy = d->rows;
    unsigned char *active = calloc(p + 1, 1);
    for (size_t k = 0; active && k < z->nnz; k++)
        active[z->col[k]] = 1;
    for (size_t j = 0; j < p; j++) {
        const double *x = xt + j * dy;
        double s = 0.0;
        for (size_t c = 0; c < dy; c++)
            s += x[c] * x[c];
        double norm = sqrt(s) > NORM_FLOOR ? sqrt(s) : NORM_FLOOR;
        bool zero = active && !active[j];
        for (size_t c = 0; c < dy; c++)
            d->v[c * p + j] = zero ? 0.0f : (float)(x[c] / norm);
    }
    free(active);
}

int dlfista_update(const Mat *y, const Mat *z, double ridge, DlFistaSolve solve, Mat *d,
                   DlFistaTimes *times, SkErr *err)
{
    if (z->rows != y->rows || d->rows != y->cols || d->cols != z->cols)
        return sk_fail(err, "dictionary update: Y %zu x %zu, Z %zu x %zu, D %zu x %zu disagree",
                       y->rows, y->cols, z->rows, z->cols, d->rows, d->cols);
    if (z->cols > UINT32_MAX || !(ridge > 0.0))
        return sk_fail(err, "dictionary update: needs a positive ridge and < 2^32 atoms");
    SparseRows s;
    if (sparse_from_mat(&s, z, err))
        return -1;
    double *xt = alloc_elems(z->cols, y->cols, sizeof(double), err);
    int rc = xt ? 0 : -1;
    if (rc == 0)
        rc = solve == DLFISTA_SOLVE_F32 ? solve_f32(&s, y, ridge, xt, times, err)
                                        : solve_f64(&s, y, ridge, xt, times, err);
    if (rc == SOLVE_F32_BREAKDOWN) { /* float32 rounding broke the factorisation */
        if (err)
            err->msg[0] = '\0';
        rc = solve_f64(&s, y, ridge, xt, times, err);
        if (times)
            times->f32_fallbacks++;
    }
    if (rc == 0) {
        double t0 = now_seconds();
        normalise_columns(xt, &s, d);
        if (times)
            times->rest += now_seconds() - t0;
    }
    free(xt);
    sparse_release(&s);
    return rc;
}

double dlfista_rel_change(const Mat *d, const Mat *d_old)
{
    double diff = 0.0, base = 0.0;
    size_t n = mat_size(d);
    for (size_t i = 0; i < n; i++) {
        double a = (double)d->v[i], b = (double)d_old->v[i];
        diff += (a - b) * (a - b);
        base += b * b;
    }
    if (base == 0.0)
        return diff == 0.0 ? 0.0 : INFINITY;
    return sqrt(diff) / sqrt(base);
}

/* ---- the learning loop -------------------------------------------------- */

void dlfista_options_default(DlFistaOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->lambda = 0.1f;
    opt->iters = 100;
    opt->rounds = 1000;
    opt->tol = 1e-5;
    opt->min_round = 10;
    opt->ridge = 1e-6;
    opt->solve = DLFISTA_SOLVE_F64;
}

void dlfista_result_release(DlFistaResult *r)
{
    free(r->rel_change);
    memset(r, 0, sizeof *r);
}

static int check_learn(const Mat *y_val, const Mat *y_ood, const Mat *d, const Mat *z_val,
                       const Mat *z_ood, const DlFistaOptions *opt, SkErr *err)
{
    size_t dy = d->rows, p = d->cols;
    if (dy == 0 || p == 0)
        return sk_fail(err, "dictionary is %zu x %zu (empty)", dy, p);
    if (y_val->cols != dy || (y_ood && y_ood->cols != dy))
        return sk_fail(err, "samples have %zu columns but the dictionary has %zu rows",
                       y_ood && y_ood->cols != dy ? y_ood->cols : y_val->cols, dy);
    if (z_val->rows != y_val->rows || z_val->cols != p)
        return sk_fail(err, "val codes are %zu x %zu, expected %zu x %zu", z_val->rows,
                       z_val->cols, y_val->rows, p);
    if (y_ood && (!z_ood || z_ood->rows != y_ood->rows || z_ood->cols != p))
        return sk_fail(err, "OOD codes do not match %zu x %zu", y_ood->rows, p);
    if (opt->rounds < 0 || opt->iters < 0 || !(opt->ridge > 0.0) || !(opt->tol >= 0.0))
        return sk_fail(err, "DL-FISTA: rounds, iterations and tolerance must be >= 0, ridge > 0");
    if (!mat_all_finite(d))
        return sk_fail(err, "initial dictionary holds non-finite values");
    return 0;
}

/* Step 1: FISTA on val and OOD with one prepared dictionary. */
static int fista_pass(const Mat *d, const Mat *y_val, const Mat *y_ood, Mat *z_val, Mat *z_ood,
                      bool warm, const DlFistaOptions *opt, FistaWork *work, SkErr *err)
{
    FistaDict fd;
    if (fista_dict_prepare(&fd, d, FISTA_PRODUCT_AUTO, err))
        return -1;
    FistaOptions fo;
    fista_options_default(&fo);
    fo.lambda = opt->lambda;
    fo.iters = opt->iters;
    fo.warm = warm;
    fo.threads = opt->threads; /* block_rows 0: FISTA's own, independent of the threads */
    int rc = fista_solve_prepared(&fd, y_val, NULL, &fo, z_val, work, err);
    if (rc == 0 && y_ood)
        rc = fista_solve_prepared(&fd, y_ood, NULL, &fo, z_ood, work, err);
    fista_dict_release(&fd);
    return rc;
}

int dlfista_learn(const Mat *y_val, const Mat *y_ood, Mat *d, Mat *z_val, Mat *z_ood,
                  const DlFistaOptions *opt, DlFistaResult *res, SkErr *err)
{
    memset(res, 0, sizeof *res);
    if (check_learn(y_val, y_ood, d, z_val, z_ood, opt, err))
        return -1;
    long passes = opt->rounds > 0 ? opt->rounds : 1;
    res->rel_change = malloc((size_t)passes * sizeof *res->rel_change);
    if (!res->rel_change)
        return sk_fail(err, "out of memory for %ld rounds", passes);
    Mat d_old = {0};
    if (mat_alloc(&d_old, d->rows, d->cols, err)) {
        dlfista_result_release(res);
        return -1;
    }
    FistaWork work;
    fista_work_init(&work);
    DlFistaTimes scratch = {0};
    DlFistaTimes *t = opt->times ? opt->times : &scratch;
    long fallbacks_before = t->f32_fallbacks;
    int rc = 0;
    for (long r = 0; r < passes && rc == 0; r++) {
        double t0 = now_seconds();
        rc = fista_pass(d, y_val, y_ood, z_val, z_ood, r > 0, opt, &work, err);
        t->fista += now_seconds() - t0;
        if (rc)
            break;
        double t1 = now_seconds();
        if (!mat_all_finite(z_val) || (y_ood && !mat_all_finite(z_ood))) {
            rc = sk_fail(err, "round %ld: FISTA codes are not finite (diverged)", r);
            break;
        }
        res->passes = r + 1;
        DlFistaRound info = {.pass = r + 1, .round = r, .d_used = d, .z_val = z_val,
                             .z_ood = y_ood ? z_ood : NULL, .d = d};
        if (opt->rounds == 0) { /* one pass, no update */
            info.last = true;
            t->rest += now_seconds() - t1;
            rc = opt->on_round ? opt->on_round(opt->user, &info, err) : 0;
            break;
        }
        memcpy(d_old.v, d->v, mat_size(d) * sizeof *d->v);
        t->rest += now_seconds() - t1;
        rc = dlfista_update(y_val, z_val, opt->ridge, opt->solve, d, t, err);
        if (rc) {
            char where[48];
            snprintf(where, sizeof where, "round %ld", r);
            sk_prefix(err, where);
            break;
        }
        double t2 = now_seconds();
        if (!mat_all_finite(d)) {
            rc = sk_fail(err, "round %ld: the dictionary update is not finite (diverged)", r);
            break;
        }
        double change = dlfista_rel_change(d, &d_old);
        res->rel_change[r] = change;
        res->rounds_run = r + 1;
        bool converged = change < opt->tol && r > opt->min_round;
        info.d_used = &d_old;
        info.updated = true;
        info.rel_change = change;
        info.last = converged || r + 1 == passes;
        res->converged = converged;
        t->rest += now_seconds() - t2;
        if (opt->on_round)
            rc = opt->on_round(opt->user, &info, err);
        if (converged)
            break;
    }
    res->f32_fallbacks = t->f32_fallbacks - fallbacks_before;
    fista_work_release(&work);
    mat_release(&d_old);
    if (rc)
        dlfista_result_release(res);
    return rc;
}
