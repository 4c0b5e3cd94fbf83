/* test_dlfista.c — DL-FISTA (lib/dlfista):
 *  - one round and the round-2 warm start of the paper's code (fixture
 *    dlfista_round.npz), and the update alone from the fixture's codes;
 *  - the blocked Cholesky (double and float) against the simple one in
 *    lib/linalg and against reconstruction, block sizes that do not divide n;
 *  - the update (primal and dual forms, float32 variant) against a dense
 *    double transcription of D = Yᵀ Z (ZᵀZ + ρI)⁻¹;
 *  - a never-active latent gets an exactly-zero column that stays zero, and
 *    its codes stay zero;
 *  - budgets: rounds = N gives the state of pass N of a longer run, rounds = 0
 *    the codes on the initial dictionary; the stopping rule;
 *  - the initial dictionary: unit columns, seeded;
 *  - the true dictionary stays (matched |cos| ≈ 1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datagen.h"
#include "dlfista.h"
#include "fista.h"
#include "linalg.h"
#include "metrics.h"
#include "rng.h"
#include "testutil.h"

static Mat alloc_mat(size_t rows, size_t cols)
{
    Mat m;
    SkErr err = {{0}};
    ck_assert_msg(mat_alloc(&m, rows, cols, &err) == 0, "%s", err.msg);
    return m;
}

static Mat copy_mat(const Mat *src)
{
    Mat m;
    SkErr err = {{0}};
    ck_assert_msg(mat_copy(&m, src, &err) == 0, "%s", err.msg);
    return m;
}

static double max_abs_diff(const Mat *a, const Mat *b)
{
    ck_assert_uint_eq(a->rows, b->rows);
    ck_assert_uint_eq(a->cols, b->cols);
    double m = 0.0;
    for (size_t i = 0; i < mat_size(a); i++) {
        double d = fabs((double)a->v[i] - (double)b->v[i]);
        m = d > m ? d : m;
    }
    return m;
}

/* Records pass `want_pass`'s codes (and the dictionary after its update). */
typedef struct {
    long want_pass;
    Mat z_val, z_ood, d_after, d_used;
    long calls;
    long last_pass;
    long lasts;
} Capture;

static int capture_round(void *user, const DlFistaRound *r, SkErr *err)
{
    Capture *c = user;
    c->calls++;
    ck_assert_int_eq(r->pass, r->round + 1);
    ck_assert_int_eq(r->pass, c->last_pass + 1);
    c->last_pass = r->pass;
    c->lasts += r->last;
    if (r->pass == c->want_pass) {
        c->z_val = copy_mat(r->z_val);
        if (r->z_ood)
            c->z_ood = copy_mat(r->z_ood);
        c->d_after = copy_mat(r->d);
        c->d_used = copy_mat(r->d_used);
    }
    (void)err;
    return 0;
}

static void capture_release(Capture *c)
{
    mat_release(&c->z_val);
    mat_release(&c->z_ood);
    mat_release(&c->d_after);
    mat_release(&c->d_used);
}

/* Run DL-FISTA from d0; returns the final D, codes in *zv, *zo. */
static Mat learn(const Mat *d0, const Mat *yv, const Mat *yo, long rounds, DlFistaSolve solve,
                 Mat *zv, Mat *zo, DlFistaResult *res, Capture *cap)
{
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    opt.rounds = rounds;
    opt.solve = solve;
    if (cap) {
        opt.on_round = capture_round;
        opt.user = cap;
    }
    Mat d = copy_mat(d0);
    *zv = alloc_mat(yv->rows, d0->cols);
    *zo = alloc_mat(yo->rows, d0->cols);
    SkErr err = {{0}};
    ck_assert_msg(dlfista_learn(yv, yo, &d, zv, zo, &opt, res, &err) == 0, "%s", err.msg);
    return d;
}

/* ---- fixture ------------------------------------------------------------ */

