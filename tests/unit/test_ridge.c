/* test_ridge.c — the linear probe: sklearn RidgeCV fixtures, and the efficient
 * leave-one-out scores against refitting n times. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg.h"
#include "mat.h"
#include "ridge.h"
#include "rng.h"
#include "testutil.h"

/* ---- fixtures (sklearn RidgeCV, fit_intercept=False) ------------------ */

/* The clean fixture agrees with a float64 solve (ours, or NumPy's) to ~6e-8
 * absolute, 1.6e-6 relative at worst: the reference seems to have rounded its
 * inputs to float32 after fitting. The noisy one agrees to 1e-12. */
#define FIXTURE_RTOL 5e-6
#define FIXTURE_ATOL 1e-7

static void check_fixture(const char *name, int has_coef)
{
    Npz npz;
    fixture_load(name, &npz);
    Mat ytr = fixture_mat(&npz, "Y_train"), ztr = fixture_mat(&npz, "Z_train");
    Mat yte = fixture_mat(&npz, "Y_test");
    double *alphas, *want_pred;
    SkErr err = {{0}};
    ck_assert(npy_to_doubles(npz_get(&npz, "alphas"), &alphas, &err) == 0);
    ck_assert(npy_to_doubles(npz_get(&npz, "Z_pred"), &want_pred, &err) == 0);
    size_t n_alphas = npy_count(npz_get(&npz, "alphas"));

    Ridge r;
    ck_assert_msg(ridge_fit_loo(&ytr, &ztr, alphas, n_alphas, &r, &err) == 0, "%s", err.msg);
    ck_assert_msg(r.alpha == fixture_scalar(&npz, "alpha_chosen"), "%s: alpha %g want %g",
                  name, r.alpha, fixture_scalar(&npz, "alpha_chosen"));
    if (has_coef) {
        double *want_coef;
        ck_assert(npy_to_doubles(npz_get(&npz, "coef"), &want_coef, &err) == 0);
        ck_assert_uint_eq(npy_count(npz_get(&npz, "coef")), r.n_outputs * r.n_features);
        assert_close_f(r.coef, want_coef, r.n_outputs * r.n_features, FIXTURE_RTOL, FIXTURE_ATOL, "coef");
        free(want_coef);
    }
    double *pred = malloc(yte.rows * r.n_outputs * sizeof *pred);
    ck_assert(ridge_predict_f64(&r, &yte, pred, &err) == 0);
    ck_assert_uint_eq(npy_count(npz_get(&npz, "Z_pred")), yte.rows * r.n_outputs);
    assert_close_f(pred, want_pred, yte.rows * r.n_outputs, FIXTURE_RTOL, FIXTURE_ATOL, "Z_pred");

    Mat pred32;
    ck_assert(ridge_predict(&r, &yte, &pred32, &err) == 0);
    assert_close_f(pred32.v, want_pred, yte.rows * r.n_outputs, 1e-5, 1e-6, "Z_pred f32");
    mat_release(&pred32);
    free(pred);
    free(alphas);
    free(want_pred);
    ridge_free(&r);
    mat_release(&ytr);
    mat_release(&ztr);
    mat_release(&yte);
    npz_free(&npz);
}

START_TEST(test_fixture_clean) { check_fixture("ridge_probe.npz", 1); }
END_TEST

START_TEST(test_fixture_noisy) { check_fixture("ridge_probe_noisy.npz", 0); }
END_TEST

/* ---- brute-force leave-one-out ------------------------------------------ */

static Mat random_mat(Rng *rng, size_t rows, size_t cols)
{
    Mat m;
    SkErr err;
    ck_assert(mat_alloc(&m, rows, cols, &err) == 0);
    for (size_t i = 0; i < rows * cols; i++)
        m.v[i] = (float)rng_normal(rng);
    return m;
}

