/* sae.c — the SPEC §3 sparse autoencoders; see sae.h for shapes and layout. */
#include "sae.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adamw.h"
#include "gemm.h"
#include "rng.h"

#ifdef __AVX__
#include <immintrin.h>
#endif

const char *const SAE_VARIANT_NAMES[] = {"relu", "topk", "jumprelu", "mp", NULL};

/* TopK and MP: k codes a row, kept as idx/val, their gradients sparse. */
static bool is_sparse(const SaeConfig *c)
{
    return c->variant == SAE_TOPK || c->variant == SAE_MP;
}

const char *sae_variant_name(SaeVariant v)
{
    return (unsigned)v < 4 ? SAE_VARIANT_NAMES[v] : "unknown";
}

int sae_variant_parse(const char *name, SaeVariant *out)
{
    for (int v = 0; v < 4; v++)
        if (strcmp(name, SAE_VARIANT_NAMES[v]) == 0) {
            *out = (SaeVariant)v;
            return 0;
        }
    return -1;
}

/* ---- layout ------------------------------------------------------------ */

size_t sae_param_count(const SaeConfig *c)
{
    size_t n = 2 * c->width * c->d_y + c->width + c->d_y;
    return c->variant == SAE_JUMPRELU ? n + c->width : n;
}

void sae_layout(const SaeConfig *c, float *buf, SaeParams *out)
{
    size_t wd = c->width * c->d_y;
    out->w_enc = buf;
    out->b_enc = buf + wd;
    out->dec = out->b_enc + c->width;
    out->b_dec = out->dec + wd;
    out->log_theta = c->variant == SAE_JUMPRELU ? out->b_dec + c->d_y : NULL;
}

int sae_alloc(Sae *m, const SaeConfig *cfg, SkErr *err)
{
    memset(m, 0, sizeof *m);
    if ((unsigned)cfg->variant > SAE_MP)
        return sk_fail(err, "unknown SAE variant %d", (int)cfg->variant);
    if (cfg->d_y == 0 || cfg->width == 0)
        return sk_fail(err, "SAE of width %zu on d_y = %zu: both must be >= 1", cfg->width, cfg->d_y);
    if (is_sparse(cfg) && (cfg->k < 1 || cfg->k > cfg->width))
        return sk_fail(err, "%s SAE: k = %zu must be in [1, width = %zu]",
                       sae_variant_name(cfg->variant), cfg->k, cfg->width);
    size_t wd, n;
    if (!sk_mul_size(cfg->width, cfg->d_y, &wd) || wd > ((size_t)-1 / sizeof(float) - 8 * cfg->width - 8 * cfg->d_y) / 4)
        return sk_fail(err, "SAE of width %zu on d_y = %zu is too large", cfg->width, cfg->d_y);
    m->cfg = *cfg;
    n = sae_param_count(cfg);
    m->n_params = n;
    m->params = calloc(n, sizeof(float));
    if (!m->params)
        return sk_fail(err, "out of memory for an SAE of %zu parameters", n);
    sae_layout(cfg, m->params, &m->p);
    m->trained_offset = cfg->variant == SAE_MP ? (size_t)(m->p.dec - m->params) : 0;
    return 0;
}

void sae_release(Sae *m)
{
    free(m->params);
    memset(m, 0, sizeof *m);
}

/* Rows whose norms row_norms sums side by side. */
enum { NORM_ROWS = 8 };

/* norms[j] = (float)√(Σ_i x_ji²) for the rows of x (rows × cols), each sum in
 * double in index order; NORM_ROWS rows side by side, one chain each (the
 * same sums as a row at a time, without waiting on one chain's latency). */
static void row_norms(const float *x, size_t rows, size_t cols, float *norms)
{
    size_t j = 0;
    for (; j + NORM_ROWS <= rows; j += NORM_ROWS) {
        const float *r = x + j * cols;
        double s[NORM_ROWS] = {0};
        for (size_t i = 0; i < cols; i++)
            for (size_t l = 0; l < NORM_ROWS; l++)
                s[l] += (double)r[l * cols + i] * r[l * cols + i];
        for (size_t l = 0; l < NORM_ROWS; l++)
            norms[j + l] = (float)sqrt(s[l]);
    }
    for (; j < rows; j++) {
        const float *r = x + j * cols;
        double s = 0.0;
        for (size_t i = 0; i < cols; i++)
            s += (double)r[i] * r[i];
        norms[j] = (float)sqrt(s);
    }
}

/* out = x / d elementwise (n floats; out may be x): correctly rounded
 * division, 8 lanes at a time (the same bits as the scalar loop). */
static void divide_by(const float *x, float d, float *out, size_t n)
{
    size_t i = 0;
#ifdef __AVX__
    const __m256 dv = _mm256_set1_ps(d);
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_div_ps(_mm256_loadu_ps(x + i), dv));
#endif
    for (; i < n; i++)
        out[i] = x[i] / d;
}

/* Scale each of rows rows of x (rows × cols) to unit L2 norm (norm 0: left). */
static void normalize_rows(float *x, size_t rows, size_t cols)
{
    float norms[NORM_ROWS];
    for (size_t j0 = 0; j0 < rows; j0 += NORM_ROWS) {
        size_t nr = rows - j0 < NORM_ROWS ? rows - j0 : NORM_ROWS;
        row_norms(x + j0 * cols, nr, cols, norms);
        for (size_t l = 0; l < nr; l++)
            if (norms[l] > 0.0f)
                divide_by(x + (j0 + l) * cols, norms[l], x + (j0 + l) * cols, cols);
    }
}

void sae_init(Sae *m, uint64_t seed)
{
    const SaeConfig *c = &m->cfg;
    size_t wd = c->width * c->d_y;
    Rng r;
    rng_init(&r, seed, SAE_STREAM_INIT);
    /* W_enc ~ Uniform(−1/√d_y, 1/√d_y), row-major; the same draws for every variant. */
    double bound = 1.0 / sqrt((double)c->d_y);
    for (size_t i = 0; i < wd; i++)
        m->p.w_enc[i] = (float)((2.0 * rng_uniform(&r) - 1.0) * bound);
    memset(m->p.b_enc, 0, c->width * sizeof(float));
    memset(m->p.b_dec, 0, c->d_y * sizeof(float));
    /* W_dec = W_encᵀ with unit columns: atom rows D_j = W_enc row j / ‖·‖. */
    memcpy(m->p.dec, m->p.w_enc, wd * sizeof(float));
    normalize_rows(m->p.dec, c->width, c->d_y);
    if (m->p.log_theta)
        for (size_t j = 0; j < c->width; j++)
            m->p.log_theta[j] = (float)log(SAE_JUMP_THETA0);
}

