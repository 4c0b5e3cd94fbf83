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

#endif
