/* SPEC §1 data: the d_y table, refusals, supports per setting, y = A z. */
#include "datagen.h"
#include "testutil.h"

#include <string.h>

START_TEST(default_dy_matches_spec_table)
{
    const size_t dz[] = {50, 100, 500, 1000, 5000, 10000};
    const size_t dy_k10[] = {33, 47, 79, 93, 125, 139};
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(datagen_default_dy(dz[i], 10), dy_k10[i]);
    const size_t k[] = {2, 5, 10, 20, 50, 100};
    const size_t dy_dz1000[] = {25, 53, 93, 157, 300, 461};
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(datagen_default_dy(1000, k[i]), dy_dz1000[i]);
}
END_TEST

START_TEST(impossible_parameters_are_refused)
{
    SkErr err;
    DataParams p = {.dz = 30, .k = 4, .p = 10, .dy = 31};
    ck_assert_int_ne(datagen_validate(&p, &err), 0);
    ck_assert(strstr(err.msg, "exceeds") != NULL);
    p = (DataParams){.dz = 10, .k = 6, .p = 10};   /* ID pool {1..4}: k-1 = 5 > 4 */
    ck_assert_int_ne(datagen_validate(&p, &err), 0);
    p = (DataParams){.dz = 10, .k = 5, .p = 10};   /* k-1 = 4 fits */
    ck_assert_int_eq(datagen_validate(&p, &err), 0);
    p = (DataParams){.dz = 10, .k = 5, .p = 1};
    ck_assert_int_ne(datagen_validate(&p, &err), 0);
    p = (DataParams){.dz = 10, .k = 0, .p = 10};
    ck_assert_int_ne(datagen_validate(&p, &err), 0);
}
END_TEST

/* Count settings: A = has 0, no OOD latent; B = no 0; C = has 0, only OOD latents. */
static void check_split(const Mat *z, const Mat *y, const Mat *a, size_t k, bool ood, int *n_with_zero)
{
    size_t dz = z->cols, ood_start = dz - dz / 2;
    for (size_t i = 0; i < z->rows; i++) {
        size_t nz = 0, n_ood = 0, n_id = 0;
        for (size_t j = 0; j < dz; j++) {
            float v = MAT_AT(*z, i, j);
            if (v == 0.0f)
                continue;
            ck_assert(v > 0.0f && v < 1.0f);
            nz++;
            if (j >= ood_start)
                n_ood++;
            else if (j > 0)
                n_id++;
        }
        ck_assert_uint_eq(nz, k);
        bool has0 = MAT_AT(*z, i, 0) != 0.0f;
        *n_with_zero += has0;
        if (ood)
            ck_assert(has0 && n_id == 0);
        else if (has0)
            ck_assert_uint_eq(n_ood, 0);    /* setting A: ID pool only */
        for (size_t r = 0; r < y->cols; r++) { /* y = A z */
            double s = 0;
            for (size_t j = 0; j < dz; j++)
                s += (double)MAT_AT(*a, r, j) * MAT_AT(*z, i, j);
            ck_assert_double_eq_tol(MAT_AT(*y, i, r), s, 1e-5);
        }
    }
}

START_TEST(supports_follow_the_settings)
{
    SkErr err;
    DataParams p = {.dz = 40, .k = 5, .p = 2001, .seed = 3};
    ck_assert_int_eq(datagen_validate(&p, &err), 0);
    ck_assert_uint_eq(p.dy, 21);  /* ceil(10 ln 8) = 21 */
    Dataset d;
    ck_assert_int_eq(datagen_generate(&p, &d, &err), 0);
    ck_assert_uint_eq(d.y_train.rows, 1000);
    ck_assert_uint_eq(d.y_val.rows, 1001);
    ck_assert_uint_eq(d.y_ood.rows, 1000);
    for (size_t j = 0; j < p.dz; j++) {     /* unit columns */
        double s = 0;
        for (size_t i = 0; i < p.dy; i++)
            s += (double)MAT_AT(d.A, i, j) * MAT_AT(d.A, i, j);
        ck_assert_double_eq_tol(s, 1.0, 1e-6);
    }
    int with0 = 0;
    check_split(&d.z_train, &d.y_train, &d.A, p.k, false, &with0);
    /* Setting A (with latent 0) is drawn with probability ½. */
    ck_assert_int_gt(with0, 500 - 6 * 16);
    ck_assert_int_lt(with0, 500 + 6 * 16);
    check_split(&d.z_val, &d.y_val, &d.A, p.k, false, &with0);
    int ood0 = 0;
    check_split(&d.z_ood, &d.y_ood, &d.A, p.k, true, &ood0);
    ck_assert_int_eq(ood0, 1000);

    Dataset again;                          /* same seed, same numbers */
    ck_assert_int_eq(datagen_generate(&p, &again, &err), 0);
    ck_assert_mem_eq(again.z_val.v, d.z_val.v, mat_size(&d.z_val) * sizeof(float));
    ck_assert_mem_eq(again.A.v, d.A.v, mat_size(&d.A) * sizeof(float));
    dataset_release(&again);
    dataset_release(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("datagen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, default_dy_matches_spec_table);
    tcase_add_test(tc, impossible_parameters_are_refused);
    tcase_add_test(tc, supports_follow_the_settings);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