/* ---- scratch ------------------------------------------------------------ */

static bool mp_uses_gram(const SaeConfig *c);

int sae_work_alloc(SaeWork *w, const SaeConfig *c, size_t max_rows, SkErr *err)
{
    memset(w, 0, sizeof *w);
    size_t n = max_rows ? max_rows : 1, dy = c->d_y, wi = c->width;
    size_t k = is_sparse(c) ? c->k : 1;
    w->max_rows = n;
    w->yc = malloc(n * dy * sizeof(float));
    w->pre = malloc(n * wi * sizeof(float));
    w->z = malloc(n * wi * sizeof(float));
    w->rec = malloc(n * dy * sizeof(float));
    w->g_rec = malloc(n * dy * sizeof(float));
    w->g_z = malloc(n * wi * sizeof(float));
    w->idx = malloc(n * k * sizeof(size_t));
    w->val = malloc(n * k * sizeof(float));
    w->res = malloc(k * n * dy * sizeof(float));
    w->unit = c->variant == SAE_MP ? malloc(wi * dy * sizeof(float)) : malloc(sizeof(float));
    w->gram = mp_uses_gram(c) ? malloc(wi * wi * sizeof(float)) : malloc(sizeof(float));
    w->norms = malloc(wi * sizeof(float));
    w->theta = malloc(wi * sizeof(float));
    w->rec_scratch = malloc(wi * sizeof(float));
    w->acc = malloc((wi + dy) * sizeof(double));
    w->vec = malloc(2 * dy * sizeof(float));
    w->active = calloc(wi, 1);
    if (!w->yc || !w->pre || !w->z || !w->rec || !w->g_rec || !w->g_z || !w->idx || !w->val ||
        !w->res || !w->unit || !w->norms || !w->theta || !w->acc || !w->vec || !w->rec_scratch || !w->gram ||
        sk_scratch_init(&w->cand, wi * sizeof(size_t), c->variant == SAE_TOPK ? sk_gemm_get_threads() : 1) ||
        !w->active) {
        sae_work_release(w);
        return sk_fail(err, "out of memory for SAE scratch (%zu rows × width %zu)", n, wi);
    }
    return 0;
}

void sae_work_release(SaeWork *w)
{
    free(w->yc), free(w->pre), free(w->z), free(w->rec), free(w->g_rec), free(w->g_z);
    free(w->idx), free(w->val), free(w->res), free(w->unit), free(w->norms), free(w->theta);
    free(w->acc), free(w->vec), free(w->rec_scratch), free(w->gram);
    sk_scratch_release(&w->cand);
    free(w->active);
    memset(w, 0, sizeof *w);
}

/* ---- small vector helpers ------------------------------------------------ */

/* The loops below are written in 8-lane blocks over restrict pointers: GCC at
 * -O2 vectorises a fixed 8-iteration inner loop (not a plain loop of unknown
 * length). Elementwise results do not depend on it; sums are in 8 lanes, then
 * across lanes (a fixed order, so runs are reproducible). */
#define LANES 8

/* a · b */
static float dot(const float *restrict a, const float *restrict b, size_t n)
{
    float acc[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (size_t l = 0; l < LANES; l++)
            acc[l] += a[i + l] * b[i + l];
    float s = 0.0f;
    for (size_t l = 0; l < LANES; l++)
        s += acc[l];
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* y += a x */
static void axpy(float a, const float *restrict x, float *restrict y, size_t n)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (size_t l = 0; l < LANES; l++)
            y[i + l] += a * x[i + l];
    for (; i < n; i++)
        y[i] += a * x[i];
}

/* y *= a */
static void scale(float a, float *restrict y, size_t n)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (size_t l = 0; l < LANES; l++)
            y[i + l] *= a;
    for (; i < n; i++)
        y[i] *= a;
}

/* acc (n, double) += x (float) */
static void add_to_double(const float *restrict x, double *restrict acc, size_t n)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (size_t l = 0; l < LANES; l++)
            acc[i + l] += (double)x[i + l];
    for (; i < n; i++)
        acc[i] += (double)x[i];
}

/* out (cols) = Σ over rows of x (rows × cols), summed in double. */
static void column_sums(const float *x, size_t rows, size_t cols, double *acc, float *out)
{
    memset(acc, 0, cols * sizeof *acc);
    for (size_t s = 0; s < rows; s++)
        add_to_double(x + s * cols, acc, cols);
    for (size_t i = 0; i < cols; i++)
        out[i] = (float)acc[i];
}

/* ---- forward ------------------------------------------------------------ */

/* pre (n × w) = yc (n × d_y) · W_encᵀ + b_enc */
static void encoder_forward(const Sae *m, size_t n, SaeWork *w)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    for (size_t s = 0; s < n; s++)
        memcpy(w->pre + s * wi, m->p.b_enc, wi * sizeof(float));
    sk_gemm(false, true, n, wi, dy, 1.0f, w->yc, dy, m->p.w_enc, dy, 1.0f, w->pre, wi);
}

#ifdef __AVX__
/* Σ of the 8 floats of x, added to two 4-lane double accumulators. */
static inline void add_lanes_pd(__m256 x, __m256d *lo, __m256d *hi)
{
    *lo = _mm256_add_pd(*lo, _mm256_cvtps_pd(_mm256_castps256_ps128(x)));
    *hi = _mm256_add_pd(*hi, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)));
}

static inline double sum_lanes_pd(__m256d lo, __m256d hi)
{
    double v[8];
    _mm256_storeu_pd(v, lo);
    _mm256_storeu_pd(v + 4, hi);
    double s = 0.0;
    for (int l = 0; l < 8; l++)
        s += v[l];
    return s;
}

static inline size_t count_mask(__m256 mask)
{
    return (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(mask));
}
#endif

/* ReLU: z = max(pre, 0); reg = mean over rows of ‖z‖₁. Returns reg; *nnz
 * counts the non-zero codes. (Vector and scalar paths give the same codes;
 * the L1 sum is in double, in lanes on the vector path.) */
