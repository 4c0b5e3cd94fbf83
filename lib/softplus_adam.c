/* softplus_adam.c — Softplus-Adam (see softplus_adam.h for the equations). */
#include "softplus_adam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "gemm.h"
#include "rng.h"
#include "vecmath.h"

void softplus_adam_options_default(SoftplusAdamOptions *o)
{
    *o = (SoftplusAdamOptions){
        .lambda = 0.1,
        .lr = 1e-3,
        .max_steps = 50000,
        .stop_patience = 5000,
        .stop_min_delta = 1e-6,
        .stop_after = 10000,
        .lr_up = 1.1,
        .lr_down = 0.5,
        .lr_patience = 2,
        .lr_min = 1e-6,
        .lr_max = 1.0,
    };
}

/* ---- model ------------------------------------------------------------- */

static void model_views(SoftplusAdamModel *m)
{
    float *p = m->params;
    m->d = (Mat){m->d_y, m->d_z, p};
    p += m->d_y * m->d_z;
    m->pre_val = (Mat){m->n_val, m->d_z, p};
    p += m->n_val * m->d_z;
    m->pre_ood = (Mat){m->n_ood, m->d_z, p};
}

int softplus_adam_model_init(SoftplusAdamModel *m, const Mat *d0, const Mat *pre_val,
                             const Mat *pre_ood, SkErr *err)
{
    memset(m, 0, sizeof *m);
    if (d0->cols == 0 || d0->rows == 0 || pre_val->rows == 0 || pre_ood->rows == 0)
        return sk_fail(err, "Softplus-Adam: empty dictionary or split");
    if (pre_val->cols != d0->cols || pre_ood->cols != d0->cols)
        return sk_fail(err, "Softplus-Adam: pre-activations have %zu and %zu columns, D has %zu",
                       pre_val->cols, pre_ood->cols, d0->cols);
    size_t a, b, c;
    if (!sk_mul_size(d0->rows, d0->cols, &a) || !sk_mul_size(pre_val->rows, d0->cols, &b) ||
        !sk_mul_size(pre_ood->rows, d0->cols, &c) || a + b < a || a + b + c < a + b ||
        a + b + c > (size_t)-1 / sizeof(float))
        return sk_fail(err, "Softplus-Adam: too many parameters");
    m->d_y = d0->rows;
    m->d_z = d0->cols;
    m->n_val = pre_val->rows;
    m->n_ood = pre_ood->rows;
    m->n_params = a + b + c;
    m->params = malloc(m->n_params * sizeof(float));
    if (!m->params)
        return sk_fail(err, "out of memory for %zu Softplus-Adam parameters", m->n_params);
    model_views(m);
    memcpy(m->d.v, d0->v, a * sizeof(float));
    memcpy(m->pre_val.v, pre_val->v, b * sizeof(float));
    memcpy(m->pre_ood.v, pre_ood->v, c * sizeof(float));
    return 0;
}

void softplus_adam_model_release(SoftplusAdamModel *m)
{
    free(m->params);
    memset(m, 0, sizeof *m);
}

int softplus_adam_init_preactivations(uint64_t seed, size_t n_val, size_t n_ood, size_t d_z,
                                      Mat *pre_val, Mat *pre_ood, SkErr *err)
{
    if (mat_alloc(pre_val, n_val, d_z, err))
        return -1;
    if (mat_alloc(pre_ood, n_ood, d_z, err)) {
        mat_release(pre_val);
        return -1;
    }
    Rng r;
    rng_init(&r, seed, SOFTPLUS_ADAM_STREAM);
    Mat *splits[2] = {pre_val, pre_ood};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < mat_size(splits[s]); i++)
            splits[s]->v[i] = (float)(rng_normal(&r) - 10.0);
    return 0;
}

/* ---- element kernels: 8 float lanes (AVX2 + FMA; lib/vecmath.h) ---------- */

/* Rows per block of the element-wise passes and of the fused step: about
 * 2^18 codes (a block's exp(P) and ∂mse/∂Z, 1 MiB each, stay in cache
 * between its products), 128 to 512 rows (a block's products on one thread
 * then run at the rate of the whole split's, though each re-packs D), a
 * multiple of 8. Fixed by d_z, so a block's sums (and the order they are
 * added in) never depend on the thread count. */
enum { BLOCK_CODES = 1 << 18 };

static size_t block_rows_for(size_t dz)
{
    size_t rows = BLOCK_CODES / dz;
    rows = rows < 128 ? 128 : rows > 512 ? 512 : rows;
    return rows & ~(size_t)7;
}

