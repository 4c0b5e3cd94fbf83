/* fista.c — batched non-negative FISTA (see fista.h for the iteration). */
#include "fista.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "gemm.h"
#include "linalg.h"

#ifdef __AVX2__
#include <immintrin.h>
#endif

/* A sparse residual row costs about this many gemm flops per flop (it
 * streams a row of Dᵀ per non-zero instead of running from packed panels).
 * Measured with bench/bench_fista; only affects speed, never the result. */
#define SPARSE_FLOP_COST 2.0
/* Elements per (block × d_z) buffer when block_rows is automatic. */
#define BLOCK_TARGET_ELEMS (1u << 21)
#define GRAM_MAX_DZ 4096
/* A dictionary this large gets blocks of at least WIDE_BLOCK_ROWS rows. */
#define WIDE_DICT_BYTES ((size_t)8 << 20)
#define WIDE_BLOCK_ROWS 128
/* Non-zeros ahead whose row of Dᵀ is prefetched in the sparse residual. */
#define PREFETCH_AHEAD 8

void fista_options_default(FistaOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->lambda = 0.1f;
    opt->iters = 100;
    opt->product = FISTA_PRODUCT_AUTO;
}

/* ---- Lipschitz constant ------------------------------------------------ */

/* Σ_j a_j b_j in double over n floats. */
static double dot_f32_in_f64(const float *a, const float *b, size_t n)
{
    size_t j = 0;
    double s = 0.0;
#ifdef __AVX2__
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    for (; j + 8 <= n; j += 8) {
        __m256d a0 = _mm256_cvtps_pd(_mm_loadu_ps(a + j)), b0 = _mm256_cvtps_pd(_mm_loadu_ps(b + j));
        __m256d a1 = _mm256_cvtps_pd(_mm_loadu_ps(a + j + 4)), b1 = _mm256_cvtps_pd(_mm_loadu_ps(b + j + 4));
        acc0 = _mm256_add_pd(acc0, _mm256_mul_pd(a0, b0));
        acc1 = _mm256_add_pd(acc1, _mm256_mul_pd(a1, b1));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(acc0, acc1));
    s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
#endif
    for (; j < n; j++)
        s += (double)a[j] * (double)b[j];
    return s;
}

/* The smaller Gram of D in double: D Dᵀ (d_y × d_y) when d_y ≤ d_z, else DᵀD.
 * Both have the same non-zero eigenvalues, σ_i(D)². */
static double *small_gram_f64(const Mat *d, size_t *order, SkErr *err)
{
    size_t dy = d->rows, dz = d->cols;
    bool rows = dy <= dz;
    size_t n = rows ? dy : dz;
    const float *src = d->v;
    float *cols = NULL;
    if (!rows) { /* DᵀD: dot products of columns, made contiguous first */
        cols = malloc((dy * dz + 1) * sizeof *cols);
        if (!cols)
            return sk_fail(err, "out of memory for the Gram of a %zu x %zu dictionary", dy, dz), NULL;
        for (size_t i = 0; i < dy; i++)
            for (size_t j = 0; j < dz; j++)
                cols[j * dy + i] = d->v[i * dz + j];
        src = cols;
    }
    size_t len = rows ? dz : dy;
    double *g = malloc((n * n + 1) * sizeof *g);
    if (!g) {
        free(cols);
        return sk_fail(err, "out of memory for the Gram of a %zu x %zu dictionary", dy, dz), NULL;
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = a; b < n; b++)
            g[a * n + b] = g[b * n + a] = dot_f32_in_f64(src + a * len, src + b * len, len);
    free(cols);
    *order = n;
    return g;
}

int fista_lipschitz(const Mat *d, float *lipschitz, SkErr *err)
{
    size_t n;
    double *g = small_gram_f64(d, &n, err);
    if (!g)
        return -1;
    double top = 0.0;
    int rc = sym_eig_max(g, n, &top, err);
    free(g);
    if (rc)
        return -1;
    if (!isfinite(top))
        return sk_fail(err, "dictionary has a non-finite spectral norm");
    /* σ_max rounded to float32 (torch.linalg.matrix_norm(D, 2)), squared in float32. */
    float sigma = (float)sqrt(top > 0.0 ? top : 0.0);
    float l = sigma * sigma;
    *lipschitz = l > 1e-8f ? l : 1e-8f;
    return 0;
}

/* ---- prepared dictionary ---------------------------------------------- */

