/* test_metrics.c — SPEC §4 metrics against the paper's fixture and hand cases. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "auc.h"
#include "metrics.h"
#include "rng.h"
#include "testutil.h"

/* ---------------------------------------------------------------- helpers */

/* n × d sparse non-negative codes: each entry active with prob 0.4, U(0,1). */
static Mat sparse_codes(size_t n, size_t d, uint64_t seed)
{
    Mat z;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&z, n, d, &err), 0);
    Rng r;
    rng_init(&r, seed, 9);
    for (size_t k = 0; k < n * d; k++)
        z.v[k] = rng_uniform(&r) < 0.4 ? (float)rng_uniform(&r) : 0.0f;
    return z;
}

/* out[:, dst[c]] = scale[c] · z[:, src[c]] + shift[c] for c < k (other columns 0). */
static Mat remix_columns(const Mat *z, size_t width, const size_t *src, const size_t *dst,
                         const float *scale, const float *shift, size_t k)
{
    Mat out;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&out, z->rows, width, &err), 0);
    for (size_t i = 0; i < z->rows; i++)
        for (size_t c = 0; c < k; c++)
            MAT_AT(out, i, dst[c]) = scale[c] * MAT_AT(*z, i, src[c]) + shift[c];
    return out;
}

static double fixture_double(const Npz *f, const char *name) { return fixture_scalar(f, name); }

/* ---------------------------------------------------------------- fixture */