/* Whether a block of at least 128 rows stays within BLOCK_CODES codes (d_z ≤
 * 2048): the fused step's condition. Wider, a block's codes and its re-packed
 * D no longer stay in cache, and the step runs on whole splits. */
static bool block_fits_cache(size_t dz)
{
    return BLOCK_CODES / dz >= 128;
}

/* PyTorch's softplus forward (ATen's vectorised kernel), given e = exp(x):
 *   z = x > 20 ? x : log1p(e).
 * Each lane's log1p by the series when x < −5 (every code at the start, most
 * of them later), else by vm_log1p8: a lane's value never depends on its
 * neighbours; the general form is skipped when no lane needs it. */
static inline __m256 softplus_from_exp8(__m256 x, __m256 e)
{
    const __m256 small = _mm256_cmp_ps(x, _mm256_set1_ps(-5.0f), _CMP_LT_OQ);
    __m256 z = vm_log1p_small8(e);
    if (_mm256_movemask_ps(small) != 0xff)
        z = _mm256_blendv_ps(vm_log1p8(e), z, small);
    return _mm256_blendv_ps(z, x, _mm256_cmp_ps(x, _mm256_set1_ps(20.0f), _CMP_GT_OQ));
}

/* PyTorch's softplus backward: ∂L/∂x = x > 20 ? a : (a·e)/(e + 1), with
 * a = ∂L/∂z and e = exp(x). */
static inline __m256 softplus_backward8(__m256 a, __m256 x, __m256 e)
{
    __m256 g = _mm256_div_ps(_mm256_mul_ps(a, e), _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
    return _mm256_blendv_ps(g, a, _mm256_cmp_ps(x, _mm256_set1_ps(20.0f), _CMP_GT_OQ));
}

/* acc[0..1] (4 + 4 doubles) += x ⊙ y, each lane's product exact in double. */
static inline void add_products_pd(__m256d acc[2], __m256 x, __m256 y)
{
    __m256d xl = _mm256_cvtps_pd(_mm256_castps256_ps128(x)), xh = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    __m256d yl = _mm256_cvtps_pd(_mm256_castps256_ps128(y)), yh = _mm256_cvtps_pd(_mm256_extractf128_ps(y, 1));
    acc[0] = _mm256_add_pd(acc[0], _mm256_mul_pd(xl, yl));
    acc[1] = _mm256_add_pd(acc[1], _mm256_mul_pd(xh, yh));
}

/* s[0..8) += x (8 doubles). */
static inline void add_to_pd(double *s, __m256 x)
{
    _mm256_storeu_pd(s, _mm256_add_pd(_mm256_loadu_pd(s), _mm256_cvtps_pd(_mm256_castps256_ps128(x))));
    _mm256_storeu_pd(s + 4, _mm256_add_pd(_mm256_loadu_pd(s + 4),
                                          _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))));
}

/* The 8 lanes' sum, in a fixed order. */
static double sum_pd(const __m256d acc[2])
{
    double l[8];
    _mm256_storeu_pd(l, acc[0]);
    _mm256_storeu_pd(l + 4, acc[1]);
    return ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

/* Run task(ctx, b) for every block b < n_blocks on up to `threads` OpenMP
 * threads (the team BLIS uses for the products). Which thread runs a block
 * never changes a result: blocks write disjoint memory. */
static void for_each_block(int threads, size_t n_blocks, void (*task)(void *, size_t), void *ctx)
{
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1 && n_blocks > 1)
    for (size_t b = 0; b < n_blocks; b++)
        task(ctx, b);
}

/* ---- forward / backward -------------------------------------------------- */

int softplus_adam_work_init(SoftplusAdamWork *w, const SoftplusAdamModel *m, SkErr *err)
{
    memset(w, 0, sizeof *w);
    w->block_rows = block_rows_for(m->d_z);
    w->blocks_val = (m->n_val + w->block_rows - 1) / w->block_rows;
    w->blocks_ood = (m->n_ood + w->block_rows - 1) / w->block_rows;
    w->threads = sk_gemm_get_threads();
    size_t nd = m->d_y * m->d_z, wide = m->d_z + 8, block_codes = w->block_rows * m->d_z;
    const size_t blocks = w->blocks_val + w->blocks_ood;
    w->grad_d = malloc(nd * sizeof *w->grad_d);
    w->norms = malloc(wide * sizeof *w->norms);
    w->colsum = malloc(m->d_z * sizeof *w->colsum);
    w->block_sumsq = malloc(blocks * sizeof *w->block_sumsq);
    w->block_colsum = m->d_z <= (size_t)-1 / sizeof(double) / blocks
                          ? malloc(blocks * m->d_z * sizeof *w->block_colsum)
                          : NULL;
    if (!w->grad_d || !w->norms || !w->colsum || !w->block_sumsq || !w->block_colsum ||
        (block_fits_cache(m->d_z) &&   /* the fused step's, only where it runs block by block */
         sk_scratch_init(&w->scratch, 2 * block_codes * sizeof(float), w->threads)) ||
        mat_alloc(&w->z_val, m->n_val, m->d_z, err) || mat_alloc(&w->z_ood, m->n_ood, m->d_z, err) ||
        mat_alloc(&w->r_val, m->n_val, m->d_y, err) || mat_alloc(&w->r_ood, m->n_ood, m->d_y, err)) {
        softplus_adam_work_release(w);
        return sk_fail(err, "out of memory for Softplus-Adam's work space");
    }
    return 0;
}

