/* Jacobi eigensolver and Cholesky against reconstructions and known spectra. */
#include "linalg.h"
#include "rng.h"
#include "testutil.h"

#include <string.h>

static void random_spd(double *a, size_t n, Rng *r)
{
    double *b = malloc(n * n * sizeof *b);
    for (size_t i = 0; i < n * n; i++)
        b[i] = rng_normal(r);
    for (size_t i = 0; i < n; i++)      /* a = B Bᵀ + 0.1 I */
        for (size_t j = 0; j < n; j++) {
            double s = i == j ? 0.1 : 0.0;
            for (size_t k = 0; k < n; k++)
                s += b[i * n + k] * b[j * n + k];
            a[i * n + j] = s;
        }
    free(b);
}

START_TEST(eigen_reconstructs_and_sorts)
{
    Rng r;
    rng_init(&r, 1, 0);
    for (size_t n = 1; n <= 12; n += 3) {
        double *a = malloc(n * n * sizeof *a), *w = malloc(n * n * sizeof *w),
               *v = malloc(n * n * sizeof *v), *lam = malloc(n * sizeof *lam);
        random_spd(a, n, &r);
        memcpy(w, a, n * n * sizeof *a);
        SkErr err;
        ck_assert_int_eq(sym_eig(w, n, lam, v, &err), 0);
        for (size_t i = 1; i < n; i++)
            ck_assert(lam[i - 1] >= lam[i]);
        for (size_t i = 0; i < n; i++)       /* A = V Λ Vᵀ */
            for (size_t j = 0; j < n; j++) {
                double s = 0;
                for (size_t k = 0; k < n; k++)
                    s += v[i * n + k] * lam[k] * v[j * n + k];
                ck_assert_double_eq_tol(s, a[i * n + j], 1e-10 * (1 + fabs(a[i * n + j])));
            }
        double top;
        ck_assert_int_eq(sym_eig_max(a, n, &top, &err), 0);
        ck_assert_double_eq_tol(top, lam[0], 1e-12 * lam[0]);
        free(a), free(w), free(v), free(lam);
    }
}
END_TEST

START_TEST(eigen_known_spectrum)
{
    double a[4] = {2, 1, 1, 2}, lam[2], v[4];  /* eigenvalues 3 and 1 */
    SkErr err;
    ck_assert_int_eq(sym_eig(a, 2, lam, v, &err), 0);
    ck_assert_double_eq_tol(lam[0], 3.0, 1e-14);
    ck_assert_double_eq_tol(lam[1], 1.0, 1e-14);
    ck_assert_double_eq_tol(fabs(v[0]), sqrt(0.5), 1e-14);
}
END_TEST

START_TEST(cholesky_solves_and_rejects_indefinite)
{
    Rng r;
    rng_init(&r, 2, 0);
    enum { N = 9, RHS = 3 };
    double a[N * N], l[N * N], x[RHS * N], b[RHS * N];
    random_spd(a, N, &r);
    memcpy(l, a, sizeof a);
    SkErr err;
    ck_assert_int_eq(cholesky(l, N, &err), 0);
    for (int i = 0; i < RHS * N; i++)
        x[i] = rng_normal(&r);
    for (int q = 0; q < RHS; q++)             /* b = A x */
        for (int i = 0; i < N; i++) {
            double s = 0;
            for (int j = 0; j < N; j++)
                s += a[i * N + j] * x[q * N + j];
            b[q * N + i] = s;
        }
    cholesky_solve_rows(l, N, b, RHS);
    for (int i = 0; i < RHS * N; i++)
        ck_assert_double_eq_tol(b[i], x[i], 1e-9);
    double bad[4] = {1, 2, 2, 1};
    ck_assert_int_ne(cholesky(bad, 2, &err), 0);
    ck_assert(strstr(err.msg, "positive definite") != NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linalg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, eigen_reconstructs_and_sorts);
    tcase_add_test(tc, eigen_known_spectrum);
    tcase_add_test(tc, cholesky_solves_and_rejects_indefinite);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
