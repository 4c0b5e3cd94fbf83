#include "adamw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __AVX__
#include <immintrin.h>
#endif

AdamWConfig adamw_default_config(void)
{
    return (AdamWConfig){.lr = 5e-4, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01};
}

int adamw_init(AdamW *a, size_t n, const AdamWConfig *cfg, SkErr *err)
{
    *a = (AdamW){.n = n, .cfg = *cfg};
    if (n > (size_t)-1 / sizeof(float))
        return sk_fail(err, "AdamW: %zu parameters is too many", n);
    a->m = calloc(n ? n : 1, sizeof(float));
    a->v = calloc(n ? n : 1, sizeof(float));
    if (!a->m || !a->v) {
        adamw_release(a);
        return sk_fail(err, "out of memory for AdamW's moments (%zu parameters)", n);
    }
    return 0;
}

void adamw_release(AdamW *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

/* The per-step scalars, rounded to float as PyTorch does when a Python double
 * meets a float32 tensor. */
AdamWStep adamw_begin_step(AdamW *a)
{
    a->t++;
    const AdamWConfig *c = &a->cfg;
    double bias1 = 1.0 - pow(c->beta1, (double)a->t);
    double bias2 = 1.0 - pow(c->beta2, (double)a->t);
    return (AdamWStep){
        .decay = (float)(1.0 - c->lr * c->weight_decay),
        .w1 = (float)(1.0 - c->beta1),
        .b2 = (float)c->beta2,
        .w2 = (float)(1.0 - c->beta2),
        .step_size = (float)(c->lr / bias1),
        .inv_bias2_sqrt = (float)(1.0 / sqrt(bias2)),
        .eps = (float)c->eps,
    };
}

/* One element; the vector loop below computes exactly this (IEEE sqrt and
 * division are correctly rounded, no fused multiply-adds). PyTorch divides
 * √v by √(1 − β2^t); multiplying by its float reciprocal instead (one
 * division less; within an ulp of √v̂) keeps this loop fast. */
static inline void adamw_one(const AdamWStep *s, float *p, float *m, float *v, float g)
{
    *p = *p * s->decay;
    *m = *m + s->w1 * (g - *m);
    *v = s->b2 * *v + s->w2 * g * g;
    float denom = sqrtf(*v) * s->inv_bias2_sqrt + s->eps;
    *p -= s->step_size * (*m / denom);
}

#ifdef __AVX__
/* adamw_one on 8 lanes: the same operations in the same order. */
static inline void adamw_eight(const AdamWStep *s, float *p, float *m, float *v, __m256 g)
{
    const __m256 decay = _mm256_set1_ps(s->decay), w1 = _mm256_set1_ps(s->w1),
                 b2 = _mm256_set1_ps(s->b2), w2 = _mm256_set1_ps(s->w2),
                 step = _mm256_set1_ps(s->step_size), ib2s = _mm256_set1_ps(s->inv_bias2_sqrt),
                 eps = _mm256_set1_ps(s->eps);
    __m256 pi = _mm256_mul_ps(_mm256_loadu_ps(p), decay);
    __m256 mi = _mm256_loadu_ps(m);
    mi = _mm256_add_ps(mi, _mm256_mul_ps(w1, _mm256_sub_ps(g, mi)));
    __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v)), _mm256_mul_ps(_mm256_mul_ps(w2, g), g));
    __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), ib2s), eps);
    pi = _mm256_sub_ps(pi, _mm256_mul_ps(step, _mm256_div_ps(mi, denom)));
    _mm256_storeu_ps(p, pi);
    _mm256_storeu_ps(m, mi);
    _mm256_storeu_ps(v, vi);
}
#endif

void adamw_update(const AdamW *a, const AdamWStep *step, size_t first, size_t count, float *params,
                  const float *grad)
{
    const AdamWStep scalars = *step, *s = &scalars;   /* a local copy: the stores cannot alias it */
    float *m = a->m + first, *v = a->v + first;
    size_t i = 0;
#ifdef __AVX__
    /* 8 lanes at a time (sqrtf's errno path keeps the compiler from
     * vectorising the scalar loop; this loop is memory-bound). */
    for (; i + 8 <= count; i += 8)
        adamw_eight(s, params + i, m + i, v + i, grad ? _mm256_loadu_ps(grad + i) : _mm256_setzero_ps());
#endif
    for (; i < count; i++)
        adamw_one(s, params + i, m + i, v + i, grad ? grad[i] : 0.0f);
}

void adamw_step(AdamW *a, float *params, const float *grad)
{
    const AdamWStep s = adamw_begin_step(a);
    adamw_update(a, &s, 0, a->n, params, grad);
}