START_TEST(one_round_matches_fixture)
{
    Npz f;
    fixture_load("dlfista_round.npz", &f);
    Mat d0 = fixture_mat(&f, "D0"), yv = fixture_mat(&f, "Y_val"), yo = fixture_mat(&f, "Y_ood");
    Mat zv1 = fixture_mat(&f, "Z_val_round1"), zo1 = fixture_mat(&f, "Z_ood_round1");
    Mat d1 = fixture_mat(&f, "D_round1"), zv2 = fixture_mat(&f, "Z_val_round2");
    ck_assert_int_eq((int)fixture_scalar(&f, "iters"), 100);
    ck_assert(fabs(fixture_scalar(&f, "lam") - 0.1) < 1e-7);
    ck_assert(fabs(fixture_scalar(&f, "ridge") - 1e-6) < 1e-12);
    for (int s = 0; s < 2; s++) {
        DlFistaSolve solve = s ? DLFISTA_SOLVE_F32 : DLFISTA_SOLVE_F64;
        Mat zv, zo;
        DlFistaResult res;
        Capture cap = {.want_pass = 2};
        Mat d = learn(&d0, &yv, &yo, 2, solve, &zv, &zo, &res, &cap);
        ck_assert_int_eq(res.rounds_run, 2);
        ck_assert_int_eq(cap.calls, 2);
        ck_assert_int_eq(cap.lasts, 1);
        /* Pass 2 used the dictionary after round 1's update. */
        double dd = max_abs_diff(&cap.d_used, &d1);
        ck_assert_msg(dd < 2e-5, "D_round1 (solve %d): max |diff| %g", s, dd);
        /* Round 2 amplifies D's rounding ~8x: NumPy's FISTA from a double-solved
         * D_round1 is 5.4e-5 off the fixture (1.2e-6 from the fixture's own D). */
        double dz2 = max_abs_diff(&zv, &zv2);
        ck_assert_msg(dz2 < 1e-4, "Z_val_round2 (solve %d): max |diff| %g", s, dz2);
        dlfista_result_release(&res);
        capture_release(&cap);
        mat_release(&d);
        mat_release(&zv);
        mat_release(&zo);

        /* One round: codes of pass 1 from zeros, and the updated D. */
        d = learn(&d0, &yv, &yo, 1, solve, &zv, &zo, &res, NULL);
        ck_assert_int_eq(res.rounds_run, 1);
        double a = max_abs_diff(&zv, &zv1), b = max_abs_diff(&zo, &zo1);
        double c = max_abs_diff(&d, &d1);
        ck_assert_msg(a < 5e-6 && b < 5e-6, "round-1 codes: max |diff| val %g ood %g", a, b);
        ck_assert_msg(c < 2e-5, "D_round1: max |diff| %g", c);
        dlfista_result_release(&res);
        mat_release(&d);
        mat_release(&zv);
        mat_release(&zo);
    }
    mat_release(&d0), mat_release(&yv), mat_release(&yo), mat_release(&zv1), mat_release(&zo1);
    mat_release(&d1), mat_release(&zv2);
    npz_free(&f);
}
END_TEST

START_TEST(update_matches_fixture_from_its_codes)
{
    Npz f;
    fixture_load("dlfista_round.npz", &f);
    Mat yv = fixture_mat(&f, "Y_val"), zv1 = fixture_mat(&f, "Z_val_round1");
    Mat d1 = fixture_mat(&f, "D_round1");
    for (int s = 0; s < 2; s++) {
        Mat d = alloc_mat(d1.rows, d1.cols);
        SkErr err = {{0}};
        ck_assert_msg(dlfista_update(&yv, &zv1, 1e-6, s ? DLFISTA_SOLVE_F32 : DLFISTA_SOLVE_F64, &d,
                                     NULL, &err) == 0, "%s", err.msg);
        /* The Gram's condition number is 3e6 here: NumPy's own float32 solve is
         * 8e-6 off the fixture, its double solve 7e-6. */
        double diff = max_abs_diff(&d, &d1);
        ck_assert_msg(diff < (s ? 3e-5 : 1e-5), "solve %d: max |diff| %g", s, diff);
        /* Latent 5 is never active in the fixture's val codes: exact zero column. */
        for (size_t i = 0; i < d.rows; i++)
            ck_assert(MAT_AT(d, i, 5) == 0.0f && !signbit(MAT_AT(d, i, 5)));
        mat_release(&d);
    }
    mat_release(&yv), mat_release(&zv1), mat_release(&d1);
    npz_free(&f);
}
END_TEST