/* The Gram product (2·d_z² per row) can beat the factored one (≥ 2·d_y·d_z
 * per row) only when d_z is close to d_y; it also needs d_z² memory. */
static bool gram_can_pay(size_t dy, size_t dz) { return dz <= 2 * dy && dz <= GRAM_MAX_DZ; }

int fista_dict_prepare(FistaDict *fd, const Mat *d, FistaProduct product, SkErr *err)
{
    memset(fd, 0, sizeof *fd);
    fd->d = *d;
    if (fista_lipschitz(d, &fd->lipschitz, err) || mat_transpose(&fd->dt, d, err))
        return fista_dict_release(fd), -1;
    size_t dy = d->rows, dz = d->cols;
    if (product == FISTA_PRODUCT_GRAM || (product == FISTA_PRODUCT_AUTO && gram_can_pay(dy, dz))) {
        if (mat_alloc(&fd->gram, dz, dz, err))
            return fista_dict_release(fd), -1;
        /* DᵀD (d_z × d_z) = Dᵀ (d_z × d_y) · D (d_y × d_z) */
        sk_gemm(true, false, dz, dz, dy, 1.0f, d->v, dz, d->v, dz, 0.0f, fd->gram.v, dz);
    }
    return 0;
}

void fista_dict_release(FistaDict *fd)
{
    mat_release(&fd->dt);
    mat_release(&fd->gram);
    memset(fd, 0, sizeof *fd);
}

/* ---- workspace --------------------------------------------------------- */

void fista_work_init(FistaWork *w) { memset(w, 0, sizeof *w); }

void fista_work_release(FistaWork *w)
{
    free(w->x);
    free(w->g);
    free(w->yd);
    free(w->y);
    free(w->r);
    free(w->nz);
    free(w->nnz);
    fista_work_init(w);
}

/* Buffers for blocks of `rows` rows; reallocated only when they must grow. */
static int work_reserve(FistaWork *w, size_t rows, size_t dz, size_t dy, bool gram, SkErr *err)
{
    size_t wide, narrow, bytes;
    if (!sk_mul_size(rows, dz, &wide) || !sk_mul_size(rows, dy, &narrow) ||
        !sk_mul_size(wide, sizeof(float), &bytes))
        return sk_fail(err, "FISTA block %zu x %zu is too large", rows, dz);
    bool fits = w->x && wide <= w->cap_wide && narrow <= w->cap_narrow && rows <= w->cap_rows &&
                (!gram || wide <= w->cap_yd);
    if (fits)
        return 0;
    fista_work_release(w);
    wide = wide ? wide : 1;
    narrow = narrow ? narrow : 1;
    w->x = malloc(wide * sizeof *w->x);
    w->g = malloc(wide * sizeof *w->g);
    w->nz = malloc(wide * sizeof *w->nz);
    w->y = malloc(narrow * sizeof *w->y);
    w->r = malloc(narrow * sizeof *w->r);
    w->nnz = malloc((rows ? rows : 1) * sizeof *w->nnz);
    w->yd = gram ? malloc(wide * sizeof *w->yd) : NULL;
    if (!w->x || !w->g || !w->nz || !w->y || !w->r || !w->nnz || (gram && !w->yd)) {
        fista_work_release(w);
        return sk_fail(err, "out of memory for FISTA buffers (%zu x %zu block)", rows, dz);
    }
    w->cap_wide = wide;
    w->cap_narrow = narrow;
    w->cap_rows = rows ? rows : 1;
    w->cap_yd = gram ? wide : 0;
    return 0;
}

/* ---- one iteration's pieces ------------------------------------------- */

/* Row update, for j < n:  z⁺ = max(0, x + g − θ)   (g = −∇/L)
 *                         x  = z⁺ + β (z⁺ − z);  z = z⁺
 * and nz[0..count) = the columns where the new x is non-zero. Returns count. */
