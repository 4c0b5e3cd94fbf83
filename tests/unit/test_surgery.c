/* test_surgery.c — lib/surgery: freeze_decoder modes against their
 * definitions; support_refit recovers true codes from the true support and
 * survives a singular one (its solvers are tested in test_linalg.c). */
#include "surgery.h"
#include "rng.h"
#include "testutil.h"

#include <string.h>

/* d_y × p, i.i.d. N(0, 1) columns scaled to unit norm (like gen-data's A). */
static Mat random_dict(size_t dy, size_t p, uint64_t seed)
{
    Mat d;
    SkErr err;
    ck_assert_int_eq(mat_alloc(&d, dy, p, &err), 0);
    Rng r;
    rng_init(&r, seed, 7);
    for (size_t i = 0; i < dy * p; i++)
        d.v[i] = (float)rng_normal(&r);
    for (size_t j = 0; j < p; j++) {
        double s = 0;
        for (size_t i = 0; i < dy; i++)
            s += (double)MAT_AT(d, i, j) * MAT_AT(d, i, j);
        for (size_t i = 0; i < dy; i++)
            MAT_AT(d, i, j) = (float)(MAT_AT(d, i, j) / sqrt(s));
    }
    return d;
}

static double col_norm(const Mat *m, size_t j)
{
    double s = 0;
    for (size_t i = 0; i < m->rows; i++)
        s += (double)MAT_AT(*m, i, j) * MAT_AT(*m, i, j);
    return sqrt(s);
}

/* ---- freeze_decoder ---- */

START_TEST(freeze_frozen_is_a_copy_renormed_is_unit)
{
    Mat w = random_dict(6, 9, 1);
    for (size_t i = 0; i < w.rows * w.cols; i++)
        w.v[i] *= 0.3f + 0.1f * (float)(i % 5);        /* non-unit columns */
    for (size_t i = 0; i < w.rows; i++)
        MAT_AT(w, i, 4) = 0.0f;                          /* a dead column */
    Mat d;
    long col[9];
    SkErr err;
    ck_assert_int_eq(freeze_decoder(&w, FREEZE_FROZEN, NULL, &d, col, &err), 0);
    ck_assert(memcmp(d.v, w.v, mat_size(&w) * sizeof(float)) == 0);
    for (size_t j = 0; j < 9; j++)
        ck_assert_int_eq(col[j], -1);
    mat_release(&d);
    ck_assert_int_eq(freeze_decoder(&w, FREEZE_RENORMED, NULL, &d, NULL, &err), 0);
    for (size_t j = 0; j < 9; j++) {
        if (j == 4) {
            ck_assert_double_eq(col_norm(&d, j), 0.0);
            continue;
        }
        ck_assert_double_eq_tol(col_norm(&d, j), 1.0, 1e-6);
        double ratio = MAT_AT(d, 0, j) / MAT_AT(w, 0, j);  /* same direction */
        for (size_t i = 1; i < d.rows; i++)
            ck_assert_double_eq_tol(MAT_AT(d, i, j) / MAT_AT(w, i, j), ratio, 1e-5 * ratio);
    }
    mat_release(&d);
    /* oracle-norms without a truth fails */
    ck_assert_int_ne(freeze_decoder(&w, FREEZE_ORACLE_NORMS, NULL, &d, NULL, &err), 0);
    mat_release(&w);
}
END_TEST

/* The truth is a permutation of noisy, rescaled decoder columns with known
 * norms; the decoder is wider than the truth, so some columns are unmatched. */
