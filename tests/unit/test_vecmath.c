/* test_vecmath.c — the 8-lane kernels of lib/vecmath.h:
 *  - vm_exp8 gives SLEEF's expf8_u10 bits (libsleef, the function PyTorch's
 *    CPU kernels call) over a sweep of every exponent, and at the edges;
 *  - vm_log1p8 within 1 ulp of log1p (double) over [0, 4.9e8];
 *    vm_log1p_small8 within 0.52 ulp over [0, exp(−5)];
 *  - masked loads and stores touch only their lanes. */
#include <immintrin.h>
#include <sleef.h>
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "vecmath.h"

static float bits_to_float(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static uint32_t float_to_bits(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Units in the last place of the float nearest to ref, between ref and got. */
static double ulps(float got, double ref)
{
    float r = (float)ref;
    double ulp = (double)nextafterf(fabsf(r), INFINITY) - fabsf(r);
    return fabs((double)got - ref) / ulp;
}

/* Compare vm_exp8 with Sleef_expf8_u10avx2 on the 8 values x; counts lanes. */
static void exp_same_bits(const float x[8], long *lanes_checked)
{
    float mine[8], sleef[8];
    _mm256_storeu_ps(mine, vm_exp8(_mm256_loadu_ps(x)));
    _mm256_storeu_ps(sleef, Sleef_expf8_u10avx2(_mm256_loadu_ps(x)));
    for (int l = 0; l < 8; l++) {
        bool same = float_to_bits(mine[l]) == float_to_bits(sleef[l]) ||
                    (isnan(mine[l]) && isnan(sleef[l]));
        ck_assert_msg(same, "exp(%.9g): %.9g, SLEEF %.9g", x[l], mine[l], sleef[l]);
    }
    *lanes_checked += 8;
}

START_TEST(exp_matches_sleef_bits)
{
    long checked = 0;
    /* every 1009th float of either sign up to |x| = 110 (past both cut-offs):
     * all exponents, about 2.1 million values */
    const uint32_t top = float_to_bits(110.0f);
    for (uint32_t sign = 0; sign <= 1; sign++)
        for (uint32_t b = 0; b <= top; b += 8 * 1009) {
            float x[8];
            for (uint32_t l = 0; l < 8; l++)
                x[l] = bits_to_float((sign << 31) | (b + l * 1009));
            exp_same_bits(x, &checked);
        }
    /* the edges: cut-offs, rounding of x/ln2 at halves, specials */
    const float edges[] = {-104.0f, nextafterf(-104.0f, 0.0f), nextafterf(-104.0f, -200.0f),
                           100.0f,  nextafterf(100.0f, 0.0f),  nextafterf(100.0f, 200.0f),
                           88.72283f, 88.7228394f, -87.33655f, 0.5f * 0.693147182f,
                           -0.5f * 0.693147182f, 0.0f, -0.0f, 1e-30f, INFINITY, -INFINITY,
                           NAN, -10.0f};
    const size_t n = sizeof edges / sizeof *edges;
    for (size_t i = 0; i + 8 <= n + 7; i += 8) {
        float x[8] = {0};
        for (size_t l = 0; l < 8 && i + l < n; l++)
            x[l] = edges[i + l];
        exp_same_bits(x, &checked);
    }
    ck_assert(checked > 2000000);
}
END_TEST

/* Worst error in ulps of kernel(e) against log1p over the floats [lo, hi],
 * every stride-th. */
static double log1p_worst(__m256 (*kernel)(__m256), float lo, float hi, uint32_t stride)
{
    double worst = 0.0;
    for (uint32_t b = float_to_bits(lo); b <= float_to_bits(hi); b += 8 * stride) {
        float e[8], got[8];
        for (uint32_t l = 0; l < 8; l++)
            e[l] = fminf(bits_to_float(b + l * stride), hi);
        _mm256_storeu_ps(got, kernel(_mm256_loadu_ps(e)));
        for (int l = 0; l < 8; l++) {
            double u = ulps(got[l], log1p((double)e[l]));
            ck_assert_msg(u <= 1.0, "log1p(%.9g) = %.9g, %.3f ulp off", e[l], got[l], u);
            worst = fmax(worst, u);
        }
    }
    return worst;
}

static __m256 log1p_any(__m256 e) { return vm_log1p8(e); }
static __m256 log1p_small(__m256 e) { return vm_log1p_small8(e); }

START_TEST(log1p_within_one_ulp)
{
    /* every 499th float from 0 to exp(20) (the largest argument softplus
     * gives it): about 2.5 million values, the subnormals included */
    double worst = log1p_worst(log1p_any, 0.0f, 4.86e8f, 499);
    ck_assert_msg(worst < 0.9, "worst %.3f ulp", worst);
    double small = log1p_worst(log1p_small, 0.0f, expf(-5.0f), 397);
    ck_assert_msg(small < 0.52, "series: worst %.3f ulp", small);
    float out[8];
    _mm256_storeu_ps(out, vm_log1p8(_mm256_setr_ps(NAN, 0.0f, 1.0f, 1e-30f, 0, 0, 0, 0)));
    ck_assert(isnan(out[0]));
    ck_assert_float_eq(out[1], 0.0f);
    ck_assert(fabs(out[2] - log(2.0)) < 6e-8);
    ck_assert_float_eq(out[3], 1e-30f);
}
END_TEST

START_TEST(masked_tail_touches_only_its_lanes)
{
    float src[8] = {1, 2, 3, 4, 5, 6, 7, 8}, dst[8];
    for (size_t left = 1; left <= 8; left++) {
        for (int l = 0; l < 8; l++)
            dst[l] = -1.0f;
        __m256i mask = vm_lanes(left);
        float got[8];
        _mm256_storeu_ps(got, vm_load8(src, left, mask));
        vm_store8(dst, vm_load8(src, left, mask), left, mask);
        for (size_t l = 0; l < 8; l++) {
            ck_assert_float_eq(got[l], l < left ? src[l] : 0.0f);
            ck_assert_float_eq(dst[l], l < left ? src[l] : -1.0f);
        }
    }
}
END_TEST

static Suite *vecmath_suite(void)
{
    Suite *s = suite_create("vecmath");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exp_matches_sleef_bits);
    tcase_add_test(tc, log1p_within_one_ulp);
    tcase_add_test(tc, masked_tail_touches_only_its_lanes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(vecmath_suite()); }
