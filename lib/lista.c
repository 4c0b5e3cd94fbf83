/* lista.c — LISTA (see lista.h for the equations). */
#include "lista.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "fista.h"
#include "gemm.h"
#include "rng.h"

#ifdef __AVX__
#include <immintrin.h>
#endif

/* ---- model ------------------------------------------------------------- */

bool lista_param_count(size_t d_y, size_t d_z, size_t steps, size_t *count)
{
    size_t ww, ws, per;
    if (!sk_mul_size(d_z, d_z, &ww) || !sk_mul_size(d_z, d_y, &ws))
        return false;
    per = ww + ws;
    if (per < ww || per + d_z < per)
        return false;
    per += d_z;
    return sk_mul_size(per, steps, count) && *count <= (size_t)-1 / sizeof(float);
}

/* Rows lista_encode works on at a time. */
enum { ENCODE_ROWS = 256 };

double lista_training_bytes(size_t d_y, size_t d_z, size_t steps, size_t batch)
{
    double k = (double)steps, dz = (double)d_z, dy = (double)d_y, b = (double)batch;
    double params = k * (dz * dz + dz * dy + dz);
    double activations = (2.0 * k + 3.0) * b * dz + b * dy;
    return 4.0 * (4.0 * params + activations + ENCODE_ROWS * dz);
}

static void model_views(ListaModel *m)
{
    m->w = m->params;
    m->s = m->w + m->steps * m->d_z * m->d_z;
    m->theta = m->s + m->steps * m->d_z * m->d_y;
}

int lista_model_init(ListaModel *m, const Mat *d, size_t steps, SkErr *err)
{
    memset(m, 0, sizeof *m);
    const size_t dy = d->rows, dz = d->cols;
    if (dy == 0 || dz == 0 || steps == 0)
        return sk_fail(err, "LISTA: empty dictionary or no steps");
    if (!lista_param_count(dy, dz, steps, &m->n_params))
        return sk_fail(err, "LISTA: too many parameters for d_z = %zu", dz);
    float lipschitz;
    if (fista_lipschitz(d, &lipschitz, err))
        return -1;
    m->params = malloc(m->n_params * sizeof(float));
    if (!m->params)
        return sk_fail(err, "out of memory for %zu LISTA parameters", m->n_params);
    m->d_y = dy;
    m->d_z = dz;
    m->steps = steps;
    model_views(m);
    /* W_0 = I − (DᵀD)/L: (d_z × d_y)(d_y × d_z) */
    float *w0 = m->w;
    sk_gemm(true, false, dz, dz, dy, 1.0f, d->v, dz, d->v, dz, 0.0f, w0, dz);
    for (size_t i = 0; i < dz; i++)
        for (size_t j = 0; j < dz; j++)
            w0[i * dz + j] = (i == j ? 1.0f : 0.0f) - w0[i * dz + j] / lipschitz;
    /* S_0 = Dᵀ/L (d_z × d_y) */
    float *s0 = m->s;
    for (size_t i = 0; i < dz; i++)
        for (size_t j = 0; j < dy; j++)
            s0[i * dy + j] = MAT_AT(*d, j, i) / lipschitz;
    for (size_t k = 1; k < steps; k++) {
        memcpy(m->w + k * dz * dz, w0, dz * dz * sizeof(float));
        memcpy(m->s + k * dz * dy, s0, dz * dy * sizeof(float));
    }
    for (size_t i = 0; i < steps * dz; i++)
        m->theta[i] = 0.01f;
    return 0;
}

void lista_model_release(ListaModel *m)
{
    free(m->params);
    memset(m, 0, sizeof *m);
}

/* ---- forward / backward -------------------------------------------------- */

int lista_work_init(ListaWork *w, const ListaModel *m, size_t rows, SkErr *err)
{
    memset(w, 0, sizeof *w);
    const size_t k = m->steps, dz = m->d_z;
    w->rows = rows;
    w->z = calloc((k + 1) * rows * dz, sizeof(float));
    w->u = malloc(k * rows * dz * sizeof(float));
    w->r = malloc(rows * m->d_y * sizeof(float));
    w->gz = malloc(rows * dz * sizeof(float));
    w->gu = malloc(rows * dz * sizeof(float));
    if (!w->z || !w->u || !w->r || !w->gz || !w->gu) {
        lista_work_release(w);
        return sk_fail(err, "out of memory for LISTA's activations (%zu rows)", rows);
    }
    return 0;
}