static double relu_forward(const Sae *m, size_t n, SaeWork *w, size_t *nnz)
{
    const float *pre = w->pre;
    float *z = w->z;
    size_t total = n * m->cfg.width, i = 0, count = 0;
    double l1 = 0.0;
#ifdef __AVX__
    const __m256 zero = _mm256_setzero_ps();
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
    for (; i + 8 <= total; i += 8) {
        __m256 x = _mm256_max_ps(_mm256_loadu_ps(pre + i), zero);   /* = pre > 0 ? pre : 0 */
        _mm256_storeu_ps(z + i, x);
        count += count_mask(_mm256_cmp_ps(x, zero, _CMP_GT_OQ));
        add_lanes_pd(x, &lo, &hi);
    }
    l1 = sum_lanes_pd(lo, hi);
#endif
    for (; i < total; i++) {
        z[i] = pre[i] > 0.0f ? pre[i] : 0.0f;
        l1 += z[i];
        count += z[i] > 0.0f;
    }
    *nnz = count;
    return l1 / (double)n;
}

/* Put x (latent j) into best/idx (count ≤ k kept, descending); equal values
 * keep index order (strict >). */
static inline void topk_insert(float x, size_t j, float *best, size_t *idx, size_t *count, size_t k)
{
    size_t pos = *count < k ? (*count)++ : k - 1;
    while (pos > 0 && x > best[pos - 1]) {
        best[pos] = best[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
    }
    best[pos] = x;
    idx[pos] = j;
}

/* The k largest of pre (wi values), signed order, ties to the lower index,
 * by insertion over the whole row. */
static void topk_select_scan(const float *pre, size_t wi, size_t k, float *best, size_t *idx)
{
    size_t count = 0;
    for (size_t j = 0; j < wi; j++)
        if (count < k || pre[j] > best[k - 1])
            topk_insert(pre[j], j, best, idx, &count, k);
}

/* Largest of x[0..n), n >= 1 (NaN aside). */
static float max_of(const float *x, size_t n)
{
    float m = x[0];
    size_t i = 0;
#ifdef __AVX__
    if (n >= 8) {
        __m256 v = _mm256_loadu_ps(x);
        for (i = 8; i + 8 <= n; i += 8)
            v = _mm256_max_ps(v, _mm256_loadu_ps(x + i));
        float lanes[8];
        _mm256_storeu_ps(lanes, v);
        for (int l = 0; l < 8; l++)
            m = lanes[l] > m ? lanes[l] : m;
    }
#endif
    for (; i < n; i++)
        m = x[i] > m ? x[i] : m;
    return m;
}

#ifdef __AVX__
#define TOPK_RANK_MAX 64

/* Place each of the nc (≤ TOPK_RANK_MAX, non-NaN) candidates at its rank in
 * the order (value descending, index ascending) — rank = #{values above} +
 * #{equal values at lower indices} — keeping ranks < k: the same result as
 * insertion, without its unpredictable branches. */
static void topk_rank_candidates(const float *pre, const size_t *cand, size_t nc, size_t k,
                                 float *best, size_t *idx)
{
    float cv[TOPK_RANK_MAX + 8];
    for (size_t c = 0; c < nc; c++)
        cv[c] = pre[cand[c]];
    size_t padded = (nc + 7) & ~(size_t)7;
    for (size_t c = nc; c < padded; c++)
        cv[c] = NAN;   /* compares false */
    for (size_t a = 0; a < nc; a++) {
        __m256 v = _mm256_set1_ps(cv[a]);
        size_t above = 0, equal = 0;
        for (size_t b = 0; b < padded; b += 8) {
            __m256 x = _mm256_loadu_ps(cv + b);
            above += count_mask(_mm256_cmp_ps(x, v, _CMP_GT_OQ));
            equal += count_mask(_mm256_cmp_ps(x, v, _CMP_EQ_OQ));
        }
        size_t rank = above;
        if (equal > 1)   /* ties: the lower indices come first */
            for (size_t b = 0; b < a; b++)
                rank += cv[b] == cv[a];
        if (rank < k) {
            best[rank] = cv[a];
            idx[rank] = cand[a];
        }
    }
}
#endif

/* The same selection with few unpredictable branches: split the row into k
 * blocks; the smallest block maximum τ is a lower bound of the k-th largest
 * (each block holds an element ≥ τ), so only elements ≥ τ (typically ~2k of
 * them) go through the insertion, in index order. cand: wi scratch indices. */
static void topk_select(const float *pre, size_t wi, size_t k, float *best, size_t *idx,
                        size_t *cand)
{
    size_t block = (wi + k - 1) / k;
    float tau = INFINITY;
    for (size_t b0 = 0; b0 < wi; b0 += block) {
        float mx = max_of(pre + b0, wi - b0 < block ? wi - b0 : block);
        tau = mx < tau ? mx : tau;
    }
    size_t nc = 0, j = 0;
#ifdef __AVX__
    const __m256 t = _mm256_set1_ps(tau);
    for (; j + 8 <= wi; j += 8) {
        unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(pre + j), t, _CMP_GE_OQ));
        while (mask) {
            cand[nc++] = j + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
        }
    }
#endif
    for (; j < wi; j++)
        if (pre[j] >= tau)
            cand[nc++] = j;
    if (nc < k) {   /* only with NaNs: the plain scan decides */
        topk_select_scan(pre, wi, k, best, idx);
        return;
    }
#ifdef __AVX__
    if (nc <= TOPK_RANK_MAX) {
        topk_rank_candidates(pre, cand, nc, k, best, idx);
        return;
    }
#endif
    size_t count = 0;
    for (size_t c = 0; c < nc; c++)
        if (count < k || pre[cand[c]] > best[k - 1])
            topk_insert(pre[cand[c]], cand[c], best, idx, &count, k);
}

/* z (n × w) = 0 but for z[s, idx[s, t]] = val[s, t] (TopK, MP). */
static void scatter_codes(SaeWork *w, size_t n, size_t wi, size_t k)
{
    for (size_t s = 0; s < n; s++) {
        float *z = w->z + s * wi;
        memset(z, 0, wi * sizeof(float));
        for (size_t t = 0; t < k; t++)
            z[w->idx[s * k + t]] = w->val[s * k + t];
    }
}

/* TopK: per row the k largest pre-activations (signed order, ties to the lower
 * index), relu'd; the rest 0. idx/val keep them in descending order. Rows are
 * selected on the products' threads (each row's result is its own). The
 * dense codes z (n × w) are written only when dense_codes: training reads
 * idx/val alone, and clearing z costs 4·n·w bytes a step. */
