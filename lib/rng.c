#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rng_init(Rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare_normal = 0.0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_u64(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(Rng *r) { return (double)(rng_u64(r) >> 11) * 0x1.0p-53; }

double rng_normal(Rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare_normal;
    }
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare_normal = v * f;
    r->has_spare = 1;
    return u * f;
}

uint64_t rng_below(Rng *r, uint64_t n)
{
    /* Rejection of the top partial range removes modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_u64(r);
    while (x >= limit);
    return x % n;
}

void rng_sample_distinct(Rng *r, uint64_t n, size_t k, uint64_t *out)
{
    /* Floyd: for j = n-k .. n-1 pick t in [0, j]; take t unless taken, else j. */
    size_t got = 0;
    for (uint64_t j = n - k; j < n; j++) {
        uint64_t t = rng_below(r, j + 1);
        for (size_t i = 0; i < got; i++)
            if (out[i] == t) {
                t = j;
                break;
            }
        out[got++] = t;
    }
    /* Floyd's output order is not uniform; shuffle it. */
    for (size_t i = got; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        uint64_t tmp = out[i - 1];
        out[i - 1] = out[j];
        out[j] = tmp;
    }
}

void rng_permutation(Rng *r, size_t n, size_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        size_t tmp = out[i - 1];
        out[i - 1] = out[j];
        out[j] = tmp;
    }
}
