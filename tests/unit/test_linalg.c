/* Jacobi eigensolver and Cholesky against reconstructions and known spectra;
 * LU, minimum-norm least squares and NNLS against residual conditions and a
 * brute-force search. */
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

/* ---- dense solves: LU, least squares, NNLS ---- */

static void random_doubles(double *v, size_t n, Rng *r)
{
    for (size_t i = 0; i < n; i++)
        v[i] = rng_normal(r);
}

START_TEST(lu_solves_random_systems)
{
    Rng r;
    rng_init(&r, 4, 0);
    for (size_t n = 1; n <= 20; n += 6) {
        double *a = malloc(n * n * sizeof *a), *a0 = malloc(n * n * sizeof *a), *b = malloc(n * sizeof *b),
               *b0 = malloc(n * sizeof *b);
        random_doubles(a0, n * n, &r);
        random_doubles(b0, n, &r);
        memcpy(a, a0, n * n * sizeof *a);
        memcpy(b, b0, n * sizeof *b);
        SkErr err;
        ck_assert_int_eq(lu_solve_f64(a, n, b, &err), 0);
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t j = 0; j < n; j++)
                s += a0[i * n + j] * b[j];
            ck_assert_double_eq_tol(s, b0[i], 1e-10);
        }
        free(a), free(a0), free(b), free(b0);
    }
    double z[4] = {1, 2, 2, 4}, rhs[2] = {1, 1};
    SkErr err;
    ck_assert_int_ne(lu_solve_f64(z, 2, rhs, &err), 0);   /* exactly singular */
}
END_TEST

/* dts (s × d_y) x (s) → D_S x (d_y). */
static void apply(const double *dts, size_t s, size_t dy, const double *x, double *out)
{
    for (size_t c = 0; c < dy; c++)
        out[c] = 0;
    for (size_t j = 0; j < s; j++)
        for (size_t c = 0; c < dy; c++)
            out[c] += x[j] * dts[j * dy + c];
}

START_TEST(lstsq_overdetermined_residual_is_orthogonal)
{
    size_t s = 5, dy = 11;
    double dts[55], r[11], x[5], fit[11];
    Rng g;
    rng_init(&g, 5, 0);
    random_doubles(dts, s * dy, &g);
    random_doubles(r, dy, &g);
    SkErr err;
    ck_assert_int_eq(lstsq_min_norm(dts, s, dy, r, x, &err), 0);
    apply(dts, s, dy, x, fit);
    for (size_t j = 0; j < s; j++) {                  /* D_Sᵀ (r − D_S x) = 0 */
        double w = 0;
        for (size_t c = 0; c < dy; c++)
            w += dts[j * dy + c] * (r[c] - fit[c]);
        ck_assert_double_eq_tol(w, 0.0, 1e-10);
    }
}
END_TEST

START_TEST(lstsq_underdetermined_is_minimum_norm)
{
    size_t s = 9, dy = 4;
    double dts[36], r[4], x[9], fit[4];
    Rng g;
    rng_init(&g, 6, 0);
    random_doubles(dts, s * dy, &g);
    random_doubles(r, dy, &g);
    SkErr err;
    ck_assert_int_eq(lstsq_min_norm(dts, s, dy, r, x, &err), 0);
    apply(dts, s, dy, x, fit);
    for (size_t c = 0; c < dy; c++)                   /* consistent: D x = r */
        ck_assert_double_eq_tol(fit[c], r[c], 1e-10);
    /* minimum norm: x = D_Sᵀ (D_S D_Sᵀ)⁻¹ r, checked with an explicit LU */
    double k[16], u[4], want[9];
    for (size_t a = 0; a < dy; a++)
        for (size_t b = 0; b < dy; b++) {
            double t = 0;
            for (size_t j = 0; j < s; j++)
                t += dts[j * dy + a] * dts[j * dy + b];
            k[a * dy + b] = t;
        }
    memcpy(u, r, sizeof u);
    ck_assert_int_eq(lu_solve_f64(k, dy, u, &err), 0);
    for (size_t j = 0; j < s; j++) {
        want[j] = 0;
        for (size_t c = 0; c < dy; c++)
            want[j] += dts[j * dy + c] * u[c];
        ck_assert_double_eq_tol(x[j], want[j], 1e-10);
    }
}
END_TEST