static void topk_forward(const Sae *m, size_t n, SaeWork *w, bool dense_codes, size_t *nnz)
{
    const size_t wi = m->cfg.width, k = m->cfg.k;
    const int threads = sk_scratch_threads(&w->cand, sk_gemm_get_threads());
    size_t count = 0;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(+ : count) if (threads > 1 && n > 1)
    for (size_t s = 0; s < n; s++) {
        size_t *idx = w->idx + s * k;
        float *val = w->val + s * k;   /* pre-activations while selecting */
        topk_select(w->pre + s * wi, wi, k, val, idx, sk_scratch_slot(&w->cand));
        for (size_t t = 0; t < k; t++) {
            val[t] = val[t] > 0.0f ? val[t] : 0.0f;
            count += val[t] != 0.0f;
        }
    }
    if (dense_codes)
        scatter_codes(w, n, wi, k);
    *nnz = count;
}

/* JumpReLU: θ = exp(min(log θ, 20)), h = relu(pre), z = h·1[h > θ];
 * reg = mean over rows of #[z > θ] (= *nnz / n, as θ > 0). */
static double jumprelu_forward(const Sae *m, size_t n, SaeWork *w, size_t *nnz)
{
    size_t wi = m->cfg.width, count = 0;
    for (size_t j = 0; j < wi; j++)
        w->theta[j] = expf(fminf(m->p.log_theta[j], SAE_JUMP_LOG_CLAMP));
    const float *theta = w->theta;
    for (size_t s = 0; s < n; s++) {
        const float *pre = w->pre + s * wi;
        float *z = w->z + s * wi;
        size_t j = 0;
#ifdef __AVX__
        const __m256 zero = _mm256_setzero_ps();
        for (; j + 8 <= wi; j += 8) {
            __m256 h = _mm256_max_ps(_mm256_loadu_ps(pre + j), zero), th = _mm256_loadu_ps(theta + j);
            __m256 x = _mm256_and_ps(_mm256_cmp_ps(h, th, _CMP_GT_OQ), h);   /* h > θ ? h : 0 */
            _mm256_storeu_ps(z + j, x);
            count += count_mask(_mm256_cmp_ps(x, th, _CMP_GT_OQ));
        }
#endif
        for (; j < wi; j++) {
            float h = pre[j] > 0.0f ? pre[j] : 0.0f;
            z[j] = h > theta[j] ? h : 0.0f;
            count += z[j] > theta[j];
        }
    }
    *nnz = count;
    return (double)count / (double)n;
}

static bool chosen_before(const size_t *idx, size_t t, size_t j)
{
    for (size_t u = 0; u < t; u++)
        if (idx[u] == j)
            return true;
    return false;
}

/* argmax_j |c_j| over atoms not among idx[0..t) (ties: lowest index); the
 * chosen atoms' entries are 0 already, so they can only tie at 0. */
static size_t mp_argmax(const float *c, size_t wi, const size_t *idx, size_t t)
{
    float top = 0.0f;
    size_t j = 0;
#ifdef __AVX__
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 v = _mm256_setzero_ps();
    for (; j + 8 <= wi; j += 8)
        v = _mm256_max_ps(v, _mm256_andnot_ps(sign, _mm256_loadu_ps(c + j)));
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    for (int l = 0; l < 8; l++)
        top = lanes[l] > top ? lanes[l] : top;
#endif
    for (; j < wi; j++)
        top = fabsf(c[j]) > top ? fabsf(c[j]) : top;
    if (top > 0.0f) {   /* the first entry reaching it is unchosen (chosen ones are 0) */
        j = 0;
#ifdef __AVX__
        const __m256 t8 = _mm256_set1_ps(top);
        for (; j + 8 <= wi; j += 8) {
            __m256 a = _mm256_andnot_ps(sign, _mm256_loadu_ps(c + j));
            unsigned hit = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, t8, _CMP_EQ_OQ));
            if (hit)
                return j + (size_t)__builtin_ctz(hit);
        }
#endif
        for (; j < wi; j++)
            if (fabsf(c[j]) == top)
                return j;
    }
    /* all 0 (or NaN): the first unchosen atom with the largest |c| */
    size_t best = wi;
    float best_abs = -1.0f;
    for (j = 0; j < wi; j++)
        if (fabsf(c[j]) > best_abs && !chosen_before(idx, t, j)) {
            best_abs = fabsf(c[j]);
            best = j;
        }
    for (j = 0; best == wi && j < wi; j++)   /* NaN everywhere: any unchosen; the loss reports it */
        if (!chosen_before(idx, t, j))
            best = j;
    return best;
}

/* MP uses the Gram matrix Â Âᵀ (w × w) to update its correlations when that
 * is cheaper than k products with Â: w ≤ 64 (k − 1). The choice depends on
 * the model only, so a batch and its rows one by one take the same path. */
static bool mp_uses_gram(const SaeConfig *c)
{
    return c->variant == SAE_MP && c->k > 1 && c->width <= 64 * (c->k - 1);
}

/* MP: Â = D with unit rows, r_0 = y − b_dec; k times: c = Â r with chosen
 * atoms' entries 0, i = argmax |c| (ties: lowest index), z_i = c_i,
 * r −= z_i â_i. The correlations of the whole batch come from one gemm per
 * step, or (small widths) from one gemm and then c −= z_i Â â_i with the Gram
 * matrix; both are Â r up to float rounding. Returns the non-zero codes. */
static size_t mp_forward(const Sae *m, size_t n, SaeWork *w, bool dense_codes)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width, k = m->cfg.k;
    bool gram = mp_uses_gram(&m->cfg);
    row_norms(m->p.dec, wi, dy, w->norms);
    for (size_t j = 0; j < wi; j++)
        divide_by(m->p.dec + j * dy, w->norms[j], w->unit + j * dy, dy);
    if (gram)
        sk_gemm(false, true, wi, wi, dy, 1.0f, w->unit, dy, w->unit, dy, 0.0f, w->gram, wi);
    memcpy(w->res, w->yc, n * dy * sizeof(float));
    for (size_t t = 0; t < k; t++) {
        float *r = w->res + t * n * dy;
        if (t == 0 || !gram)
            sk_gemm(false, true, n, wi, dy, 1.0f, r, dy, w->unit, dy, 0.0f, w->pre, wi);
        for (size_t s = 0; s < n; s++) {
            float *c = w->pre + s * wi;
            size_t *idx = w->idx + s * k;
            for (size_t u = 0; u < t; u++)
                c[idx[u]] = 0.0f;
            size_t best = mp_argmax(c, wi, idx, t);
            float z = c[best];
            idx[t] = best;
            w->val[s * k + t] = z;
            if (t + 1 < k) {
                float *next = w->res + (t + 1) * n * dy + s * dy;
                memcpy(next, r + s * dy, dy * sizeof(float));
                axpy(-z, w->unit + best * dy, next, dy);   /* r_{t+1} = r_t − z â */
                if (gram)
                    axpy(-z, w->gram + best * wi, c, wi);
            }
        }
    }
    size_t nnz = 0;
    for (size_t i = 0; i < n * k; i++)
        nnz += w->val[i] != 0.0f;
    if (dense_codes)
        scatter_codes(w, n, wi, k);
    return nnz;
}