/* ---- blocked Cholesky -------------------------------------------------- */

/* A random SPD n × n matrix M Mᵀ + n·1e-3 I (double, row-major). */
static double *random_spd(size_t n, uint64_t seed)
{
    Rng r;
    rng_init(&r, seed, 0);
    double *m = malloc(n * n * sizeof *m), *a = calloc(n * n, sizeof *a);
    ck_assert(m && a);
    for (size_t i = 0; i < n * n; i++)
        m[i] = rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t k = 0; k < n; k++)
                s += m[i * n + k] * m[j * n + k];
            a[i * n + j] = s + (i == j ? 1e-3 * (double)n : 0.0);
        }
    free(m);
    return a;
}

START_TEST(blocked_cholesky_matches_simple)
{
    static const size_t SIZES[] = {1, 2, 7, 33, 130, 257};
    static const size_t BLOCKS[] = {1, 5, 16, 64, 0};
    for (size_t si = 0; si < sizeof SIZES / sizeof *SIZES; si++)
        for (size_t bi = 0; bi < sizeof BLOCKS / sizeof *BLOCKS; bi++) {
            size_t n = SIZES[si], nb = BLOCKS[bi] ? BLOCKS[bi] : chol_block_default(n);
            double *a = random_spd(n, 100 + n), *ref = malloc(n * n * sizeof *ref);
            double *blk = malloc(n * n * sizeof *blk), *inv = malloc(n * nb * sizeof *inv);
            ck_assert(ref && blk && inv);
            memcpy(ref, a, n * n * sizeof *a);
            memcpy(blk, a, n * n * sizeof *a);
            for (size_t i = 0; i < n; i++) /* garbage above the diagonal is ignored */
                for (size_t j = i + 1; j < n; j++)
                    blk[i * n + j] = NAN;
            SkErr err = {{0}};
            ck_assert_msg(cholesky(ref, n, &err) == 0, "%s", err.msg);
            ck_assert_msg(chol_blocked_f64(blk, n, nb, inv, &err) == 0, "%s", err.msg);
            double scale = 0.0;
            for (size_t i = 0; i < n * n; i++)
                scale = fabs(a[i]) > scale ? fabs(a[i]) : scale;
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    double want = j <= i ? ref[i * n + j] : 0.0;
                    ck_assert_msg(fabs(blk[i * n + j] - want) <= 1e-10 * sqrt(scale),
                                  "n %zu nb %zu L[%zu][%zu]: %.17g vs %.17g", n, nb, i, j,
                                  blk[i * n + j], want);
                }
            /* Solve 3 right-hand sides (columns of b, n × 3) against the simple solver
             * (right-hand sides as rows). */
            size_t m = 3;
            double *b = malloc(n * m * sizeof *b), *bt = malloc(n * m * sizeof *bt);
            ck_assert(b && bt);
            for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < m; c++)
                    b[i * m + c] = bt[c * n + i] = sin((double)(i * 7 + c * 3 + 1));
            chol_solve_blocked_f64(blk, inv, n, nb, b, m);
            cholesky_solve_rows(ref, n, bt, m);
            for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < m; c++)
                    ck_assert_msg(fabs(b[i * m + c] - bt[c * n + i]) <=
                                      1e-9 * (1.0 + fabs(bt[c * n + i])),
                                  "n %zu nb %zu x[%zu][%zu]", n, nb, i, c);
            free(a), free(ref), free(blk), free(inv), free(b), free(bt);
        }
}
END_TEST