/* z = x w + noise·N(0,1), w random d × m. */
static Mat noisy_targets(Rng *rng, const Mat *x, size_t m, double noise)
{
    Mat w = random_mat(rng, x->cols, m), z;
    SkErr err;
    ck_assert(mat_alloc(&z, x->rows, m, &err) == 0);
    for (size_t i = 0; i < x->rows; i++)
        for (size_t k = 0; k < m; k++) {
            double s = noise * rng_normal(rng);
            for (size_t j = 0; j < x->cols; j++)
                s += (double)MAT_AT(*x, i, j) * MAT_AT(w, j, k);
            MAT_AT(z, i, k) = (float)s;
        }
    mat_release(&w);
    return z;
}

/* Mean squared residual of predicting each row from a ridge fitted on the
 * other rows: w = (X₋ᵢᵀX₋ᵢ + αI)⁻¹ X₋ᵢᵀ z₋ᵢ by Cholesky, n refits. */
static double brute_force_loo(const Mat *x, const Mat *z, double alpha)
{
    size_t n = x->rows, d = x->cols, m = z->cols;
    double *g = malloc(d * d * sizeof *g), *b = malloc(m * d * sizeof *b);
    double sum = 0.0;
    SkErr err;
    for (size_t out = 0; out < n; out++) {
        for (size_t p = 0; p < d; p++)
            for (size_t q = 0; q < d; q++) {
                double s = p == q ? alpha : 0.0;
                for (size_t i = 0; i < n; i++)
                    if (i != out)
                        s += (double)MAT_AT(*x, i, p) * MAT_AT(*x, i, q);
                g[p * d + q] = s;
            }
        for (size_t k = 0; k < m; k++)        /* b rows = right-hand sides X₋ᵢᵀ z₋ᵢ[:, k] */
            for (size_t p = 0; p < d; p++) {
                double s = 0.0;
                for (size_t i = 0; i < n; i++)
                    if (i != out)
                        s += (double)MAT_AT(*x, i, p) * MAT_AT(*z, i, k);
                b[k * d + p] = s;
            }
        ck_assert(cholesky(g, d, &err) == 0);
        cholesky_solve_rows(g, d, b, m);
        for (size_t k = 0; k < m; k++) {
            double pred = 0.0;
            for (size_t p = 0; p < d; p++)
                pred += (double)MAT_AT(*x, out, p) * b[k * d + p];
            double e = MAT_AT(*z, out, k) - pred;
            sum += e * e;
        }
    }
    free(g);
    free(b);
    return sum / ((double)n * (double)m);
}

/* Compare every α's LOO score with refitting, and the choice with the
 * brute-force argmin. Returns the chosen index. */
static size_t check_against_brute_force(const Mat *x, const Mat *z, const double *alphas,
                                        size_t n_alphas)
{
    Ridge r;
    SkErr err = {{0}};
    ck_assert_msg(ridge_fit_loo(x, z, alphas, n_alphas, &r, &err) == 0, "%s", err.msg);
    size_t best = 0;
    double best_score = INFINITY;
    for (size_t a = 0; a < n_alphas; a++) {
        double want = brute_force_loo(x, z, alphas[a]);
        ck_assert_msg(fabs(r.loo_mse[a] - want) <= 1e-8 * want, "alpha %g: loo %.12g want %.12g",
                      alphas[a], r.loo_mse[a], want);
        if (want < best_score) {
            best_score = want;
            best = a;
        }
    }
    ck_assert_uint_eq(r.alpha_index, best);
    ck_assert(r.alpha == alphas[best]);
    size_t chosen = r.alpha_index;
    ridge_free(&r);
    return chosen;
}

static const double grid[] = {1e-3, 1e-1, 3.0, 30.0, 300.0};