START_TEST(test_fixture_mcc)
{
    Npz f;
    fixture_load("metrics.npz", &f);
    Mat zt = fixture_mat(&f, "Z_true"), zp = fixture_mat(&f, "Z_pred");
    double want = fixture_double(&f, "mcc"), mcc;
    SkErr err = {{0}};
    /* equal widths and every truth column varies: all variants coincide */
    ck_assert_int_eq(mcc_paper(&zt, &zp, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, want, 1e-8);
    ck_assert_int_eq(mcc_paper_id(&zt, &zp, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, want, 1e-8);
    ck_assert_int_eq(mcc_clean(&zt, &zp, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, want, 1e-8);
    mat_release(&zt);
    mat_release(&zp);
    npz_free(&f);
}
END_TEST

START_TEST(test_fixture_auc_per_feature)
{
    Npz f;
    fixture_load("metrics.npz", &f);
    Mat zp = fixture_mat(&f, "Z_pred"), lab = fixture_mat(&f, "labels");
    Mat want = fixture_mat(&f, "auc_per_feature");
    unsigned char y[64];
    ck_assert_uint_le(zp.rows, 64);
    for (size_t i = 0; i < zp.rows; i++)
        y[i] = lab.v[i] != 0.0f;
    double auc[16];
    SkErr err = {{0}};
    ck_assert_int_eq(auc_per_column(&zp, y, auc, &err), 0);
    assert_close_f(auc, want.v, zp.cols, 0.0, 1e-7, "auc_per_feature");
    /* selection: best folded val AUC; the same codes as "OOD" give the same column */
    AucSelection sel;
    ck_assert_int_eq(auc_select_feature(&zp, y, &zp, y, &sel, &err), 0);
    size_t best = 0;
    for (size_t j = 1; j < zp.cols; j++)
        if (auc_fold(auc[j]) > auc_fold(auc[best]))
            best = j;
    ck_assert_uint_eq(sel.column, best);
    ck_assert_double_eq(sel.auc_val, auc_fold(auc[best]));
    ck_assert_double_eq(sel.auc_ood, auc_fold(auc[best]));
    mat_release(&zp);
    mat_release(&lab);
    mat_release(&want);
    npz_free(&f);
}
END_TEST

START_TEST(test_fixture_dictionary_and_support)
{
    Npz f;
    fixture_load("metrics.npz", &f);
    Mat d = fixture_mat(&f, "D"), a = fixture_mat(&f, "A");
    Mat rows = fixture_mat(&f, "row_ind"), cols = fixture_mat(&f, "col_ind");
    long match[16];
    DictMatch m;
    SkErr err = {{0}};
    ck_assert_int_eq(dict_match(&d, &a, match, &m, &err), 0);
    ck_assert_uint_eq(m.n_matched, a.cols);
    for (size_t k = 0; k < rows.cols; k++)
        ck_assert_int_eq(match[(size_t)rows.v[k]], (long)cols.v[k]);
    ck_assert_double_eq_tol(m.mean_cosine, fixture_double(&f, "mean_cosine"), 1e-7);
    ck_assert_double_eq_tol(m.mean_angle, fixture_double(&f, "mean_angular_error"), 1e-6);
    ck_assert_double_eq_tol(m.mean_norm_ratio, fixture_double(&f, "mean_norm_ratio"), 1e-7);
    ck_assert_double_eq(m.frac_close, fixture_double(&f, "frac_close"));

    Mat zt = fixture_mat(&f, "Z_true"), zp = fixture_mat(&f, "Z_pred");
    SupportStats s;
    ck_assert_int_eq(support_stats(&zt, &zp, match, &s, &err), 0);
    ck_assert_double_eq_tol(s.precision, fixture_double(&f, "support_precision"), 1e-12);
    ck_assert_double_eq_tol(s.recall, fixture_double(&f, "support_recall"), 1e-12);
    ck_assert_double_eq_tol(s.f1, fixture_double(&f, "support_f1"), 1e-12);
    ck_assert_double_eq(s.pred_l0_total, fixture_double(&f, "pred_total_l0"));
    /* full matching: matched columns are all columns */
    ck_assert_double_eq(s.pred_l0_matched, s.pred_l0_total);
    ck_assert_double_eq_tol(s.true_l0, mean_l0(&zt, 1e-4), 1e-15);
    mat_release(&d);
    mat_release(&a);
    mat_release(&rows);
    mat_release(&cols);
    mat_release(&zt);
    mat_release(&zp);
    npz_free(&f);
}
END_TEST

/* ---------------------------------------------------------------- MCC by hand */

START_TEST(test_mcc_identity_is_one)
{
    Mat z = sparse_codes(200, 8, 1);
    double mcc;
    SkErr err = {{0}};
    ck_assert_int_eq(mcc_paper(&z, &z, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, 1.0, 1e-12);
    ck_assert_int_eq(mcc_paper_id(&z, &z, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, 1.0, 1e-12);
    ck_assert_int_eq(mcc_paper_ood(&z, &z, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, 1.0, 1e-12);
    ck_assert_int_eq(mcc_clean(&z, &z, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, 1.0, 1e-12);
    mat_release(&z);
}
END_TEST

START_TEST(test_mcc_permuted_scaled_shifted_is_one)
{
    Mat z = sparse_codes(300, 6, 2);
    size_t src[6] = {0, 1, 2, 3, 4, 5}, dst[6] = {3, 0, 5, 1, 4, 2};
    float scale[6] = {2.0f, -0.5f, 7.0f, 1.0f, -3.0f, 0.25f};
    float shift[6] = {1.0f, 0.0f, -2.0f, 0.5f, 0.0f, 3.0f};
    Mat p = remix_columns(&z, 6, src, dst, scale, shift, 6);
    double mcc;
    SkErr err = {{0}};
    ck_assert_int_eq(mcc_paper_id(&z, &p, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, 1.0, 1e-6);
    ck_assert_int_eq(mcc_clean(&z, &p, &mcc, &err), 0);
    ck_assert_double_eq_tol(mcc, 1.0, 1e-6);
    mat_release(&z);
    mat_release(&p);
}
END_TEST

/* Codes wider than the truth: truth padded with N(0,1) columns from seed 42,
 * drawn row by row; deterministic across calls and equal to padding by hand. */
START_TEST(test_mcc_padding_deterministic_and_defined)
{
    const size_t n = 150, a = 4, b = 7;
    Mat z = sparse_codes(n, a, 3);
    Mat extra = sparse_codes(n, b - a, 4);
    Mat p;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&p, n, b, &err), 0);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < a; j++)
            MAT_AT(p, i, (j + 2) % b) = MAT_AT(z, i, j);
        for (size_t j = a; j < b; j++)
            MAT_AT(p, i, (j + 2) % b) = MAT_AT(extra, i, j - a);
    }
    double m1, m2, m_hand, m_clean;
    ck_assert_int_eq(mcc_paper(&z, &p, &m1, &err), 0);
    ck_assert_int_eq(mcc_paper(&z, &p, &m2, &err), 0);
    ck_assert_double_eq(m1, m2); /* bit-identical: the generator is seeded afresh */

    Mat zpad;
    ck_assert_int_eq(mat_alloc(&zpad, n, b, &err), 0);
    Rng r;
    rng_init(&r, 42, 0);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < a; j++)
            MAT_AT(zpad, i, j) = MAT_AT(z, i, j);
        for (size_t j = a; j < b; j++)
            MAT_AT(zpad, i, j) = (float)rng_normal(&r);
    }
    ck_assert_int_eq(mcc_paper(&zpad, &p, &m_hand, &err), 0);
    ck_assert_double_eq(m1, m_hand);
    /* 4 perfect pairs plus 3 noise pairs: strictly between 4/7 and 1 */
    ck_assert(m1 > 4.0 / 7.0 && m1 < 1.0);
    /* the clean variant sees the 4 latents recovered exactly */
    ck_assert_int_eq(mcc_clean(&z, &p, &m_clean, &err), 0);
    ck_assert_double_eq_tol(m_clean, 1.0, 1e-6);
    /* the symmetric case (codes narrower) pads the codes and is also deterministic */
    double s1, s2;
    ck_assert_int_eq(mcc_paper(&p, &z, &s1, &err), 0);
    ck_assert_int_eq(mcc_paper(&p, &z, &s2, &err), 0);
    ck_assert_double_eq(s1, s2);
    ck_assert(s1 > 4.0 / 7.0 && s1 < 1.0);
    mat_release(&z);
    mat_release(&extra);
    mat_release(&p);
    mat_release(&zpad);
}
END_TEST

/* ID: a dead truth column is dropped before padding. */
START_TEST(test_mcc_id_drops_constant_truth_columns)
{
    const size_t n = 120;
    Mat z = sparse_codes(n, 4, 5);
    for (size_t i = 0; i < n; i++)
        MAT_AT(z, i, 2) = 0.25f; /* constant: variance 0 */
    size_t src[3] = {0, 1, 3}, dst[3] = {2, 0, 1};
    float one[3] = {1, 1, 1}, zero[3] = {0, 0, 0};
    Mat p = remix_columns(&z, 3, src, dst, one, zero, 3);
    double id, raw, clean;
    SkErr err = {{0}};
    ck_assert_int_eq(mcc_paper_id(&z, &p, &id, &err), 0);
    ck_assert_double_eq_tol(id, 1.0, 1e-6);
    ck_assert_int_eq(mcc_paper(&z, &p, &raw, &err), 0); /* pads the codes to 4 */
    ck_assert(raw < 0.95);
    ck_assert_int_eq(mcc_clean(&z, &p, &clean, &err), 0);
    ck_assert_double_eq_tol(clean, 1.0, 1e-6);
    mat_release(&z);
    mat_release(&p);
}
END_TEST

/* OOD: codes are the n_active columns with the largest variance. */
START_TEST(test_mcc_ood_selects_by_variance)
{
    const size_t n = 200;
    Mat z = sparse_codes(n, 4, 6);
    for (size_t i = 0; i < n; i++)
        MAT_AT(z, i, 3) = 0.0f; /* inactive in OOD: n_active = 3 */
    Mat junk = sparse_codes(n, 3, 7);
    SkErr err = {{0}};
    for (int big_copies = 1; big_copies >= 0; big_copies--) {
        /* codes: 3 scaled copies of the active truth (columns 4,1,5) and 3
         * junk columns (0,2,3); the copies have the larger variance iff big_copies */
        Mat p;
        ck_assert_int_eq(mat_alloc(&p, n, 6, &err), 0);
        float cs = big_copies ? 10.0f : 0.01f;
        for (size_t i = 0; i < n; i++) {
            MAT_AT(p, i, 4) = cs * MAT_AT(z, i, 0);
            MAT_AT(p, i, 1) = cs * MAT_AT(z, i, 1);
            MAT_AT(p, i, 5) = cs * MAT_AT(z, i, 2);
            MAT_AT(p, i, 0) = MAT_AT(junk, i, 0);
            MAT_AT(p, i, 2) = MAT_AT(junk, i, 1);
            MAT_AT(p, i, 3) = MAT_AT(junk, i, 2);
        }
        double ood;
        ck_assert_int_eq(mcc_paper_ood(&z, &p, &ood, &err), 0);
        if (big_copies)
            ck_assert_double_eq_tol(ood, 1.0, 1e-6);
        else
            ck_assert(ood < 0.5);
        mat_release(&p);
    }
    mat_release(&z);
    mat_release(&junk);
}
END_TEST

/* Clean, fewer code columns than active latents: unmatched truth counts 0. */
START_TEST(test_mcc_clean_rectangular)
{
    Mat z = sparse_codes(250, 4, 8);
    size_t src[2] = {3, 1}, dst[2] = {0, 1};
    float one[2] = {1, 1}, zero[2] = {0, 0};
    Mat p = remix_columns(&z, 2, src, dst, one, zero, 2);
    double clean;
    SkErr err = {{0}};
    ck_assert_int_eq(mcc_clean(&z, &p, &clean, &err), 0);
    ck_assert_double_eq_tol(clean, 0.5, 1e-6);
    Mat dead;
    ck_assert_int_eq(mat_alloc(&dead, 250, 3, &err), 0);
    ck_assert_int_ne(mcc_clean(&dead, &p, &clean, &err), 0);
    Mat short_p;
    ck_assert_int_eq(mat_alloc(&short_p, 249, 2, &err), 0);
    ck_assert_int_ne(mcc_paper(&z, &short_p, &clean, &err), 0);
    mat_release(&z);
    mat_release(&p);
    mat_release(&dead);
    mat_release(&short_p);
}
END_TEST

/* A NaN in the codes gives |corr| NaN for that column, counted as 0. */
START_TEST(test_mcc_nan_column_counts_zero)
{
    Mat z = sparse_codes(100, 3, 10);
    Mat p;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_copy(&p, &z, &err), 0);
    MAT_AT(p, 5, 1) = NAN;
    double mcc;
    ck_assert_int_eq(mcc_paper(&z, &p, &mcc, &err), 0);
    ck_assert(isfinite(mcc));
    ck_assert_double_eq_tol(mcc, 2.0 / 3.0, 1e-6);
    mat_release(&z);
    mat_release(&p);
}
END_TEST

/* ---------------------------------------------------------------- AUC selection */

START_TEST(test_auc_selection)
{
    /* 8 samples × 4 columns. Labels 0,0,0,0,1,1,1,1.
     * col 0: AUC 0.75; col 1: perfectly reversed (folded 1); col 2 = col 1
     * (tie: lower index wins); col 3 constant (0.5). */
    float val[32], ood[32];
    unsigned char y[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    float c0[8] = {1, 2, 3, 6, 4, 5, 7, 8};
    for (size_t i = 0; i < 8; i++) {
        val[i * 4 + 0] = c0[i];
        val[i * 4 + 1] = (float)(8 - i);
        val[i * 4 + 2] = (float)(8 - i);
        val[i * 4 + 3] = 3.0f;
        /* OOD: column 1 has AUC 12/16 = 0.75 reversed -> 0.25 unfolded */
        ood[i * 4 + 0] = 0;
        ood[i * 4 + 2] = 0;
        ood[i * 4 + 3] = 0;
    }
    float o1[8] = {5, 6, 7, 2, 1, 8, 3, 4};
    for (size_t i = 0; i < 8; i++)
        ood[i * 4 + 1] = o1[i];
    Mat zv = {8, 4, val}, zo = {8, 4, ood};
    double auc0;
    SkErr err = {{0}};
    ck_assert_int_eq(auc_column(&zv, 0, y, &auc0, &err), 0);
    ck_assert_double_eq(auc0, 14.0 / 16.0);
    AucSelection sel;
    ck_assert_int_eq(auc_select_feature(&zv, y, &zo, y, &sel, &err), 0);
    ck_assert_uint_eq(sel.column, 1);
    ck_assert_double_eq(sel.auc_val, 1.0);
    /* OOD column 1: positives {1,8,3,4} vs negatives {5,6,7,2}: wins 0+4+1+1 = 6 of 16 */
    ck_assert_double_eq(sel.auc_ood, 1.0 - 6.0 / 16.0);
    Mat zbad = {8, 3, val};
    ck_assert_int_ne(auc_select_feature(&zv, y, &zbad, y, &sel, &err), 0);
}
END_TEST

/* ---------------------------------------------------------------- dictionary by hand */

START_TEST(test_dict_match_permuted_scaled)
{
    const size_t dy = 12, q = 5;
    Mat a;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&a, dy, q, &err), 0);
    Rng r;
    rng_init(&r, 11, 0);
    for (size_t k = 0; k < dy * q; k++)
        a.v[k] = (float)rng_normal(&r);
    /* d has 6 columns: a's columns permuted, scaled by ±2 and ±0.5, one extra junk */
    size_t dst[5] = {4, 0, 5, 2, 1};
    float sc[5] = {2.0f, -2.0f, 0.5f, -0.5f, 2.0f};
    Mat d;
    ck_assert_int_eq(mat_alloc(&d, dy, 6, &err), 0);
    for (size_t i = 0; i < dy; i++) {
        for (size_t c = 0; c < q; c++)
            MAT_AT(d, i, dst[c]) = sc[c] * MAT_AT(a, i, c);
        MAT_AT(d, i, 3) = (float)rng_normal(&r) * 1e-3f;
    }
    long match[5];
    DictMatch m;
    ck_assert_int_eq(dict_match(&d, &a, match, &m, &err), 0);
    for (size_t c = 0; c < q; c++)
        ck_assert_int_eq(match[c], (long)dst[c]);
    ck_assert_uint_eq(m.n_matched, 5);
    ck_assert_double_eq_tol(m.mean_cosine, 1.0, 1e-12);
    ck_assert_double_eq_tol(m.mean_angle, 0.0, 1e-6);
    ck_assert_double_eq_tol(m.mean_norm_ratio, (2 + 2 + 0.5 + 0.5 + 2) / 5.0, 1e-12);
    ck_assert_double_eq(m.frac_close, 1.0);
    /* truth wider than the dictionary: unmatched truth columns get -1 */
    Mat d2 = {dy, 2, NULL};
    ck_assert_int_eq(mat_alloc(&d2, dy, 2, &err), 0);
    for (size_t i = 0; i < dy; i++) {
        MAT_AT(d2, i, 0) = MAT_AT(a, i, 3);
        MAT_AT(d2, i, 1) = MAT_AT(a, i, 0);
    }
    ck_assert_int_eq(dict_match(&d2, &a, match, &m, &err), 0);
    ck_assert_uint_eq(m.n_matched, 2);
    ck_assert_int_eq(match[0], 1);
    ck_assert_int_eq(match[3], 0);
    ck_assert_int_eq(match[1], -1);
    ck_assert_int_eq(match[2], -1);
    ck_assert_int_eq(match[4], -1);
    Mat bad = {dy + 1, 2, d2.v};
    ck_assert_int_ne(dict_match(&bad, &a, match, &m, &err), 0);
    mat_release(&a);
    mat_release(&d);
    mat_release(&d2);
}
END_TEST