START_TEST(blocked_cholesky_f32_reconstructs)
{
    static const size_t SIZES[] = {3, 64, 100, 301};
    for (size_t si = 0; si < sizeof SIZES / sizeof *SIZES; si++) {
        size_t n = SIZES[si], nb = 48;
        double *a = random_spd(n, 7 + n);
        float *l = malloc(n * n * sizeof *l), *inv = malloc(n * nb * sizeof *inv);
        ck_assert(l && inv);
        double scale = 0.0;
        for (size_t i = 0; i < n * n; i++) {
            l[i] = (float)a[i];
            scale = fabs(a[i]) > scale ? fabs(a[i]) : scale;
        }
        SkErr err = {{0}};
        ck_assert_msg(chol_blocked_f32(l, n, nb, inv, &err) == 0, "%s", err.msg);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++) {
                double s = 0.0;
                for (size_t k = 0; k < n; k++)
                    s += (double)l[i * n + k] * (double)l[j * n + k];
                ck_assert_msg(fabs(s - a[i * n + j]) <= 2e-5 * scale, "n %zu (L Lᵀ)[%zu][%zu]", n,
                              i, j);
            }
        /* A x = b for b = A·1 gives x ≈ 1 (well conditioned by construction). */
        float *b = malloc(n * sizeof *b);
        ck_assert(b);
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (size_t j = 0; j < n; j++)
                s += a[i * n + j];
            b[i] = (float)s;
        }
        chol_solve_blocked_f32(l, inv, n, nb, b, 1);
        for (size_t i = 0; i < n; i++)
            ck_assert_msg(fabs(b[i] - 1.0f) < 2e-2, "n %zu x[%zu] = %g", n, i, b[i]);
        free(a), free(l), free(inv), free(b);
    }
}
END_TEST

START_TEST(blocked_cholesky_refuses_indefinite)
{
    double a[9] = {4, 0, 0, 2, 2, 0, 0, 0, -1}; /* lower triangle read; pivot 2 negative */
    double inv[9];
    SkErr err = {{0}};
    ck_assert_int_ne(chol_blocked_f64(a, 3, 2, inv, &err), 0);
    ck_assert_msg(strstr(err.msg, "pivot 2") != NULL, "%s", err.msg);
}
END_TEST

/* ---- the update ------------------------------------------------------- */

/* D = Yᵀ Z (ZᵀZ + ρI)⁻¹ with dense double products and the simple Cholesky,
 * then unit columns (floor 1e-8). */
static Mat reference_update(const Mat *y, const Mat *z, double ridge)
{
    size_t n = y->rows, dy = y->cols, p = z->cols;
    double *g = calloc(p * p, sizeof *g), *bt = calloc(p * dy, sizeof *bt);
    ck_assert(g && bt);
    for (size_t a = 0; a < p; a++) {
        for (size_t b = 0; b < p; b++)
            for (size_t i = 0; i < n; i++)
                g[a * p + b] += (double)MAT_AT(*z, i, a) * (double)MAT_AT(*z, i, b);
        g[a * p + a] += ridge;
        for (size_t c = 0; c < dy; c++)
            for (size_t i = 0; i < n; i++)
                bt[c * p + a] += (double)MAT_AT(*y, i, c) * (double)MAT_AT(*z, i, a);
    }
    SkErr err = {{0}};
    ck_assert_msg(cholesky(g, p, &err) == 0, "%s", err.msg);
    cholesky_solve_rows(g, p, bt, dy); /* row c of bt: row c of D */
    Mat d = alloc_mat(dy, p);
    for (size_t a = 0; a < p; a++) {
        double s = 0.0;
        for (size_t c = 0; c < dy; c++)
            s += bt[c * p + a] * bt[c * p + a];
        double norm = sqrt(s) > 1e-8 ? sqrt(s) : 1e-8;
        for (size_t c = 0; c < dy; c++)
            MAT_AT(d, c, a) = (float)(bt[c * p + a] / norm);
    }
    free(g), free(bt);
    return d;
}