START_TEST(freeze_oracle_norms_takes_true_norms)
{
    size_t dy = 12, q = 7, p = 10;
    Mat w = random_dict(dy, p, 2), a;
    SkErr err;
    ck_assert_int_eq(mat_alloc(&a, dy, q, &err), 0);
    const size_t perm[7] = {3, 0, 8, 5, 1, 9, 6};     /* truth r ~ decoder perm[r] */
    Rng r;
    rng_init(&r, 3, 0);
    for (size_t t = 0; t < q; t++)
        for (size_t i = 0; i < dy; i++)
            MAT_AT(a, i, t) = (float)((0.5 + t) * (MAT_AT(w, i, perm[t]) + 0.02 * rng_normal(&r)));
    for (size_t i = 0; i < dy * p; i++)
        w.v[i] *= 2.5f;
    Mat d;
    long col[10];
    ck_assert_int_eq(freeze_decoder(&w, FREEZE_ORACLE_NORMS, &a, &d, col, &err), 0);
    bool matched[10] = {false};
    for (size_t t = 0; t < q; t++) {
        ck_assert_int_eq(col[perm[t]], (long)t);
        matched[perm[t]] = true;
        ck_assert_double_eq_tol(col_norm(&d, perm[t]), col_norm(&a, t), 1e-6 * col_norm(&a, t));
        double ratio = MAT_AT(d, 0, perm[t]) / MAT_AT(w, 0, perm[t]);
        ck_assert(ratio > 0);
        for (size_t i = 1; i < dy; i++)
            ck_assert_double_eq_tol(MAT_AT(d, i, perm[t]) / MAT_AT(w, i, perm[t]), ratio,
                                    1e-5 * ratio);
    }
    for (size_t j = 0; j < p; j++)
        if (!matched[j]) {
            ck_assert_int_eq(col[j], -1);
            ck_assert_double_eq(col_norm(&d, j), 0.0);
        }
    mat_release(&d);
    mat_release(&a);
    mat_release(&w);
}
END_TEST

/* ---- support_refit ---- */

/* n × p codes with k non-zeros Uniform(0.1, 1) per row, and y = D z (float32
 * of the double product). */
static void planted(const Mat *d, size_t n, size_t k, uint64_t seed, Mat *z, Mat *y)
{
    size_t dy = d->rows, p = d->cols;
    SkErr err;
    ck_assert_int_eq(mat_alloc(z, n, p, &err), 0);
    ck_assert_int_eq(mat_alloc(y, n, dy, &err), 0);
    Rng r;
    rng_init(&r, seed, 1);
    for (size_t i = 0; i < n; i++) {
        uint64_t idx[16];
        rng_sample_distinct(&r, p, k, idx);
        for (size_t t = 0; t < k; t++)
            MAT_AT(*z, i, idx[t]) = (float)(0.1 + 0.9 * rng_uniform(&r));
        for (size_t c = 0; c < dy; c++) {
            double s = 0;
            for (size_t j = 0; j < p; j++)
                s += (double)MAT_AT(*d, c, j) * MAT_AT(*z, i, j);
            MAT_AT(*y, i, c) = (float)s;
        }
    }
}

START_TEST(refit_recovers_true_codes_on_true_support)
{
    Mat d = random_dict(14, 30, 9), z, y, out;
    planted(&d, 50, 3, 10, &z, &y);
    float bias[14];
    for (size_t c = 0; c < 14; c++) {                 /* y + b, refit on (y + b) − b */
        bias[c] = 0.25f * (float)c - 1.0f;
        for (size_t i = 0; i < 50; i++)
            MAT_AT(y, i, c) += bias[c];
    }
    SkErr err;
    ck_assert_int_eq(mat_alloc(&out, 50, 30, &err), 0);
    for (int v = REFIT_PAPER; v <= REFIT_NNLS; v++) {
        RefitStats st = {0};
        ck_assert_msg(support_refit(&d, bias, &y, &z, (RefitVariant)v, &out, &st, &err) == 0, "%s",
                      err.msg);
        assert_close_f(out.v, z.v, mat_size(&z), 0.0, 1e-4, refit_variant_name((RefitVariant)v));
        ck_assert_uint_eq(st.samples, 50);
        ck_assert_uint_eq(st.support_total, 150);
        ck_assert_uint_eq(st.singular, 0);
        ck_assert_uint_eq(st.nonfinite, 0);
    }
    mat_release(&out), mat_release(&y), mat_release(&z), mat_release(&d);
}
END_TEST