/* ---------------------------------------------------------------- support, L0, MSE */

START_TEST(test_support_by_hand)
{
    /* 3 samples, 3 truth columns matched to code columns (2, 0, -1 unmatched), 4 code columns */
    float t[9] = {1, 0, 1,   0, 0, 0,   1, 1, 0};
    float p[12] = {0, 0, 5e-5f, 0.3f,   1, 0, 1, 0,   1e-3f, 0, 0, 0};
    Mat zt = {3, 3, t}, zp = {3, 4, p};
    long match[3] = {2, 0, -1};
    SupportStats s;
    SkErr err = {{0}};
    ck_assert_int_eq(support_stats(&zt, &zp, match, &s, &err), 0);
    /* sample 0: T = {0} (col 2 unmatched), P = {} (5e-5 below 1e-4): p 0, r 0, f 0
     * sample 1: T = {}, P = {0 (code 2), 1 (code 0)}: p 0, r 0, f 0
     * sample 2: T = {0, 1}, P = {1 (code 0)}: tp 1, p 1, r ½, f ⅔ */
    ck_assert_double_eq_tol(s.precision, 1.0 / 3.0, 1e-15);
    ck_assert_double_eq_tol(s.recall, 0.5 / 3.0, 1e-15);
    ck_assert_double_eq_tol(s.f1, (2.0 / 3.0) / 3.0, 1e-15);
    ck_assert_double_eq_tol(s.true_l0, 4.0 / 3.0, 1e-15);
    ck_assert_double_eq_tol(s.pred_l0_matched, 3.0 / 3.0, 1e-15);
    ck_assert_double_eq_tol(s.pred_l0_total, 4.0 / 3.0, 1e-15);
    long bad[3] = {4, 0, 1};
    ck_assert_int_ne(support_stats(&zt, &zp, bad, &s, &err), 0);
}
END_TEST