/* Sparse non-negative codes (about `active` non-zeros per row), latent `dead`
 * never active, and y = z Aᵀ + noise. */
static void random_problem(size_t n, size_t dy, size_t p, size_t active, size_t dead,
                           uint64_t seed, Mat *y, Mat *z)
{
    Rng r;
    rng_init(&r, seed, 1);
    Mat a = alloc_mat(dy, p);
    for (size_t i = 0; i < mat_size(&a); i++)
        a.v[i] = (float)rng_normal(&r);
    *z = alloc_mat(n, p);
    *y = alloc_mat(n, dy);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < active; k++) {
            size_t j = (size_t)rng_below(&r, p);
            if (j != dead)
                MAT_AT(*z, i, j) = (float)rng_uniform(&r);
        }
        for (size_t c = 0; c < dy; c++) {
            double s = 0.01 * rng_normal(&r);
            for (size_t j = 0; j < p; j++)
                s += (double)MAT_AT(a, c, j) * (double)MAT_AT(*z, i, j);
            MAT_AT(*y, i, c) = (float)s;
        }
    }
    mat_release(&a);
}

START_TEST(update_matches_dense_reference)
{
    /* primal (n ≥ p) and dual (n < p) forms, with a dead latent in each */
    static const size_t CASES[][4] = {{300, 12, 40, 4}, {30, 12, 80, 3}, {50, 9, 50, 6}};
    for (size_t c = 0; c < 3; c++) {
        Mat y, z;
        size_t n = CASES[c][0], dy = CASES[c][1], p = CASES[c][2];
        random_problem(n, dy, p, CASES[c][3], 7, 40 + c, &y, &z);
        Mat want = reference_update(&y, &z, 1e-6);
        Mat got = alloc_mat(dy, p);
        SkErr err = {{0}};
        DlFistaTimes t = {0};
        ck_assert_msg(dlfista_update(&y, &z, 1e-6, DLFISTA_SOLVE_F64, &got, &t, &err) == 0, "%s",
                      err.msg);
        double diff = max_abs_diff(&got, &want);
        ck_assert_msg(diff < 1e-6, "case %zu (n %zu p %zu): max |diff| %g", c, n, p, diff);
        ck_assert(t.chol_flops > 0.0);
        for (size_t i = 0; i < dy; i++)
            ck_assert(MAT_AT(got, i, 7) == 0.0f && !signbit(MAT_AT(got, i, 7)));
        if (n >= p) { /* the float32 variant agrees where the Gram is well posed */
            ck_assert_msg(dlfista_update(&y, &z, 1e-6, DLFISTA_SOLVE_F32, &got, NULL, &err) == 0,
                          "%s", err.msg);
            diff = max_abs_diff(&got, &want);
            ck_assert_msg(diff < 1e-3, "f32 case %zu: max |diff| %g", c, diff);
            for (size_t i = 0; i < dy; i++)
                ck_assert(MAT_AT(got, i, 7) == 0.0f && !signbit(MAT_AT(got, i, 7)));
        }
        mat_release(&y), mat_release(&z), mat_release(&want), mat_release(&got);
    }
}
END_TEST

START_TEST(update_refuses_bad_shapes)
{
    Mat y = alloc_mat(5, 3), z = alloc_mat(5, 4), d = alloc_mat(3, 5);
    SkErr err = {{0}};
    ck_assert_int_ne(dlfista_update(&y, &z, 1e-6, DLFISTA_SOLVE_F64, &d, NULL, &err), 0);
    ck_assert(strstr(err.msg, "disagree") != NULL);
    mat_release(&y), mat_release(&z), mat_release(&d);
}
END_TEST

/* Two equal code columns of size √500 give the Gram [[1000, 1000], [1000,
 * 1000]] + 1e-6 I: in float32 the ridge is lost (1000 + 1e-6 == 1000), the
 * second pivot is 0 and the float32 Cholesky breaks down. The update then
 * solves that round in double, counts it, and equals the F64 update. */
