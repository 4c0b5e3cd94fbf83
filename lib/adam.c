#include "adam.h"

#include <math.h>
#ifdef __AVX__
#include <immintrin.h>
#endif
#include <stdlib.h>

int adam_init(Adam *a, size_t n, SkErr *err)
{
    *a = (Adam){.n = n, .cfg = {0.9, 0.999, 1e-8}};
    if (n > (size_t)-1 / sizeof(float))
        return sk_fail(err, "Adam: %zu parameters is too many", n);
    a->m = calloc(n ? n : 1, sizeof(float));
    a->v = calloc(n ? n : 1, sizeof(float));
    if (!a->m || !a->v) {
        adam_release(a);
        return sk_fail(err, "out of memory for Adam's moments (%zu parameters)", n);
    }
    return 0;
}

void adam_release(Adam *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

/* The update is elementwise (no sums) and every operation is correctly
 * rounded (IEEE +, −, ×, /, sqrt), so 8 lanes at a time give exactly the bits
 * of the scalar loop. GCC does not vectorise the scalar loop at -O2 (sqrtf
 * may set errno), hence the AVX path when the target has it. */
static void adam_update(size_t n, float *restrict p, const float *restrict g, float *restrict m,
                        float *restrict v, float w1, float b2, float w2, float step_size,
                        float bias2_sqrt, float eps)
{
    size_t i = 0;
#ifdef __AVX__
    const __m256 W1 = _mm256_set1_ps(w1), B2 = _mm256_set1_ps(b2), W2 = _mm256_set1_ps(w2),
                 STEP = _mm256_set1_ps(step_size), BIAS2 = _mm256_set1_ps(bias2_sqrt),
                 EPS = _mm256_set1_ps(eps);
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
        mi = _mm256_add_ps(mi, _mm256_mul_ps(W1, _mm256_sub_ps(gi, mi)));
        vi = _mm256_add_ps(_mm256_mul_ps(B2, vi), _mm256_mul_ps(_mm256_mul_ps(W2, gi), gi));
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), BIAS2), EPS);
        __m256 pi = _mm256_sub_ps(_mm256_loadu_ps(p + i), _mm256_mul_ps(STEP, _mm256_div_ps(mi, denom)));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, pi);
    }
#endif
    for (; i < n; i++) {
        float gi = g[i];
        float mi = m[i] + w1 * (gi - m[i]);
        float vi = b2 * v[i] + w2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * (mi / (sqrtf(vi) / bias2_sqrt + eps));
    }
}

void adam_step(Adam *a, float *params, const float *grad, double lr)
{
    a->t++;
    const double bias1 = 1.0 - pow(a->cfg.beta1, (double)a->t);
    const double bias2 = 1.0 - pow(a->cfg.beta2, (double)a->t);
    /* Scalars are Python doubles in PyTorch; they meet float32 tensors as floats. */
    const float w1 = (float)(1.0 - a->cfg.beta1);
    const float b2 = (float)a->cfg.beta2, w2 = (float)(1.0 - a->cfg.beta2);
    const float step_size = (float)(lr / bias1);
    const float bias2_sqrt = (float)sqrt(bias2);
    const float eps = (float)a->cfg.eps;
    adam_update(a->n, params, grad, a->m, a->v, w1, b2, w2, step_size, bias2_sqrt, eps);
}
