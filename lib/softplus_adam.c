/* softplus_adam.c — Softplus-Adam (see softplus_adam.h for the equations). */
#include "softplus_adam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "gemm.h"
#include "rng.h"

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

float softplus_f(float x)
{
    return x > 20.0f ? x : log1pf(expf(x));
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

/* ---- forward / backward -------------------------------------------------- */

int softplus_adam_work_init(SoftplusAdamWork *w, const SoftplusAdamModel *m, SkErr *err)
{
    memset(w, 0, sizeof *w);
    w->norms = malloc(m->d_z * sizeof *w->norms);
    w->colsum = malloc(m->d_z * sizeof *w->colsum);
    if (!w->norms || !w->colsum || mat_alloc(&w->z_val, m->n_val, m->d_z, err) ||
        mat_alloc(&w->z_ood, m->n_ood, m->d_z, err) ||
        mat_alloc(&w->r_val, m->n_val, m->d_y, err) ||
        mat_alloc(&w->r_ood, m->n_ood, m->d_y, err)) {
        softplus_adam_work_release(w);
        return sk_fail(err, "out of memory for Softplus-Adam's work space");
    }
    return 0;
}

void softplus_adam_work_release(SoftplusAdamWork *w)
{
    mat_release(&w->z_val);
    mat_release(&w->z_ood);
    mat_release(&w->r_val);
    mat_release(&w->r_ood);
    free(w->norms);
    free(w->colsum);
    memset(w, 0, sizeof *w);
}

/* norms[j] = ‖d_j‖ = sqrt(Σ_i D[i, j]²), D d_y × d_z. */
static void column_norms(const Mat *d, float *norms)
{
    for (size_t j = 0; j < d->cols; j++) {
        double s = 0.0;
        for (size_t i = 0; i < d->rows; i++) {
            double x = MAT_AT(*d, i, j);
            s += x * x;
        }
        norms[j] = (float)sqrt(s);
    }
}

/* One split's forward pass:
 *   Z = softplus(P)                      (n × d_z)
 *   R = Z Dᵀ − Y                         (n × d_y)
 *   *mse = Σ R² / (n d_y),  *reg = Σ_ij Z_ij ‖d_j‖ / (n d_z)
 * When sigma is not NULL it receives softplus'(P) = σ(P) (1 above the
 * threshold 20, like PyTorch's softplus_backward), for the backward pass;
 * when colsum is not NULL it receives Σ_i Z[i, j]. */
static void forward_split(const Mat *pre, const Mat *d, const float *norms, const Mat *y,
                          Mat *z, Mat *r, float *sigma, double *colsum, double *mse, double *reg)
{
    const size_t n = pre->rows, dz = pre->cols, dy = d->rows;
    if (colsum)
        memset(colsum, 0, dz * sizeof *colsum);
    double reg_sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *p = pre->v + i * dz;
        float *zi = z->v + i * dz;
        float *si = sigma ? sigma + i * dz : NULL;
        double row = 0.0;
        for (size_t j = 0; j < dz; j++) {
            float x = p[j], zx, sx;
            if (x > 20.0f) {
                zx = x;
                sx = 1.0f;
            } else {
                float e = expf(x);
                zx = log1pf(e);
                sx = e / (e + 1.0f);
            }
            zi[j] = zx;
            if (si)
                si[j] = sx;
            row += (double)zx * norms[j];
            if (colsum)
                colsum[j] += zx;
        }
        reg_sum += row;
    }
    /* R = Z Dᵀ − Y: (n × d_z)(d_z × d_y), starting from C = Y with β = −1 */
    memcpy(r->v, y->v, n * dy * sizeof(float));
    sk_gemm(false, true, n, dy, dz, 1.0f, z->v, dz, d->v, dz, -1.0f, r->v, dy);
    double sq = 0.0;
    for (size_t k = 0; k < n * dy; k++)
        sq += (double)r->v[k] * r->v[k];
    *mse = sq / ((double)n * (double)dy);
    *reg = reg_sum / ((double)n * (double)dz);
}

void softplus_adam_forward(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                           SoftplusAdamWork *w, SoftplusAdamLoss *t)
{
    column_norms(&m->d, w->norms);
    forward_split(&m->pre_val, &m->d, w->norms, y_val, &w->z_val, &w->r_val, NULL, NULL,
                  &t->mse_val, &t->reg_val);
    forward_split(&m->pre_ood, &m->d, w->norms, y_ood, &w->z_ood, &w->r_ood, NULL, NULL,
                  &t->mse_ood, &t->reg_ood);
}

/* One split's backward into its pre-activations, given σ(P) already in g:
 *   ∂L/∂Z = (2/(n d_y)) R D + (λ/(n d_z)) ‖d_j‖     (n × d_z, via scratch)
 *   ∂L/∂P = ∂L/∂Z ⊙ σ(P)                             (written over g) */