/* ŷ = z D + b_dec: dense gemm, or over each row's k atoms (atoms: D or Â). */
static void decode(const Sae *m, size_t n, const float *atoms, bool sparse, SaeWork *w)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width, k = m->cfg.k;
    if (!sparse)
        sk_gemm(false, false, n, dy, wi, 1.0f, w->z, wi, atoms, dy, 0.0f, w->rec, dy);
    for (size_t s = 0; s < n; s++) {
        float *rec = w->rec + s * dy;
        if (sparse) {
            memset(rec, 0, dy * sizeof(float));
            for (size_t t = 0; t < k; t++)
                if (w->val[s * k + t] != 0.0f)
                    axpy(w->val[s * k + t], atoms + w->idx[s * k + t] * dy, rec, dy);
        }
        for (size_t i = 0; i < dy; i++)
            rec[i] += m->p.b_dec[i];
    }
}

/* Σ (a − b)², in double. */
static double squared_error(const float *a, const float *b, size_t total)
{
    size_t i = 0;
    double se = 0.0;
#ifdef __AVX__
    __m256d acc = _mm256_setzero_pd();
    for (; i + 4 <= total; i += 4) {
        __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i)), _mm256_cvtps_pd(_mm_loadu_ps(b + i)));
        acc = _mm256_add_pd(acc, _mm256_mul_pd(d, d));
    }
    double v[4];
    _mm256_storeu_pd(v, acc);
    se = (v[0] + v[1]) + (v[2] + v[3]);
#endif
    for (; i < total; i++) {
        double d = (double)a[i] - b[i];
        se += d * d;
    }
    return se;
}

/* sae_forward; dense_codes: also write the dense codes z (the sparse variants,
 * TopK and MP, need only idx/val to train). */
static void forward(const Sae *m, const float *y, size_t n, SaeWork *w, SaeLoss *loss, bool dense_codes)
{
    const SaeConfig *c = &m->cfg;
    size_t dy = c->d_y;
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < dy; i++)
            w->yc[s * dy + i] = y[s * dy + i] - m->p.b_dec[i];
    double reg = 0.0;
    size_t nnz = 0;
    switch (c->variant) {
    case SAE_RELU: encoder_forward(m, n, w); reg = relu_forward(m, n, w, &nnz); break;
    case SAE_TOPK: encoder_forward(m, n, w); topk_forward(m, n, w, dense_codes, &nnz); break;
    case SAE_JUMPRELU: encoder_forward(m, n, w); reg = jumprelu_forward(m, n, w, &nnz); break;
    case SAE_MP: nnz = mp_forward(m, n, w, dense_codes); break;
    }
    bool sparse = is_sparse(c);
    decode(m, n, c->variant == SAE_MP ? w->unit : m->p.dec, sparse, w);
    if (!loss)
        return;
    double se = squared_error(w->rec, y, n * dy);
    loss->recon = se / (double)(n * dy);
    loss->reg = reg;
    loss->loss = loss->recon + (double)c->gamma * reg;
    loss->l0 = (double)nnz / (double)n;
}

void sae_forward(const Sae *m, const float *y, size_t n, SaeWork *w, SaeLoss *loss)
{
    forward(m, y, n, w, loss, true);
}

/* ---- backward ----------------------------------------------------------- */

/* ∂loss/∂pre (in g_z, n × w) → ∂W_enc = g_preᵀ yc, ∂b_enc = Σ_rows g_pre, and
 * ∂b_dec −= Σ_rows g_pre W_enc = ∂b_enc · W_enc (yc = y − b_dec). */
static void encoder_backward_dense(const Sae *m, size_t n, SaeWork *w, SaeParams *g)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    sk_gemm(true, false, wi, dy, n, 1.0f, w->g_z, wi, w->yc, dy, 0.0f, g->w_enc, dy);
    column_sums(w->g_z, n, wi, w->acc, g->b_enc);
}

/* ∂b_dec −= ∂b_enc · W_enc (1 × w times w × d_y), summed in double. */
static void bias_through_encoder(const Sae *m, SaeParams *g, double *acc)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    memset(acc, 0, dy * sizeof *acc);
    for (size_t j = 0; j < wi; j++) {
        if (g->b_enc[j] == 0.0f)
            continue;
        const double gj = g->b_enc[j];
        const float *restrict we = m->p.w_enc + j * dy;
        double *restrict a = acc;
        size_t i = 0;
        for (; i + LANES <= dy; i += LANES)
            for (size_t l = 0; l < LANES; l++)
                a[i + l] += gj * (double)we[i + l];
        for (; i < dy; i++)
            a[i] += gj * (double)we[i];
    }
    for (size_t i = 0; i < dy; i++)
        g->b_dec[i] -= (float)acc[i];
}

/* ReLU: g_pre = (g_z + γ/n · sign z) · 1[z > 0]. */
static void relu_backward(const Sae *m, size_t n, SaeWork *w)
{
    const float reg = m->cfg.gamma / (float)n;
    const float *z = w->z;
    float *g = w->g_z;
    size_t total = n * m->cfg.width, i = 0;
#ifdef __AVX__
    const __m256 zero = _mm256_setzero_ps(), r = _mm256_set1_ps(reg);
    for (; i + 8 <= total; i += 8) {
        __m256 on = _mm256_cmp_ps(_mm256_loadu_ps(z + i), zero, _CMP_GT_OQ);
        _mm256_storeu_ps(g + i, _mm256_and_ps(on, _mm256_add_ps(_mm256_loadu_ps(g + i), r)));
    }
#endif
    for (; i < total; i++)
        g[i] = z[i] > 0.0f ? g[i] + reg : 0.0f;
}

/* JumpReLU straight-through: g_pre = 1[h > θ] g_z (h > θ > 0 implies pre > 0);
 * ∂θ_j = Σ_rows −(θ/ε) rect((h − θ)/ε) g_z + (γ/n) Σ_rows −(1/ε) rect((z − θ)/ε);
 * ∂log θ = θ ∂θ (exp's chain rule; 0 above the clamp). Per row the two terms
 * add in float, rows add in double. */