void softplus_adam_work_release(SoftplusAdamWork *w)
{
    Mat *mats[] = {&w->z_val, &w->z_ood, &w->r_val, &w->r_ood};
    for (size_t i = 0; i < sizeof mats / sizeof *mats; i++)
        mat_release(mats[i]);
    free(w->grad_d);
    free(w->norms);
    free(w->colsum);
    free(w->block_sumsq);
    free(w->block_colsum);
    sk_scratch_release(&w->scratch);
    memset(w, 0, sizeof *w);
}

/* norms[j] = ‖d_{j mod d_z}‖ = sqrt(Σ_i D[i, j]²) for j < d_z + 8, D d_y × d_z;
 * the squares summed in double, row after row (sq: d_z doubles of scratch). */
static void column_norms(const Mat *d, double *sq, float *norms)
{
    const size_t dz = d->cols;
    memset(sq, 0, dz * sizeof *sq);
    for (size_t i = 0; i < d->rows; i++)
        for (size_t j = 0; j < dz; j++) {
            double x = MAT_AT(*d, i, j);
            sq[j] += x * x;
        }
    for (size_t j = 0; j < dz + 8; j++)
        norms[j] = (float)sqrt(sq[j % dz]);
}

/* Block b of the element-wise passes: rows [row0, row0 + rows) of one split,
 * blocks 0 .. blocks_val − 1 in P_val, the rest in P_ood. Its pointers start
 * at the block's first row. */
typedef struct {
    bool val;
    size_t row0, rows, n;   /* n: the split's rows */
    size_t offset;          /* index of the block's P[row0, 0] in the parameter buffer */
    float *z;               /* the block's rows of Z (or ∂mse/∂Z), rows × d_z */
    float *r;               /* the block's rows of R, rows × d_y */
    const float *y;         /* the block's rows of Y, rows × d_y */
} Block;

static Block block_at(const SoftplusAdamModel *m, const SoftplusAdamWork *w, const Mat *y_val,
                      const Mat *y_ood, size_t b)
{
    Block k = {.val = b < w->blocks_val};
    const Mat *pre = k.val ? &m->pre_val : &m->pre_ood, *y = k.val ? y_val : y_ood;
    k.row0 = (k.val ? b : b - w->blocks_val) * w->block_rows;
    k.n = pre->rows;
    k.rows = k.n - k.row0 < w->block_rows ? k.n - k.row0 : w->block_rows;
    k.offset = (size_t)(pre->v - m->params) + k.row0 * m->d_z;
    k.z = (k.val ? w->z_val.v : w->z_ood.v) + k.row0 * m->d_z;
    k.r = (k.val ? w->r_val.v : w->r_ood.v) + k.row0 * m->d_y;
    k.y = y ? y->v + k.row0 * m->d_y : NULL;
    return k;
}

/* Codes per chunk of softplus_codes: its vectors' list fits on the stack. */
enum { SOFTPLUS_CHUNK = 1024 };

/* z = softplus(x), and e = exp(x) when e_out is not NULL, for count codes.
 * Two passes over each chunk (in L1): every vector by the series (and x for
 * x > 20), noting the vectors with a lane at x ≥ −5; then those again by
 * softplus_from_exp8. Each lane ends as softplus_from_exp8 leaves it; no
 * branch depends on the data, and the second pass's log1p chains are
 * independent of one another. */
