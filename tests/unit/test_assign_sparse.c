/* assign_sparse: the sparse-candidate assignment equals the dense Hungarian
 * (assign_max_f64) when every pair is a candidate, on random and on
 * adversarial (tied, integer) weights; with top-m candidates, whenever it
 * certifies its result the total equals the dense optimum (and otherwise it
 * never exceeds it); a graph without a complete matching says so; bad input
 * is an error. */
#define _GNU_SOURCE
#include "assign.h"
#include "assign_sparse.h"
#include "rng.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t *ptr;
    long *col;
    double *w, *bound;
} Candidates;

static void candidates_free(Candidates *c)
{
    free(c->ptr);
    free(c->col);
    free(c->w);
    free(c->bound);
}

/* Column indices by descending weight of `row` (qsort_r's context). */
static int by_weight_desc(const void *a, const void *b, void *row)
{
    const double *w = row;
    double x = w[*(const long *)a], y = w[*(const long *)b];
    return (x < y) - (x > y);
}

/* The top m columns of each row of dense w (rows × cols), bound = the m-th
 * largest (every unlisted weight is ≤ it); m ≥ cols lists all, bound −inf. */
static Candidates top_candidates(const double *w, size_t rows, size_t cols, size_t m)
{
    if (m > cols)
        m = cols;
    Candidates c = {malloc((rows + 1) * sizeof(size_t)), malloc(rows * m * sizeof(long)),
                    malloc(rows * m * sizeof(double)), malloc(rows * sizeof(double))};
    long *order = malloc(cols * sizeof *order);
    ck_assert(c.ptr && c.col && c.w && c.bound && order);
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++)
            order[j] = (long)j;
        qsort_r(order, cols, sizeof *order, by_weight_desc, (void *)(w + i * cols));
        c.ptr[i] = i * m;
        for (size_t k = 0; k < m; k++) {
            c.col[i * m + k] = order[k];
            c.w[i * m + k] = w[i * cols + (size_t)order[k]];
        }
        c.bound[i] = m == cols ? -INFINITY : w[i * cols + (size_t)order[m - 1]];
    }
    c.ptr[rows] = rows * m;
    free(order);
    return c;
}

static double dense_optimum(const double *w, size_t rows, size_t cols)
{
    long *x = malloc(rows * sizeof *x);
    SkErr err;
    ck_assert_int_eq(assign_max_f64(w, rows, cols, x, &err), 0);
    double total = assign_total_f64(w, rows, cols, x);
    free(x);
    return total;
}

static SparseAssignResult solve(const Candidates *c, size_t rows, size_t cols, long *x)
{
    SparseAssignProblem p = {rows, cols, c->ptr, c->col, c->w, c->bound};
    SparseAssignResult r;
    SkErr err = {{0}};
    ck_assert_msg(assign_sparse_max(&p, x, &r, &err) == 0, "%s", err.msg);
    return r;
}

/* x is a one-to-one assignment of candidate columns. */
static void check_injective(const long *x, size_t rows, size_t cols)
{
    unsigned char *used = calloc(cols, 1);
    for (size_t i = 0; i < rows; i++) {
        ck_assert(x[i] >= 0 && (size_t)x[i] < cols);
        ck_assert_msg(!used[x[i]], "column %ld used twice", x[i]);
        used[x[i]] = 1;
    }
    free(used);
}

START_TEST(all_candidates_equal_dense_hungarian)
{
    Rng r;
    rng_init(&r, 11, 0);
    for (int trial = 0; trial < 200; trial++) {
        size_t rows = 1 + rng_below(&r, 25), cols = rows + rng_below(&r, 15);
        bool integer = trial % 2; /* integer weights in [0, 4): many ties */
        double *w = malloc(rows * cols * sizeof *w);
        for (size_t k = 0; k < rows * cols; k++)
            w[k] = integer ? (double)rng_below(&r, 4) : rng_uniform(&r);
        Candidates c = top_candidates(w, rows, cols, cols);
        long *x = malloc(rows * sizeof *x);
        SparseAssignResult res = solve(&c, rows, cols, x);
        ck_assert(res.complete && res.certified);
        check_injective(x, rows, cols);
        double want = dense_optimum(w, rows, cols);
        ck_assert_msg(fabs(res.total - want) < 1e-9, "trial %d (%zu x %zu): %.17g vs %.17g", trial,
                      rows, cols, res.total, want);
        candidates_free(&c);
        free(x);
        free(w);
    }
}
END_TEST

