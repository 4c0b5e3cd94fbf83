/* test_fista.c — non-negative FISTA (lib/fista):
 *  - the paper's iterates (fixtures fista.npz, dlfista_round.npz), for every
 *    product path (dense, sparse, Gram, automatic);
 *  - the paths and block sizes agree with each other and with a double
 *    precision transcription of SPEC §3 (warm, negative init, bias);
 *  - convergence to a lasso solution computed another way (coordinate
 *    descent in double) and the KKT conditions;
 *  - oracle support recovery; argument checks; progress and stats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fista.h"
#include "gemm.h"
#include "rng.h"
#include "testutil.h"

static const FistaProduct ALL_PRODUCTS[] = {FISTA_PRODUCT_AUTO, FISTA_PRODUCT_DENSE,
                                            FISTA_PRODUCT_SPARSE, FISTA_PRODUCT_GRAM};
static const char *const PRODUCT_NAMES[] = {"auto", "dense", "sparse", "gram"};

static Mat alloc_mat(size_t rows, size_t cols)
{
    Mat m;
    SkErr err = {{0}};
    ck_assert_msg(mat_alloc(&m, rows, cols, &err) == 0, "%s", err.msg);
    return m;
}

/* Run FISTA with the given product; returns the codes (n × d_z). */
static Mat run_fista(const Mat *d, const Mat *y, const float *bias, const Mat *init,
                     float lambda, int iters, FistaProduct product, size_t block_rows)
{
    FistaOptions opt;
    fista_options_default(&opt);
    opt.lambda = lambda;
    opt.iters = iters;
    opt.product = product;
    opt.block_rows = block_rows;
    Mat z = alloc_mat(y->rows, d->cols);
    if (init) {
        memcpy(z.v, init->v, mat_size(init) * sizeof *z.v);
        opt.warm = true;
    }
    SkErr err = {{0}};
    ck_assert_msg(fista_solve(d, y, bias, &opt, &z, &err) == 0, "fista: %s", err.msg);
    return z;
}

static void assert_codes_close(const Mat *got, const Mat *want, double rtol, double atol,
                               const char *what)
{
    ck_assert_uint_eq(got->rows, want->rows);
    ck_assert_uint_eq(got->cols, want->cols);
    assert_close_f(got->v, want->v, mat_size(want), rtol, atol, what);
}

/* ---- fixtures ---------------------------------------------------------- */

START_TEST(lipschitz_matches_fixture)
{
    Npz fx;
    fixture_load("fista.npz", &fx);
    Mat d = fixture_mat(&fx, "D");
    float l;
    SkErr err = {{0}};
    ck_assert_msg(fista_lipschitz(&d, &l, &err) == 0, "%s", err.msg);
    double want = fixture_scalar(&fx, "L");
    ck_assert_msg(fabs(l - want) <= 1e-6 * want, "L = %.9g, fixture %.9g", l, want);
    /* The transposed dictionary has the same spectral norm (the other Gram). */
    Mat dt;
    ck_assert_int_eq(mat_transpose(&dt, &d, &err), 0);
    float lt;
    ck_assert_int_eq(fista_lipschitz(&dt, &lt, &err), 0);
    ck_assert_msg(fabs(lt - want) <= 1e-6 * want, "L(Dᵀ) = %.9g, fixture %.9g", lt, want);
    mat_release(&dt);
    mat_release(&d);
    npz_free(&fx);
}
END_TEST

/* L is floored at 1e-8 (zero dictionary), and exact for a rank-one one. */
START_TEST(lipschitz_floor)
{
    Mat d = alloc_mat(3, 4);
    float l;
    SkErr err = {{0}};
    ck_assert_int_eq(fista_lipschitz(&d, &l, &err), 0);
    ck_assert_float_eq(l, 1e-8f);
    d.v[0] = 3.0f; /* one non-zero entry: σ = 3 */
    ck_assert_int_eq(fista_lipschitz(&d, &l, &err), 0);
    ck_assert_float_eq(l, 9.0f);
    mat_release(&d);
}
END_TEST