START_TEST(f32_breakdown_falls_back_to_f64)
{
    Mat y = alloc_mat(2, 3), z = alloc_mat(2, 2), d32 = alloc_mat(3, 2), d64 = alloc_mat(3, 2);
    for (size_t i = 0; i < 2; i++)
        MAT_AT(z, i, 0) = MAT_AT(z, i, 1) = (float)sqrt(500.0);
    for (size_t i = 0; i < y.rows * y.cols; i++)
        y.v[i] = (float)(i % 4) - 1.5f;
    SkErr err = {{0}};
    DlFistaTimes t = {0};
    ck_assert_msg(dlfista_update(&y, &z, 1e-6, DLFISTA_SOLVE_F32, &d32, &t, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(t.f32_fallbacks, 1);
    ck_assert_msg(dlfista_update(&y, &z, 1e-6, DLFISTA_SOLVE_F64, &d64, NULL, &err) == 0, "%s", err.msg);
    for (size_t i = 0; i < d32.rows * d32.cols; i++)
        ck_assert(d32.v[i] == d64.v[i]);
    mat_release(&y), mat_release(&z), mat_release(&d32), mat_release(&d64);
}
END_TEST

/* ---- learning --------------------------------------------------------- */

static Dataset small_dataset(size_t dz, size_t k, size_t p, uint64_t seed)
{
    DataParams dp = {.dz = dz, .k = k, .p = p, .seed = seed};
    Dataset ds;
    SkErr err = {{0}};
    ck_assert_msg(datagen_validate(&dp, &err) == 0 && datagen_generate(&dp, &ds, &err) == 0, "%s",
                  err.msg);
    return ds;
}

START_TEST(zero_column_stays_zero)
{
    Dataset ds = small_dataset(20, 3, 200, 5);
    Mat d0;
    SkErr err = {{0}};
    ck_assert(dlfista_init_dict(3, ds.A.rows, 20, &d0, &err) == 0);
    for (size_t i = 0; i < d0.rows; i++)
        MAT_AT(d0, i, 4) = 0.0f;
    Mat zv, zo;
    DlFistaResult res;
    Mat d = learn(&d0, &ds.y_val, &ds.y_ood, 6, DLFISTA_SOLVE_F64, &zv, &zo, &res, NULL);
    for (size_t i = 0; i < d.rows; i++)
        ck_assert(MAT_AT(d, i, 4) == 0.0f && !signbit(MAT_AT(d, i, 4)));
    for (size_t i = 0; i < zv.rows; i++)
        ck_assert(MAT_AT(zv, i, 4) == 0.0f);
    for (size_t i = 0; i < zo.rows; i++)
        ck_assert(MAT_AT(zo, i, 4) == 0.0f);
    /* and every other column stays a unit vector */
    for (size_t j = 0; j < d.cols; j++) {
        double s = 0.0;
        for (size_t i = 0; i < d.rows; i++)
            s += (double)MAT_AT(d, i, j) * (double)MAT_AT(d, i, j);
        ck_assert(j == 4 ? s == 0.0 : fabs(s - 1.0) < 1e-5);
    }
    dlfista_result_release(&res);
    mat_release(&d), mat_release(&zv), mat_release(&zo), mat_release(&d0);
    dataset_release(&ds);
}
END_TEST

/* Pass N of a long run = the end state of a run of N rounds; rounds = 0 =
 * the codes of pass 1 with the initial dictionary. */
START_TEST(budgets_equal_shorter_runs)
{
    Dataset ds = small_dataset(30, 4, 300, 9);
    Mat d0;
    SkErr err = {{0}};
    ck_assert(dlfista_init_dict(1, ds.A.rows, 30, &d0, &err) == 0);
    static const long BUDGETS[] = {0, 1, 3};
    for (size_t b = 0; b < 3; b++) {
        long n = BUDGETS[b];
        Capture cap = {.want_pass = n > 0 ? n : 1};
        Mat zv, zo, zv_n, zo_n;
        DlFistaResult res, res_n;
        Mat d = learn(&d0, &ds.y_val, &ds.y_ood, 5, DLFISTA_SOLVE_F64, &zv, &zo, &res, &cap);
        Mat d_n = learn(&d0, &ds.y_val, &ds.y_ood, n, DLFISTA_SOLVE_F64, &zv_n, &zo_n, &res_n, NULL);
        ck_assert_int_eq(res_n.rounds_run, n);
        ck_assert_int_eq(res_n.passes, n > 0 ? n : 1);
        ck_assert(memcmp(zv_n.v, cap.z_val.v, mat_size(&zv_n) * sizeof *zv_n.v) == 0);
        ck_assert(memcmp(zo_n.v, cap.z_ood.v, mat_size(&zo_n) * sizeof *zo_n.v) == 0);
        const Mat *want_d = n > 0 ? &cap.d_after : &d0;
        ck_assert(memcmp(d_n.v, want_d->v, mat_size(&d_n) * sizeof *d_n.v) == 0);
        if (n <= 1) /* pass 1 used the initial dictionary */
            ck_assert(memcmp(cap.d_used.v, d0.v, mat_size(&d0) * sizeof *d0.v) == 0);
        for (long r = 0; r < res_n.rounds_run; r++)
            ck_assert(res_n.rel_change[r] == res.rel_change[r]);
        dlfista_result_release(&res), dlfista_result_release(&res_n);
        capture_release(&cap);
        mat_release(&d), mat_release(&zv), mat_release(&zo);
        mat_release(&d_n), mat_release(&zv_n), mat_release(&zo_n);
    }
    mat_release(&d0);
    dataset_release(&ds);
}
END_TEST

START_TEST(stops_by_tolerance_after_round_ten)
{
    Dataset ds = small_dataset(20, 3, 400, 2);
    Mat zv, zo;
    DlFistaResult res;
    Capture cap = {.want_pass = -1};
    /* From the truth the dictionary drifts slowly (the λ-biased codes pull it;
     * NumPy's transcription drifts the same way: 0.993 after 4 rounds, 0.98
     * after 15) and then settles. */
    Mat d = learn(&ds.A, &ds.y_val, &ds.y_ood, 1000, DLFISTA_SOLVE_F64, &zv, &zo, &res, &cap);
    ck_assert(res.converged);
    ck_assert_int_ge(res.rounds_run, 12);
    ck_assert(res.rel_change[res.rounds_run - 1] < 1e-5);
    for (long r = 11; r < res.rounds_run - 1; r++)
        ck_assert(res.rel_change[r] >= 1e-5);
    ck_assert_int_eq(cap.calls, res.rounds_run);
    ck_assert_int_eq(cap.lasts, 1);
    DictMatch m;
    long *col = malloc(ds.A.cols * sizeof *col);
    SkErr err = {{0}};
    ck_assert(dict_match(&d, &ds.A, col, &m, &err) == 0);
    ck_assert_msg(m.mean_cosine > 0.9, "matched |cos| %g", m.mean_cosine);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    dlfista_result_release(&res);
    d = learn(&ds.A, &ds.y_val, &ds.y_ood, 4, DLFISTA_SOLVE_F64, &zv, &zo, &res, NULL);
    ck_assert(dict_match(&d, &ds.A, col, &m, &err) == 0);
    ck_assert_msg(fabs(m.mean_cosine - 0.9933) < 1e-3, "4 rounds: matched |cos| %g", m.mean_cosine);
    free(col);
    dlfista_result_release(&res);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    dataset_release(&ds);
}
END_TEST

START_TEST(init_dict_unit_columns_seeded)
{
    Mat a, b, c;
    SkErr err = {{0}};
    ck_assert(dlfista_init_dict(7, 13, 40, &a, &err) == 0);
    ck_assert(dlfista_init_dict(7, 13, 40, &b, &err) == 0);
    ck_assert(dlfista_init_dict(8, 13, 40, &c, &err) == 0);
    ck_assert(memcmp(a.v, b.v, mat_size(&a) * sizeof *a.v) == 0);
    ck_assert(memcmp(a.v, c.v, mat_size(&a) * sizeof *a.v) != 0);
    for (size_t j = 0; j < 40; j++) {
        double s = 0.0;
        for (size_t i = 0; i < 13; i++)
            s += (double)MAT_AT(a, i, j) * (double)MAT_AT(a, i, j);
        ck_assert(fabs(s - 1.0) < 1e-6);
    }
    ck_assert_int_ne(dlfista_init_dict(7, 0, 40, &c, &err), 0);
    mat_release(&a), mat_release(&b), mat_release(&c);
}
END_TEST

static int fail_at_round_two(void *user, const DlFistaRound *r, SkErr *err)
{
    (void)user;
    return r->round == 2 ? sk_fail(err, "stop here") : 0;
}

START_TEST(errors_are_reported)
{
    Dataset ds = small_dataset(20, 3, 100, 4);
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    opt.rounds = 5;
    opt.on_round = fail_at_round_two;
    Mat d = copy_mat(&ds.A), zv = alloc_mat(ds.y_val.rows, 20), zo = alloc_mat(ds.y_ood.rows, 20);
    DlFistaResult res;
    SkErr err = {{0}};
    ck_assert_int_ne(dlfista_learn(&ds.y_val, &ds.y_ood, &d, &zv, &zo, &opt, &res, &err), 0);
    ck_assert_str_eq(err.msg, "stop here");
    ck_assert_ptr_null(res.rel_change);
    /* samples so large that the codes overflow: a divergence named by round */
    opt.on_round = NULL;
    float big = 0.0f;
    for (size_t i = 0; i < mat_size(&ds.y_val); i++)
        big = fabsf(ds.y_val.v[i]) > big ? fabsf(ds.y_val.v[i]) : big;
    for (size_t i = 0; i < mat_size(&ds.y_val); i++)
        ds.y_val.v[i] = (float)((double)ds.y_val.v[i] / big * 3e38);
    mat_release(&d);
    d = copy_mat(&ds.A);
    ck_assert_int_ne(dlfista_learn(&ds.y_val, &ds.y_ood, &d, &zv, &zo, &opt, &res, &err), 0);
    ck_assert_msg(strstr(err.msg, "round 0") && strstr(err.msg, "not finite"), "%s", err.msg);
    /* a non-finite initial dictionary is refused */
    d.v[3] = NAN;
    ck_assert_int_ne(dlfista_learn(&ds.y_ood, NULL, &d, &zo, NULL, &opt, &res, &err), 0);
    ck_assert_msg(strstr(err.msg, "non-finite") != NULL, "%s", err.msg);
    mat_release(&d), mat_release(&zv), mat_release(&zo);
    dataset_release(&ds);
}
END_TEST

static Suite *dlfista_suite(void)
{
    Suite *s = suite_create("dlfista");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_round_matches_fixture);
    tcase_add_test(tc, update_matches_fixture_from_its_codes);
    tcase_add_test(tc, blocked_cholesky_matches_simple);
    tcase_add_test(tc, blocked_cholesky_f32_reconstructs);
    tcase_add_test(tc, blocked_cholesky_refuses_indefinite);
    tcase_add_test(tc, update_matches_dense_reference);
    tcase_add_test(tc, update_refuses_bad_shapes);
    tcase_add_test(tc, f32_breakdown_falls_back_to_f64);
    tcase_add_test(tc, zero_column_stays_zero);
    tcase_add_test(tc, budgets_equal_shorter_runs);
    tcase_add_test(tc, stops_by_tolerance_after_round_ten);
    tcase_add_test(tc, init_dict_unit_columns_seeded);
    tcase_add_test(tc, errors_are_reported);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(dlfista_suite()); }