void lista_work_release(ListaWork *w)
{
    free(w->z);
    free(w->u);
    free(w->r);
    free(w->gz);
    free(w->gu);
    memset(w, 0, sizeof *w);
}

/* soft(u, |θ|) = sign(u)·max(|u| − |θ|, 0), row by row (n × d_z). The
 * vector path does the same operations 8 columns at a time (the same bits). */
static void soft_threshold(const float *u, const float *theta, size_t n, size_t dz, float *z)
{
    for (size_t i = 0; i < n; i++) {
        const float *ui = u + i * dz;
        float *zi = z + i * dz;
        size_t j = 0;
#ifdef __AVX__
        const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
        for (; j + 8 <= dz; j += 8) {
            __m256 x = _mm256_loadu_ps(ui + j);
            __m256 a = _mm256_sub_ps(_mm256_andnot_ps(sign, x), _mm256_andnot_ps(sign, _mm256_loadu_ps(theta + j)));
            __m256 signed_a = _mm256_blendv_ps(_mm256_xor_ps(a, sign), a, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
            _mm256_storeu_ps(zi + j, _mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_GT_OQ), signed_a));
        }
#endif
        for (; j < dz; j++) {
            float x = ui[j];
            float a = fabsf(x) - fabsf(theta[j]);
            zi[j] = a > 0.0f ? (x > 0.0f ? a : -a) : 0.0f;
        }
    }
}

/* Back through soft(·, |θ|) for one step (n × d_z):
 *   gu = gz ⊙ 1[|u| − |θ| > 0],  gθ_j = Σ_i (rows in order) of sign(u_ij) gz_ij over the passing entries
 * (the caller turns gθ into −sign(θ_j)·that). Vector path: 8 columns at a
 * time, each column's sum still row by row (adding +0 where an entry does
 * not pass leaves a sum that started at +0 unchanged, bit for bit). */