START_TEST(refit_singular_support)
{
    /* every latent active (30 > d_y = 14): the paper's Gram is singular */
    Mat d = random_dict(14, 30, 11), z, y, out, dense;
    planted(&d, 20, 4, 12, &z, &y);
    SkErr err;
    ck_assert_int_eq(mat_alloc(&dense, 20, 30, &err), 0);
    for (size_t i = 0; i < mat_size(&dense); i++)
        dense.v[i] = 1.0f;
    MAT_AT(dense, 3, 0) = 0.0f;                       /* and one sample with an empty support */
    for (size_t j = 0; j < 30; j++)
        MAT_AT(dense, 5, j) = j == 7 ? -0.5f : 5e-5f;   /* |z| > 1e-4 counts, sign aside */
    ck_assert_int_eq(mat_alloc(&out, 20, 30, &err), 0);
    for (int v = REFIT_PAPER; v <= REFIT_NNLS; v++) {
        RefitStats st = {0};
        ck_assert_msg(support_refit(&d, NULL, &y, &dense, (RefitVariant)v, &out, &st, &err) == 0,
                      "%s", err.msg);
        ck_assert(mat_all_finite(&out));
        for (size_t i = 0; i < mat_size(&out); i++)
            ck_assert(out.v[i] >= 0.0f);
        ck_assert_uint_eq(st.singular, 19);
        ck_assert_uint_eq(st.support_max, 30);
        ck_assert_uint_eq(st.support_total, 19 * 30 - 1 + 1);
        for (size_t j = 0; j < 30; j++)                /* sample 5: only latent 7 */
            if (j != 7)
                ck_assert_float_eq(MAT_AT(out, 5, j), 0.0f);
        if (v == REFIT_PAPER)
            continue;
        /* the well-posed variants fit y at least as well as the true codes
         * (lstsq exactly before the clamp; NNLS is optimal over z ≥ 0) */
        if (v == REFIT_NNLS)
            for (size_t i = 0; i < 20; i++) {
                if (i == 5)
                    continue;
                double o = 0, o_true = 0;
                for (size_t c = 0; c < 14; c++) {
                    double f = 0, ft = 0;
                    for (size_t j = 0; j < 30; j++) {
                        f += (double)MAT_AT(d, c, j) * MAT_AT(out, i, j);
                        ft += (double)MAT_AT(d, c, j) * MAT_AT(z, i, j);
                    }
                    o += (f - MAT_AT(y, i, c)) * (f - MAT_AT(y, i, c));
                    o_true += (ft - MAT_AT(y, i, c)) * (ft - MAT_AT(y, i, c));
                }
                ck_assert_msg(o <= o_true + 1e-9, "sample %zu: NNLS %g > truth %g", i, o, o_true);
            }
    }
    mat_release(&out), mat_release(&dense), mat_release(&y), mat_release(&z), mat_release(&d);
}
END_TEST

START_TEST(refit_rejects_bad_shapes)
{
    Mat d = random_dict(5, 8, 13), y, z, out;
    SkErr err;
    ck_assert_int_eq(mat_alloc(&y, 3, 5, &err), 0);
    ck_assert_int_eq(mat_alloc(&z, 3, 7, &err), 0);
    ck_assert_int_eq(mat_alloc(&out, 3, 8, &err), 0);
    ck_assert_int_ne(support_refit(&d, NULL, &y, &z, REFIT_PAPER, &out, NULL, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "model codes"));
    mat_release(&y), mat_release(&z), mat_release(&out), mat_release(&d);
}
END_TEST

START_TEST(names_round_trip)
{
    for (int m = 0; m < 3; m++) {
        FreezeMode got;
        ck_assert_int_eq(freeze_mode_parse(freeze_mode_name((FreezeMode)m), &got), 0);
        ck_assert_int_eq(got, m);
        RefitVariant v;
        ck_assert_int_eq(refit_variant_parse(refit_variant_name((RefitVariant)m), &v), 0);
        ck_assert_int_eq(v, m);
    }
    FreezeMode f;
    RefitVariant v;
    ck_assert_int_ne(freeze_mode_parse("raw", &f), 0);
    ck_assert_int_ne(refit_variant_parse("ols", &v), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("surgery");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, freeze_frozen_is_a_copy_renormed_is_unit);
    tcase_add_test(tc, freeze_oracle_norms_takes_true_norms);
    tcase_add_test(tc, refit_recovers_true_codes_on_true_support);
    tcase_add_test(tc, refit_singular_support);
    tcase_add_test(tc, refit_rejects_bad_shapes);
    tcase_add_test(tc, names_round_trip);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