static void jumprelu_backward(const Sae *m, size_t n, SaeWork *w, SaeParams *g)
{
    size_t wi = m->cfg.width;
    const float eps = SAE_JUMP_BANDWIDTH;
    const float reg_term = -(1.0f / eps) * (m->cfg.gamma / (float)n);
    const float *theta = w->theta;
    float *row_gth = w->rec_scratch;
    double *acc = w->acc;
    memset(acc, 0, wi * sizeof *acc);
    for (size_t s = 0; s < n; s++) {
        const float *pre = w->pre + s * wi, *z = w->z + s * wi;
        float *gz = w->g_z + s * wi;
        size_t j = 0;
#ifdef __AVX__
        const __m256 zero = _mm256_setzero_ps(), half = _mm256_set1_ps(0.5f),
                     ve = _mm256_set1_ps(eps), vreg = _mm256_set1_ps(reg_term),
                     sign = _mm256_set1_ps(-0.0f);
        for (; j + 8 <= wi; j += 8) {
            __m256 th = _mm256_loadu_ps(theta + j), gzj = _mm256_loadu_ps(gz + j);
            __m256 h = _mm256_max_ps(_mm256_loadu_ps(pre + j), zero);
            __m256 u_h = _mm256_andnot_ps(sign, _mm256_div_ps(_mm256_sub_ps(h, th), ve));
            __m256 u_z = _mm256_andnot_ps(sign, _mm256_div_ps(_mm256_sub_ps(_mm256_loadu_ps(z + j), th), ve));
            __m256 coef = _mm256_xor_ps(sign, _mm256_div_ps(th, ve));   /* −(θ/ε) */
            __m256 from_code = _mm256_and_ps(_mm256_cmp_ps(u_h, half, _CMP_LE_OQ), _mm256_mul_ps(coef, gzj));
            __m256 from_reg = _mm256_and_ps(_mm256_cmp_ps(u_z, half, _CMP_LE_OQ), vreg);
            _mm256_storeu_ps(row_gth + j, _mm256_add_ps(from_code, from_reg));
            _mm256_storeu_ps(gz + j, _mm256_and_ps(_mm256_cmp_ps(h, th, _CMP_GT_OQ), gzj));
        }
#endif
        for (; j < wi; j++) {
            float th = theta[j], h = pre[j] > 0.0f ? pre[j] : 0.0f;
            float from_code = fabsf((h - th) / eps) <= 0.5f ? -(th / eps) * gz[j] : 0.0f;
            float from_reg = fabsf((z[j] - th) / eps) <= 0.5f ? reg_term : 0.0f;
            row_gth[j] = from_code + from_reg;
            gz[j] = h > th ? gz[j] : 0.0f;
        }
        add_to_double(row_gth, acc, wi);
    }
    for (size_t j = 0; j < wi; j++)
        g->log_theta[j] = m->p.log_theta[j] <= SAE_JUMP_LOG_CLAMP ? (float)acc[j] * w->theta[j] : 0.0f;
}

/* TopK, over each row's k kept latents (z > 0; relu passes nothing at 0):
 * ∂D_j += z_j g_rec, g_pre_j = g_rec · D_j, ∂b_enc_j += g_pre_j, ∂W_enc_j += g_pre_j yc. */
static void topk_backward(const Sae *m, size_t n, SaeWork *w, SaeParams *g)
{
    size_t dy = m->cfg.d_y, k = m->cfg.k;
    for (size_t s = 0; s < n; s++) {
        const float *gr = w->g_rec + s * dy, *yc = w->yc + s * dy;
        for (size_t t = 0; t < k; t++) {
            float z = w->val[s * k + t];
            if (!(z > 0.0f))
                continue;
            size_t j = w->idx[s * k + t];
            axpy(z, gr, g->dec + j * dy, dy);
            float gp = dot(gr, m->p.dec + j * dy, dy);
            g->b_enc[j] += gp;
            axpy(gp, yc, g->w_enc + j * dy, dy);
        }
    }
}

/* MP, per row, back through the k pursuit steps (indices constant):
 *   ŷ = Σ_t z_t â_t + b_dec, z_t = â_t · r_t, r_{t+1} = r_t − z_t â_t.
 * With G_r the gradient reaching r_{t+1} (0 after the last step):
 *   ∂z_t = â_t · (g_rec − G_r)
 *   ∂â_t += z_t (g_rec − G_r) + ∂z_t r_t
 *   G_r  += ∂z_t â_t          (now the gradient at r_t)
 * and r_0 = y − b_dec gives ∂b_dec −= G_r. Then back through â = d/‖d‖:
 *   ∂d = (∂â − â (â · ∂â)) / ‖d‖. */
static void mp_backward(const Sae *m, size_t n, SaeWork *w, SaeParams *g)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width, k = m->cfg.k;
    float *g_unit = g->dec;   /* ∂Â accumulates here, then becomes ∂D */
    float *gr = w->vec, *diff = w->vec + dy;
    double *acc = w->acc;
    memset(acc, 0, dy * sizeof *acc);
    for (size_t s = 0; s < n; s++) {
        const float *grec = w->g_rec + s * dy;
        memset(gr, 0, dy * sizeof(float));
        for (size_t t = k; t-- > 0;) {
            size_t j = w->idx[s * k + t];
            float z = w->val[s * k + t];
            const float *a = w->unit + j * dy, *r = w->res + t * n * dy + s * dy;
            float *ga = g_unit + j * dy;
            for (size_t i = 0; i < dy; i++)
                diff[i] = grec[i] - gr[i];
            float gz = dot(a, diff, dy);
            axpy(z, diff, ga, dy);
            axpy(gz, r, ga, dy);
            axpy(gz, a, gr, dy);
        }
        for (size_t i = 0; i < dy; i++)
            acc[i] += gr[i];
    }
    for (size_t i = 0; i < dy; i++)
        g->b_dec[i] -= (float)acc[i];
    for (size_t j = 0; j < wi; j++) {
        if (!w->active[j])   /* ∂â_j = 0 gives ∂d_j = 0 (+0, as the memset left it) */
            continue;
        const float *a = w->unit + j * dy;
        float *ga = g_unit + j * dy;
        axpy(-dot(a, ga, dy), a, ga, dy);
        scale(1.0f / w->norms[j], ga, dy);
    }
}

/* w->active = the latents of the last forward's support (TopK, MP): those
 * whose gradient rows a sparse backward touches. */