static void soft_threshold_backward(const float *u, const float *gz, const float *theta, size_t n,
                                    size_t dz, float *gu, float *gth)
{
    for (size_t j = 0; j < dz; j++)
        gth[j] = 0.0f;
    for (size_t i = 0; i < n; i++) {
        const float *ui = u + i * dz, *gi = gz + i * dz;
        float *gui = gu + i * dz;
        size_t j = 0;
#ifdef __AVX__
        const __m256 sign = _mm256_set1_ps(-0.0f), zero = _mm256_setzero_ps();
        for (; j + 8 <= dz; j += 8) {
            __m256 x = _mm256_loadu_ps(ui + j), g = _mm256_loadu_ps(gi + j);
            __m256 a = _mm256_sub_ps(_mm256_andnot_ps(sign, x), _mm256_andnot_ps(sign, _mm256_loadu_ps(theta + j)));
            __m256 pass = _mm256_cmp_ps(a, zero, _CMP_GT_OQ);
            __m256 signed_g = _mm256_blendv_ps(_mm256_xor_ps(g, sign), g, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
            _mm256_storeu_ps(gui + j, _mm256_and_ps(pass, g));
            _mm256_storeu_ps(gth + j, _mm256_add_ps(_mm256_loadu_ps(gth + j), _mm256_and_ps(pass, signed_g)));
        }
#endif
        for (; j < dz; j++) {
            float x = ui[j], g = gi[j];
            bool pass = fabsf(x) - fabsf(theta[j]) > 0.0f;
            gui[j] = pass ? g : 0.0f;
            if (pass)
                gth[j] += x > 0.0f ? g : -g;
        }
    }
}

/* u = z W_kᵀ + y S_kᵀ: (n × d_z)(d_z × d_z) + (n × d_y)(d_y × d_z); z = NULL means z = 0. */
static void step_preactivation(const ListaModel *m, size_t k, const float *z, const float *y,
                               size_t n, float *u)
{
    const size_t dz = m->d_z, dy = m->d_y;
    const float *wk = m->w + k * dz * dz, *sk = m->s + k * dz * dy;
    float beta = 0.0f;
    if (z) {
        sk_gemm(false, true, n, dz, dz, 1.0f, z, dz, wk, dz, 0.0f, u, dz);
        beta = 1.0f;
    }
    sk_gemm(false, true, n, dz, dy, 1.0f, y, dy, sk, dy, beta, u, dz);
}

const float *lista_forward(const ListaModel *m, const float *y, size_t n, ListaWork *w)
{
    const size_t dz = m->d_z, plane = w->rows * dz;
    memset(w->z, 0, n * dz * sizeof(float));  /* z_0 = 0 */
    for (size_t k = 0; k < m->steps; k++) {
        float *zk = w->z + k * plane, *uk = w->u + k * plane;
        step_preactivation(m, k, k ? zk : NULL, y, n, uk);
        soft_threshold(uk, m->theta + k * dz, n, dz, zk + plane);
    }
    return w->z + m->steps * plane;
}

float lista_loss_grad(const ListaModel *m, const Mat *d, const float *y, size_t n,
                      double lambda, float *grad, ListaWork *w)
{
    const size_t dz = m->d_z, dy = m->d_y, K = m->steps, plane = w->rows * dz;
    const float *zK = lista_forward(m, y, n, w);
    /* r = z_K Dᵀ − y (n × d_y) */
    memcpy(w->r, y, n * dy * sizeof(float));
    sk_gemm(false, true, n, dy, dz, 1.0f, zK, dz, d->v, dz, -1.0f, w->r, dy);
    double sq = 0.0, l1 = 0.0;
    for (size_t i = 0; i < n * dy; i++)
        sq += (double)w->r[i] * w->r[i];
    for (size_t i = 0; i < n * dz; i++)
        l1 += fabs((double)zK[i]);
    const double count_y = (double)n * (double)dy, count_z = (double)n * (double)dz;
    /* gz = (2/(n d_y)) r D + (λ/(n d_z)) sign(z_K)   (n × d_y)(d_y × d_z) */
    sk_gemm(false, false, n, dz, dy, (float)(2.0 / count_y), w->r, dy, d->v, dz, 0.0f, w->gz, dz);
    const float c_l1 = (float)(lambda / count_z);
    for (size_t i = 0; i < n * dz; i++)
        w->gz[i] += zK[i] > 0.0f ? c_l1 : zK[i] < 0.0f ? -c_l1 : 0.0f;
    float *gw = grad, *gs = grad + K * dz * dz, *gtheta = gs + K * dz * dy;
    for (size_t k = K; k-- > 0;) {
        const float *uk = w->u + k * plane, *zk = w->z + k * plane, *th = m->theta + k * dz;
        float *gth = gtheta + k * dz;
        /* gu = gz ⊙ 1[|u| > |θ|];  gθ_j = −sign(θ_j) Σ_i gz_ij sign(u_ij) 1[|u_ij| > |θ_j|] */
        soft_threshold_backward(uk, w->gz, th, n, dz, w->gu, gth);
        for (size_t j = 0; j < dz; j++)
            gth[j] = th[j] > 0.0f ? -gth[j] : th[j] < 0.0f ? gth[j] : 0.0f;
        /* gW_k = guᵀ z_k (d_z × n)(n × d_z); z_0 = 0 gives 0 */
        float *gwk = gw + k * dz * dz;
        if (k > 0)
            sk_gemm(true, false, dz, dz, n, 1.0f, w->gu, dz, zk, dz, 0.0f, gwk, dz);
        else
            memset(gwk, 0, dz * dz * sizeof(float));
        /* gS_k = guᵀ y (d_z × n)(n × d_y) */
        sk_gemm(true, false, dz, dy, n, 1.0f, w->gu, dz, y, dy, 0.0f, gs + k * dz * dy, dy);
        /* gz ← gu W_k (n × d_z)(d_z × d_z), the gradient at z_k */
        if (k > 0)
            sk_gemm(false, false, n, dz, dz, 1.0f, w->gu, dz, m->w + k * dz * dz, dz, 0.0f,
                    w->gz, dz);
    }
    return (float)(sq / count_y + lambda * l1 / count_z);
}

int lista_encode(const ListaModel *m, const Mat *y, Mat *z, SkErr *err)
{
    if (y->cols != m->d_y)
        return sk_fail(err, "LISTA: samples have %zu columns, the model %zu", y->cols, m->d_y);
    if (mat_alloc(z, y->rows, m->d_z, err))
        return -1;
    const size_t dz = m->d_z, dy = m->d_y;
    float *u = malloc((size_t)ENCODE_ROWS * dz * sizeof(float));
    if (!u) {
        mat_release(z);
        return sk_fail(err, "out of memory for LISTA's scratch");
    }
    for (size_t r0 = 0; r0 < y->rows; r0 += ENCODE_ROWS) {
        size_t n = y->rows - r0 < ENCODE_ROWS ? y->rows - r0 : ENCODE_ROWS;
        const float *yb = y->v + r0 * dy;
        float *zb = z->v + r0 * dz;
        for (size_t k = 0; k < m->steps; k++) {
            step_preactivation(m, k, k ? zb : NULL, yb, n, u);
            soft_threshold(u, m->theta + k * dz, n, dz, zb);
        }
    }
    free(u);
    return 0;
}

/* ---- training -------------------------------------------------------------- */

void lista_train_options_default(ListaTrainOptions *o)
{
    *o = (ListaTrainOptions){.lambda = 0.1, .lr = 1e-3, .epochs = 200, .batch = 64,
                             .variant = LISTA_VARIANT_PAPER};
}

const char *lista_variant_name(ListaVariant v)
{
    return v == LISTA_VARIANT_STABLE ? "stable" : "paper";
}

int lista_variant_parse(const char *name, ListaVariant *v)
{
    if (strcmp(name, "paper") == 0)
        *v = LISTA_VARIANT_PAPER;
    else if (strcmp(name, "stable") == 0)
        *v = LISTA_VARIANT_STABLE;
    else
        return -1;
    return 0;
}

double lista_variant_bytes(ListaVariant v, size_t d_y, size_t d_z, size_t steps)
{
    double k = (double)steps, dz = (double)d_z, dy = (double)d_y;
    return v == LISTA_VARIANT_STABLE ? 4.0 * k * (dz * dz + dz * dy + dz) : 0.0;
}

/* Divergence bookkeeping after epoch `epoch` (from 1) with mean loss `loss`:
 * exploded = not finite, or > LISTA_DIVERGE_RATIO × the best loss before it.
 * Returns true when the epoch is a new best. */
static bool report_epoch(ListaTrainReport *r, long epoch, double loss)
{
    bool exploded = !isfinite(loss) ||
                    (r->best_epoch > 0 && loss > LISTA_DIVERGE_RATIO * r->best_loss);
    if (exploded && r->diverged_epoch == 0)
        r->diverged_epoch = epoch;
    if (!isfinite(loss) || (r->best_epoch > 0 && !(loss < r->best_loss)))
        return false;
    r->best_epoch = epoch;
    r->best_loss = loss;
    return true;
}

/* The parameters returned come from epoch `kept` (0: the initialisation). */
static void report_finish(ListaTrainReport *r, long kept, const double *history)
{
    r->kept_epoch = kept;
    r->kept_loss = kept > 0 ? history[kept - 1] : NAN;
    r->diverged = kept > 0 && (!isfinite(r->kept_loss) ||
                               r->kept_loss > LISTA_DIVERGE_RATIO * r->best_loss);
}

/* One epoch of minibatch Adam over a fresh permutation (perm: n slots, ybatch:
 * batch × d_y). Returns the mean batch loss weighted by batch rows; a batch
 * whose loss or gradient is not finite stops before its step: returns its loss
 * (NaN when only the gradient is not finite), *bad_batch = its number. (With
 * overflowing weights the ReLU, fmaxf(NaN, 0) = 0, can hide NaN codes from the
 * loss while the gradient carries them; which of the two shows it first
 * depends on the BLIS kernels.) */
static double train_epoch(ListaModel *m, const Mat *d, const Mat *y, const ListaTrainOptions *o,
                          long e, Rng *r, size_t *perm, float *ybatch, float *grad, ListaWork *w,
                          Adam *adam, size_t *bad_batch)
{
    const size_t n = y->rows, dy = m->d_y, batch = o->batch, batches = (n + batch - 1) / batch;
    rng_permutation(r, n, perm);
    double sum = 0.0;
    for (size_t b = 0; b < batches; b++) {
        size_t first = b * batch, nb = n - first < batch ? n - first : batch;
        for (size_t i = 0; i < nb; i++)
            memcpy(ybatch + i * dy, y->v + perm[first + i] * dy, dy * sizeof(float));
        float loss = lista_loss_grad(m, d, ybatch, nb, o->lambda, grad, w);
        Mat g = {1, m->n_params, grad};
        if (!isfinite(loss) || !mat_all_finite(&g)) {
            *bad_batch = b + 1;
            return isfinite(loss) ? NAN : loss;
        }
        adam_step(adam, m->params, grad, o->lr);
        sum += (double)loss * (double)nb;
        if (o->progress)
            o->progress(o->progress_user, e + 1, o->epochs, b + 1, batches, loss);
    }
    return sum / (double)n;
}

int lista_train(ListaModel *m, const Mat *d, const Mat *y, const ListaTrainOptions *o,
                double **epoch_loss, ListaTrainReport *report, SkErr *err)
{
    *epoch_loss = NULL;
    const size_t n = y->rows, dy = m->d_y, batch = o->batch;
    if (y->cols != dy || d->rows != dy || d->cols != m->d_z)
        return sk_fail(err, "LISTA: samples, dictionary and model shapes disagree");
    if (n == 0 || batch == 0)
        return sk_fail(err, "LISTA: no samples to train on");
    const bool keep_best = o->variant == LISTA_VARIANT_STABLE;
    const size_t rows = batch < n ? batch : n, bytes = m->n_params * sizeof(float);
    double *history = calloc(o->epochs > 0 ? (size_t)o->epochs : 1, sizeof *history);
    float *grad = malloc(bytes);
    float *best = keep_best ? malloc(bytes) : NULL;   /* the best epoch's parameters */
    float *ybatch = malloc(rows * dy * sizeof *ybatch);
    size_t *perm = malloc(n * sizeof *perm);
    ListaWork w;
    Adam adam;
    ListaTrainReport rep = {.best_loss = NAN, .kept_loss = NAN};
    memset(&w, 0, sizeof w);
    memset(&adam, 0, sizeof adam);
    int rc = 0;
    if (!history || !grad || !ybatch || !perm || (keep_best && !best))
        rc = sk_fail(err, "out of memory for LISTA's training");
    if (rc == 0)
        rc = lista_work_init(&w, m, rows, err);
    if (rc == 0)
        rc = adam_init(&adam, m->n_params, err);
    if (rc == 0 && keep_best)
        memcpy(best, m->params, bytes);
    Rng r;
    rng_init(&r, o->seed, LISTA_STREAM);
    long last = 0;   /* epochs run, the stopped one included */
    for (long e = 0; rc == 0 && e < o->epochs && rep.nonfinite_epoch == 0; e++) {
        history[e] = train_epoch(m, d, y, o, e, &r, perm, ybatch, grad, &w, &adam,
                                 &rep.nonfinite_batch);
        last = e + 1;
        if (rep.nonfinite_batch && last == 1 && rep.nonfinite_batch == 1) {
            /* before any step: the data, not the training (e.g. an overflow);
             * NaN also stands for a finite loss with a non-finite gradient */
            rc = sk_fail(err, "loss is %s at epoch 1, batch 1",
                         isnan(history[e]) ? "nan" : "infinite");
            break;
        }
        if (rep.nonfinite_batch) {
            rep.nonfinite_epoch = last;
            history[e] = NAN;
        }
        if (report_epoch(&rep, last, history[e]) && keep_best)
            memcpy(best, m->params, bytes);
    }
    for (long e = last; rc == 0 && e < o->epochs; e++)
        history[e] = NAN;   /* not run: stopped by a non-finite loss */
    if (rc == 0 && keep_best)
        memcpy(m->params, best, bytes);
    report_finish(&rep, keep_best ? rep.best_epoch : last, history);
    if (rc == 0) {
        Mat all = {1, m->n_params, m->params};
        if (!mat_all_finite(&all))
            rc = sk_fail(err, "parameters are not finite after the last step");
    }
    adam_release(&adam);
    lista_work_release(&w);
    free(grad);
    free(best);
    free(ybatch);
    free(perm);
    if (rc)
        free(history);
    else
        *epoch_loss = history;
    if (report)
        *report = rep;
    return rc;
}

int lista_threads(long requested, size_t batch, size_t dz)
{
    double macs = (double)batch * (double)dz * (double)dz;
    return sk_threads_for_work(requested, macs, 2e7);
}