__attribute__((noinline)) static size_t update_row(float *restrict z, float *restrict x, const float *restrict g,
                         size_t n, float theta, float beta, uint32_t *restrict nz)
{
    size_t j = 0, count = 0;
#ifdef __AVX2__
    const __m256 vtheta = _mm256_set1_ps(theta), vbeta = _mm256_set1_ps(beta);
    const __m256 zero = _mm256_setzero_ps();
    for (; j + 8 <= n; j += 8) {
        __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(g + j));
        __m256 zn = _mm256_max_ps(_mm256_sub_ps(v, vtheta), zero);
        __m256 zo = _mm256_loadu_ps(z + j);
        __m256 xn = _mm256_add_ps(zn, _mm256_mul_ps(vbeta, _mm256_sub_ps(zn, zo)));
        _mm256_storeu_ps(z + j, zn);
        _mm256_storeu_ps(x + j, xn);
        unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(xn, zero, _CMP_NEQ_UQ));
        while (mask) {
            nz[count++] = (uint32_t)(j + (size_t)__builtin_ctz(mask));
            mask &= mask - 1;
        }
    }
#endif
    for (; j < n; j++) {
        float s = (x[j] + g[j]) - theta;
        float zn = s > 0.0f ? s : 0.0f;
        float xn = zn + beta * (zn - z[j]);
        z[j] = zn;
        x[j] = xn;
        nz[count] = (uint32_t)j;
        count += xn != 0.0f;
    }
    return count;
}

/* Non-zero columns of a row of x (for the initial point). */
static size_t find_nonzeros(const float *x, size_t n, uint32_t *nz)
{
    size_t count = 0;
    for (size_t j = 0; j < n; j++) {
        nz[count] = (uint32_t)j;
        count += x[j] != 0.0f;
    }
    return count;
}

#ifdef __AVX2__
/* Lane mask for the last register of a strip: lanes [0, tail) on, tail in 1..8. */
static inline __m256i lanes_below(size_t tail)
{
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)tail), index);
}

/* One strip of r: columns [c, c + 8·(nreg − 1) + tail) of r = x Dᵀ − y, in nreg
 * accumulators (nreg ≤ 8), streaming the non-zeros once. The last register
 * covers `tail` columns (1..8) through masked loads and stores, so a row of
 * Dᵀ is never read past its end and d_y need not be a multiple of 8. Always
 * inlined with a constant nreg, so the accumulators stay in registers. Each
 * column is summed in the order of the non-zeros, as the scalar loop would. */
__attribute__((always_inline)) static inline void
sparse_residual_strip(float *restrict r, const float *restrict y, const float *restrict x,
                      const uint32_t *restrict nz, size_t count, const float *restrict dt,
                      size_t dy, size_t c, int nreg, size_t tail)
{
    const __m256i last = lanes_below(tail);
    const int lines = (int)((8 * (size_t)(nreg - 1) + tail) * sizeof(float) + 63) / 64;
    __m256 acc[8];
    for (int v = 0; v < nreg - 1; v++)
        acc[v] = _mm256_sub_ps(_mm256_setzero_ps(), _mm256_loadu_ps(y + c + 8 * v));
    acc[nreg - 1] = _mm256_sub_ps(_mm256_setzero_ps(),
                                  _mm256_maskload_ps(y + c + 8 * (nreg - 1), last));
    for (size_t k = 0; k < count; k++) {
        if (k + PREFETCH_AHEAD < count) { /* rows of Dᵀ are visited at random */
            const char *ahead = (const char *)(dt + (size_t)nz[k + PREFETCH_AHEAD] * dy + c);
            for (int line = 0; line < lines; line++)
                _mm_prefetch(ahead + 64 * line, _MM_HINT_T0);
        }
        const __m256 xv = _mm256_set1_ps(x[nz[k]]);
        const float *row = dt + (size_t)nz[k] * dy + c;
        for (int v = 0; v < nreg - 1; v++)
            acc[v] = _mm256_add_ps(acc[v], _mm256_mul_ps(xv, _mm256_loadu_ps(row + 8 * v)));
        acc[nreg - 1] = _mm256_add_ps(
            acc[nreg - 1], _mm256_mul_ps(xv, _mm256_maskload_ps(row + 8 * (nreg - 1), last)));
    }
    for (int v = 0; v < nreg - 1; v++)
        _mm256_storeu_ps(r + c + 8 * v, acc[v]);
    _mm256_maskstore_ps(r + c + 8 * (nreg - 1), last, acc[nreg - 1]);
}
#endif

/* r (1 × d_y) = x Dᵀ − y = Σ_{j: x_j ≠ 0} x_j Dᵀ[j,:] − y over the listed
 * non-zeros (row j of Dᵀ is column j of D, contiguous). With AVX2: strips of
 * 64 columns, then one strip for the remaining 1..63 (d_y = 93: two passes
 * over the non-zeros, not 64 + 8 + 8 + 8 + five scalar ones). */
