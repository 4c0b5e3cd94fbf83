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
typedef struct {
    float decay, w1, b2, w2, step_size, inv_bias2_sqrt, eps;
} AdamWScalars;

static AdamWScalars adamw_scalars(const AdamW *a)
{
    const AdamWConfig *c = &a->cfg;
    double bias1 = 1.0 - pow(c->beta1, (double)a->t);
    double bias2 = 1.0 - pow(c->beta2, (double)a->t);
    return (AdamWScalars){
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
static inline void adamw_one(const AdamWScalars *s, float *p, float *m, float *v, float g)
{
    *p = *p * s->decay;
    *m = *m + s->w1 * (g - *m);
    *v = s->b2 * *v + s->w2 * g * g;
    float denom = sqrtf(*v) * s->inv_bias2_sqrt + s->eps;
    *p -= s->step_size * (*m / denom);
}

void adamw_step(AdamW *a, float *params, const float *grad)
{
    a->t++;
    const AdamWScalars s = adamw_scalars(a);
    float *m = a->m, *v = a->v;
    size_t i = 0;
#ifdef __AVX__
    /* The same arithmetic 8 lanes at a time (sqrtf's errno path keeps the
     * compiler from vectorising the scalar loop; this loop is memory-bound). */
    const __m256 decay = _mm256_set1_ps(s.decay), w1 = _mm256_set1_ps(s.w1),
                 b2 = _mm256_set1_ps(s.b2), w2 = _mm256_set1_ps(s.w2),
                 step = _mm256_set1_ps(s.step_size), ib2s = _mm256_set1_ps(s.inv_bias2_sqrt),
                 eps = _mm256_set1_ps(s.eps);
    for (; i + 8 <= a->n; i += 8) {
        __m256 g = _mm256_loadu_ps(grad + i);
        __m256 p = _mm256_mul_ps(_mm256_loadu_ps(params + i), decay);
        __m256 mi = _mm256_loadu_ps(m + i);
        mi = _mm256_add_ps(mi, _mm256_mul_ps(w1, _mm256_sub_ps(g, mi)));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)),
                                  _mm256_mul_ps(_mm256_mul_ps(w2, g), g));
        __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), ib2s), eps);
        p = _mm256_sub_ps(p, _mm256_mul_ps(step, _mm256_div_ps(mi, denom)));
        _mm256_storeu_ps(params + i, p);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
    }
#endif
    for (; i < a->n; i++)
        adamw_one(&s, params + i, m + i, v + i, grad[i]);
}
