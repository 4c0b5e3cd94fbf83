/* test_assign.c — the linear assignment solver against exhaustive search. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "rng.h"
#include "testutil.h"

/* Best total over all injective maps rows → cols (rows ≤ cols), by recursion
 * over the rows; used[] marks taken columns. */
static double brute_rec(const double *w, size_t rows, size_t cols, size_t i, int *used,
                        bool maximize)
{
    if (i == rows)
        return 0.0;
    double best = maximize ? -INFINITY : INFINITY;
    for (size_t j = 0; j < cols; j++) {
        if (used[j])
            continue;
        used[j] = 1;
        double t = w[i * cols + j] + brute_rec(w, rows, cols, i + 1, used, maximize);
        used[j] = 0;
        if (maximize ? t > best : t < best)
            best = t;
    }
    return best;
}

/* Exhaustive optimum of a rows × cols problem (either shape). */
static double brute_force(const double *w, size_t rows, size_t cols, bool maximize)
{
    int used[16] = {0};
    if (rows <= cols)
        return brute_rec(w, rows, cols, 0, used, maximize);
    double t[64];
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            t[j * rows + i] = w[i * cols + j];
    return brute_rec(t, cols, rows, 0, used, maximize);
}

/* A valid matching: min(rows, cols) rows matched, to distinct columns in range. */
static void assert_valid_matching(const long *col_of_row, size_t rows, size_t cols)
{
    int taken[16] = {0};
    size_t matched = 0;
    for (size_t i = 0; i < rows; i++) {
        long j = col_of_row[i];
        if (j < 0)
            continue;
        ck_assert_int_lt(j, (long)cols);
        ck_assert_msg(!taken[j], "column %ld matched twice", j);
        taken[j] = 1;
        matched++;
    }
    ck_assert_uint_eq(matched, rows < cols ? rows : cols);
}

/* Fill w with integers in [0, levels) (many ties) or with N(0,1) doubles. */
static void random_weights(Rng *r, double *w, size_t count, int levels)
{
    for (size_t k = 0; k < count; k++)
        w[k] = levels > 0 ? (double)rng_below(r, (uint64_t)levels) : rng_normal(r);
}

/* Solve with both storage types and both senses; compare to brute force. */
static void check_against_brute_force(const double *w, size_t rows, size_t cols, bool exact)
{
    long x[8];
    float wf[64];
    for (size_t k = 0; k < rows * cols; k++)
        wf[k] = (float)w[k];
    double wfd[64]; /* the float weights as doubles, for the float solver's brute force */
    for (size_t k = 0; k < rows * cols; k++)
        wfd[k] = wf[k];
    double tol = exact ? 0.0 : 1e-12;
    for (int sense = 0; sense < 2; sense++) {
        bool maximize = sense == 0;
        AssignSense s = maximize ? ASSIGN_MAXIMIZE : ASSIGN_MINIMIZE;
        SkErr err = {{0}};
        ck_assert_msg(assign_solve_f64(w, rows, cols, s, x, &err) == 0, "%s", err.msg);
        assert_valid_matching(x, rows, cols);
        double want = brute_force(w, rows, cols, maximize);
        double got = assign_total_f64(w, rows, cols, x);
        ck_assert_msg(fabs(got - want) <= tol * (1 + fabs(want)),
                      "f64 %zux%zu %s: got %.17g want %.17g", rows, cols,
                      maximize ? "max" : "min", got, want);

        ck_assert_msg(assign_solve_f32(wf, rows, cols, s, x, &err) == 0, "%s", err.msg);
        assert_valid_matching(x, rows, cols);
        want = brute_force(wfd, rows, cols, maximize);
        got = assign_total_f64(wfd, rows, cols, x);
        ck_assert_msg(fabs(got - want) <= tol * (1 + fabs(want)),
                      "f32 %zux%zu %s: got %.17g want %.17g", rows, cols,
                      maximize ? "max" : "min", got, want);
    }
}

/* Independent reference for medium sizes: the textbook O(n²m) Hungarian
 * algorithm with potentials (rows ≤ cols), minimising; returns the optimum. */
