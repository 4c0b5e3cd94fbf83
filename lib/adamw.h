/* adamw.h — PyTorch's AdamW (decoupled weight decay) over one flat buffer.
 *
 * A model keeps all its trained parameters in one contiguous float range, its
 * gradient in another of the same length; one call steps them all. Arithmetic
 * follows torch.optim.AdamW's single-tensor path (float32 tensors, Python-double
 * scalars), step t = 1, 2, ...:
 *   p = p · (1 − lr·wd)                          (decay first, every parameter,
 *                                                 even where g is exactly 0)
 *   m = m + (1 − β1)(g − m)                      (lerp)
 *   v = β2 v + (1 − β2) g²
 *   p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
 * Parameters outside the stepped range are untouched (no decay): that is how
 * PyTorch treats a parameter whose .grad is None (MP's unused encoder). */
#ifndef SK_ADAMW_H
#define SK_ADAMW_H

#include <stddef.h>

#include "err.h"

typedef struct {
    double lr;            /* 5e-4 for the SAEs */
    double beta1, beta2;  /* 0.9, 0.999 */
    double eps;           /* 1e-8 */
    double weight_decay;  /* 0.01 (PyTorch's AdamW default) */
} AdamWConfig;

/* PyTorch's defaults with the SAE learning rate: lr 5e-4, betas (0.9, 0.999),
 * eps 1e-8, weight decay 0.01. */
AdamWConfig adamw_default_config(void);

/* Moments of an n-parameter range; t counts the steps taken. */
typedef struct {
    size_t n;
    float *m, *v;
    long t;
    AdamWConfig cfg;
} AdamW;

/* Zeroed moments for n parameters. */
int adamw_init(AdamW *a, size_t n, const AdamWConfig *cfg, SkErr *err);
void adamw_release(AdamW *a);
/* One step: params[0..n) updated from grad[0..n). */
void adamw_step(AdamW *a, float *params, const float *grad);

/* The same step in pieces, for callers that fuse it with their own passes
 * over the parameters (and thread it): adamw_begin_step counts the step and
 * returns its scalars; adamw_update then steps parameters [first, first +
 * count) of the range, params and grad pointing at parameter `first`.
 * grad = NULL stands for a gradient of exactly 0 there (not read: the decay
 * and the moments' decay still apply). Pieces may run in any order and on
 * any threads; each element's arithmetic is adamw_step's, bit for bit. */
typedef struct {
    float decay, w1, b2, w2, step_size, inv_bias2_sqrt, eps;
} AdamWStep;

AdamWStep adamw_begin_step(AdamW *a);
void adamw_update(const AdamW *a, const AdamWStep *s, size_t first, size_t count, float *params,
                  const float *grad);

#endif