static void softplus_codes(const float *restrict pre, size_t count, float *restrict z_out,
                           float *restrict e_out)
{
    const __m256 cut = _mm256_set1_ps(-5.0f), big = _mm256_set1_ps(20.0f);
    for (size_t c0 = 0; c0 < count; c0 += SOFTPLUS_CHUNK) {
        const size_t c1 = count - c0 < SOFTPLUS_CHUNK ? count : c0 + SOFTPLUS_CHUNK;
        unsigned short general[SOFTPLUS_CHUNK / 8];
        size_t n_general = 0;
        for (size_t k = c0; k < c1; k += 8) {
            const size_t left = c1 - k;
            const __m256i mask = vm_lanes(left);
            const __m256 x = vm_load8(pre + k, left, mask), e = vm_exp8(x);
            const __m256 z = _mm256_blendv_ps(vm_log1p_small8(e), x, _mm256_cmp_ps(x, big, _CMP_GT_OQ));
            vm_store8(z_out + k, z, left, mask);
            if (e_out)
                vm_store8(e_out + k, e, left, mask);
            general[n_general] = (unsigned short)((k - c0) / 8);
            n_general += _mm256_movemask_ps(_mm256_cmp_ps(x, cut, _CMP_LT_OQ)) != 0xff;
        }
        for (size_t g = 0; g < n_general; g++) {
            const size_t k = c0 + 8 * (size_t)general[g], left = c1 - k;
            const __m256i mask = vm_lanes(left);
            const __m256 x = vm_load8(pre + k, left, mask);
            const __m256 e = e_out ? vm_load8(e_out + k, left, mask) : vm_exp8(x);
            vm_store8(z_out + k, softplus_from_exp8(x, e), left, mask);
        }
    }
}

float softplus_f(float x)
{
    float z;
    softplus_codes(&x, 1, &z, NULL);
    return z;
}

/* colsum[j] += Σ_i Z[i, j] for j < d_z (double, row after row), Z rows × d_z. */
static void add_column_sums(const float *restrict z, size_t rows, size_t dz, double *restrict colsum)
{
    for (size_t i = 0; i < rows; i++) {
        const float *row = z + i * dz;
        size_t j = 0;
        for (; j + 8 <= dz; j += 8)
            add_to_pd(colsum + j, _mm256_loadu_ps(row + j));
        for (; j < dz; j++)
            colsum[j] += row[j];
    }
}

/* Codes per group of rows whose column sums are taken while they are in cache. */
enum { SUM_GROUP_CODES = 1 << 15 };

/* The forward pass over `rows` whole rows of d_z codes, a group of rows at a
 * time (a group's codes are summed while in cache):
 *   Z = softplus(P), and E = exp(P) when e_out is not NULL
 *   colsum[j] = Σ_i Z_ij                                  (d_z doubles) */
static void forward_codes(const float *restrict pre, size_t rows, size_t dz, float *restrict z_out,
                          float *restrict e_out, double *restrict colsum)
{
    const size_t group = dz < SUM_GROUP_CODES ? SUM_GROUP_CODES / dz : 1;
    memset(colsum, 0, dz * sizeof *colsum);
    for (size_t r0 = 0; r0 < rows; r0 += group) {
        const size_t n = rows - r0 < group ? rows - r0 : group, at = r0 * dz;
        softplus_codes(pre + at, n * dz, z_out + at, e_out ? e_out + at : NULL);
        add_column_sums(z_out + at, n, dz, colsum);
    }
}

typedef struct {
    const SoftplusAdamModel *m;
    SoftplusAdamWork *w;
} ForwardPass;

static void forward_block(void *ctx, size_t b)
{
    const ForwardPass *f = ctx;
    const size_t dz = f->m->d_z;
    const Block blk = block_at(f->m, f->w, NULL, NULL, b);
    forward_codes(f->m->params + blk.offset, blk.rows, dz, blk.z, NULL,
                  f->w->block_colsum + b * dz);
}

/* r[k] −= y[k] for k < n; returns Σ r[k]² (double). */
static double subtract_sum_squares(float *r, const float *y, size_t n)
{
    __m256d acc[2] = {_mm256_setzero_pd(), _mm256_setzero_pd()};
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 x = _mm256_sub_ps(_mm256_loadu_ps(r + k), _mm256_loadu_ps(y + k));
        _mm256_storeu_ps(r + k, x);
        add_products_pd(acc, x, x);
    }
    double s = sum_pd(acc);
    for (; k < n; k++) {
        r[k] -= y[k];
        s += (double)r[k] * r[k];
    }
    return s;
}

/* Σ over the blocks [b0, b1) of block_sumsq, in block order. */
static double blocks_sum(const double *block_sums, size_t b0, size_t b1)
{
    double s = 0.0;
    for (size_t b = b0; b < b1; b++)
        s += block_sums[b];
    return s;
}