/* _i = product index: every path reproduces the paper's iterates. */
START_TEST(iterates_match_fixture)
{
    Npz fx;
    fixture_load("fista.npz", &fx);
    Mat d = fixture_mat(&fx, "D"), y = fixture_mat(&fx, "Y");
    float lambda = (float)fixture_scalar(&fx, "lam");
    static const int ITERS[] = {1, 2, 10, 100};
    for (size_t k = 0; k < 4; k++) {
        char name[32], what[64];
        snprintf(name, sizeof name, "Z_iters%d", ITERS[k]);
        snprintf(what, sizeof what, "%s (%s)", name, PRODUCT_NAMES[_i]);
        Mat want = fixture_mat(&fx, name);
        Mat z = run_fista(&d, &y, NULL, NULL, lambda, ITERS[k], ALL_PRODUCTS[_i], 0);
        assert_codes_close(&z, &want, 1e-5, 1e-6, what);
        mat_release(&z);
        mat_release(&want);
    }
    /* Warm start from Z_init, 5 iterations. */
    Mat init = fixture_mat(&fx, "Z_init"), want = fixture_mat(&fx, "Z_warm_iters5");
    Mat z = run_fista(&d, &y, NULL, &init, lambda, 5, ALL_PRODUCTS[_i], 0);
    assert_codes_close(&z, &want, 1e-5, 1e-6, PRODUCT_NAMES[_i]);
    mat_release(&z);
    mat_release(&want);
    mat_release(&init);
    mat_release(&d);
    mat_release(&y);
    npz_free(&fx);
}
END_TEST

/* The FISTA passes of one DL-FISTA round: cold codes with D0, and round-2 val
 * codes warm-started from round 1 with the updated dictionary. This problem
 * amplifies rounding: the same formula in NumPy float64 lands 0.9e-6 from the
 * fixture and in NumPy float32 2.6e-6 (Gram form 3.2e-6), hence atol 5e-6. */