static void mark_support(const Sae *m, size_t n, SaeWork *w)
{
    size_t k = m->cfg.k;
    memset(w->active, 0, m->cfg.width);
    for (size_t i = 0; i < n * k; i++)
        w->active[w->idx[i]] = 1;
}

/* The gradient rows a sparse backward accumulates into: W_enc and D rows of the
 * active latents, b_enc, b_dec, set to 0 (the rest of grad is 0 already). */
static void zero_sparse_grad(const Sae *m, const unsigned char *active, float *grad)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    SaeParams g;
    sae_layout(&m->cfg, grad, &g);
    for (size_t j = 0; j < wi; j++)
        if (active[j]) {
            memset(g.w_enc + j * dy, 0, dy * sizeof(float));
            memset(g.dec + j * dy, 0, dy * sizeof(float));
        }
    memset(g.b_enc, 0, wi * sizeof(float));
    memset(g.b_dec, 0, dy * sizeof(float));
}

/* sae_backward; grad_is_zero: the caller's grad is all 0 already, so a sparse
 * variant (TopK, MP) need not clear it (the training loop keeps it so). */
static void backward(const Sae *m, const float *y, size_t n, SaeWork *w, float *grad, bool grad_is_zero)
{
    const SaeConfig *c = &m->cfg;
    size_t dy = c->d_y, wi = c->width;
    SaeParams g;
    sae_layout(c, grad, &g);
    if (is_sparse(c)) {   /* sparse accumulations */
        mark_support(m, n, w);
        if (!grad_is_zero)
            memset(grad, 0, m->n_params * sizeof(float));
    }
    /* ∂loss/∂ŷ = 2 (ŷ − y) / (n d_y); ∂b_dec = Σ_rows of it (plus the paths through yc). */
    float scale = (float)(2.0 / (double)(n * dy));
    for (size_t i = 0; i < n * dy; i++)
        w->g_rec[i] = scale * (w->rec[i] - y[i]);
    column_sums(w->g_rec, n, dy, w->acc, g.b_dec);
    switch (c->variant) {
    case SAE_RELU:
    case SAE_JUMPRELU:
        /* ∂D = zᵀ g_rec (w × d_y); g_z = g_rec Dᵀ (n × w) */
        sk_gemm(true, false, wi, dy, n, 1.0f, w->z, wi, w->g_rec, dy, 0.0f, g.dec, dy);
        sk_gemm(false, true, n, wi, dy, 1.0f, w->g_rec, dy, m->p.dec, dy, 0.0f, w->g_z, wi);
        if (c->variant == SAE_RELU)
            relu_backward(m, n, w);
        else
            jumprelu_backward(m, n, w, &g);
        encoder_backward_dense(m, n, w, &g);
        bias_through_encoder(m, &g, w->acc);
        break;
    case SAE_TOPK:
        topk_backward(m, n, w, &g);
        bias_through_encoder(m, &g, w->acc);
        break;
    case SAE_MP:
        mp_backward(m, n, w, &g);
        break;
    }
}

void sae_backward(const Sae *m, const float *y, size_t n, SaeWork *w, float *grad)
{
    backward(m, y, n, w, grad, false);
}

void sae_project_decoder_grad(const Sae *m, float *grad)
{
    size_t dy = m->cfg.d_y;
    SaeParams g;
    sae_layout(&m->cfg, grad, &g);
    for (size_t j = 0; j < m->cfg.width; j++) {
        const float *d = m->p.dec + j * dy;
        float *gj = g.dec + j * dy;
        axpy(-dot(gj, d, dy), d, gj, dy);
    }
}

void sae_renorm_decoder(Sae *m)
{
    normalize_rows(m->p.dec, m->cfg.width, m->cfg.d_y);
}

/* ---- the fused optimiser step --------------------------------------------- */

/* Latents per block of the fused pass: rows of W_enc and D, their moments and
 * gradients (7 · 64 · d_y floats: a few hundred KiB at d_y = 139). */
enum { STEP_BLOCK_LATENTS = 64 };

typedef struct {
    Sae *m;
    SaeParams g;               /* gradient views */
    const AdamW *opt;
    AdamWStep s;
    const unsigned char *active;
    bool renorm;
} OptimizerStep;

/* AdamW on count parameters from p (a view into m->params), gradient from
 * grad (NULL: exactly 0). */
static void step_params(const OptimizerStep *t, float *p, const float *grad, size_t count)
{
    size_t first = (size_t)(p - t->m->params) - t->m->trained_offset;
    adamw_update(t->opt, &t->s, first, count, p, grad);
}

/* Latents [j0, j1): W_enc rows (unless MP); per atom j g_j −= (g_j · d_j) d_j
 * with the atom before the step, then AdamW on the atoms; b_enc (unless MP);
 * the atoms renormed (renorm); log θ (JumpReLU). Every parameter's update
 * depends on its own row only, so the order of rows and blocks is free. */
static void step_latents(const OptimizerStep *t, size_t j0, size_t j1)
{
    Sae *m = t->m;
    const size_t dy = m->cfg.d_y;
    const SaeParams *g = &t->g;
    /* runs of latents with and without a gradient: one AdamW call a run
     * (fewer scalar tails; the arithmetic is per element either way) */
    for (size_t r0 = j0, r1; r0 < j1; r0 = r1) {
        bool has_grad = !t->active || t->active[r0];
        for (r1 = r0 + 1; r1 < j1 && (!t->active || t->active[r1]) == has_grad; r1++)
            ;
        size_t at = r0 * dy, count = (r1 - r0) * dy;
        if (m->trained_offset == 0)
            step_params(t, m->p.w_enc + at, has_grad ? g->w_enc + at : NULL, count);
        if (has_grad)   /* g_j −= (g_j · d_j) d_j; a zero row stays 0 */
            for (size_t j = r0; j < r1; j++)
                axpy(-dot(g->dec + j * dy, m->p.dec + j * dy, dy), m->p.dec + j * dy, g->dec + j * dy, dy);
        step_params(t, m->p.dec + at, has_grad ? g->dec + at : NULL, count);
    }
    if (m->trained_offset == 0)
        step_params(t, m->p.b_enc + j0, g->b_enc + j0, j1 - j0);
    if (t->renorm)
        normalize_rows(m->p.dec + j0 * dy, j1 - j0, dy);
    if (m->p.log_theta)
        step_params(t, m->p.log_theta + j0, g->log_theta + j0, j1 - j0);
}

