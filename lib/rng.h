/* rng.h — the one seeded random generator (xoshiro256**, seeded by splitmix64).
 * Streams: rng_init(seed, stream) gives independent sequences for the same seed,
 * so adding a draw in one stage never shifts another stage's numbers. */
#ifndef SK_RNG_H
#define SK_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare_normal;
    int has_spare;
} Rng;

void rng_init(Rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_u64(Rng *r);
/* Uniform on [0, 1) with 53 random bits. */
double rng_uniform(Rng *r);
/* Standard normal (Marsaglia polar method). */
double rng_normal(Rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t rng_below(Rng *r, uint64_t n);
/* k distinct values from [0, n) into out (Floyd's algorithm, O(k^2)), k <= n.
 * The order of out is random. */
void rng_sample_distinct(Rng *r, uint64_t n, size_t k, uint64_t *out);
/* out[0..n) = a uniformly random permutation of 0..n-1 (Fisher-Yates). */
void rng_permutation(Rng *r, size_t n, size_t *out);

#endif