/* support_stats_columns on the columns holding a non-zero (a truth column
 * of them: 1, 4, 6; code columns: 0, 3, 5, 8) gives support_stats' numbers on
 * the whole matrices, with truth columns matched into columns outside the
 * code set (all zero there) and code columns outside the truth set matched
 * by all-zero truth columns; a code column matched twice is refused. */
START_TEST(test_support_columns_equal_whole)
{
    enum { N = 3, Q = 8, P = 9 };
    float t[N * Q] = {0}, p[N * P] = {0};
    const size_t tcols[3] = {1, 4, 6}, pcols[4] = {0, 3, 5, 8};
    for (size_t i = 0; i < N; i++) {
        for (size_t c = 0; c < 3; c++)
            t[i * Q + tcols[c]] = (float)((i + c) % 2);
        for (size_t c = 0; c < 4; c++)
            p[i * P + pcols[c]] = (i + c) % 3 ? 0.5f : 0.0f;
    }
    /* truth 1 → code 3, 4 → 2 (all zero), 6 → 8; truth 0 (all zero) → code 5 */
    long match[Q] = {5, 3, -1, 7, 2, -1, 8, 0};
    Mat zt = {N, Q, t}, zp = {N, P, p};
    SupportStats whole, part;
    SkErr err = {{0}};
    ck_assert_int_eq(support_stats(&zt, &zp, match, &whole, &err), 0);

    float tk[N * 3], pk[N * 4];
    int64_t pindex[P];
    for (size_t j = 0; j < P; j++)
        pindex[j] = -1;
    for (size_t c = 0; c < 4; c++)
        pindex[pcols[c]] = (int64_t)c;
    for (size_t i = 0; i < N; i++) {
        for (size_t c = 0; c < 3; c++)
            tk[i * 3 + c] = t[i * Q + tcols[c]];
        for (size_t c = 0; c < 4; c++)
            pk[i * 4 + c] = p[i * P + pcols[c]];
    }
    Mat ztk = {N, 3, tk}, zpk = {N, 4, pk};
    const SupportColumns cols = {tcols, pindex, Q, P};
    ck_assert_int_eq(support_stats_columns(&ztk, &zpk, &cols, match, &part, &err), 0);
    ck_assert(whole.precision == part.precision && whole.recall == part.recall &&
              whole.f1 == part.f1 && whole.true_l0 == part.true_l0 &&
              whole.pred_l0_matched == part.pred_l0_matched &&
              whole.pred_l0_total == part.pred_l0_total);
    ck_assert(whole.pred_l0_matched > 0.0 && whole.recall > 0.0); /* not a vacuous case */

    long twice[Q] = {5, 3, -1, 7, 2, -1, 3, 0};
    ck_assert_int_ne(support_stats(&zt, &zp, twice, &whole, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "twice"));
}
END_TEST

