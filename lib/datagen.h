/* datagen.h — the synthetic compositional-generalisation data of SPEC §1.
 *
 * A (d_y × d_z): i.i.d. N(0,1), columns scaled to unit L2 norm.
 * Each code z has exactly k non-zeros, Uniform(0,1); y = A z (no noise).
 * Latent 0 is the anchor; pools: OOD = {d_z − ⌊d_z/2⌋ … d_z − 1},
 * ID = {1 … d_z − ⌊d_z/2⌋ − 1}. Supports:
 *   A: {0} ∪ (k−1 from the ID pool)   B: k from {1 … d_z−1}
 *   C: {0} ∪ (k−1 from the OOD pool)
 * ID samples are A or B with probability ½; OOD samples are all C.
 * Computed in double, stored as float32.
 */
#ifndef SK_DATAGEN_H
#define SK_DATAGEN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

typedef struct {
    size_t dz, k, p, dy;   /* dy = 0: the default formula */
    uint64_t seed;
} DataParams;

typedef struct {
    Mat A;                          /* d_y × d_z */
    Mat y_train, z_train;           /* ⌊p/2⌋ rows */
    Mat y_val, z_val;               /* p − ⌊p/2⌋ rows */
    Mat y_ood, z_ood;               /* ⌊p/2⌋ rows */
} Dataset;

/* d_y = max(k + 1, ceil(2 k ln(d_z / k))). */
size_t datagen_default_dy(size_t dz, size_t k);
/* Check parameters (fills in dy when 0); a clear message when impossible. */
int datagen_validate(DataParams *p, SkErr *err);
/* Draw the whole dataset; p must have passed datagen_validate. */
int datagen_generate(const DataParams *p, Dataset *out, SkErr *err);
void dataset_release(Dataset *d);

#endif
