#include "adam.h"

#include <math.h>
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
 * rounded (IEEE +, −, ×, /, sqrt), so 8 lanes at a time (adam_update8) give
 * exactly the bits of the scalar loop. GCC does not vectorise the scalar loop
 * at -O2 (sqrtf may set errno), hence the AVX path when the target has it. */
void adam_update_range(const AdamStep *s, size_t n, float *restrict p, const float *restrict g,
                       float *restrict m, float *restrict v)
{
    size_t i = 0;
#ifdef __AVX__
    for (; i + 8 <= n; i += 8) {
        __m256 mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
        _mm256_storeu_ps(p + i, adam_update8(s, _mm256_loadu_ps(p + i), _mm256_loadu_ps(g + i),
                                             &mi, &vi));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
    }
#endif
    for (; i < n; i++) {
        float gi = g[i];
        float mi = m[i] + s->w1 * (gi - m[i]);
        float vi = s->b2 * v[i] + s->w2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= s->step_size * (mi / (sqrtf(vi) / s->bias2_sqrt + s->eps));
    }
}

AdamStep adam_begin_step(Adam *a, double lr)
{
    a->t++;
    const double bias1 = 1.0 - pow(a->cfg.beta1, (double)a->t);
    const double bias2 = 1.0 - pow(a->cfg.beta2, (double)a->t);
    /* Scalars are Python doubles in PyTorch; they meet float32 tensors as floats. */
    return (AdamStep){
        .w1 = (float)(1.0 - a->cfg.beta1),
        .b2 = (float)a->cfg.beta2,
        .w2 = (float)(1.0 - a->cfg.beta2),
        .step_size = (float)(lr / bias1),
        .bias2_sqrt = (float)sqrt(bias2),
        .eps = (float)a->cfg.eps,
    };
}

void adam_step(Adam *a, float *params, const float *grad, double lr)
{
    AdamStep s = adam_begin_step(a, lr);
    adam_update_range(&s, a->n, params, grad, a->m, a->v);
}