__attribute__((noinline)) static void sparse_residual_row(float *restrict r, const float *restrict y,
                                const float *restrict x, const uint32_t *restrict nz,
                                size_t count, const float *restrict dt, size_t dy)
{
#ifdef __AVX2__
    size_t c = 0;
    for (; c + 64 <= dy; c += 64)
        sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 8, 8);
    size_t rest = dy - c;
    if (rest == 0)
        return;
    size_t tail = rest % 8 ? rest % 8 : 8;
    switch ((rest + 7) / 8) { /* constant register counts, so each case is unrolled */
    case 1: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 1, tail); break;
    case 2: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 2, tail); break;
    case 3: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 3, tail); break;
    case 4: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 4, tail); break;
    case 5: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 5, tail); break;
    case 6: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 6, tail); break;
    case 7: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 7, tail); break;
    default: sparse_residual_strip(r, y, x, nz, count, dt, dy, c, 8, tail); break;
    }
#else
    for (size_t c = 0; c < dy; c++) {
        float acc = -y[c];
        for (size_t k = 0; k < count; k++)
            acc += x[nz[k]] * dt[(size_t)nz[k] * dy + c];
        r[c] = acc;
    }
#endif
}

/* A block of m rows being solved: views into the caller's data and the work. */
typedef struct {
    const FistaDict *fd;
    size_t m, dy, dz;
    size_t row0;     /* index of the block's first row in the whole problem */
    float *z;        /* m × d_z, rows of the output */
    FistaWork *w;
    float inv_l;     /* 1/L */
} Block;

/* Estimated cost (in gemm-flop units) of each product for this iteration. */
static FistaProduct cheapest_product(const Block *b, size_t nnz_total)
{
    double m = (double)b->m, dy = (double)b->dy, dz = (double)b->dz;
    double dense = 4.0 * m * dy * dz;
    double sparse = 2.0 * m * dy * dz + SPARSE_FLOP_COST * 2.0 * (double)nnz_total * dy;
    double gram = b->fd->gram.v ? 2.0 * m * dz * dz : INFINITY;
    if (gram < dense && gram < sparse)
        return FISTA_PRODUCT_GRAM;
    return sparse < dense ? FISTA_PRODUCT_SPARSE : FISTA_PRODUCT_DENSE;
}

/* w->g = −∇/L = −(X Dᵀ − Y) D / L by the chosen product; returns its flops. */
static double gradient(const Block *b, FistaProduct product, size_t nnz_total)
{
    FistaWork *w = b->w;
    const FistaDict *fd = b->fd;
    size_t m = b->m, dy = b->dy, dz = b->dz;
    if (product == FISTA_PRODUCT_GRAM) {
        /* G = (Y D)/L − (1/L) X (DᵀD) */
        memcpy(w->g, w->yd, m * dz * sizeof *w->g);
        sk_gemm(false, false, m, dz, dz, -b->inv_l, w->x, dz, fd->gram.v, dz, 1.0f, w->g, dz);
        return 2.0 * (double)m * (double)dz * (double)dz;
    }
    double flops;
    if (product == FISTA_PRODUCT_SPARSE) {
        for (size_t i = 0; i < m; i++)
            sparse_residual_row(w->r + i * dy, w->y + i * dy, w->x + i * dz, w->nz + i * dz,
                                w->nnz[i], fd->dt.v, dy);
        flops = 2.0 * (double)nnz_total * (double)dy;
    } else {
        /* R (m × d_y) = X (m × d_z) · Dᵀ (d_z × d_y) − Y */
        memcpy(w->r, w->y, m * dy * sizeof *w->r);
        sk_gemm(false, false, m, dy, dz, 1.0f, w->x, dz, fd->dt.v, dy, -1.0f, w->r, dy);
        flops = 2.0 * (double)m * (double)dy * (double)dz;
    }
    /* G (m × d_z) = −(1/L) R (m × d_y) · D (d_y × d_z) */
    sk_gemm(false, false, m, dz, dy, -b->inv_l, w->r, dy, fd->d.v, dz, 0.0f, w->g, dz);
    return flops + 2.0 * (double)m * (double)dy * (double)dz;
}

static void count_product(FistaStats *s, FistaProduct p, double flops)
{
    if (!s)
        return;
    s->flops += flops;
    if (p == FISTA_PRODUCT_GRAM)
        s->iters_gram++;
    else if (p == FISTA_PRODUCT_SPARSE)
        s->iters_sparse++;
    else
        s->iters_dense++;
}