START_TEST(test_l0_dead_mse)
{
    float z[8] = {0.02f, 0, -0.5f, 0.005f,   0, 0, 0.01f, -0.011f};
    Mat m = {2, 4, z};
    ck_assert_double_eq(mean_l0(&m, 0.01), (2.0 + 1.0) / 2.0);
    size_t dead;
    SkErr err = {{0}};
    ck_assert_int_eq(dead_latents(&m, 0.01, &dead, &err), 0);
    ck_assert_uint_eq(dead, 1); /* column 1; column 3 has |−0.011| > 0.01 */

    /* y = z dᵀ + b exactly → MSE 0; then perturb one element by 0.5 → 0.25/6 */
    float zc[4] = {1, 2, 0, -1};  /* 2 × 2 */
    float dv[6] = {1, 0, 0, 1, 2, 3}; /* 3 × 2 */
    float b[3] = {0.5f, -1, 0};
    float yv[6] = {1.5f, 1, 8, 0.5f, -2, -3};
    Mat zm = {2, 2, zc}, dm = {3, 2, dv}, ym = {2, 3, yv};
    double mse;
    ck_assert_int_eq(recon_mse_codes(&ym, &zm, &dm, b, &mse, &err), 0);
    ck_assert_double_eq(mse, 0.0);
    yv[4] += 0.5f;
    ck_assert_int_eq(recon_mse_codes(&ym, &zm, &dm, b, &mse, &err), 0);
    ck_assert_double_eq_tol(mse, 0.25 / 6.0, 1e-15);
    Mat y2 = {3, 2, yv};
    ck_assert_int_ne(recon_mse(&ym, &y2, &mse, &err), 0);
    ck_assert_int_ne(recon_mse_codes(&y2, &zm, &dm, b, &mse, &err), 0);
}
END_TEST