START_TEST(dlfista_round_codes_match_fixture)
{
    Npz fx;
    fixture_load("dlfista_round.npz", &fx);
    Mat d0 = fixture_mat(&fx, "D0"), d1 = fixture_mat(&fx, "D_round1");
    Mat yv = fixture_mat(&fx, "Y_val"), yo = fixture_mat(&fx, "Y_ood");
    Mat zv1 = fixture_mat(&fx, "Z_val_round1"), zo1 = fixture_mat(&fx, "Z_ood_round1");
    Mat zv2 = fixture_mat(&fx, "Z_val_round2");
    float lambda = (float)fixture_scalar(&fx, "lam");
    int iters = (int)fixture_scalar(&fx, "iters");
    Mat z = run_fista(&d0, &yv, NULL, NULL, lambda, iters, ALL_PRODUCTS[_i], 0);
    assert_codes_close(&z, &zv1, 1e-5, 5e-6, "Z_val_round1");
    mat_release(&z);
    z = run_fista(&d0, &yo, NULL, NULL, lambda, iters, ALL_PRODUCTS[_i], 0);
    assert_codes_close(&z, &zo1, 1e-5, 5e-6, "Z_ood_round1");
    mat_release(&z);
    z = run_fista(&d1, &yv, NULL, &zv1, lambda, iters, ALL_PRODUCTS[_i], 0);
    assert_codes_close(&z, &zv2, 1e-5, 5e-6, "Z_val_round2");
    mat_release(&z);
    Mat *all[] = {&d0, &d1, &yv, &yo, &zv1, &zo1, &zv2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        mat_release(all[i]);
    npz_free(&fx);
}
END_TEST

/* ---- random problems --------------------------------------------------- */

/* d_y × d_z, i.i.d. N(0,1) columns scaled to unit norm. */
static Mat random_dictionary(Rng *rng, size_t dy, size_t dz)
{
    Mat d = alloc_mat(dy, dz);
    for (size_t j = 0; j < dz; j++) {
        double norm2 = 0.0;
        for (size_t i = 0; i < dy; i++) {
            double v = rng_normal(rng);
            MAT_AT(d, i, j) = (float)v;
            norm2 += v * v;
        }
        for (size_t i = 0; i < dy; i++)
            MAT_AT(d, i, j) = (float)(MAT_AT(d, i, j) / sqrt(norm2));
    }
    return d;
}

/* n k-sparse non-negative codes with values in [lo, hi), and Y = Z Dᵀ. */
static void random_sparse_problem(Rng *rng, const Mat *d, size_t n, size_t k, double lo,
                                  double hi, Mat *z_true, Mat *y)
{
    size_t dy = d->rows, dz = d->cols;
    *z_true = alloc_mat(n, dz);
    *y = alloc_mat(n, dy);
    uint64_t *support = malloc(k * sizeof *support);
    for (size_t i = 0; i < n; i++) {
        rng_sample_distinct(rng, dz, k, support);
        for (size_t s = 0; s < k; s++)
            MAT_AT(*z_true, i, support[s]) = (float)(lo + (hi - lo) * rng_uniform(rng));
    }
    free(support);
    sk_gemm_naive(false, true, n, dy, dz, 1.0f, z_true->v, dz, d->v, dz, 0.0f, y->v, dy);
}

/* SPEC §3 transcribed literally in double: the reference the float paths
 * are compared with (bias subtracted, init unclamped, t = 1). */
static void fista_reference_f64(const Mat *d, const Mat *y, const float *bias, const Mat *init,
                                double lambda, double lip, int iters, double *z)
{
    size_t n = y->rows, dy = d->rows, dz = d->cols;
    double *x = malloc(dz * sizeof *x), *zn = malloc(dz * sizeof *zn), *r = malloc(dy * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        double *zi = z + i * dz;
        for (size_t j = 0; j < dz; j++)
            zi[j] = x[j] = init ? MAT_AT(*init, i, j) : 0.0;
        double t = 1.0;
        for (int it = 0; it < iters; it++) {
            for (size_t c = 0; c < dy; c++) { /* r = D x − (y − b) */
                double s = -(MAT_AT(*y, i, c) - (bias ? bias[c] : 0.0));
                for (size_t j = 0; j < dz; j++)
                    s += (double)MAT_AT(*d, c, j) * x[j];
                r[c] = s;
            }
            for (size_t j = 0; j < dz; j++) { /* g = Dᵀ r; z⁺ = max(0, soft(x − g/L, λ/L)) */
                double g = 0.0;
                for (size_t c = 0; c < dy; c++)
                    g += (double)MAT_AT(*d, c, j) * r[c];
                double u = x[j] - g / lip, mag = fabs(u) - lambda / lip;
                double soft = mag > 0 ? (u > 0 ? mag : -mag) : 0.0;
                zn[j] = soft > 0 ? soft : 0.0;
            }
            double t_next = (1.0 + sqrt(1.0 + 4.0 * t * t)) / 2.0;
            for (size_t j = 0; j < dz; j++) {
                x[j] = zn[j] + ((t - 1.0) / t_next) * (zn[j] - zi[j]);
                zi[j] = zn[j];
            }
            t = t_next;
        }
    }
    free(x);
    free(zn);
    free(r);
}

/* Every product path, several block sizes (dividing n or not), a bias and a
 * warm start with negative entries all follow the double-precision formula. */
START_TEST(paths_follow_the_formula)
{
    Rng rng;
    rng_init(&rng, 2024, 0);
    size_t dy = 24, dz = 40, n = 37;
    Mat d = random_dictionary(&rng, dy, dz), zt, y;
    random_sparse_problem(&rng, &d, n, 3, 0.0, 1.0, &zt, &y);
    float bias[24];
    for (size_t c = 0; c < dy; c++)
        bias[c] = (float)(0.3 * rng_normal(&rng));
    for (size_t i = 0; i < n; i++) /* y' = y + b, so y' − b ≈ y */
        for (size_t c = 0; c < dy; c++)
            MAT_AT(y, i, c) += bias[c];
    Mat init = alloc_mat(n, dz);
    for (size_t i = 0; i < mat_size(&init); i++)
        init.v[i] = (float)(0.2 * rng_normal(&rng)); /* half negative: unclamped */
    float lip;
    SkErr err = {{0}};
    ck_assert_int_eq(fista_lipschitz(&d, &lip, &err), 0);
    int iters = 30;
    double *want = malloc(n * dz * sizeof *want);
    for (int warm = 0; warm < 2; warm++) {
        fista_reference_f64(&d, &y, bias, warm ? &init : NULL, 0.05, lip, iters, want);
        float *wantf = malloc(n * dz * sizeof *wantf);
        for (size_t i = 0; i < n * dz; i++)
            wantf[i] = (float)want[i];
        static const size_t BLOCKS[] = {0, 1, 8, 37, 100};
        for (size_t p = 0; p < 4; p++)
            for (size_t b = 0; b < 5; b++) {
                Mat z = run_fista(&d, &y, bias, warm ? &init : NULL, 0.05f, iters,
                                  ALL_PRODUCTS[p], BLOCKS[b]);
                char what[80];
                snprintf(what, sizeof what, "%s block %zu warm %d", PRODUCT_NAMES[p], BLOCKS[b], warm);
                assert_close_f(z.v, wantf, n * dz, 1e-4, 2e-5, what);
                mat_release(&z);
            }
        free(wantf);
    }
    free(want);
    mat_release(&init);
    mat_release(&d);
    mat_release(&zt);
    mat_release(&y);
}
END_TEST

/* The sparse and the dense residual give the same iterates up to float rounding,
 * at a realistic size (many iterations, sparse iterates). */
START_TEST(sparse_equals_dense)
{
    Rng rng;
    rng_init(&rng, 99, 0);
    size_t dy = 40, dz = 300, n = 64;
    Mat d = random_dictionary(&rng, dy, dz), zt, y;
    random_sparse_problem(&rng, &d, n, 4, 0.0, 1.0, &zt, &y);
    static const int ITERS[] = {1, 3, 20, 100};
    for (size_t k = 0; k < 4; k++) {
        Mat zd = run_fista(&d, &y, NULL, NULL, 0.1f, ITERS[k], FISTA_PRODUCT_DENSE, 0);
        Mat zs = run_fista(&d, &y, NULL, NULL, 0.1f, ITERS[k], FISTA_PRODUCT_SPARSE, 16);
        Mat za = run_fista(&d, &y, NULL, NULL, 0.1f, ITERS[k], FISTA_PRODUCT_AUTO, 0);
        assert_codes_close(&zs, &zd, 1e-4, 1e-5, "sparse vs dense");
        assert_codes_close(&za, &zd, 1e-4, 1e-5, "auto vs dense");
        /* The codes must not be trivially zero (the test would prove nothing). */
        size_t nnz = 0;
        for (size_t i = 0; i < mat_size(&zd); i++)
            nnz += zd.v[i] > 0;
        ck_assert_uint_gt(nnz, n);
        mat_release(&zd);
        mat_release(&zs);
        mat_release(&za);
    }
    mat_release(&d);
    mat_release(&zt);
    mat_release(&y);
}
END_TEST

/* A bias b gives exactly the codes of y − b (the same float subtraction). */
START_TEST(bias_equals_shifted_input)
{
    Rng rng;
    rng_init(&rng, 5, 0);
    Mat d = random_dictionary(&rng, 12, 30), zt, y;
    random_sparse_problem(&rng, &d, 20, 2, 0.0, 1.0, &zt, &y);
    float bias[12];
    for (int c = 0; c < 12; c++)
        bias[c] = (float)rng_normal(&rng);
    Mat shifted;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_copy(&shifted, &y, &err), 0);
    for (size_t i = 0; i < 20; i++)
        for (size_t c = 0; c < 12; c++)
            MAT_AT(shifted, i, c) = MAT_AT(y, i, c) - bias[c];
    for (size_t p = 1; p < 4; p++) {
        Mat a = run_fista(&d, &y, bias, NULL, 0.1f, 25, ALL_PRODUCTS[p], 0);
        Mat b = run_fista(&d, &shifted, NULL, NULL, 0.1f, 25, ALL_PRODUCTS[p], 0);
        ck_assert_msg(memcmp(a.v, b.v, mat_size(&a) * sizeof *a.v) == 0, "%s", PRODUCT_NAMES[p]);
        Mat c = run_fista(&d, &y, NULL, NULL, 0.1f, 25, ALL_PRODUCTS[p], 0);
        ck_assert_msg(memcmp(a.v, c.v, mat_size(&a) * sizeof *a.v) != 0, "bias ignored");
        mat_release(&a);
        mat_release(&b);
        mat_release(&c);
    }
    mat_release(&shifted);
    mat_release(&d);
    mat_release(&zt);
    mat_release(&y);
}
END_TEST