/* R = Z Dᵀ − Y (n × d_y: (n × d_z)(d_z × d_y)) for both splits; each block's
 * Σ R² into block_sumsq (the fused step sums the same blocks alike). */
static void residuals(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                      SoftplusAdamWork *w)
{
    const size_t dz = m->d_z, dy = m->d_y;
    sk_gemm(false, true, m->n_val, dy, dz, 1.0f, w->z_val.v, dz, m->d.v, dz, 0.0f, w->r_val.v, dy);
    sk_gemm(false, true, m->n_ood, dy, dz, 1.0f, w->z_ood.v, dz, m->d.v, dz, 0.0f, w->r_ood.v, dy);
    for (size_t b = 0; b < w->blocks_val + w->blocks_ood; b++) {
        Block blk = block_at(m, w, y_val, y_ood, b);
        w->block_sumsq[b] = subtract_sum_squares(blk.r, blk.y, blk.rows * dy);
    }
}

/* colsum[j] = Σ_i Z[i, j] over the blocks [b0, b1) of one split (in block
 * order); returns Σ_ij Z_ij ‖d_j‖ = Σ_j ‖d_j‖ colsum[j]. */
static double split_sums(const SoftplusAdamWork *w, size_t dz, size_t b0, size_t b1,
                         double *colsum)
{
    memset(colsum, 0, dz * sizeof *colsum);
    for (size_t b = b0; b < b1; b++)
        for (size_t j = 0; j < dz; j++)
            colsum[j] += w->block_colsum[b * dz + j];
    double reg = 0.0;
    for (size_t j = 0; j < dz; j++)
        reg += (double)w->norms[j] * colsum[j];
    return reg;
}

/* The loss terms from the blocks' sums; colsum ends holding the val split's
 * column sums, for ∂reg_val/∂D. */
static void loss_terms(const SoftplusAdamModel *m, SoftplusAdamWork *w, SoftplusAdamLoss *t)
{
    const size_t dz = m->d_z, dy = m->d_y, nb = w->blocks_val + w->blocks_ood;
    double reg_ood = split_sums(w, dz, w->blocks_val, nb, w->colsum);   /* OOD first */
    double reg_val = split_sums(w, dz, 0, w->blocks_val, w->colsum);
    t->reg_val = reg_val / ((double)m->n_val * (double)dz);
    t->reg_ood = reg_ood / ((double)m->n_ood * (double)dz);
    t->mse_val = blocks_sum(w->block_sumsq, 0, w->blocks_val) / ((double)m->n_val * (double)dy);
    t->mse_ood = blocks_sum(w->block_sumsq, w->blocks_val, nb) / ((double)m->n_ood * (double)dy);
}

/* The forward pass of both splits: Z, R and the loss terms. */
static void forward_all(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                        SoftplusAdamWork *w, SoftplusAdamLoss *t)
{
    column_norms(&m->d, w->colsum, w->norms);
    ForwardPass f = {m, w};
    for_each_block(w->threads, w->blocks_val + w->blocks_ood, forward_block, &f);
    residuals(m, y_val, y_ood, w);
    loss_terms(m, w, t);
}

void softplus_adam_forward(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                           SoftplusAdamWork *w, SoftplusAdamLoss *t)
{
    forward_all(m, y_val, y_ood, w, t);
}

/* The loss terms' gradient factors on a split of n rows: ∂mse/∂(Z Dᵀ) =
 * c_mse R with c_mse = 2/(n d_y); ∂(λ reg)/∂Z_ij = c_reg ‖d_j‖ with
 * c_reg = λ/(n d_z). And the loss, as PyTorch reports it (float32). */
static float c_mse_of(size_t n, size_t dy)
{
    return (float)(2.0 / ((double)n * (double)dy));
}

static float c_reg_of(double lambda, size_t n, size_t dz)
{
    return (float)(lambda / ((double)n * (double)dz));
}

static float loss_of(const SoftplusAdamLoss *t, double lambda)
{
    return (float)(t->mse_val + t->mse_ood + lambda * (t->reg_val + t->reg_ood));
}

/* ∂L/∂D from the val terms only (the OOD terms see sg(D)):
 *   ∂mse_val/∂D = (2/(n d_y)) Rᵀ Z_val                        (d_y × d_z)
 *   ∂(λ reg_val)/∂D[i, j] = (λ/(n d_z)) (Σ_n Z[n, j]) D[i, j]/‖d_j‖   (0 where ‖d_j‖ = 0) */