START_TEST(test_anchor_labels_and_variances)
{
    float z[6] = {0.6f, 1, 0.5f, 1, 0.0f, 4};
    Mat m = {3, 2, z};
    unsigned char y[3];
    SkErr err = {{0}};
    ck_assert_int_eq(anchor_labels(&m, y, &err), 0);
    ck_assert_int_eq(y[0], 1);
    ck_assert_int_eq(y[1], 0); /* strict: 0.5 is not > 0.5 */
    ck_assert_int_eq(y[2], 0);
    double var[2];
    ck_assert_int_eq(column_variances(&m, var, &err), 0);
    /* column 1: values 1,1,4: mean 2, population var (1+1+4)/3 = 2 */
    ck_assert_double_eq_tol(var[1], 2.0, 1e-12);
}
END_TEST

/* A dictionary like an SAE decoder against A (d_y × q): p atoms, the first
 * min(p, q) noisy copies of A's columns in shuffled order (noise `noise`),
 * the rest random; `dups` atoms repeat an earlier one exactly (ties). */
static Mat decoder_like(const Mat *a, size_t p, double noise, size_t dups, uint64_t seed)
{
    Mat d;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&d, a->rows, p, &err), 0);
    Rng r;
    rng_init(&r, seed, 3);
    for (size_t j = 0; j < p; j++) {
        size_t src = (j * 7919) % (p > a->cols ? p : a->cols);
        for (size_t i = 0; i < a->rows; i++)
            MAT_AT(d, i, j) = (src < a->cols ? MAT_AT(*a, i, src) : 0.0f) +
                              (float)(noise * rng_normal(&r));
    }
    for (size_t k = 0; k < dups && k + 1 < p; k++)
        for (size_t i = 0; i < a->rows; i++)
            MAT_AT(d, i, p - 1 - k) = MAT_AT(d, i, k);
    return d;
}

static Mat gaussian(size_t rows, size_t cols, uint64_t seed)
{
    Mat m;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&m, rows, cols, &err), 0);
    Rng r;
    rng_init(&r, seed, 5);
    for (size_t k = 0; k < rows * cols; k++)
        m.v[k] = (float)rng_normal(&r);
    return m;
}

/* The candidate-graph matching equals the dense Hungarian (mean |cos|, and
 * so the assignment's total) on decoder-like dictionaries up to 2000 atoms,
 * wider and narrower than A, noisy enough that top-1 is not the answer, with
 * exact duplicate atoms; starting from m = 1 forces the widening. */