/* ---- convergence to an independently computed solution ----------------- */

/* Non-negative lasso by cyclic coordinate descent in double, to convergence:
 * z_j = max(0, z_j + (Dᵀ r)_j − λ) / ‖d_j‖²) with r = y − D z kept updated. */
static void nn_lasso_cd(const Mat *d, const float *y, double lambda, double *z)
{
    size_t dy = d->rows, dz = d->cols;
    double *r = malloc(dy * sizeof *r), *norm2 = calloc(dz, sizeof *norm2);
    for (size_t c = 0; c < dy; c++)
        r[c] = y[c];
    for (size_t j = 0; j < dz; j++) {
        z[j] = 0.0;
        for (size_t c = 0; c < dy; c++)
            norm2[j] += (double)MAT_AT(*d, c, j) * MAT_AT(*d, c, j);
    }
    for (int sweep = 0; sweep < 200000; sweep++) {
        double change = 0.0;
        for (size_t j = 0; j < dz; j++) {
            double corr = 0.0;
            for (size_t c = 0; c < dy; c++)
                corr += (double)MAT_AT(*d, c, j) * r[c];
            double zj = z[j] + (corr - lambda) / norm2[j];
            zj = zj > 0 ? zj : 0.0;
            double delta = zj - z[j];
            if (delta != 0.0) {
                for (size_t c = 0; c < dy; c++)
                    r[c] -= delta * MAT_AT(*d, c, j);
                z[j] = zj;
                change = fmax(change, fabs(delta));
            }
        }
        if (change < 1e-15)
            break;
    }
    free(r);
    free(norm2);
}

