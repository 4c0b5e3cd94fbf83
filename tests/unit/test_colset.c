/* colset: the columns of wide code matrices holding a non-zero (dense or
 * CSR alike), a few all-zero ones (lowest index first), column 0 on request;
 * gathering them gives the dense matrix's columns; the set's column 0 of
 * `zero` is all zero; mismatched widths are an error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "colset.h"
#include "testutil.h"

/* A dense float32 array over m's values (not copied). */
static NpyArray dense_array(const char *name, Mat *m)
{
    return (NpyArray){.name = (char *)name, .dtype = NPY_FLOAT32, .ndim = 2,
                      .shape = {m->rows, m->cols}, .data = m->v};
}

/* The same matrix as CSR (the caller frees with npy_csr_free). */
static NpyArray csr_array(const char *name, const Mat *m)
{
    NpyCsr *c = calloc(1, sizeof *c);
    size_t nnz = 0, rows = m->rows, cols = m->cols;
    c->values = malloc(rows * cols * sizeof *c->values);
    c->indices = malloc(rows * cols * sizeof *c->indices);
    c->indptr = malloc((rows + 1) * sizeof *c->indptr);
    c->indptr[0] = 0;
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++)
            if (m->v[i * cols + j] != 0.0f) {
                c->values[nnz] = m->v[i * cols + j];
                c->indices[nnz++] = (int64_t)j;
            }
        c->indptr[i + 1] = (int64_t)nnz;
    }
    return (NpyArray){.name = (char *)name, .dtype = NPY_FLOAT32, .ndim = 2,
                      .shape = {rows, cols}, .sparse = true, .nnz = nnz, .csr = c};
}

START_TEST(nonzero_columns_dense_and_csr)
{
    /* 2 × 8 and 3 × 8: non-zeros in columns 2, 5 (first) and 5, 7 (second) */
    float a[16] = {0, 0, 1, 0, 0, 0, 0, 0,   0, 0, 0, 0, 0, 2, 0, 0};
    float b[24] = {0, 0, 0, 0, 0, 0, 0, 3,   0, 0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 0, -1, 0, 0};
    Mat ma = {2, 8, a}, mb = {3, 8, b};
    NpyArray da = dense_array("a", &ma), sb = csr_array("b", &mb);
    const NpyArray *both[2] = {&da, &sb};
    ColumnSet s;
    SkErr err = {{0}};
    ck_assert_int_eq(colset_nonzero(both, 2, 0, false, &s, &err), 0);
    ck_assert_uint_eq(s.width, 8);
    ck_assert_uint_eq(s.kept, 3);
    ck_assert(s.column[0] == 2 && s.column[1] == 5 && s.column[2] == 7);
    ck_assert(s.index[2] == 0 && s.index[5] == 1 && s.index[7] == 2 && s.index[0] == -1);
    ck_assert_int_eq(s.zero, -1);
    colset_release(&s);

    /* two all-zero columns (0 and 1, the lowest) and column 0 asked for again */
    ck_assert_int_eq(colset_nonzero(both, 2, 2, true, &s, &err), 0);
    ck_assert_uint_eq(s.kept, 5);
    ck_assert(s.column[0] == 0 && s.column[1] == 1 && s.column[2] == 2);
    ck_assert_int_eq(s.zero, 0);

    /* gathering: the dense matrix's columns, from either form */
    Mat ga, gb;
    ck_assert_int_eq(colset_gather(&s, &da, &ga, &err), 0);
    ck_assert_int_eq(colset_gather(&s, &sb, &gb, &err), 0);
    ck_assert(ga.rows == 2 && ga.cols == 5 && gb.rows == 3 && gb.cols == 5);
    for (size_t i = 0; i < 2; i++)
        for (size_t c = 0; c < 5; c++)
            ck_assert(ga.v[i * 5 + c] == a[i * 8 + s.column[c]]);
    for (size_t i = 0; i < 3; i++)
        for (size_t c = 0; c < 5; c++)
            ck_assert(gb.v[i * 5 + c] == b[i * 8 + s.column[c]]);
    for (size_t i = 0; i < 3; i++) /* the stand-in all-zero column */
        ck_assert(gb.v[i * 5 + (size_t)s.zero] == 0.0f);

    /* a dictionary's atoms of the set */
    float dv[16];
    for (size_t k = 0; k < 16; k++)
        dv[k] = (float)k;
    Mat d = {2, 8, dv}, dk;
    ck_assert_int_eq(colset_gather_atoms(&s, &d, &dk, &err), 0);
    for (size_t r = 0; r < 2; r++)
        for (size_t c = 0; c < 5; c++)
            ck_assert(dk.v[r * 5 + c] == dv[r * 8 + s.column[c]]);
    mat_release(&ga);
    mat_release(&gb);
    mat_release(&dk);
    colset_release(&s);
    npy_csr_free(sb.csr);
}
END_TEST

START_TEST(widths_must_agree)
{
    float a[6] = {0}, b[8] = {0};
    Mat ma = {2, 3, a}, mb = {2, 4, b};
    NpyArray da = dense_array("a", &ma), db = dense_array("b", &mb);
    const NpyArray *both[2] = {&da, &db};
    ColumnSet s;
    SkErr err = {{0}};
    ck_assert_int_ne(colset_nonzero(both, 2, 0, false, &s, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "columns"));
    const NpyArray *one[1] = {&da};
    ck_assert_int_eq(colset_nonzero(one, 1, 1, false, &s, &err), 0);
    Mat out;
    ck_assert_int_ne(colset_gather(&s, &db, &out, &err), 0);
    colset_release(&s);
}
END_TEST

static Suite *colset_suite(void)
{
    Suite *s = suite_create("colset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, nonzero_columns_dense_and_csr);
    tcase_add_test(tc, widths_must_agree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(colset_suite()); }