/* Load the block's y − b into w->y and set x = z, with its non-zero lists. */
static void block_start(const Block *b, const float *y_rows, const float *bias)
{
    FistaWork *w = b->w;
    size_t m = b->m, dy = b->dy, dz = b->dz;
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < dy; c++)
            w->y[i * dy + c] = bias ? y_rows[i * dy + c] - bias[c] : y_rows[i * dy + c];
    memcpy(w->x, b->z, m * dz * sizeof *w->x);
    for (size_t i = 0; i < m; i++)
        w->nnz[i] = find_nonzeros(w->x + i * dz, dz, w->nz + i * dz);
    if (b->fd->gram.v) /* (Y D)/L (m × d_z), fixed for the whole block */
        sk_gemm(false, false, m, dz, dy, b->inv_l, w->y, dy, b->fd->d.v, dz, 0.0f, w->yd, dz);
}

/* All iterations for one block of rows. done/total drive the progress callback. */
/* A whole solve: the row blocks, shared by the workers that take them in turn. */
typedef struct {
    const FistaDict *fd;
    const Mat *y;
    const float *bias;
    const FistaOptions *opt;
    Mat *z;
    size_t rows;               /* rows per block */
    size_t nblocks, next;      /* blocks, and the next one to take */
    long done, total;          /* block-iterations, for progress */
    FistaStats stats;          /* summed into opt->stats at the end */
    bool threaded;
    pthread_mutex_t lock;      /* guards next, done, stats and the callbacks when threaded */
} Runner;

static void runner_lock(Runner *r)
{
    if (r->threaded)
        pthread_mutex_lock(&r->lock);
}

static void runner_unlock(Runner *r)
{
    if (r->threaded)
        pthread_mutex_unlock(&r->lock);
}

/* Index of the next block to solve, or nblocks when none is left. */
static size_t runner_take(Runner *r)
{
    runner_lock(r);
    size_t b = r->next < r->nblocks ? r->next++ : r->nblocks;
    runner_unlock(r);
    return b;
}

/* After one iteration of one block: stats and progress. */
static void runner_tick(Runner *r, FistaProduct p, double flops)
{
    runner_lock(r);
    count_product(&r->stats, p, flops);
    r->done++;
    if (r->opt->progress)
        r->opt->progress(r->opt->progress_user, r->done, r->total);
    runner_unlock(r);
}

/* Copy the block's current codes into every snapshot taken after `iter`
 * iterations (rows row0 … row0 + m − 1 of each). */
static void block_snapshot(const Block *b, const FistaOptions *opt, int iter)
{
    for (size_t s = 0; s < opt->n_snapshots; s++)
        if (opt->snapshot_iters[s] == iter)
            memcpy(opt->snapshots[s].v + b->row0 * b->dz, b->z, b->m * b->dz * sizeof *b->z);
}

/* All iterations for one block of rows. */
static void solve_block(const Block *b, Runner *run)
{
    const FistaOptions *opt = run->opt;
    FistaWork *w = b->w;
    const float theta = opt->lambda / b->fd->lipschitz; /* θ = λ/L in float32 */
    double t = 1.0;
    block_snapshot(b, opt, 0);
    for (int it = 0; it < opt->iters; it++) {
        size_t nnz_total = 0;
        for (size_t i = 0; i < b->m; i++)
            nnz_total += w->nnz[i];
        FistaProduct p = opt->product == FISTA_PRODUCT_AUTO ? cheapest_product(b, nnz_total)
                                                            : opt->product;
        double flops = gradient(b, p, nnz_total);
        double t_next = (1.0 + sqrt(1.0 + 4.0 * t * t)) / 2.0;
        const float beta = (float)((t - 1.0) / t_next);
        for (size_t i = 0; i < b->m; i++)
            w->nnz[i] = update_row(b->z + i * b->dz, w->x + i * b->dz, w->g + i * b->dz, b->dz,
                                   theta, beta, w->nz + i * b->dz);
        t = t_next;
        block_snapshot(b, opt, it + 1);
        runner_tick(run, p, flops);
    }
}

