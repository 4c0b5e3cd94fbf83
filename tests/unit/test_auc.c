/* test_auc.c — ROC-AUC against an O(n²) pairwise count. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "auc.h"
#include "rng.h"
#include "testutil.h"

/* (#pos > neg pairs + ½ #ties) / (n_pos · n_neg), by brute force. */
static double pairwise_auc(const double *s, const unsigned char *y, size_t n)
{
    double wins = 0.0, pairs = 0.0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            if (y[a] && !y[b]) {
                pairs += 1.0;
                wins += s[a] > s[b] ? 1.0 : s[a] == s[b] ? 0.5 : 0.0;
            }
    return wins / pairs;
}

START_TEST(test_known_values)
{
    double s[4] = {0.1, 0.4, 0.35, 0.8};
    unsigned char y[4] = {0, 0, 1, 1}; /* sklearn's example: 0.75 */
    double auc;
    SkErr err = {{0}};
    ck_assert_int_eq(auc_roc(s, y, 4, &auc, &err), 0);
    ck_assert_double_eq_tol(auc, 0.75, 1e-15);
    /* all tied: ½ */
    double t[4] = {2, 2, 2, 2};
    ck_assert_int_eq(auc_roc(t, y, 4, &auc, &err), 0);
    ck_assert_double_eq(auc, 0.5);
    /* perfect reversed ranking: 0, folded 1 */
    double r[4] = {4, 3, 2, 1};
    ck_assert_int_eq(auc_roc(r, y, 4, &auc, &err), 0);
    ck_assert_double_eq(auc, 0.0);
    ck_assert_double_eq(auc_fold(auc), 1.0);
    ck_assert_double_eq(auc_fold(0.7), 0.7);
    ck_assert_double_eq(auc_fold(0.3), 0.7);
}
END_TEST

START_TEST(test_random_against_pairwise)
{
    Rng r;
    rng_init(&r, 3, 0);
    double s[300];
    float f[300];
    unsigned char y[300];
    for (int trial = 0; trial < 300; trial++) {
        size_t n = 2 + rng_below(&r, 299);
        int levels = trial % 3 == 0 ? 0 : (int)(1 + rng_below(&r, 6)); /* 0 = continuous */
        for (size_t k = 0; k < n; k++) {
            s[k] = levels ? (double)rng_below(&r, (uint64_t)levels) : rng_normal(&r);
            f[k] = (float)s[k];
            s[k] = f[k]; /* so both entry points see the same values */
            y[k] = (unsigned char)(rng_uniform(&r) < 0.3);
        }
        y[0] = 1;
        y[1] = 0;
        double want = pairwise_auc(s, y, n), got, got_f;
        SkErr err = {{0}};
        ck_assert_int_eq(auc_roc(s, y, n, &got, &err), 0);
        ck_assert_msg(fabs(got - want) < 1e-12, "n=%zu levels=%d: %.15g vs %.15g", n, levels,
                      got, want);
        ck_assert_int_eq(auc_roc_strided(f, 1, y, n, &got_f, &err), 0);
        ck_assert_double_eq(got_f, got);
    }
}
END_TEST

START_TEST(test_column_strided_and_constant)
{
    /* z: 6 samples × 3 columns; column 1 is constant, column 2 is tiny but varies */
    float v[18] = {0.1f, 5, 0,   0.9f, 5, 1e-3f, 0.2f, 5, 0,
                   0.8f, 5, 1e-3f, 0.3f, 5, 0,   0.7f, 5, 0};
    Mat z = {6, 3, v};
    unsigned char y[6] = {0, 1, 0, 1, 0, 1};
    double auc;
    SkErr err = {{0}};
    ck_assert_int_eq(auc_column(&z, 0, y, &auc, &err), 0);
    ck_assert_double_eq(auc, 1.0);
    ck_assert_int_eq(auc_column(&z, 1, y, &auc, &err), 0);
    ck_assert_double_eq(auc, 0.5);
    ck_assert_int_eq(auc_column(&z, 2, y, &auc, &err), 0);
    /* positives (1e-3, 1e-3, 0) vs negatives (0, 0, 0): (3 + 3 + 1.5)/9 */
    ck_assert_double_eq_tol(auc, 7.5 / 9.0, 1e-15);
    ck_assert_int_ne(auc_column(&z, 3, y, &auc, &err), 0);
}
END_TEST

START_TEST(test_errors)
{
    double s[3] = {1, 2, 3};
    unsigned char one_class[3] = {1, 1, 1};
    double auc;
    SkErr err = {{0}};
    ck_assert_int_ne(auc_roc(s, one_class, 3, &auc, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "one class"));
    unsigned char y[3] = {0, 1, 0};
    s[1] = NAN;
    ck_assert_int_ne(auc_roc(s, y, 3, &auc, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "NaN"));
}
END_TEST

/* The fixture's per-feature AUCs (unfolded; its dead column is 0.5). */
START_TEST(test_fixture_per_feature)
{
    Npz f;
    fixture_load("metrics.npz", &f);
    Mat z = fixture_mat(&f, "Z_pred");
    const NpyArray *lab = npz_get(&f, "labels");
    ck_assert_ptr_nonnull(lab);
    double *labd;
    SkErr err = {{0}};
    ck_assert_int_eq(npy_to_doubles(lab, &labd, &err), 0);
    unsigned char *y = malloc(z.rows);
    for (size_t i = 0; i < z.rows; i++)
        y[i] = labd[i] != 0.0;
    const NpyArray *wa = npz_get(&f, "auc_per_feature");
    ck_assert_ptr_nonnull(wa);
    ck_assert_uint_eq(npy_count(wa), z.cols);
    double *want;
    ck_assert_int_eq(npy_to_doubles(wa, &want, &err), 0);
    for (size_t j = 0; j < z.cols; j++) {
        double auc;
        ck_assert_int_eq(auc_column(&z, j, y, &auc, &err), 0);
        ck_assert_msg(fabs(auc - want[j]) < 1e-12, "column %zu: %.15g vs %.15g", j, auc,
                      want[j]);
    }
    free(y);
    free(labd);
    mat_release(&z);
    free(want);
    npz_free(&f);
}
END_TEST

static Suite *auc_suite(void)
{
    Suite *s = suite_create("auc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_known_values);
    tcase_add_test(tc, test_random_against_pairwise);
    tcase_add_test(tc, test_column_strided_and_constant);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_fixture_per_feature);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(auc_suite()); }