static void backward_dictionary(const Mat *r, const Mat *z, const Mat *d, const float *norms,
                                const double *colsum, double lambda, float *g)
{
    const size_t n = r->rows, dy = d->rows, dz = d->cols;
    const double c_reg = lambda / ((double)n * (double)dz);
    sk_gemm(true, false, dy, dz, n, c_mse_of(n, dy), r->v, dy, z->v, dz, 0.0f, g, dz);
    for (size_t i = 0; i < dy; i++)
        for (size_t j = 0; j < dz; j++)
            if (norms[j] != 0.0f)
                g[i * dz + j] += (float)(c_reg * colsum[j]) / norms[j] * MAT_AT(*d, i, j);
}

/* ∂mse/∂Z = (2/(n d_y)) R D (n × d_z: (n × d_y)(d_y × d_z)), over Z. */
static void mse_grad_codes(const Mat *r, const Mat *d, Mat *z)
{
    const size_t n = r->rows, dy = d->rows, dz = d->cols;
    sk_gemm(false, false, n, dz, dy, c_mse_of(n, dy), r->v, dy, d->v, dz, 0.0f, z->v, dz);
}

/* Where the backward pass of a run of codes writes: Adam's update in place
 * (step set: P, moments m1, m2), or the gradient (grad). Pointers at the
 * run's first code. */
typedef struct {
    const AdamStep *step;
    float *p_out, *m1, *m2;
    float *grad;
} BackwardOut;

/* The backward pass over count codes of whole rows (column j = k mod d_z),
 * dmse = ∂mse/∂Z; exp(P) from e (the forward's), or recomputed when e is
 * NULL (the forward's bits, as PyTorch's softplus_backward does):
 *   a = ∂mse/∂Z + c_reg ‖d_j‖,  c_reg = λ/(n d_z)     ∂loss/∂Z
 *   g = P > 20 ? a : (a·e)/(e + 1), e = exp(P)         ∂loss/∂P (softplus' backward)
 * then P, m, v ← Adam(P, g, m, v), or grad = g. */
static void backward_codes(const float *restrict pre, const float *restrict dmse, const float *restrict e_in,
                           size_t count, size_t dz, const float *restrict norms, float c_reg,
                           const BackwardOut *out)
{
    const __m256 creg = _mm256_set1_ps(c_reg);
    size_t j = 0;
    for (size_t k = 0; k < count; k += 8) {
        const size_t left = count - k;
        const __m256i mask = vm_lanes(left);
        const __m256 x = vm_load8(pre + k, left, mask);
        const __m256 a = _mm256_add_ps(vm_load8(dmse + k, left, mask),
                                       _mm256_mul_ps(creg, _mm256_loadu_ps(norms + j)));
        const __m256 e = e_in ? vm_load8(e_in + k, left, mask) : vm_exp8(x);
        const __m256 g = softplus_backward8(a, x, e);
        if (out->step) {
            __m256 mk = vm_load8(out->m1 + k, left, mask), vk = vm_load8(out->m2 + k, left, mask);
            vm_store8(out->p_out + k, adam_update8(out->step, x, g, &mk, &vk), left, mask);
            vm_store8(out->m1 + k, mk, left, mask);
            vm_store8(out->m2 + k, vk, left, mask);
        } else {
            vm_store8(out->grad + k, g, left, mask);
        }
        for (j += 8; j >= dz;)
            j -= dz;
    }
}


typedef struct {
    const SoftplusAdamModel *m;
    const SoftplusAdamWork *w;
    double lambda;
    BackwardOut out;        /* from the parameter buffer's start */
} BackwardPass;

/* The backward pass over block b, Z holding ∂mse/∂Z, exp(P) recomputed. */
static void backward_block(void *ctx, size_t b)
{
    const BackwardPass *bp = ctx;
    const size_t dz = bp->m->d_z;
    const Block blk = block_at(bp->m, bp->w, NULL, NULL, b);
    const BackwardOut *o = &bp->out;
    const BackwardOut out = o->step ? (BackwardOut){o->step, o->p_out + blk.offset, o->m1 + blk.offset,
                                                    o->m2 + blk.offset, NULL}
                                    : (BackwardOut){.grad = o->grad + blk.offset};
    backward_codes(bp->m->params + blk.offset, blk.z, NULL, blk.rows * dz, dz, bp->w->norms,
                   c_reg_of(bp->lambda, blk.n, dz), &out);
}

/* Forward, loss, ∂loss/∂D into g_d, and ∂mse/∂Z over the codes, with the
 * whole splits' products (on BLIS's threads). */