static void backward_preactivations(const Mat *r, const Mat *d, const float *norms, double lambda,
                                    Mat *scratch, float *g)
{
    const size_t n = r->rows, dy = d->rows, dz = d->cols;
    const float c_mse = (float)(2.0 / ((double)n * (double)dy));
    const float c_reg = (float)(lambda / ((double)n * (double)dz));
    /* scratch = c_mse · R D: (n × d_y)(d_y × d_z) */
    sk_gemm(false, false, n, dz, dy, c_mse, r->v, dy, d->v, dz, 0.0f, scratch->v, dz);
    for (size_t i = 0; i < n; i++) {
        const float *s = scratch->v + i * dz;
        float *gi = g + i * dz;
        for (size_t j = 0; j < dz; j++)
            gi[j] = (s[j] + c_reg * norms[j]) * gi[j];
    }
}

/* ∂L/∂D from the val terms only (the OOD terms see sg(D)):
 *   ∂mse_val/∂D = (2/(n d_y)) Rᵀ Z_val                        (d_y × d_z)
 *   ∂(λ reg_val)/∂D[i, j] = (λ/(n d_z)) (Σ_n Z[n, j]) D[i, j]/‖d_j‖   (0 where ‖d_j‖ = 0) */
static void backward_dictionary(const Mat *r, const Mat *z, const Mat *d, const float *norms,
                                const double *colsum, double lambda, float *g)
{
    const size_t n = r->rows, dy = d->rows, dz = d->cols;
    const float c_mse = (float)(2.0 / ((double)n * (double)dy));
    const double c_reg = lambda / ((double)n * (double)dz);
    sk_gemm(true, false, dy, dz, n, c_mse, r->v, dy, z->v, dz, 0.0f, g, dz);
    for (size_t j = 0; j < dz; j++) {
        if (norms[j] == 0.0f)
            continue;
        float scale = (float)(c_reg * colsum[j]) / norms[j];
        for (size_t i = 0; i < dy; i++)
            g[i * dz + j] += scale * MAT_AT(*d, i, j);
    }
}

float softplus_adam_loss_grad(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                              double lambda, float *grad, SoftplusAdamWork *w)
{
    float *g_d = grad;
    float *g_val = g_d + m->d_y * m->d_z;
    float *g_ood = g_val + m->n_val * m->d_z;
    SoftplusAdamLoss t;
    column_norms(&m->d, w->norms);
    /* forward; σ(P) parked in the gradient slots of P */
    forward_split(&m->pre_val, &m->d, w->norms, y_val, &w->z_val, &w->r_val, g_val, w->colsum,
                  &t.mse_val, &t.reg_val);
    forward_split(&m->pre_ood, &m->d, w->norms, y_ood, &w->z_ood, &w->r_ood, g_ood, NULL,
                  &t.mse_ood, &t.reg_ood);
    /* backward: D first (needs Z_val), then the codes (overwrite Z as scratch) */
    backward_dictionary(&w->r_val, &w->z_val, &m->d, w->norms, w->colsum, lambda, g_d);
    backward_preactivations(&w->r_val, &m->d, w->norms, lambda, &w->z_val, g_val);
    backward_preactivations(&w->r_ood, &m->d, w->norms, lambda, &w->z_ood, g_ood);
    return (float)(t.mse_val + t.mse_ood + lambda * (t.reg_val + t.reg_ood));
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
    float *grad = malloc(m->n_params * sizeof *grad);
    SoftplusAdamWork w;
    Adam adam;
    memset(&w, 0, sizeof w);
    memset(&adam, 0, sizeof adam);
    int rc = 0;
    if (!h->loss || !h->lr || !grad)
        rc = sk_fail(err, "out of memory for Softplus-Adam's gradient");
    if (rc == 0)
        rc = softplus_adam_work_init(&w, m, err);
    if (rc == 0)
        rc = adam_init(&adam, m->n_params, err);
    LrSchedule sched = {o->lr, INFINITY, 0};
    double stop_best = INFINITY;
    long since_improved = 0;
    for (long t = 1; rc == 0 && t <= o->max_steps; t++) {
        float loss = softplus_adam_loss_grad(m, y_val, y_ood, o->lambda, grad, &w);
        if (!isfinite(loss)) {
            rc = sk_fail(err, "loss is %s at step %ld", isnan(loss) ? "nan" : "infinite", t);
            break;
        }
        adam_step(&adam, m->params, grad, sched.lr);
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
    free(grad);
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
    for (size_t k = 0; k < mat_size(z_val); k++)
        z_val->v[k] = softplus_f(m->pre_val.v[k]);
    for (size_t k = 0; k < mat_size(z_ood); k++)
        z_ood->v[k] = softplus_f(m->pre_ood.v[k]);
    return 0;
}

int softplus_adam_threads(long requested, size_t rows, size_t dy, size_t dz)
{
    double macs = (double)rows * (double)dy * (double)dz;
    return sk_threads_for_work(requested, macs, 2e7);
}