static double reference_hungarian_min(const double *c, size_t n, size_t m)
{
    double *u = calloc(n + 1, sizeof *u), *v = calloc(m + 1, sizeof *v);
    double *minv = malloc((m + 1) * sizeof *minv);
    size_t *p = calloc(m + 1, sizeof *p), *way = calloc(m + 1, sizeof *way);
    char *used = malloc(m + 1);
    for (size_t i = 1; i <= n; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= m; j++) {
            minv[j] = INFINITY;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            double delta = INFINITY;
            for (size_t j = 1; j <= m; j++)
                if (!used[j]) {
                    double cur = c[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
                    if (cur < minv[j]) {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta) {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            for (size_t j = 0; j <= m; j++)
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    double total = 0.0;
    for (size_t j = 1; j <= m; j++)
        if (p[j])
            total += c[(p[j] - 1) * m + (j - 1)];
    free(u);
    free(v);
    free(minv);
    free(p);
    free(way);
    free(used);
    return total;
}

START_TEST(test_known_3x3)
{
    /* scipy's documented example: min cost 5 with columns [1, 0, 2]. */
    double w[9] = {4, 1, 3, 2, 0, 5, 3, 2, 2};
    long x[3];
    SkErr err = {{0}};
    ck_assert_int_eq(assign_solve_f64(w, 3, 3, ASSIGN_MINIMIZE, x, &err), 0);
    ck_assert_int_eq(x[0], 1);
    ck_assert_int_eq(x[1], 0);
    ck_assert_int_eq(x[2], 2);
    ck_assert_double_eq(assign_total_f64(w, 3, 3, x), 5.0);
    /* maximum: 4 + 5 + 2 = 11 (rows 0,1,2 -> 0,2,1) is the unique optimum */
    ck_assert_int_eq(assign_max_f64(w, 3, 3, x, &err), 0);
    ck_assert_int_eq(x[0], 0);
    ck_assert_int_eq(x[1], 2);
    ck_assert_int_eq(x[2], 1);
    ck_assert_double_eq(assign_total_f64(w, 3, 3, x), 11.0);
}
END_TEST

START_TEST(test_all_small_shapes_random)
{
    Rng r;
    rng_init(&r, 12345, 0);
    double w[64];
    for (size_t rows = 1; rows <= 7; rows++)
        for (size_t cols = 1; cols <= 7; cols++)
            for (int trial = 0; trial < 12; trial++) {
                random_weights(&r, w, rows * cols, 0);
                check_against_brute_force(w, rows, cols, false);
            }
}
END_TEST

START_TEST(test_all_small_shapes_ties)
{
    Rng r;
    rng_init(&r, 777, 1);
    double w[64];
    int levels[] = {1, 2, 3, 5};
    for (size_t rows = 1; rows <= 7; rows++)
        for (size_t cols = 1; cols <= 7; cols++)
            for (size_t l = 0; l < sizeof levels / sizeof *levels; l++)
                for (int trial = 0; trial < 10; trial++) {
                    random_weights(&r, w, rows * cols, levels[l]);
                    check_against_brute_force(w, rows, cols, true);
                }
}
END_TEST

START_TEST(test_negative_and_mixed_scales)
{
    Rng r;
    rng_init(&r, 99, 2);
    double w[64];
    for (int trial = 0; trial < 200; trial++) {
        size_t rows = 1 + rng_below(&r, 7), cols = 1 + rng_below(&r, 7);
        for (size_t k = 0; k < rows * cols; k++)
            w[k] = (double)((int)rng_below(&r, 2001) - 1000) * (trial % 2 ? 1e-3 : 1e3);
        check_against_brute_force(w, rows, cols, trial % 2 == 0);
    }
}
END_TEST

/* A hidden permutation worth 10 per row plus noise in [0,1): any other
 * matching loses ≥ 10 on a row and gains < 1 per row, so P is the optimum. */
START_TEST(test_planted_permutation_large)
{
    const size_t n = 400;
    Rng r;
    rng_init(&r, 5, 3);
    size_t *perm = malloc(n * sizeof *perm);
    double *w = malloc(n * n * sizeof *w);
    float *wf = malloc(n * n * sizeof *wf);
    long *x = malloc(n * sizeof *x);
    rng_permutation(&r, n, perm);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            w[i * n + j] = rng_uniform(&r) + (perm[i] == j ? 10.0 : 0.0);
            wf[i * n + j] = (float)w[i * n + j];
        }
    SkErr err = {{0}};
    ck_assert_int_eq(assign_max_f64(w, n, n, x, &err), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(x[i], (long)perm[i]);
    ck_assert_int_eq(assign_solve_f32(wf, n, n, ASSIGN_MAXIMIZE, x, &err), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(x[i], (long)perm[i]);
    /* tall: rows n, first n/2 columns; rows with perm >= n/2 are left out */
    double *tall = malloc(n * (n / 2) * sizeof *tall);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n / 2; j++)
            tall[i * (n / 2) + j] = w[i * n + j];
    ck_assert_int_eq(assign_max_f64(tall, n, n / 2, x, &err), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(x[i], perm[i] < n / 2 ? (long)perm[i] : -1);
    free(tall);
    free(perm);
    free(w);
    free(wf);
    free(x);
}
END_TEST

/* Integer weights at n = 60 (massive ties): float and double solvers, both
 * shapes, must reach the same optimum. */
START_TEST(test_tie_heavy_medium_consistent)
{
    const size_t rows = 60, cols = 45;
    Rng r;
    rng_init(&r, 8, 4);
    double *w = malloc(rows * cols * sizeof *w), *t = malloc(rows * cols * sizeof *t);
    float *wf = malloc(rows * cols * sizeof *wf);
    long x[60], y[60];
    for (size_t k = 0; k < rows * cols; k++)
        wf[k] = (float)(w[k] = (double)rng_below(&r, 3));
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            t[j * rows + i] = w[i * cols + j];
    SkErr err = {{0}};
    ck_assert_int_eq(assign_max_f64(w, rows, cols, x, &err), 0);
    ck_assert_int_eq(assign_solve_f32(wf, rows, cols, ASSIGN_MAXIMIZE, y, &err), 0);
    double a = assign_total_f64(w, rows, cols, x), b = assign_total_f64(w, rows, cols, y);
    ck_assert_int_eq(assign_max_f64(t, cols, rows, y, &err), 0);
    double c = assign_total_f64(t, cols, rows, y);
    ck_assert_double_eq(a, b);
    ck_assert_double_eq(a, c);
    /* With 45 columns and values in {0,1,2}, every column can take a 2 when
     * a perfect matching among the 2-entries exists; at the least the total
     * is at most 2·45. */
    ck_assert(a <= 90.0);
    free(w);
    free(t);
    free(wf);
}
END_TEST

START_TEST(test_rejects_nan_and_inf)
{
    double w[4] = {1, 2, NAN, 4};
    long x[2];
    SkErr err = {{0}};
    ck_assert_int_ne(assign_max_f64(w, 2, 2, x, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "NaN"));
    float wf[4] = {1, INFINITY, 3, 4};
    ck_assert_int_ne(assign_solve_f32(wf, 2, 2, ASSIGN_MAXIMIZE, x, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "infinite"));
}
END_TEST

START_TEST(test_empty_shapes)
{
    long x[3] = {7, 7, 7};
    SkErr err = {{0}};
    ck_assert_int_eq(assign_max_f64(NULL, 3, 0, x, &err), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(x[i], -1);
    ck_assert_int_eq(assign_max_f64(NULL, 0, 5, x, &err), 0);
    double one = -3.0;
    ck_assert_int_eq(assign_max_f64(&one, 1, 1, x, &err), 0);
    ck_assert_int_eq(x[0], 0);
}
END_TEST

/* Medium problems (n up to 120, both shapes): integer weights, random and
 * structured (massive ties), and continuous weights (long augmenting paths),
 * against the textbook Hungarian algorithm: equal optimal totals (exactly for
 * integers). */
static double structured_weight(int kind, size_t i, size_t j, size_t n, Rng *r)
{
    switch (kind) {
    case 0: return (double)rng_below(r, 3);
    case 1: return (double)rng_below(r, 1000);
    case 2: return (double)(i * j);
    case 3: return (double)((i + j) % n);
    case 4: return -((double)i - (double)j) * ((double)i - (double)j);
    case 5: return fabs(rng_normal(r)); /* continuous: long augmenting paths */
    case 6: return (double)(i * j % 17) + ldexp(rng_uniform(r), -20); /* near-ties */
    default: return (double)((i * 7 + j * 13) % 5) + (i == j ? 1.0 : 0.0);
    }
}

START_TEST(test_medium_against_reference_hungarian)
{
    Rng r;
    rng_init(&r, 2024, 5);
    size_t shapes[][2] = {{30, 30}, {64, 64}, {120, 120}, {40, 90}, {90, 40}, {1, 50}, {50, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1], n = rows < cols ? rows : cols;
        size_t big = rows > cols ? rows : cols;
        double *w = malloc(rows * cols * sizeof *w), *neg = malloc(rows * cols * sizeof *neg);
        long *x = malloc(rows * sizeof *x);
        for (int kind = 0; kind < 8; kind++) {
            for (size_t i = 0; i < rows; i++)
                for (size_t j = 0; j < cols; j++)
                    w[i * cols + j] = structured_weight(kind, i, j, big, &r);
            /* reference minimises the negated weights of the wide orientation */
            for (size_t i = 0; i < rows; i++)
                for (size_t j = 0; j < cols; j++) {
                    if (rows <= cols)
                        neg[i * cols + j] = -w[i * cols + j];
                    else
                        neg[j * rows + i] = -w[i * cols + j];
                }
            double want = -reference_hungarian_min(neg, n, big);
            SkErr err = {{0}};
            ck_assert_int_eq(assign_max_f64(w, rows, cols, x, &err), 0);
            double got = assign_total_f64(w, rows, cols, x);
            double tol = kind == 5 || kind == 6 ? 1e-12 * (1.0 + fabs(want)) : 0.0;
            ck_assert_msg(fabs(got - want) <= tol, "%zux%zu kind %d: got %.17g want %.17g", rows,
                          cols, kind, got, want);
            size_t matched = 0;
            for (size_t i = 0; i < rows; i++)
                matched += x[i] >= 0;
            ck_assert_uint_eq(matched, n);
        }
        free(w);
        free(neg);
        free(x);
    }
}
END_TEST

/* Many random problems, n in [2, 41], square or up to 2 columns wider (the
 * transposed shape too), integer weights in [0, 10) (ties), |N(0,1)| and
 * U(0,1): against the textbook Hungarian algorithm. A wrong dual update
 * shows up only in about 1 problem in 2 000 of this kind, hence the count. */
START_TEST(test_many_random_against_reference_hungarian)
{
    Rng r;
    rng_init(&r, 31337, 6);
    size_t failures = 0;
    for (int trial = 0; trial < 24000; trial++) {
        size_t n = 2 + rng_below(&r, 40), m = n + (trial % 2 ? rng_below(&r, 3) : 0);
        int kind = trial % 3;
        bool tall = trial % 4 == 3;
        double *w = malloc(n * m * sizeof *w), *neg = malloc(n * m * sizeof *neg);
        long *x = malloc(m * sizeof *x);
        for (size_t k = 0; k < n * m; k++) {
            w[k] = kind == 0 ? (double)rng_below(&r, 10)
                   : kind == 1 ? fabs(rng_normal(&r))
                               : rng_uniform(&r);
            neg[k] = -w[k];
        }
        double want = -reference_hungarian_min(neg, n, m), got;
        SkErr err = {{0}};
        if (tall) { /* solve the m × n transpose: same optimum */
            double *t = malloc(n * m * sizeof *t);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < m; j++)
                    t[j * n + i] = w[i * m + j];
            ck_assert_int_eq(assign_max_f64(t, m, n, x, &err), 0);
            got = assign_total_f64(t, m, n, x);
            free(t);
        } else {
            ck_assert_int_eq(assign_max_f64(w, n, m, x, &err), 0);
            got = assign_total_f64(w, n, m, x);
        }
        if (fabs(got - want) > (kind == 0 ? 0.0 : 1e-12 * (1.0 + fabs(want))))
            failures++;
        free(w);
        free(neg);
        free(x);
    }
    ck_assert_uint_eq(failures, 0);
}
END_TEST

static Suite *assign_suite(void)
{
    Suite *s = suite_create("assign");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_known_3x3);
    tcase_add_test(tc, test_all_small_shapes_random);
    tcase_add_test(tc, test_all_small_shapes_ties);
    tcase_add_test(tc, test_negative_and_mixed_scales);
    tcase_add_test(tc, test_planted_permutation_large);
    tcase_add_test(tc, test_tie_heavy_medium_consistent);
    tcase_add_test(tc, test_medium_against_reference_hungarian);
    tcase_add_test(tc, test_many_random_against_reference_hungarian);
    tcase_add_test(tc, test_rejects_nan_and_inf);
    tcase_add_test(tc, test_empty_shapes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(assign_suite()); }