/* c = Dᵀ(y − D z) in double. */
static void correlations(const Mat *d, const float *y, const double *z, double *c)
{
    size_t dy = d->rows, dz = d->cols;
    double *r = malloc(dy * sizeof *r);
    for (size_t i = 0; i < dy; i++) {
        double s = y[i];
        for (size_t j = 0; j < dz; j++)
            s -= (double)MAT_AT(*d, i, j) * z[j];
        r[i] = s;
    }
    for (size_t j = 0; j < dz; j++) {
        double s = 0.0;
        for (size_t i = 0; i < dy; i++)
            s += (double)MAT_AT(*d, i, j) * r[i];
        c[j] = s;
    }
    free(r);
}

/* KKT of the non-negative lasso: c_j = λ where z_j > 0, c_j ≤ λ where z_j = 0. */
static void assert_kkt(const Mat *d, const float *y, const double *z, double lambda, double tol,
                       const char *what)
{
    size_t dz = d->cols;
    double *c = malloc(dz * sizeof *c);
    correlations(d, y, z, c);
    for (size_t j = 0; j < dz; j++) {
        if (z[j] > 1e-6)
            ck_assert_msg(fabs(c[j] - lambda) <= tol, "%s: active z_%zu = %g has c = %.9g != λ",
                          what, j, z[j], c[j]);
        else
            ck_assert_msg(c[j] <= lambda + tol, "%s: inactive z_%zu has c = %.9g > λ", what, j,
                          c[j]);
        ck_assert_msg(z[j] >= 0.0, "%s: negative code", what);
    }
    free(c);
}

