/* Seeded generator: reproducible streams, distribution moments, distinct sampling. */
#include "rng.h"
#include "testutil.h"

#include <string.h>

START_TEST(same_seed_same_stream)
{
    Rng a, b, c;
    rng_init(&a, 42, 1);
    rng_init(&b, 42, 1);
    rng_init(&c, 42, 2);
    int differs = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_u64(&a);
        ck_assert_uint_eq(x, rng_u64(&b));
        differs += x != rng_u64(&c);
    }
    ck_assert_int_gt(differs, 95);
}
END_TEST

START_TEST(uniform_and_normal_moments)
{
    Rng r;
    rng_init(&r, 3, 0);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r), z = rng_normal(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        su += u, su2 += u * u;
        sn += z, sn2 += z * z, sn4 += z * z * z * z;
    }
    /* Tolerances are ~6 standard errors. */
    ck_assert_double_eq_tol(su / n, 0.5, 6 * sqrt(1.0 / 12 / n));
    ck_assert_double_eq_tol(su2 / n - (su / n) * (su / n), 1.0 / 12, 0.002);
    ck_assert_double_eq_tol(sn / n, 0.0, 6 / sqrt(n));
    ck_assert_double_eq_tol(sn2 / n, 1.0, 6 * sqrt(2.0 / n));
    ck_assert_double_eq_tol(sn4 / n, 3.0, 0.1);
}
END_TEST

START_TEST(sample_distinct_is_distinct_and_uniform)
{
    Rng r;
    rng_init(&r, 9, 0);
    enum { N = 10, K = 4, TRIALS = 50000 };
    int counts[N] = {0};
    uint64_t out[K];
    for (int t = 0; t < TRIALS; t++) {
        rng_sample_distinct(&r, N, K, out);
        for (int i = 0; i < K; i++) {
            ck_assert_uint_lt(out[i], N);
            for (int j = 0; j < i; j++)
                ck_assert_uint_ne(out[i], out[j]);
            counts[out[i]]++;
        }
    }
    double expect = (double)TRIALS * K / N;
    for (int i = 0; i < N; i++)
        ck_assert_double_eq_tol(counts[i], expect, 6 * sqrt(expect));
    /* k = n gives a permutation */
    uint64_t all[N];
    rng_sample_distinct(&r, N, N, all);
    int seen[N] = {0};
    for (int i = 0; i < N; i++)
        seen[all[i]]++;
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(seen[i], 1);
}
END_TEST

START_TEST(permutation_is_permutation_and_first_position_uniform)
{
    Rng r;
    rng_init(&r, 5, 0);
    enum { N = 7, TRIALS = 70000 };
    size_t p[N];
    int first[N] = {0};
    for (int t = 0; t < TRIALS; t++) {
        rng_permutation(&r, N, p);
        int seen[N] = {0};
        for (int i = 0; i < N; i++)
            seen[p[i]]++;
        for (int i = 0; i < N; i++)
            ck_assert_int_eq(seen[i], 1);
        first[p[0]]++;
    }
    for (int i = 0; i < N; i++)
        ck_assert_double_eq_tol(first[i], TRIALS / N, 6 * sqrt(TRIALS / N));
}
END_TEST

START_TEST(below_has_no_bias_at_small_n)
{
    Rng r;
    rng_init(&r, 11, 0);
    int c[3] = {0};
    for (int i = 0; i < 90000; i++)
        c[rng_below(&r, 3)]++;
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(c[i], 30000, 6 * sqrt(30000));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, same_seed_same_stream);
    tcase_add_test(tc, uniform_and_normal_moments);
    tcase_add_test(tc, sample_distinct_is_distinct_and_uniform);
    tcase_add_test(tc, permutation_is_permutation_and_first_position_uniform);
    tcase_add_test(tc, below_has_no_bias_at_small_n);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
