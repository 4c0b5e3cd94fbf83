#include "datagen.h"

#include <math.h>
#include <stdlib.h>

#include "rng.h"

/* Independent random streams of one seed, so each part can change alone. */
enum { STREAM_DICTIONARY = 1, STREAM_ID = 2, STREAM_OOD = 3 };

size_t datagen_default_dy(size_t dz, size_t k)
{
    double formula = ceil(2.0 * (double)k * log((double)dz / (double)k));
    size_t dy = formula > 0 ? (size_t)formula : 0;
    return dy > k + 1 ? dy : k + 1;
}

static size_t ood_pool_start(size_t dz) { return dz - dz / 2; }
static size_t id_pool_size(size_t dz) { return dz - dz / 2 - 1; }

int datagen_validate(DataParams *p, SkErr *err)
{
    if (p->dz < 2)
        return sk_fail(err, "--dz must be at least 2 (got %zu)", p->dz);
    if (p->k < 1)
        return sk_fail(err, "--k must be at least 1");
    if (p->k > p->dz - 1)
        return sk_fail(err, "k = %zu needs k <= d_z - 1 = %zu", p->k, p->dz - 1);
    if (p->k - 1 > id_pool_size(p->dz))
        return sk_fail(err, "k = %zu needs k - 1 <= %zu, the size of the ID pool {1..%zu} at d_z = %zu",
                       p->k, id_pool_size(p->dz), id_pool_size(p->dz), p->dz);
    if (p->p < 2)
        return sk_fail(err, "--p must be at least 2 (train and val need a sample each)");
    if (p->dz > 10000000 || p->p > 100000000)
        return sk_fail(err, "d_z = %zu, p = %zu is beyond what this generator supports", p->dz, p->p);
    if (p->dy == 0)
        p->dy = datagen_default_dy(p->dz, p->k);
    if (p->dy > p->dz)
        return sk_fail(err, "d_y = %zu exceeds d_z = %zu (no superposition); refused", p->dy, p->dz);
    return 0;
}

/* A (d_y × d_z) in double: N(0,1) entries, unit-norm columns. */
static void draw_dictionary(Rng *r, size_t dy, size_t dz, double *a)
{
    for (size_t i = 0; i < dy * dz; i++)
        a[i] = rng_normal(r);
    for (size_t j = 0; j < dz; j++) {
        double norm2 = 0.0;
        for (size_t i = 0; i < dy; i++)
            norm2 += a[i * dz + j] * a[i * dz + j];
        double inv = norm2 > 0 ? 1.0 / sqrt(norm2) : 0.0;
        for (size_t i = 0; i < dy; i++)
            a[i * dz + j] *= inv;
    }
}

/* Support of one sample: k indices into support[] for the given setting. */
static void draw_support(Rng *r, char setting, size_t dz, size_t k, uint64_t *support)
{
    switch (setting) {
    case 'A': /* {0} ∪ (k−1 from the ID pool {1..}) */
        support[0] = 0;
        rng_sample_distinct(r, id_pool_size(dz), k - 1, support + 1);
        for (size_t i = 1; i < k; i++)
            support[i] += 1;
        break;
    case 'B': /* k from {1..d_z−1} */
        rng_sample_distinct(r, dz - 1, k, support);
        for (size_t i = 0; i < k; i++)
            support[i] += 1;
        break;
    default: /* 'C': {0} ∪ (k−1 from the OOD pool) */
        support[0] = 0;
        rng_sample_distinct(r, dz / 2, k - 1, support + 1);
        for (size_t i = 1; i < k; i++)
            support[i] += ood_pool_start(dz);
        break;
    }
}

/* Fill row `row` of z with one code and y with A z (double, then float). */
static void draw_sample(Rng *r, char setting, const double *a, size_t dy, size_t dz, size_t k,
                        uint64_t *support, double *yrow, Mat *z, Mat *y, size_t row)
{
    draw_support(r, setting, dz, k, support);
    for (size_t i = 0; i < dy; i++)
        yrow[i] = 0.0;
    for (size_t s = 0; s < k; s++) {
        double v = rng_uniform(r);
        MAT_AT(*z, row, support[s]) = (float)v;
        for (size_t i = 0; i < dy; i++)
            yrow[i] += a[i * dz + support[s]] * v;
    }
    for (size_t i = 0; i < dy; i++)
        MAT_AT(*y, row, i) = (float)yrow[i];
}

void dataset_release(Dataset *d)
{
    mat_release(&d->A);
    mat_release(&d->y_train);
    mat_release(&d->z_train);
    mat_release(&d->y_val);
    mat_release(&d->z_val);
    mat_release(&d->y_ood);
    mat_release(&d->z_ood);
}

static int alloc_dataset(const DataParams *p, Dataset *d, SkErr *err)
{
    size_t n_train = p->p / 2, n_val = p->p - n_train, n_ood = p->p / 2;
    *d = (Dataset){0};
    if (mat_alloc(&d->A, p->dy, p->dz, err) || mat_alloc(&d->y_train, n_train, p->dy, err) ||
        mat_alloc(&d->z_train, n_train, p->dz, err) || mat_alloc(&d->y_val, n_val, p->dy, err) ||
        mat_alloc(&d->z_val, n_val, p->dz, err) || mat_alloc(&d->y_ood, n_ood, p->dy, err) ||
        mat_alloc(&d->z_ood, n_ood, p->dz, err)) {
        dataset_release(d);
        return -1;
    }
    return 0;
}

int datagen_generate(const DataParams *p, Dataset *d, SkErr *err)
{
    size_t dy = p->dy, dz = p->dz, k = p->k;
    double *a = malloc(dy * dz * sizeof *a), *yrow = malloc(dy * sizeof *yrow);
    uint64_t *support = malloc(k * sizeof *support);
    if (!a || !yrow || !support || alloc_dataset(p, d, err)) {
        free(a);
        free(yrow);
        free(support);
        return err && err->msg[0] ? -1 : sk_fail(err, "out of memory for d_z = %zu", dz);
    }
    Rng r;
    rng_init(&r, p->seed, STREAM_DICTIONARY);
    draw_dictionary(&r, dy, dz, a);
    for (size_t i = 0; i < dy * dz; i++)
        d->A.v[i] = (float)a[i];

    /* ID draws: the first ⌊p/2⌋ are train, the rest val; each is A or B with prob ½. */
    rng_init(&r, p->seed, STREAM_ID);
    for (size_t s = 0; s < p->p; s++) {
        char setting = rng_uniform(&r) < 0.5 ? 'A' : 'B';
        bool train = s < d->y_train.rows;
        draw_sample(&r, setting, a, dy, dz, k, support, yrow, train ? &d->z_train : &d->z_val,
                    train ? &d->y_train : &d->y_val, train ? s : s - d->y_train.rows);
    }
    rng_init(&r, p->seed, STREAM_OOD);
    for (size_t s = 0; s < d->y_ood.rows; s++)
        draw_sample(&r, 'C', a, dy, dz, k, support, yrow, &d->z_ood, &d->y_ood, s);
    free(a);
    free(yrow);
    free(support);
    return 0;
}