START_TEST(converges_to_coordinate_descent_solution)
{
    Rng rng;
    rng_init(&rng, 31, 0);
    size_t dy = 20, dz = 40, n = 6;
    double lambda = 0.05;
    Mat d = random_dictionary(&rng, dy, dz), zt, y;
    random_sparse_problem(&rng, &d, n, 4, 0.0, 1.0, &zt, &y);
    for (size_t p = 1; p < 4; p++) {
        Mat z = run_fista(&d, &y, NULL, NULL, (float)lambda, 5000, ALL_PRODUCTS[p], 0);
        double ref[40], zd[40];
        for (size_t i = 0; i < n; i++) {
            nn_lasso_cd(&d, y.v + i * dy, lambda, ref);
            assert_kkt(&d, y.v + i * dy, ref, lambda, 1e-9, "coordinate descent");
            size_t active = 0;
            for (size_t j = 0; j < dz; j++) {
                zd[j] = MAT_AT(z, i, j);
                active += ref[j] > 0;
                ck_assert_msg(fabs(zd[j] - ref[j]) <= 2e-4,
                              "%s row %zu: z_%zu = %.7g, coordinate descent %.7g",
                              PRODUCT_NAMES[p], i, j, zd[j], ref[j]);
            }
            ck_assert_uint_gt(active, 0);
            assert_kkt(&d, y.v + i * dy, zd, lambda, 2e-4, PRODUCT_NAMES[p]);
        }
        mat_release(&z);
    }
    mat_release(&d);
    mat_release(&zt);
    mat_release(&y);
}
END_TEST

/* Oracle: D = A (30 × 60, unit columns), k = 3 codes in [0.5, 1): a small λ
 * recovers every support exactly and the values closely. */
START_TEST(oracle_recovers_support)
{
    Rng rng;
    rng_init(&rng, 7, 0);
    size_t dy = 30, dz = 60, n = 50;
    Mat a = random_dictionary(&rng, dy, dz), zt, y;
    random_sparse_problem(&rng, &a, n, 3, 0.5, 1.0, &zt, &y);
    Mat z = run_fista(&a, &y, NULL, NULL, 0.01f, 2000, FISTA_PRODUCT_AUTO, 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dz; j++) {
            bool truly = MAT_AT(zt, i, j) > 0, found = MAT_AT(z, i, j) > 0.05f;
            ck_assert_msg(truly == found, "sample %zu latent %zu: true %g, fista %g", i, j,
                          MAT_AT(zt, i, j), MAT_AT(z, i, j));
            ck_assert_msg(fabs(MAT_AT(z, i, j) - MAT_AT(zt, i, j)) < 0.05,
                          "sample %zu latent %zu: true %g, fista %g", i, j, MAT_AT(zt, i, j),
                          MAT_AT(z, i, j));
        }
    mat_release(&a);
    mat_release(&zt);
    mat_release(&y);
    mat_release(&z);
}
END_TEST

/* ---- API behaviour ------------------------------------------------------ */

START_TEST(rejects_bad_arguments)
{
    Rng rng;
    rng_init(&rng, 1, 0);
    Mat d = random_dictionary(&rng, 5, 8), y = alloc_mat(3, 5), z = alloc_mat(3, 8);
    Mat y_bad = alloc_mat(3, 6), z_bad = alloc_mat(2, 8);
    FistaOptions opt;
    fista_options_default(&opt);
    SkErr err = {{0}};
    ck_assert_int_ne(fista_solve(&d, &y_bad, NULL, &opt, &z, &err), 0);
    ck_assert_msg(strstr(err.msg, "columns") != NULL, "%s", err.msg);
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z_bad, &err), 0);
    ck_assert_msg(strstr(err.msg, "codes are 2 x 8") != NULL, "%s", err.msg);
    opt.lambda = -1.0f;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    opt.lambda = NAN;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    opt.lambda = 0.1f;
    opt.iters = -1;
    ck_assert_int_ne(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    opt.iters = 10;
    ck_assert_int_eq(fista_solve(&d, &y, NULL, &opt, &z, &err), 0);
    /* GRAM forced on a dictionary prepared for the factored products only. */
    FistaDict fd;
    ck_assert_int_eq(fista_dict_prepare(&fd, &d, FISTA_PRODUCT_DENSE, &err), 0);
    opt.product = FISTA_PRODUCT_GRAM;
    ck_assert_int_ne(fista_solve_prepared(&fd, &y, NULL, &opt, &z, NULL, &err), 0);
    fista_dict_release(&fd);
    Mat *all[] = {&d, &y, &z, &y_bad, &z_bad};
    for (size_t i = 0; i < 5; i++)
        mat_release(all[i]);
}
END_TEST