START_TEST(test_dict_match_candidates_equal_dense)
{
    const struct {
        size_t dy, q, p, dups;
        double noise;
        size_t m;
    } cases[] = {
        {30, 60, 120, 0, 0.3, 16}, {30, 60, 120, 5, 0.6, 1}, {20, 100, 40, 3, 0.4, 2},
        {40, 300, 300, 0, 1.0, 4}, {93, 1000, 2000, 10, 0.5, 16}, {60, 2000, 2000, 0, 0.8, 8},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Mat a = gaussian(cases[c].dy, cases[c].q, 100 + c);
        Mat d = decoder_like(&a, cases[c].p, cases[c].noise, cases[c].dups, 200 + c);
        long *dense_col = malloc(cases[c].q * sizeof *dense_col), *cand_col = malloc(cases[c].q * sizeof *cand_col);
        DictMatch dense, cand;
        SkErr err = {{0}};
        DictMatchOptions od = {.method = DICT_MATCH_DENSE},
                         oc = {.method = DICT_MATCH_CANDIDATES, .candidates = cases[c].m};
        ck_assert_msg(dict_match_with(&d, &a, &od, dense_col, &dense, &err) == 0, "%s", err.msg);
        ck_assert_msg(dict_match_with(&d, &a, &oc, cand_col, &cand, &err) == 0, "%s", err.msg);
        ck_assert_msg(cand.complete && cand.certified, "case %zu: not certified (m = %zu)", c,
                      cand.candidates);
        ck_assert_uint_eq(cand.n_matched, dense.n_matched);
        ck_assert_msg(fabs(cand.mean_cosine - dense.mean_cosine) < 1e-7, "case %zu: %.12f vs %.12f",
                      c, cand.mean_cosine, dense.mean_cosine);
        ck_assert_uint_eq(dense.candidates, 0);
        if (cases[c].m == 1)
            ck_assert_msg(cand.candidates > 1, "case %zu: m = 1 was already certified", c);
        free(dense_col);
        free(cand_col);
        mat_release(&a);
        mat_release(&d);
    }
}
END_TEST

/* On the candidate path a dictionary equal to the truth is matched to itself
 * without scoring other pairs: the same numbers as the dense Hungarian. */
START_TEST(test_dict_match_identical_is_identity)
{
    Mat a = gaussian(12, 300, 7), d;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_copy(&d, &a, &err), 0);
    long dense_col[300], cand_col[300];
    DictMatch dense, cand;
    DictMatchOptions od = {.method = DICT_MATCH_DENSE},
                     oc = {.method = DICT_MATCH_CANDIDATES, .candidates = 1};
    ck_assert_int_eq(dict_match_with(&d, &a, &od, dense_col, &dense, &err), 0);
    ck_assert_int_eq(dict_match_with(&d, &a, &oc, cand_col, &cand, &err), 0);
    for (long r = 0; r < 300; r++)
        ck_assert_int_eq(cand_col[r], r);
    ck_assert(cand.certified && cand.complete && cand.n_matched == 300);
    ck_assert_double_eq_tol(cand.mean_cosine, dense.mean_cosine, 1e-12);
    ck_assert_double_eq_tol(cand.mean_cosine, 1.0, 1e-12);
    ck_assert_double_eq(cand.frac_close, 1.0);
    mat_release(&a);
    mat_release(&d);
}
END_TEST

/* Where the top-m graph cannot certify its assignment (random dictionaries
 * in few dimensions: many near-equal |cos|), the reported gap still bounds
 * the dense optimum: dense Σ|cos| ∈ [candidate Σ|cos|, that + gap]. */
START_TEST(test_dict_match_gap_bounds_dense_optimum)
{
    int uncertified = 0;
    for (uint64_t seed = 0; seed < 12; seed++) {
        const size_t dy = 4 + seed % 3, q = 150, p = 150 + 50 * (seed % 2);
        Mat a = gaussian(dy, q, 300 + seed), d = gaussian(dy, p, 400 + seed);
        long dense_col[150], cand_col[150];
        DictMatch dense, cand;
        SkErr err = {{0}};
        /* graphs of 1 to 8 candidates a column: too narrow to certify most of these */
        DictMatchOptions od = {.method = DICT_MATCH_DENSE},
                         oc = {.method = DICT_MATCH_CANDIDATES, .candidates = 1, .max_candidates = 8};
        ck_assert_msg(dict_match_with(&d, &a, &od, dense_col, &dense, &err) == 0, "%s", err.msg);
        ck_assert_msg(dict_match_with(&d, &a, &oc, cand_col, &cand, &err) == 0, "%s", err.msg);
        ck_assert_uint_le(cand.candidates, 8);
        const double sum_dense = dense.mean_cosine * (double)q, sum_cand = cand.mean_cosine * (double)q;
        if (getenv("SK_TEST_VERBOSE"))
            printf("seed %d: certified %d complete %d m %zu gap %.3g dense-cand %.3g\n", (int)seed,
                   cand.certified, cand.complete, cand.candidates, cand.gap, sum_dense - sum_cand);
        mat_release(&a);
        mat_release(&d);
        if (!cand.complete)
            continue;
        ck_assert_msg(sum_cand <= sum_dense + 1e-5, "seed %d: candidate %.9f above dense %.9f",
                      (int)seed, sum_cand, sum_dense);
        ck_assert_msg(sum_dense <= sum_cand + cand.gap + 1e-5, "seed %d: dense %.9f beyond %.9f + %.3g",
                      (int)seed, sum_dense, sum_cand, cand.gap);
        if (cand.certified)
            ck_assert(cand.gap == 0.0);
        else
            uncertified += cand.gap > 0.0 && isfinite(cand.gap);
    }
    ck_assert_msg(uncertified > 0, "no uncertified case: the gap was never exercised");
}
END_TEST