static float forward_and_products(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                                  double lambda, float *g_d, SoftplusAdamWork *w)
{
    SoftplusAdamLoss t;
    forward_all(m, y_val, y_ood, w, &t);
    /* D first (needs Z_val), then the codes' ∂mse/∂Z (over Z) */
    backward_dictionary(&w->r_val, &w->z_val, &m->d, w->norms, w->colsum, lambda, g_d);
    mse_grad_codes(&w->r_val, &m->d, &w->z_val);
    mse_grad_codes(&w->r_ood, &m->d, &w->z_ood);
    return loss_of(&t, lambda);
}

float softplus_adam_loss_grad(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                              double lambda, float *grad, SoftplusAdamWork *w)
{
    float loss = forward_and_products(m, y_val, y_ood, lambda, grad, w);
    BackwardPass bp = {m, w, lambda, {.grad = grad}};
    for_each_block(w->threads, w->blocks_val + w->blocks_ood, backward_block, &bp);
    return loss;
}

/* The step as two passes over the codes around the whole splits' products:
 * where a block's codes would not stay in cache (block_fits_cache). */
static float step_by_splits(SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood, double lambda,
                            const AdamStep *step, Adam *adam, SoftplusAdamWork *w)
{
    float loss = forward_and_products(m, y_val, y_ood, lambda, w->grad_d, w);
    BackwardPass bp = {m, w, lambda, {step, m->params, adam->m, adam->v, NULL}};
    for_each_block(w->threads, w->blocks_val + w->blocks_ood, backward_block, &bp);
    return loss;
}

typedef struct {
    const SoftplusAdamModel *m;
    SoftplusAdamWork *w;
    const Mat *y_val, *y_ood;
    double lambda;
    const AdamStep *step;
    float *params, *mom1, *mom2;   /* updated in place, the params layout */
} FusedStep;

/* Block b's whole step, on one thread, its codes in cache throughout:
 *   Z = softplus(P), E = exp(P), column sums of Z          (rows × d_z)
 *   R = Z Dᵀ − Y and Σ R²                                   (rows × d_y)
 *   G = (2/(n d_y)) R D = ∂mse/∂Z                           (rows × d_z)
 *   the backward pass and Adam's update of the block's P.
 * Z and R stay in the work space (Z_val, R_val give ∂loss/∂D afterwards). */
static void fused_block(void *ctx, size_t b)
{
    const FusedStep *f = ctx;
    const SoftplusAdamModel *m = f->m;
    const size_t dz = m->d_z, dy = m->d_y, codes = f->w->block_rows * dz;
    const Block blk = block_at(m, f->w, f->y_val, f->y_ood, b);
    float *e = sk_scratch_slot(&f->w->scratch), *dmse = e + codes;
    const float *pre = m->params + blk.offset;
    forward_codes(pre, blk.rows, dz, blk.z, e, f->w->block_colsum + b * dz);
    sk_gemm_on_this_thread(false, true, blk.rows, dy, dz, 1.0f, blk.z, dz, m->d.v, dz, 0.0f, blk.r, dy);
    f->w->block_sumsq[b] = subtract_sum_squares(blk.r, blk.y, blk.rows * dy);
    sk_gemm_on_this_thread(false, false, blk.rows, dz, dy, c_mse_of(blk.n, dy), blk.r, dy, m->d.v, dz, 0.0f,
                           dmse, dz);
    const BackwardOut out = {f->step, f->params + blk.offset, f->mom1 + blk.offset, f->mom2 + blk.offset, NULL};
    backward_codes(pre, dmse, e, blk.rows * dz, dz, f->w->norms, c_reg_of(f->lambda, blk.n, dz), &out);
}

/* The step block by block (fused_block), then ∂loss/∂D from the val
 * split's Z and R (D as it was: the blocks updated only P). */
static float step_by_blocks(SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood, double lambda,
                            const AdamStep *step, Adam *adam, SoftplusAdamWork *w)
{
    column_norms(&m->d, w->colsum, w->norms);
    FusedStep f = {m, w, y_val, y_ood, lambda, step, m->params, adam->m, adam->v};
    const int threads = sk_scratch_threads(&w->scratch, w->threads);
    for_each_block(threads, w->blocks_val + w->blocks_ood, fused_block, &f);
    SoftplusAdamLoss t;
    loss_terms(m, w, &t);
    backward_dictionary(&w->r_val, &w->z_val, &m->d, w->norms, w->colsum, lambda, w->grad_d);
    return loss_of(&t, lambda);
}