/* iters = 0: cold gives zeros, warm returns the init untouched (even negative). */
START_TEST(zero_iterations)
{
    Rng rng;
    rng_init(&rng, 2, 0);
    Mat d = random_dictionary(&rng, 5, 8), zt, y;
    random_sparse_problem(&rng, &d, 4, 2, 0.0, 1.0, &zt, &y);
    Mat init = alloc_mat(4, 8);
    for (size_t i = 0; i < 32; i++)
        init.v[i] = (float)rng_normal(&rng);
    Mat z = run_fista(&d, &y, NULL, NULL, 0.1f, 0, FISTA_PRODUCT_AUTO, 0);
    for (size_t i = 0; i < 32; i++)
        ck_assert_float_eq(z.v[i], 0.0f);
    mat_release(&z);
    z = run_fista(&d, &y, NULL, &init, 0.1f, 0, FISTA_PRODUCT_AUTO, 0);
    ck_assert_int_eq(memcmp(z.v, init.v, 32 * sizeof(float)), 0);
    mat_release(&z);
    /* One iteration from a negative init clamps everything to ≥ 0. */
    z = run_fista(&d, &y, NULL, &init, 0.1f, 1, FISTA_PRODUCT_AUTO, 0);
    for (size_t i = 0; i < 32; i++)
        ck_assert_float_ge(z.v[i], 0.0f);
    mat_release(&z);
    mat_release(&init);
    mat_release(&d);
    mat_release(&zt);
    mat_release(&y);
}
END_TEST

typedef struct {
    long calls, last_done, last_total;
    bool monotone;
} ProgressLog;