/* The clean MCC on the candidate graph equals the dense one on code-like
 * matrices (sparse codes, a noisy SAE-like remix of them, wider), and the
 * padded MCC(ID) is NaN, not a number, beyond its documented width. */
START_TEST(test_mcc_clean_candidates_equal_dense)
{
    const size_t n = 200, q = 60, p = 180;
    Mat zt = sparse_codes(n, q, 31), zp;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&zp, n, p, &err), 0);
    Rng r;
    rng_init(&r, 32, 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) {
            float base = j < q ? MAT_AT(zt, i, (j * 13) % q) : 0.0f;
            MAT_AT(zp, i, j) = base + (rng_uniform(&r) < 0.3 ? (float)rng_uniform(&r) : 0.0f);
        }
    double dense, cand_m1, cand;
    DictMatchOptions od = {.method = DICT_MATCH_DENSE}, o1 = {.method = DICT_MATCH_CANDIDATES, .candidates = 1},
                     o16 = {.method = DICT_MATCH_CANDIDATES, .candidates = 16};
    ck_assert_int_eq(mcc_clean_with(&zt, &zp, &od, &dense, &err), 0);
    ck_assert_int_eq(mcc_clean_with(&zt, &zp, &o1, &cand_m1, &err), 0);
    ck_assert_int_eq(mcc_clean_with(&zt, &zp, &o16, &cand, &err), 0);
    ck_assert_msg(fabs(cand - dense) < 1e-9, "%.12f vs %.12f", cand, dense);
    /* from m = 1 the graph widens until certified, or until its duals bound
     * the optimum within METRICS_MATCH_GAP a column, or the answer is NaN */
    ck_assert_msg(isnan(cand_m1) || (cand_m1 <= dense + 1e-9 && dense - cand_m1 <= METRICS_MATCH_GAP + 1e-9),
                  "%.12f vs %.12f", cand_m1, dense);
    mat_release(&zp);
    Mat wide;
    ck_assert_int_eq(mat_alloc(&wide, 2, METRICS_PADDED_MCC_MAX_WIDTH + 1, &err), 0);
    memset(wide.v, 0, wide.rows * wide.cols * sizeof(float));
    Mat two = sparse_codes(2, 3, 5);
    double padded = 0.0;
    ck_assert_int_eq(mcc_paper_id(&two, &wide, &padded, &err), 0);
    ck_assert(isnan(padded));
    mat_release(&two);
    mat_release(&wide);
    mat_release(&zt);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *fx = tcase_create("fixture");
    tcase_add_test(fx, test_fixture_mcc);
    tcase_add_test(fx, test_fixture_auc_per_feature);
    tcase_add_test(fx, test_fixture_dictionary_and_support);
    suite_add_tcase(s, fx);
    TCase *tc = tcase_create("hand");
    tcase_add_test(tc, test_mcc_identity_is_one);
    tcase_add_test(tc, test_mcc_permuted_scaled_shifted_is_one);
    tcase_add_test(tc, test_mcc_padding_deterministic_and_defined);
    tcase_add_test(tc, test_mcc_id_drops_constant_truth_columns);
    tcase_add_test(tc, test_mcc_ood_selects_by_variance);
    tcase_add_test(tc, test_mcc_clean_rectangular);
    tcase_add_test(tc, test_mcc_nan_column_counts_zero);
    tcase_add_test(tc, test_auc_selection);
    tcase_add_test(tc, test_dict_match_permuted_scaled);
    tcase_add_test(tc, test_dict_match_candidates_equal_dense);
    tcase_add_test(tc, test_mcc_clean_candidates_equal_dense);
    tcase_add_test(tc, test_support_by_hand);
    tcase_add_test(tc, test_support_columns_equal_whole);
    tcase_add_test(tc, test_dict_match_identical_is_identity);
    tcase_add_test(tc, test_dict_match_gap_bounds_dense_optimum);
    tcase_add_test(tc, test_l0_dead_mse);
    tcase_add_test(tc, test_anchor_labels_and_variances);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(metrics_suite()); }
