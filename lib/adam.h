/* adam.h — PyTorch's Adam (no weight decay, no amsgrad) over one flat buffer.
 *
 * Every model keeps all its parameters in one float buffer (and its gradient,
 * first and second moments in three more of the same length), so one call
 * steps the whole model. Arithmetic follows torch.optim.Adam's single-tensor
 * path (float32 tensors, Python-double scalars), step t = 1, 2, ...:
 *   m = m + (1 − β1)(g − m)                      (lerp)
 *   v = β2 v + (1 − β2) g²
 *   p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
 * (SAEs use AdamW with decoupled weight decay: lib/adamw, not this.) */
#ifndef SK_ADAM_H
#define SK_ADAM_H

#include <stddef.h>
#ifdef __AVX__
#include <immintrin.h>
#endif

#include "err.h"

typedef struct {
    double beta1, beta2, eps;   /* 0.9, 0.999, 1e-8 */
} AdamConfig;

/* Moments of an n-parameter model; t counts the steps taken. */
typedef struct {
    size_t n;
    float *m, *v;
    long t;
    AdamConfig cfg;
} Adam;

/* Zeroed moments for n parameters, PyTorch's default betas and eps. */
int adam_init(Adam *a, size_t n, SkErr *err);
void adam_release(Adam *a);
/* One step with learning rate lr: params[0..n) -= update(grad). */
void adam_step(Adam *a, float *params, const float *grad, double lr);

/* The float32 scalars of one step (PyTorch's Python doubles rounded where
 * they meet float32 tensors): w1 = 1 − β1, b2 = β2, w2 = 1 − β2,
 * step_size = lr / (1 − β1^t), bias2_sqrt = √(1 − β2^t), eps. */
typedef struct {
    float w1, b2, w2, step_size, bias2_sqrt, eps;
} AdamStep;

/* Count one more step (t += 1) and return its scalars: for a caller that
 * updates the parameters in pieces (a fused pass that never stores the
 * gradient) with adam_update_range or adam_update8. adam_step is
 * adam_begin_step + adam_update_range over all n parameters. */
AdamStep adam_begin_step(Adam *a, double lr);
/* p[i] -= update(g[i]) with moments m[i], v[i], for i in [0, n). */
void adam_update_range(const AdamStep *s, size_t n, float *restrict p, const float *restrict g,
                       float *restrict m, float *restrict v);

#ifdef __AVX__
/* Eight lanes of the update, the exact bits of the scalar formula (every
 * operation is correctly rounded IEEE): the moments *m, *v are updated in
 * place (the caller loads and stores them, masked or not), the new
 * parameters returned. */
static inline __m256 adam_update8(const AdamStep *s, __m256 p, __m256 g, __m256 *m, __m256 *v)
{
    __m256 mi = _mm256_add_ps(*m, _mm256_mul_ps(_mm256_set1_ps(s->w1), _mm256_sub_ps(g, *m)));
    __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(s->b2), *v),
                              _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(s->w2), g), g));
    __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), _mm256_set1_ps(s->bias2_sqrt)),
                                 _mm256_set1_ps(s->eps));
    *m = mi;
    *v = vi;
    return _mm256_sub_ps(p, _mm256_mul_ps(_mm256_set1_ps(s->step_size), _mm256_div_ps(mi, denom)));
}
#endif

#endif