static void log_progress(void *user, long done, long total)
{
    ProgressLog *p = user;
    p->monotone &= done == p->last_done + 1;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

/* The progress callback sees every iteration of every block; stats count the
 * products used; a workspace is reusable across solves of different sizes. */
START_TEST(progress_stats_and_workspace)
{
    Rng rng;
    rng_init(&rng, 3, 0);
    Mat d = random_dictionary(&rng, 10, 50), zt, y;
    random_sparse_problem(&rng, &d, 25, 2, 0.0, 1.0, &zt, &y);
    FistaDict fd;
    SkErr err = {{0}};
    ck_assert_int_eq(fista_dict_prepare(&fd, &d, FISTA_PRODUCT_SPARSE, &err), 0);
    FistaWork work;
    fista_work_init(&work);
    FistaStats stats = {0};
    ProgressLog log = {0, 0, 0, true};
    FistaOptions opt;
    fista_options_default(&opt);
    opt.iters = 7;
    opt.block_rows = 10; /* 3 blocks */
    opt.product = FISTA_PRODUCT_SPARSE;
    opt.progress = log_progress;
    opt.progress_user = &log;
    opt.stats = &stats;
    Mat z = alloc_mat(25, 50);
    ck_assert_int_eq(fista_solve_prepared(&fd, &y, NULL, &opt, &z, &work, &err), 0);
    ck_assert_int_eq(log.calls, 21);
    ck_assert_int_eq(log.last_done, 21);
    ck_assert_int_eq(log.last_total, 21);
    ck_assert(log.monotone);
    ck_assert_int_eq(stats.iters_sparse, 21);
    ck_assert_int_eq(stats.iters_dense + stats.iters_gram, 0);
    ck_assert(stats.flops > 0);
    /* Same workspace, bigger blocks, warm start from the result: matches a
     * fresh one-shot solve from the same init. */
    Mat z2;
    ck_assert_int_eq(mat_copy(&z2, &z, &err), 0);
    opt.block_rows = 0;
    opt.warm = true;
    opt.progress = NULL;
    ck_assert_int_eq(fista_solve_prepared(&fd, &y, NULL, &opt, &z, &work, &err), 0);
    Mat z3 = run_fista(&d, &y, NULL, &z2, 0.1f, 7, FISTA_PRODUCT_SPARSE, 0);
    ck_assert_int_eq(memcmp(z.v, z3.v, mat_size(&z) * sizeof(float)), 0);
    fista_work_release(&work);
    fista_dict_release(&fd);
    Mat *all[] = {&d, &zt, &y, &z, &z2, &z3};
    for (size_t i = 0; i < 6; i++)
        mat_release(all[i]);
}
END_TEST

/* Worker threads over row blocks: the same block partition gives the same
 * bytes whatever the thread count; the automatic partition agrees closely;
 * stats and progress still count every block-iteration. */
START_TEST(worker_threads_match_single_thread)
{
    Rng rng;
    rng_init(&rng, 11, 0);
    size_t n = 203;
    Mat d = random_dictionary(&rng, 20, 120), zt, y;
    random_sparse_problem(&rng, &d, n, 3, 0.0, 1.0, &zt, &y);
    Mat z1 = alloc_mat(n, 120), z3 = alloc_mat(n, 120), za = alloc_mat(n, 120);
    FistaStats stats = {0};
    ProgressLog log = {0, 0, 0, true};
    FistaOptions opt;
    fista_options_default(&opt);
    opt.iters = 40;
    opt.block_rows = 16; /* 13 blocks */
    SkErr err = {{0}};
    ck_assert_int_eq(fista_solve(&d, &y, NULL, &opt, &z1, &err), 0);
    opt.threads = 3;
    opt.stats = &stats;
    opt.progress = log_progress;
    opt.progress_user = &log;
    ck_assert_msg(fista_solve(&d, &y, NULL, &opt, &z3, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(memcmp(z1.v, z3.v, mat_size(&z1) * sizeof(float)), 0);
    ck_assert_int_eq(stats.iters_dense + stats.iters_sparse + stats.iters_gram, 13 * 40);
    ck_assert_int_eq(log.calls, 13 * 40);
    ck_assert_int_eq(log.last_done, 13 * 40);
    ck_assert(log.monotone);
    opt.block_rows = 0;
    opt.threads = 2;
    opt.stats = NULL;
    opt.progress = NULL;
    ck_assert_int_eq(fista_solve(&d, &y, NULL, &opt, &za, &err), 0);
    assert_codes_close(&za, &z1, 1e-5, 1e-6, "2 workers, automatic blocks");
    Mat *all[] = {&d, &zt, &y, &z1, &z3, &za};
    for (size_t i = 0; i < 6; i++)
        mat_release(all[i]);
}
END_TEST

START_TEST(fista_threads_serial_below_a_gflop)
{
    /* requested wins; 4 · rows · d_y · d_z · iters below 1e9 runs on one thread */
    ck_assert_int_eq(fista_threads(3, 10, 10, 10, 1), 3);
    ck_assert_int_eq(fista_threads(0, 1000, 50, 100, 10), 1);       /* 2e8 flops */
    ck_assert_int_eq(fista_threads(0, 1000, 50, 100, 0), 1);        /* iters 0 counts as 1 */
    ck_assert_int_eq(fista_threads(0, 10000, 100, 1000, 100), sk_default_threads());
}
END_TEST

static Suite *fista_suite(void)
{
    Suite *s = suite_create("fista");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, lipschitz_matches_fixture);
    tcase_add_test(tc, lipschitz_floor);
    tcase_add_loop_test(tc, iterates_match_fixture, 0, 4);
    tcase_add_loop_test(tc, dlfista_round_codes_match_fixture, 0, 4);
    tcase_add_test(tc, paths_follow_the_formula);
    tcase_add_test(tc, sparse_equals_dense);
    tcase_add_test(tc, bias_equals_shifted_input);
    tcase_add_test(tc, converges_to_coordinate_descent_solution);
    tcase_add_test(tc, oracle_recovers_support);
    tcase_add_test(tc, rejects_bad_arguments);
    tcase_add_test(tc, zero_iterations);
    tcase_add_test(tc, progress_stats_and_workspace);
    tcase_add_test(tc, worker_threads_match_single_thread);
    tcase_add_test(tc, fista_threads_serial_below_a_gflop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(fista_suite()); }