/* Solve blocks until none is left, with workspace w. */
static void run_blocks(Runner *run, FistaWork *w)
{
    const FistaDict *fd = run->fd;
    size_t n = run->y->rows, dy = fd->d.rows, dz = fd->d.cols;
    for (size_t k; (k = runner_take(run)) < run->nblocks;) {
        size_t r0 = k * run->rows;
        Block b = {fd, n - r0 < run->rows ? n - r0 : run->rows, dy, dz, r0, run->z->v + r0 * dz,
                   w, 1.0f / fd->lipschitz};
        block_start(&b, run->y->v + r0 * dy, run->bias);
        solve_block(&b, run);
    }
}

/* A worker thread: its own workspace, blocks from the shared runner. */
typedef struct {
    Runner *run;
    FistaWork work;
    int rc;
    SkErr err;
} Worker;

static void *worker_main(void *arg)
{
    Worker *wk = arg;
    wk->rc = work_reserve(&wk->work, wk->run->rows, wk->run->fd->d.cols, wk->run->fd->d.rows,
                          wk->run->fd->gram.v != NULL, &wk->err);
    if (wk->rc == 0)
        run_blocks(wk->run, &wk->work);
    return NULL;
}

/* Rows per block when automatic: about BLOCK_TARGET_ELEMS per block × d_z
 * buffer (32 to 1024 rows) and, when there are enough rows, a block count that
 * is a multiple of 16 (even work for 1, 2, 4, 8, 16 workers). A dictionary
 * larger than WIDE_DICT_BYTES takes at least WIDE_BLOCK_ROWS rows a block:
 * every block's R D product packs all of D each iteration, which at 32 rows
 * costs about as much as the product (bench_fista --dz 100000 --rows 500,
 * 100 iterations, 1 thread: 32 rows 55.9 s, 128 rows 42.0 s, 256 rows 38.8 s).
 * It does not depend on the thread count, so neither do the results: the
 * product (dense, sparse, Gram) is picked per block. */
size_t fista_block_rows(const FistaOptions *opt, size_t n, size_t dy, size_t dz)
{
    if (opt->block_rows)
        return opt->block_rows < n ? opt->block_rows : (n ? n : 1);
    size_t least = dy * dz * sizeof(float) > WIDE_DICT_BYTES ? WIDE_BLOCK_ROWS : 32;
    size_t target = BLOCK_TARGET_ELEMS / (dz ? dz : 1);
    target = target < least ? least : target > 1024 ? 1024 : target;
    size_t nblocks = (n + target - 1) / target;
    nblocks = (nblocks + 15) / 16 * 16;
    size_t most = (n + least - 1) / least;
    nblocks = nblocks < most ? nblocks : most;
    nblocks = nblocks ? nblocks : 1;
    size_t rows = (n + nblocks - 1) / nblocks;
    return rows ? rows : 1;
}

/* Workers that can be kept busy: opt->threads, at most one per block. */
static int worker_count(const FistaOptions *opt, size_t n)
{
    int t = opt->threads > 1 ? opt->threads : 1;
    return (size_t)t > n ? (int)(n ? n : 1) : t;
}

/* Run the blocks on `workers` threads (BLIS single-threaded meanwhile). */
static int run_threaded(Runner *run, int workers, FistaWork *w0, SkErr *err)
{
    Worker *wk = calloc((size_t)workers, sizeof *wk);
    pthread_t *tid = calloc((size_t)workers, sizeof *tid);
    if (!wk || !tid) {
        free(wk);
        free(tid);
        return sk_fail(err, "out of memory for FISTA workers");
    }
    int blis_threads = sk_gemm_get_threads();
    sk_gemm_set_threads(1);
    pthread_mutex_init(&run->lock, NULL);
    run->threaded = true;
    int started = 0;
    for (int i = 1; i < workers; i++) {
        wk[i].run = run;
        fista_work_init(&wk[i].work);
        if (pthread_create(&tid[i], NULL, worker_main, &wk[i]) != 0)
            break;
        started = i;
    }
    run_blocks(run, w0); /* this thread is worker 0 */
    int rc = 0;
    for (int i = 1; i <= started; i++) {
        pthread_join(tid[i], NULL);
        if (wk[i].rc && rc == 0) {
            rc = -1;
            *err = wk[i].err;
        }
        fista_work_release(&wk[i].work);
    }
    pthread_mutex_destroy(&run->lock);
    sk_gemm_set_threads(blis_threads);
    free(wk);
    free(tid);
    return rc;
}