START_TEST(test_loo_more_samples_than_features)
{
    Rng rng;
    rng_init(&rng, 7, 0);
    Mat x = random_mat(&rng, 12, 4), z = noisy_targets(&rng, &x, 3, 3.0);
    size_t chosen = check_against_brute_force(&x, &z, grid, 5);
    /* the noise makes a middle α win, so the selection is really exercised */
    ck_assert_msg(chosen > 0 && chosen < 4, "chosen index %zu", chosen);
    mat_release(&x);
    mat_release(&z);
}
END_TEST

START_TEST(test_loo_more_features_than_samples)
{
    Rng rng;
    rng_init(&rng, 8, 0);
    Mat x = random_mat(&rng, 6, 9), z = noisy_targets(&rng, &x, 4, 1.0);
    check_against_brute_force(&x, &z, grid, 5);
    mat_release(&x);
    mat_release(&z);
}
END_TEST

START_TEST(test_loo_rank_deficient)
{
    /* column 3 duplicates column 0: XᵀX is singular, ridge still well posed */
    Rng rng;
    rng_init(&rng, 9, 0);
    Mat x = random_mat(&rng, 15, 4);
    for (size_t i = 0; i < x.rows; i++)
        MAT_AT(x, i, 3) = MAT_AT(x, i, 0);
    Mat z = noisy_targets(&rng, &x, 2, 0.5);
    check_against_brute_force(&x, &z, grid, 5);
    mat_release(&x);
    mat_release(&z);
}
END_TEST

START_TEST(test_ties_go_to_first)
{
    Rng rng;
    rng_init(&rng, 10, 0);
    Mat x = random_mat(&rng, 10, 3), z = noisy_targets(&rng, &x, 2, 0.1);
    const double twice[] = {300.0, 1e-3, 1e-3};
    Ridge r;
    SkErr err;
    ck_assert(ridge_fit_loo(&x, &z, twice, 3, &r, &err) == 0);
    ck_assert(r.loo_mse[1] == r.loo_mse[2]);
    ck_assert(r.loo_mse[1] < r.loo_mse[0]);
    ck_assert_uint_eq(r.alpha_index, 1);
    ridge_free(&r);
    /* default grid when none is given */
    ck_assert(ridge_fit_loo(&x, &z, NULL, 0, &r, &err) == 0);
    ck_assert_uint_eq(r.n_alphas, RIDGE_DEFAULT_ALPHA_COUNT);
    ck_assert(r.alpha == ridge_default_alphas[r.alpha_index]);
    ridge_free(&r);
    mat_release(&x);
    mat_release(&z);
}
END_TEST

START_TEST(test_bad_inputs)
{
    Rng rng;
    rng_init(&rng, 11, 0);
    Mat x = random_mat(&rng, 10, 3), z = random_mat(&rng, 9, 2);
    Ridge r;
    SkErr err = {{0}};
    ck_assert(ridge_fit_loo(&x, &z, NULL, 0, &r, &err) != 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "rows"));
    mat_release(&z);
    z = random_mat(&rng, 10, 2);
    const double bad[] = {1.0, 0.0};
    ck_assert(ridge_fit_loo(&x, &z, bad, 2, &r, &err) != 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "alpha"));
    ck_assert(ridge_fit_loo(&x, &z, NULL, 0, &r, &err) == 0);
    Mat wrong = random_mat(&rng, 4, 5);
    double out[40];
    ck_assert(ridge_predict_f64(&r, &wrong, out, &err) != 0);
    ridge_free(&r);
    mat_release(&wrong);
    mat_release(&x);
    mat_release(&z);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ridge");
    TCase *tc = tcase_create("ridge");
    tcase_add_test(tc, test_fixture_clean);
    tcase_add_test(tc, test_fixture_noisy);
    tcase_add_test(tc, test_loo_more_samples_than_features);
    tcase_add_test(tc, test_loo_more_features_than_samples);
    tcase_add_test(tc, test_loo_rank_deficient);
    tcase_add_test(tc, test_ties_go_to_first);
    tcase_add_test(tc, test_bad_inputs);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
