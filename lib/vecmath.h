/* vecmath.h — 8-lane float kernels (AVX2 + FMA) for element-wise passes over
 * millions of values: exp, log1p, and masked loads/stores for a run's tail.
 *
 * exp8 is SLEEF's expf8_u10 (the function PyTorch's CPU kernels call, e.g.
 * ATen's softplus) written out so it inlines into a pass: the same operations
 * in the same order give the same bits (tests/unit/test_vecmath.c compares it
 * with libsleef over a sweep of every float exponent). Calling libsleef
 * instead costs a function call per 8 values inside the hot loops, with every
 * live ymm register spilled around it. log1p8 is a Cephes-style log1p, half
 * the cost of SLEEF's log1pf8_u10 (which was the largest single cost of a
 * Softplus-Adam step) and as accurate (within 1 ulp, tested). */
#ifndef SK_VECMATH_H
#define SK_VECMATH_H

#include <immintrin.h>
#include <math.h>
#include <stddef.h>

#if !defined(__AVX2__) || !defined(__FMA__)
#error "vecmath.h needs AVX2 and FMA (the build's -march=x86-64-v3)"
#endif

/* The first min(left, 8) lanes. */
static inline __m256i vm_lanes(size_t left)
{
    int n = left >= 8 ? 8 : (int)left;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Load / store 8 floats, only the first `left` (mask = vm_lanes(left)) when
 * left < 8: a run's tail, without touching memory past it. */
static inline __m256 vm_load8(const float *p, size_t left, __m256i mask)
{
    return left >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
}

static inline void vm_store8(float *p, __m256 x, size_t left, __m256i mask)
{
    if (left >= 8)
        _mm256_storeu_ps(p, x);
    else
        _mm256_maskstore_ps(p, mask, x);
}

/* log1p(e) for e ≥ 0 (NaN stays NaN), within 1 ulp: 0.84 ulp at worst over
 * every float of [0, 4.86e8] (≈ exp(20); checked once, exhaustively, against
 * double log1p), where SLEEF's log1pf8_u10 reaches 1.0 ulp, at half its cost. Cephes' logf on a reduced
 * argument:
 *   u = 1 + e = 2^k m, m ∈ [√½, √2), f = m − 1 (f = e exactly when k = 0),
 *   log1p(e) = k ln2 + f − f²/2 + f³ P(f) + c,
 * with c = (e − (u − 1))/u the rounding error of 1 + e (only for k ≥ 1,
 * where it is below 2⁻²⁴ of the result, so an approximate reciprocal does),
 * and ln2 = 0.693359375 − 2.12194440e-4 split so k·ln2_hi is exact. */
static inline __m256 vm_log1p8(__m256 e)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 u = _mm256_add_ps(one, e);
    const __m256i iu = _mm256_castps_si256(u);
    const __m256i k = _mm256_srai_epi32(_mm256_sub_epi32(iu, _mm256_set1_epi32(0x3f3504f3)), 23);
    const __m256 m = _mm256_castsi256_ps(_mm256_sub_epi32(iu, _mm256_slli_epi32(k, 23)));
    const __m256 fk = _mm256_cvtepi32_ps(k);
    const __m256 k0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_setzero_si256()));
    const __m256 c = _mm256_andnot_ps(
        k0, _mm256_mul_ps(_mm256_sub_ps(e, _mm256_sub_ps(u, one)), _mm256_rcp_ps(u)));
    const __m256 f = _mm256_blendv_ps(_mm256_sub_ps(m, one), e, k0);
    const __m256 z = _mm256_mul_ps(f, f);
    static const float P[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                               -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                               2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
    __m256 p = _mm256_set1_ps(P[0]);
    for (int i = 1; i < 9; i++)
        p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(P[i]));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, f), z);                 /* f³ P(f) */
    y = _mm256_fmadd_ps(fk, _mm256_set1_ps(-2.12194440e-4f), y);      /* + k ln2_lo */
    y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);                 /* − f²/2 */
    __m256 r = _mm256_add_ps(f, _mm256_add_ps(y, c));
    r = _mm256_fmadd_ps(fk, _mm256_set1_ps(0.693359375f), r);         /* + k ln2_hi */
    return _mm256_blendv_ps(r, e, _mm256_cmp_ps(e, e, _CMP_UNORD_Q));
}

/* exp(x), SLEEF's expf8_u10 written out (see the top): within 1 ulp,
 *   q = rint(x/ln2),  s = x − q·ln2 (ln2 in two parts, FMAs),
 *   exp(s) = 1 + s + s²·P(s),  exp(x) = 2^q exp(s) (as 2^⌊q/2⌋·2^(q−⌊q/2⌋)),
 *   0 below −104, +inf above 100. */
static inline __m256 vm_exp8(__m256 x)
{
    const __m256 rln2 = _mm256_set1_ps(1.442695040888963407359924681001892137f);
    const __m256i q = _mm256_cvtps_epi32(_mm256_mul_ps(x, rln2)); /* round to nearest */
    const __m256 fq = _mm256_cvtepi32_ps(q);
    __m256 s = _mm256_fmadd_ps(fq, _mm256_set1_ps(-0.693145751953125f), x);
    s = _mm256_fmadd_ps(fq, _mm256_set1_ps(-1.428606765330187045e-06f), s);
    __m256 u = _mm256_set1_ps(0.000198527617612853646278381f);
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(0.00139304355252534151077271f));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(0.00833336077630519866943359f));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(0.0416664853692054748535156f));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(0.166666671633720397949219f));
    u = _mm256_fmadd_ps(u, s, _mm256_set1_ps(0.5f));
    u = _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_mul_ps(s, s), u, s));
    const __m256i q1 = _mm256_srai_epi32(q, 1), q2 = _mm256_sub_epi32(q, q1);
    const __m256i bias = _mm256_set1_epi32(0x7f);
    u = _mm256_mul_ps(u, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(q1, bias), 23)));
    u = _mm256_mul_ps(u, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(q2, bias), 23)));
    u = _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-104.0f), _CMP_LT_OQ), u);
    return _mm256_blendv_ps(u, _mm256_set1_ps(INFINITY),
                            _mm256_cmp_ps(_mm256_set1_ps(100.0f), x, _CMP_LT_OQ));
}

/* log1p(e) for 0 ≤ e ≤ exp(−5) only, by its series to the e⁴ term (the
 * next is below 2⁻³⁰ of the result): e − e²(1/2 − e(1/3 − e/4)). Within
 * 0.51 ulp over every float of the range; 4 operations against log1p8's 25. */
static inline __m256 vm_log1p_small8(__m256 e)
{
    __m256 t = _mm256_fnmadd_ps(e, _mm256_set1_ps(0.25f), _mm256_set1_ps(1.0f / 3.0f));
    __m256 q = _mm256_fnmadd_ps(e, t, _mm256_set1_ps(0.5f));
    return _mm256_fnmadd_ps(_mm256_mul_ps(e, e), q, e);
}

#endif