START_TEST(lstsq_rank_deficient_splits_duplicates)
{
    /* two identical columns a and a third one b: r = a + b → x = (½, ½, 1) */
    double dts[3 * 3] = {1, 2, 0, 1, 2, 0, 0, 1, 3}, r[3] = {1, 3, 3}, x[3];
    SkErr err;
    ck_assert_int_eq(lstsq_min_norm(dts, 3, 3, r, x, &err), 0);
    ck_assert_double_eq_tol(x[0], 0.5, 1e-9);
    ck_assert_double_eq_tol(x[1], 0.5, 1e-9);
    ck_assert_double_eq_tol(x[2], 1.0, 1e-9);
}
END_TEST

/* ‖D x − r‖² */
static double objective(const double *dts, size_t s, size_t dy, const double *x, const double *r)
{
    double fit[64], o = 0;
    apply(dts, s, dy, x, fit);
    for (size_t c = 0; c < dy; c++)
        o += (fit[c] - r[c]) * (fit[c] - r[c]);
    return o;
}

/* The best feasible unconstrained LS over all passive sets (s ≤ 10). */
static double brute_force_nnls(const double *dts, size_t s, size_t dy, const double *r)
{
    double best = objective(dts, s, dy, (double[16]){0}, r);
    for (unsigned mask = 1; mask < (1u << s); mask++) {
        double sub[16 * 64], xs[16], x[16] = {0};
        size_t m = 0, idx[16];
        for (size_t j = 0; j < s; j++)
            if (mask & (1u << j)) {
                memcpy(sub + m * dy, dts + j * dy, dy * sizeof *sub);
                idx[m++] = j;
            }
        SkErr err;
        ck_assert_int_eq(lstsq_min_norm(sub, m, dy, r, xs, &err), 0);
        bool feasible = true;
        for (size_t k = 0; k < m; k++) {
            feasible = feasible && xs[k] >= 0;
            x[idx[k]] = xs[k];
        }
        double o = objective(dts, s, dy, x, r);
        if (feasible && o < best)
            best = o;
    }
    return best;
}

START_TEST(nnls_meets_kkt_and_brute_force)
{
    const size_t shapes[][2] = {{6, 10}, {8, 5}, {10, 10}, {3, 7}};
    Rng g;
    rng_init(&g, 8, 0);
    for (size_t c = 0; c < 4; c++)
        for (int trial = 0; trial < 5; trial++) {
            size_t s = shapes[c][0], dy = shapes[c][1];
            double dts[16 * 64], r[64], x[16], fit[64];
            random_doubles(dts, s * dy, &g);
            random_doubles(r, dy, &g);
            SkErr err;
            size_t iters;
            ck_assert_int_eq(nnls_solve(dts, s, dy, r, x, &iters, &err), 0);
            apply(dts, s, dy, x, fit);
            for (size_t j = 0; j < s; j++) {
                ck_assert(x[j] >= 0);
                double w = 0;                           /* w = D_Sᵀ (r − D_S x) */
                for (size_t k = 0; k < dy; k++)
                    w += dts[j * dy + k] * (r[k] - fit[k]);
                ck_assert_msg(w <= 1e-9, "KKT: w[%zu] = %g > 0", j, w);
                if (x[j] > 0)
                    ck_assert_msg(fabs(w) <= 1e-9, "KKT: w[%zu] = %g at x = %g", j, w, x[j]);
            }
            double best = brute_force_nnls(dts, s, dy, r);
            ck_assert_double_eq_tol(objective(dts, s, dy, x, r), best, 1e-9 * (1 + best));
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linalg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, eigen_reconstructs_and_sorts);
    tcase_add_test(tc, eigen_known_spectrum);
    tcase_add_test(tc, cholesky_solves_and_rejects_indefinite);
    tcase_add_test(tc, lu_solves_random_systems);
    tcase_add_test(tc, lstsq_overdetermined_residual_is_orthogonal);
    tcase_add_test(tc, lstsq_underdetermined_is_minimum_norm);
    tcase_add_test(tc, lstsq_rank_deficient_splits_duplicates);
    tcase_add_test(tc, nnls_meets_kkt_and_brute_force);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