START_TEST(certified_top_m_equals_dense_optimum)
{
    Rng r;
    rng_init(&r, 12, 0);
    int certified = 0, uncertified = 0;
    for (int trial = 0; trial < 300; trial++) {
        size_t rows = 5 + rng_below(&r, 60), cols = rows + rng_below(&r, 60);
        size_t m = 1 + rng_below(&r, 6);
        double *w = malloc(rows * cols * sizeof *w);
        /* cosine-like: a strong diagonal-ish partner plus noise */
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++)
                w[i * cols + j] = 0.3 * rng_uniform(&r) + (j == (i * 7) % cols ? 0.6 : 0.0);
        Candidates c = top_candidates(w, rows, cols, m);
        long *x = malloc(rows * sizeof *x);
        SparseAssignResult res = solve(&c, rows, cols, x);
        double want = dense_optimum(w, rows, cols);
        if (res.complete) {
            check_injective(x, rows, cols);
            ck_assert(res.total <= want + 1e-9);
            /* the dense optimum lies within the reported gap above the matching */
            ck_assert_msg(want <= res.total + res.gap + 1e-9, "trial %d: optimum %.17g above %.17g + gap %.3g",
                          trial, want, res.total, res.gap);
        }
        if (res.certified) {
            certified++;
            ck_assert_msg(fabs(res.total - want) < 1e-9, "trial %d certified %.17g, optimum %.17g",
                          trial, res.total, want);
            ck_assert(res.gap == 0.0);
        } else {
            uncertified++;
            if (res.complete)
                ck_assert(res.gap > 0.0);
        }
        candidates_free(&c);
        free(x);
        free(w);
    }
    /* both outcomes occur, so both branches above were exercised */
    ck_assert_msg(certified > 20 && uncertified > 20, "certified %d, not %d", certified, uncertified);
}
END_TEST

START_TEST(no_complete_matching_is_reported)
{
    /* rows 0 and 1 both list only column 2; row 2 lists 0 and 1 */
    size_t ptr[] = {0, 1, 2, 4};
    long col[] = {2, 2, 0, 1};
    double w[] = {1.0, 0.5, 0.2, 0.3};
    SparseAssignProblem p = {3, 4, ptr, col, w, NULL};
    long x[3];
    SparseAssignResult res;
    SkErr err = {{0}};
    ck_assert_int_eq(assign_sparse_max(&p, x, &res, &err), 0);
    ck_assert(!res.complete && !res.certified);
    ck_assert_int_eq(x[0] == 2 ? x[1] : x[0], -1); /* one of the two got column 2 */
    ck_assert_int_eq(x[2], 1);
}
END_TEST

START_TEST(bad_input_is_an_error)
{
    size_t ptr[] = {0, 1, 2};
    long col[] = {0, 5};
    double w[] = {1.0, NAN};
    long x[2];
    SparseAssignResult res;
    SkErr err = {{0}};
    SparseAssignProblem out_of_range = {2, 3, ptr, col, (double[]){1.0, 1.0}, NULL};
    ck_assert_int_ne(assign_sparse_max(&out_of_range, x, &res, &err), 0);
    ck_assert(strstr(err.msg, "column 5") != NULL);
    long ok_col[] = {0, 1};
    SparseAssignProblem nan = {2, 3, ptr, ok_col, w, NULL};
    ck_assert_int_ne(assign_sparse_max(&nan, x, &res, &err), 0);
    ck_assert(strstr(err.msg, "non-finite") != NULL);
    SparseAssignProblem tall = {2, 1, ptr, ok_col, (double[]){1.0, 1.0}, NULL};
    ck_assert_int_ne(assign_sparse_max(&tall, x, &res, &err), 0);
}
END_TEST

static Suite *assign_sparse_suite(void)
{
    Suite *s = suite_create("assign_sparse");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, all_candidates_equal_dense_hungarian);
    tcase_add_test(tc, certified_top_m_equals_dense_optimum);
    tcase_add_test(tc, no_complete_matching_is_reported);
    tcase_add_test(tc, bad_input_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(assign_sparse_suite()); }