float softplus_adam_step(SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood, double lambda,
                         Adam *adam, double lr, SoftplusAdamWork *w)
{
    AdamStep step = adam_begin_step(adam, lr);
    float loss = block_fits_cache(m->d_z) ? step_by_blocks(m, y_val, y_ood, lambda, &step, adam, w)
                                          : step_by_splits(m, y_val, y_ood, lambda, &step, adam, w);
    /* D: its gradient is in grad_d; its moments are the buffer's first d_y·d_z */
    adam_update_range(&step, m->d_y * m->d_z, m->params, w->grad_d, adam->m, adam->v);
    return loss;
}

/* ---- training -------------------------------------------------------------- */

void softplus_adam_history_release(SoftplusAdamHistory *h)
{
    free(h->loss);
    free(h->lr);
    memset(h, 0, sizeof *h);
}

/* The adaptive learning rate of SPEC §3, stepped on each step's loss. */
typedef struct {
    double lr, best;
    long bad;
} LrSchedule;

static void lr_schedule_step(LrSchedule *s, double loss, const SoftplusAdamOptions *o)
{
    if (loss < s->best) {
        s->best = loss;
        s->bad = 0;
        s->lr *= o->lr_up;
    } else if (++s->bad >= o->lr_patience) {
        s->lr *= o->lr_down;
        s->bad = 0;
    }
    s->lr = fmin(fmax(s->lr, o->lr_min), o->lr_max);
}

int softplus_adam_train(SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                        const SoftplusAdamOptions *o, SoftplusAdamHistory *h, SkErr *err)
{
    memset(h, 0, sizeof *h);
    if (y_val->rows != m->n_val || y_ood->rows != m->n_ood || y_val->cols != m->d_y ||
        y_ood->cols != m->d_y)
        return sk_fail(err, "Softplus-Adam: samples do not match the model's shapes");
    size_t cap = o->max_steps > 0 ? (size_t)o->max_steps : 1;
    h->loss = malloc(cap * sizeof *h->loss);
    h->lr = malloc(cap * sizeof *h->lr);
    SoftplusAdamWork w;
    Adam adam;
    memset(&w, 0, sizeof w);
    memset(&adam, 0, sizeof adam);
    int rc = 0;
    if (!h->loss || !h->lr)
        rc = sk_fail(err, "out of memory for Softplus-Adam's history");
    if (rc == 0)
        rc = softplus_adam_work_init(&w, m, err);
    if (o->threads > 0)
        w.threads = o->threads;
    if (rc == 0)
        rc = adam_init(&adam, m->n_params, err);
    LrSchedule sched = {o->lr, INFINITY, 0};
    double stop_best = INFINITY;
    long since_improved = 0;
    for (long t = 1; rc == 0 && t <= o->max_steps; t++) {
        /* loss_t at the current parameters, then Adam with the current lr */
        float loss = softplus_adam_step(m, y_val, y_ood, o->lambda, &adam, sched.lr, &w);
        if (!isfinite(loss)) {
            rc = sk_fail(err, "loss is %s at step %ld", isnan(loss) ? "nan" : "infinite", t);
            break;
        }
        lr_schedule_step(&sched, loss, o);
        h->loss[h->steps] = loss;
        h->lr[h->steps] = sched.lr;
        h->steps++;
        if (loss < stop_best - o->stop_min_delta) {
            stop_best = loss;
            since_improved = 0;
        } else {
            since_improved++;
        }
        if (o->progress)
            o->progress(o->progress_user, t, o->max_steps, loss, sched.lr);
        if (t > o->stop_after && since_improved >= o->stop_patience) {
            h->early_stopped = true;
            break;
        }
    }
    if (rc == 0) {
        Mat all = {1, m->n_params, m->params};
        if (!mat_all_finite(&all))
            rc = sk_fail(err, "parameters are not finite after step %ld", h->steps);
    }
    adam_release(&adam);
    softplus_adam_work_release(&w);
    if (rc)
        softplus_adam_history_release(h);
    return rc;
}

int softplus_adam_codes(const SoftplusAdamModel *m, Mat *z_val, Mat *z_ood, SkErr *err)
{
    if (mat_alloc(z_val, m->n_val, m->d_z, err))
        return -1;
    if (mat_alloc(z_ood, m->n_ood, m->d_z, err)) {
        mat_release(z_val);
        return -1;
    }
    softplus_codes(m->pre_val.v, mat_size(z_val), z_val->v, NULL);
    softplus_codes(m->pre_ood.v, mat_size(z_ood), z_ood->v, NULL);
    return 0;
}

int softplus_adam_threads(long requested, size_t rows, size_t dy, size_t dz)
{
    double macs = (double)rows * (double)dy * (double)dz;
    return sk_threads_for_work(requested, macs, 2e7);
}