static int check_problem(const FistaDict *fd, const Mat *y, const FistaOptions *opt,
                         const Mat *z, SkErr *err)
{
    size_t dy = fd->d.rows, dz = fd->d.cols;
    if (y->cols != dy)
        return sk_fail(err, "samples have %zu columns but the dictionary has %zu rows", y->cols, dy);
    if (z->rows != y->rows || z->cols != dz)
        return sk_fail(err, "codes are %zu x %zu, expected %zu x %zu", z->rows, z->cols,
                       y->rows, dz);
    if (!(opt->lambda >= 0.0f) || !isfinite(opt->lambda))
        return sk_fail(err, "lambda must be finite and >= 0 (got %g)", opt->lambda);
    if (opt->iters < 0)
        return sk_fail(err, "iterations must be >= 0 (got %d)", opt->iters);
    if (opt->product == FISTA_PRODUCT_GRAM && !fd->gram.v)
        return sk_fail(err, "GRAM product requested but the dictionary was prepared without it");
    if (dz > UINT32_MAX)
        return sk_fail(err, "dictionary has too many atoms (%zu)", dz);
    if (opt->n_snapshots && (!opt->snapshot_iters || !opt->snapshots))
        return sk_fail(err, "%zu snapshots requested without their iterations or buffers",
                       opt->n_snapshots);
    for (size_t s = 0; s < opt->n_snapshots; s++) {
        if (opt->snapshot_iters[s] < 0 || opt->snapshot_iters[s] > opt->iters)
            return sk_fail(err, "snapshot after %d iterations is outside [0, %d]",
                           opt->snapshot_iters[s], opt->iters);
        if (opt->snapshots[s].rows != y->rows || opt->snapshots[s].cols != dz ||
            (y->rows && !opt->snapshots[s].v))
            return sk_fail(err, "snapshot %zu is %zu x %zu, expected %zu x %zu", s,
                           opt->snapshots[s].rows, opt->snapshots[s].cols, y->rows, dz);
    }
    return 0;
}

int fista_solve_prepared(const FistaDict *fd, const Mat *y, const float *bias,
                         const FistaOptions *opt, Mat *z, FistaWork *work, SkErr *err)
{
    if (check_problem(fd, y, opt, z, err))
        return -1;
    size_t n = y->rows, dy = fd->d.rows, dz = fd->d.cols;
    if (!opt->warm)
        memset(z->v, 0, n * dz * sizeof *z->v);
    if (n == 0)
        return 0;
    if (opt->iters == 0) { /* every snapshot is after 0 iterations: the initial codes */
        for (size_t s = 0; s < opt->n_snapshots; s++)
            memcpy(opt->snapshots[s].v, z->v, n * dz * sizeof *z->v);
        return 0;
    }
    int workers = worker_count(opt, n);
    Runner run = {.fd = fd, .y = y, .bias = bias, .opt = opt, .z = z,
                  .rows = fista_block_rows(opt, n, fd->d.rows, dz)};
    run.nblocks = (n + run.rows - 1) / run.rows;
    run.total = (long)run.nblocks * opt->iters;
    if ((size_t)workers > run.nblocks)
        workers = (int)run.nblocks;
    FistaWork own;
    FistaWork *w = work ? work : (fista_work_init(&own), &own);
    int rc = work_reserve(w, run.rows, dz, dy, fd->gram.v != NULL, err);
    if (rc == 0 && workers > 1)
        rc = run_threaded(&run, workers, w, err);
    else if (rc == 0)
        run_blocks(&run, w);
    if (!work)
        fista_work_release(&own);
    if (opt->stats) {
        opt->stats->flops += run.stats.flops;
        opt->stats->iters_dense += run.stats.iters_dense;
        opt->stats->iters_sparse += run.stats.iters_sparse;
        opt->stats->iters_gram += run.stats.iters_gram;
    }
    return rc;
}

int fista_solve(const Mat *d, const Mat *y, const float *bias, const FistaOptions *opt,
                Mat *z, SkErr *err)
{
    FistaDict fd;
    if (fista_dict_prepare(&fd, d, opt->product, err))
        return -1;
    int rc = fista_solve_prepared(&fd, y, bias, opt, z, NULL, err);
    fista_dict_release(&fd);
    return rc;
}

int fista_threads(long requested, size_t rows, size_t dy, size_t dz, long iters)
{
    double flops = 4.0 * (double)rows * (double)dy * (double)dz * (double)(iters > 0 ? iters : 1);
    return sk_threads_for_work(requested, flops, 1e9);
}