void sae_optimizer_step(Sae *m, float *grad, AdamW *opt, const unsigned char *active, bool renorm)
{
    OptimizerStep t = {.m = m, .opt = opt, .s = adamw_begin_step(opt), .active = active, .renorm = renorm};
    sae_layout(&m->cfg, grad, &t.g);
    const size_t wi = m->cfg.width, blocks = (wi + STEP_BLOCK_LATENTS - 1) / STEP_BLOCK_LATENTS;
    const int threads = sk_gemm_get_threads();
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && blocks > 1)
    for (size_t b = 0; b < blocks; b++) {
        size_t j0 = b * STEP_BLOCK_LATENTS, j1 = j0 + STEP_BLOCK_LATENTS < wi ? j0 + STEP_BLOCK_LATENTS : wi;
        step_latents(&t, j0, j1);
    }
    step_params(&t, m->p.b_dec, t.g.b_dec, m->cfg.d_y);
}

int sae_encode(const Sae *m, const Mat *y, SaeWork *w, Mat *z, SkErr *err)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    if (y->cols != dy)
        return sk_fail(err, "samples have %zu columns, the SAE takes d_y = %zu", y->cols, dy);
    if (mat_alloc(z, y->rows, wi, err))
        return -1;
    for (size_t s0 = 0; s0 < y->rows; s0 += w->max_rows) {
        size_t n = y->rows - s0 < w->max_rows ? y->rows - s0 : w->max_rows;
        sae_forward(m, y->v + s0 * dy, n, w, NULL);
        memcpy(z->v + s0 * wi, w->z, n * wi * sizeof(float));
    }
    return 0;
}

int sae_decoder_mat(const Sae *m, Mat *out, SkErr *err)
{
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    if (mat_alloc(out, dy, wi, err))
        return -1;
    for (size_t j = 0; j < wi; j++)
        for (size_t i = 0; i < dy; i++)
            out->v[i * wi + j] = m->p.dec[j * dy + i];
    return 0;
}

/* ---- training ----------------------------------------------------------- */

void sae_train_options_default(SaeTrainOptions *o)
{
    *o = (SaeTrainOptions){.epochs = 500, .batch = 64, .renorm_every = 50,
                           .adam = adamw_default_config(), .seed = 0};
}

static bool all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

int sae_train_step(Sae *m, const float *y, size_t n, SaeWork *w, float *grad, AdamW *opt,
                   bool renorm, SaeLoss *loss)
{
    bool sparse = is_sparse(&m->cfg);
    forward(m, y, n, w, loss, !sparse);
    if (!isfinite((float)loss->loss))   /* as the reference sees it, in float32 */
        return -1;
    backward(m, y, n, w, grad, sparse);
    sae_optimizer_step(m, grad, opt, sparse ? w->active : NULL, renorm);
    if (sparse)   /* grad back to all 0 for the next sparse backward */
        zero_sparse_grad(m, w->active, grad);
    return 0;
}

/* One epoch of minibatch AdamW steps over a fresh permutation. */
static int train_epoch(Sae *m, const Mat *y, const SaeTrainOptions *o, long epoch, Rng *rng,
                       size_t *perm, float *batch_y, float *grad, SaeWork *w, AdamW *opt,
                       double *loss_out, double *l0_out, SkErr *err)
{
    size_t dy = m->cfg.d_y;
    rng_permutation(rng, y->rows, perm);
    double loss_sum = 0.0, l0_sum = 0.0;
    size_t batches = 0;
    for (size_t b0 = 0; b0 < y->rows; b0 += o->batch) {
        size_t n = y->rows - b0 < o->batch ? y->rows - b0 : o->batch;
        for (size_t s = 0; s < n; s++)
            memcpy(batch_y + s * dy, y->v + perm[b0 + s] * dy, dy * sizeof(float));
        SaeLoss loss;
        bool last = b0 + n == y->rows;
        if (sae_train_step(m, batch_y, n, w, grad, opt,
                           last && o->renorm_every > 0 && epoch % o->renorm_every == 0, &loss))
            return sk_fail(err, "training diverged at epoch %ld (batch %zu): the loss is %s", epoch,
                           batches, isnan(loss.loss) ? "NaN" : "infinite");
        loss_sum += loss.loss;
        l0_sum += loss.l0 * (double)n;
        batches++;
    }
    if (!all_finite(m->params, m->n_params))
        return sk_fail(err, "training diverged at epoch %ld: a parameter is not finite", epoch);
    *loss_out = loss_sum / (double)batches;
    *l0_out = l0_sum / (double)y->rows;
    return 0;
}

int sae_train(Sae *m, const Mat *y, const SaeTrainOptions *o, double *loss_history,
              double *l0_history, SkErr *err)
{
    size_t dy = m->cfg.d_y;
    if (y->cols != dy)
        return sk_fail(err, "samples have %zu columns, the SAE takes d_y = %zu", y->cols, dy);
    if (y->rows == 0 || o->batch == 0)
        return sk_fail(err, "no training samples (or batch size 0)");
    size_t batch = o->batch < y->rows ? o->batch : y->rows;
    SaeWork w;
    AdamW opt;
    if (sae_work_alloc(&w, &m->cfg, batch, err))
        return -1;
    if (adamw_init(&opt, m->n_params - m->trained_offset, &o->adam, err)) {
        sae_work_release(&w);
        return -1;
    }
    size_t *perm = malloc(y->rows * sizeof *perm);
    float *batch_y = malloc(batch * dy * sizeof *batch_y);
    float *grad = calloc(m->n_params, sizeof *grad);   /* all 0: see backward() */
    int rc = 0;
    if (!perm || !batch_y || !grad)
        rc = sk_fail(err, "out of memory for training buffers");
    Rng rng;
    rng_init(&rng, o->seed, SAE_STREAM_BATCHES);
    for (long e = 0; e < o->epochs && rc == 0; e++) {
        double loss = 0.0, l0 = 0.0;
        rc = train_epoch(m, y, o, e, &rng, perm, batch_y, grad, &w, &opt, &loss, &l0, err);
        if (rc == 0 && loss_history)
            loss_history[e] = loss;
        if (rc == 0 && l0_history)
            l0_history[e] = l0;
        if (rc == 0 && o->on_epoch)
            rc = o->on_epoch(o->user, m, e, loss, l0, err);
    }
    free(perm);
    free(batch_y);
    free(grad);
    adamw_release(&opt);
    sae_work_release(&w);
    return rc;
}

int sae_threads(long requested) { return requested > 0 ? (int)requested : 1; }
