/* test_fista_snapshots.c — FistaOptions snapshots: the codes after exactly N
 * iterations of one solve equal a separate solve with iters = N, byte for
 * byte, cold and warm, for every product, with worker threads; N = 0 is the
 * initial codes; budgets outside [0, iters] are refused. */
#include "fista.h"
#include "rng.h"
#include "testutil.h"

#include <string.h>

static Mat random_mat(size_t rows, size_t cols, uint64_t seed, double scale)
{
    Mat m;
    SkErr err;
    ck_assert_int_eq(mat_alloc(&m, rows, cols, &err), 0);
    Rng r;
    rng_init(&r, seed, 3);
    for (size_t i = 0; i < rows * cols; i++)
        m.v[i] = (float)(scale * rng_normal(&r));
    return m;
}

static void solve(const Mat *d, const Mat *y, const Mat *init, int iters, FistaProduct product,
                  int threads, const int *snap, size_t nsnap, Mat *snaps, Mat *z)
{
    FistaOptions opt;
    fista_options_default(&opt);
    opt.iters = iters;
    opt.lambda = 0.05f;
    opt.product = product;
    opt.threads = threads;
    opt.block_rows = 16;
    opt.warm = init != NULL;
    opt.snapshot_iters = snap;
    opt.n_snapshots = nsnap;
    opt.snapshots = snaps;
    SkErr err;
    ck_assert_int_eq(mat_alloc(z, y->rows, d->cols, &err), 0);
    if (init)
        memcpy(z->v, init->v, mat_size(init) * sizeof(float));
    ck_assert_msg(fista_solve(d, y, NULL, &opt, z, &err) == 0, "%s", err.msg);
}

START_TEST(snapshot_equals_separate_run)
{
    static const FistaProduct PRODUCTS[] = {FISTA_PRODUCT_AUTO, FISTA_PRODUCT_DENSE,
                                            FISTA_PRODUCT_SPARSE, FISTA_PRODUCT_GRAM};
    Mat d = random_mat(12, 20, 1, 0.3), y = random_mat(50, 12, 2, 1.0),
        init = random_mat(50, 20, 3, 0.5);
    const int snap[] = {7, 0, 1, 2, 7, 30};           /* unsorted, with a repeat */
    const size_t nsnap = sizeof snap / sizeof snap[0];
    SkErr err;
    for (int p = 0; p < 4; p++)
        for (int warm = 0; warm < 2; warm++)
            for (int threads = 1; threads <= 2; threads++) {
                Mat snaps[6], z;
                for (size_t s = 0; s < nsnap; s++)
                    ck_assert_int_eq(mat_alloc(&snaps[s], 50, 20, &err), 0);
                solve(&d, &y, warm ? &init : NULL, 30, PRODUCTS[p], threads, snap, nsnap, snaps, &z);
                ck_assert(memcmp(z.v, snaps[5].v, mat_size(&z) * sizeof(float)) == 0);
                for (size_t s = 0; s < nsnap; s++) {
                    Mat want;
                    solve(&d, &y, warm ? &init : NULL, snap[s], PRODUCTS[p], 1, NULL, 0, NULL, &want);
                    ck_assert_msg(memcmp(want.v, snaps[s].v, mat_size(&want) * sizeof(float)) == 0,
                                  "product %d warm %d threads %d: snapshot %d differs", p, warm,
                                  threads, snap[s]);
                    mat_release(&want);
                }
                if (warm) /* N = 0: the initial codes, unclamped */
                    ck_assert(memcmp(init.v, snaps[1].v, mat_size(&init) * sizeof(float)) == 0);
                else
                    for (size_t i = 0; i < mat_size(&z); i++)
                        ck_assert_float_eq(snaps[1].v[i], 0.0f);
                /* and the snapshots differ from each other (the test can fail) */
                ck_assert(memcmp(snaps[2].v, snaps[3].v, mat_size(&z) * sizeof(float)) != 0);
                for (size_t s = 0; s < nsnap; s++)
                    mat_release(&snaps[s]);
                mat_release(&z);
            }
    mat_release(&d), mat_release(&y), mat_release(&init);
}
END_TEST

START_TEST(zero_iterations_and_bad_budgets)
{
    Mat d = random_mat(6, 9, 4, 0.5), y = random_mat(5, 6, 5, 1.0), init = random_mat(5, 9, 6, 1.0);
    SkErr err;
    Mat snap, z;
    ck_assert_int_eq(mat_alloc(&snap, 5, 9, &err), 0);
    const int zero[] = {0};
    solve(&d, &y, &init, 0, FISTA_PRODUCT_AUTO, 1, zero, 1, &snap, &z);
    ck_assert(memcmp(snap.v, init.v, mat_size(&init) * sizeof(float)) == 0);
    mat_release(&z);
    FistaOptions opt;
    fista_options_default(&opt);
    opt.iters = 3;
    const int beyond[] = {4}, negative[] = {-1};
    opt.n_snapshots = 1;
    opt.snapshots = &snap;
    ck_assert_int_eq(mat_alloc(&z, 5, 9, &err), 0);
    opt.snapshot_iters = beyond;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "snapshot"));
    opt.snapshot_iters = negative;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    Mat small;
    ck_assert_int_eq(mat_alloc(&small, 4, 9, &err), 0);
    opt.snapshot_iters = zero;
    opt.snapshots = &small;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    opt.snapshots = NULL;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    mat_release(&small), mat_release(&z), mat_release(&snap);
    mat_release(&d), mat_release(&y), mat_release(&init);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fista_snapshots");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, snapshot_equals_separate_run);
    tcase_add_test(tc, zero_iterations_and_bad_budgets);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
