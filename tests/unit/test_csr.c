/* csr: sparse matrices in .npz files — a sparse member written here reads
 * back equal to the dense matrix (and is flagged sparse with its nnz); the
 * AUTO rule keeps small and dense matrices dense; SciPy's conventions
 * (int32/int64 indices, repeated columns summed, float64 values) are read;
 * every inconsistent or hostile group is one error, never a crash. */
#define _GNU_SOURCE
#include "csr.h"
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A path in a fresh folder under $SK_TMP (or /tmp). */
static void temp_path(char *path, size_t cap, const char *file)
{
    const char *base = getenv("SK_TMP");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/csr.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, cap, "%s/%s", dir, file);
}

/* rows × cols with entry (i, j) = i + 0.5 j + 1 where (3i + j) % 7 == 0, else 0. */
static Mat patterned(size_t rows, size_t cols)
{
    Mat m;
    SkErr err;
    ck_assert_int_eq(mat_alloc(&m, rows, cols, &err), 0);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            m.v[i * cols + j] = (3 * i + j) % 7 == 0 ? (float)i + 0.5f * (float)j + 1.0f : 0.0f;
    return m;
}

START_TEST(sparse_round_trip_equals_dense)
{
    char path[1024];
    temp_path(path, sizeof path, "z.npz");
    Mat m = patterned(13, 29), empty_row = patterned(3, 5);
    memset(empty_row.v + 5, 0, 5 * sizeof(float)); /* row 1 holds nothing */
    SkErr err = {{0}};
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(npz_put_mat_stored(w, "Z", &m, CSR_STORAGE_SPARSE, &err), 0);
    ck_assert_int_eq(npz_put_mat_stored(w, "E", &empty_row, CSR_STORAGE_SPARSE, &err), 0);
    ck_assert_int_eq(npz_put_mat_stored(w, "D", &m, CSR_STORAGE_DENSE, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);
    Npz npz;
    ck_assert_msg(npz_load(path, &npz, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(npz.count, 3); /* the four parts fold into one array each */
    const NpyArray *z = npz_get(&npz, "Z"), *e = npz_get(&npz, "E"), *d = npz_get(&npz, "D");
    ck_assert(z && e && d);
    ck_assert(z->sparse && e->sparse && !d->sparse);
    ck_assert_uint_eq(z->nnz, csr_count_nonzeros(&m));
    ck_assert(z->ndim == 2 && z->shape[0] == 13 && z->shape[1] == 29 && z->dtype == NPY_FLOAT32);
    /* sparse matrices stay in CSR form until made dense */
    ck_assert(z->data == NULL && z->csr && e->data == NULL && e->csr && d->csr == NULL);
    Mat zm, em;
    ck_assert_int_eq(npy_to_mat(z, &zm, &err), 0);
    ck_assert_int_eq(npy_to_mat(e, &em, &err), 0);
    ck_assert(memcmp(zm.v, m.v, 13 * 29 * sizeof(float)) == 0);
    ck_assert(memcmp(d->data, m.v, 13 * 29 * sizeof(float)) == 0);
    ck_assert(memcmp(em.v, empty_row.v, 15 * sizeof(float)) == 0);
    double *zd;
    ck_assert_int_eq(npy_to_doubles(z, &zd, &err), 0);
    for (size_t k = 0; k < 13 * 29; k++)
        ck_assert(zd[k] == (double)m.v[k]);
    free(zd);
    mat_release(&zm);
    mat_release(&em);
    npz_free(&npz);
    mat_release(&m);
    mat_release(&empty_row);
}
END_TEST

START_TEST(auto_keeps_small_or_dense_matrices_dense)
{
    Mat small = patterned(100, 100);
    ck_assert(!csr_auto_prefers_sparse(&small));
    mat_release(&small);
    /* 4096 × 4096 floats = 64 MiB: sparse when at most 1/8 is non-zero */
    Mat big;
    SkErr err;
    ck_assert_int_eq(mat_alloc(&big, 4096, 4096, &err), 0);
    memset(big.v, 0, 4096 * 4096 * sizeof(float));
    for (size_t i = 0; i < 4096; i++)
        big.v[i * 4096 + i % 13] = 1.0f;
    ck_assert(csr_auto_prefers_sparse(&big));
    for (size_t i = 0; i < 4096 * 4096 / 4; i++)
        big.v[i * 4] = 2.0f; /* a quarter non-zero: dense is smaller */
    ck_assert(!csr_auto_prefers_sparse(&big));
    mat_release(&big);
}
END_TEST

/* An archive holding the given parts of sparse matrix "S" (NULL parts left out). */
typedef struct {
    NpyDtype dtype;
    size_t n;
    const void *values;
} Part;

static int load_parts(const Part *data, const Part *indices, const Part *indptr, const Part *shape,
                      bool also_dense, Npz *npz, SkErr *err)
{
    char path[1024];
    temp_path(path, sizeof path, "s.npz");
    NpzWriter *w = npz_create(path, 1, err);
    ck_assert_ptr_nonnull(w);
    const Part *parts[] = {data, indices, indptr, shape};
    const char *names[] = {"S.data", "S.indices", "S.indptr", "S.shape"};
    for (int p = 0; p < 4; p++)
        if (parts[p])
            ck_assert_int_eq(npz_put(w, names[p], parts[p]->dtype, 1, &parts[p]->n, parts[p]->values, err), 0);
    if (also_dense) {
        float one = 1.0f;
        size_t s[2] = {1, 1};
        ck_assert_int_eq(npz_put(w, "S", NPY_FLOAT32, 2, s, &one, err), 0);
    }
    ck_assert_int_eq(npz_commit(w, err), 0);
    return npz_load(path, npz, err);
}

START_TEST(scipy_conventions_are_read)
{
    /* 2 × 3: row 0 = [0, 5, 0] given as 2 + 3 in column 1 (repeats add up), row 1 = [1.5, 0, -4];
     * float64 values, int64 indices, int32 indptr, int32 shape */
    double values[] = {2.0, 3.0, 1.5, -4.0};
    int64_t cols[] = {1, 1, 0, 2};
    int32_t ptr[] = {0, 2, 4}, shape[] = {2, 3};
    Part d = {NPY_FLOAT64, 4, values}, i = {NPY_INT64, 4, cols}, p = {NPY_INT32, 3, ptr},
         s = {NPY_INT32, 2, shape};
    Npz npz;
    SkErr err = {{0}};
    ck_assert_msg(load_parts(&d, &i, &p, &s, false, &npz, &err) == 0, "%s", err.msg);
    const NpyArray *a = npz_get(&npz, "S");
    ck_assert_ptr_nonnull(a);
    const float want[] = {0, 5, 0, 1.5f, 0, -4};
    Mat dense;
    ck_assert_int_eq(npy_to_mat(a, &dense, &err), 0);
    ck_assert(memcmp(dense.v, want, sizeof want) == 0);
    mat_release(&dense);
    ck_assert_uint_eq(a->nnz, 4);
    npz_free(&npz);
}
END_TEST

START_TEST(inconsistent_groups_are_errors)
{
    float v3[] = {1, 2, 3};
    int32_t c3[] = {0, 1, 2}, c_out[] = {0, 1, 3}, c_neg[] = {0, -1, 2};
    int32_t ptr_ok[] = {0, 1, 3}, ptr_down[] = {0, 2, 1}, ptr_short[] = {0, 3},
            ptr_end[] = {0, 1, 2}, ptr_start[] = {1, 1, 3};
    int64_t shape_ok[] = {2, 3}, shape_neg[] = {-2, 3}, shape_huge[] = {INT64_C(1) << 40, INT64_C(1) << 40};
    float shape_float[] = {2, 3};
    Part d = {NPY_FLOAT32, 3, v3}, d2 = {NPY_FLOAT32, 2, v3}, i = {NPY_INT32, 3, c3},
         i_out = {NPY_INT32, 3, c_out}, i_neg = {NPY_INT32, 3, c_neg}, i_float = {NPY_FLOAT32, 3, v3},
         p = {NPY_INT32, 3, ptr_ok}, p_down = {NPY_INT32, 3, ptr_down},
         p_short = {NPY_INT32, 2, ptr_short}, p_end = {NPY_INT32, 3, ptr_end},
         p_start = {NPY_INT32, 3, ptr_start}, s = {NPY_INT64, 2, shape_ok},
         s_neg = {NPY_INT64, 2, shape_neg}, s_huge = {NPY_INT64, 2, shape_huge},
         s_float = {NPY_FLOAT32, 2, shape_float};
    const struct {
        const Part *d, *i, *p, *s;
        bool dense;
        const char *says;
    } cases[] = {
        {&d, &i, &p, &s, true, "both dense and sparse"},
        {NULL, &i, &p, &s, false, "no member 'S.data'"},
        {&d, NULL, &p, &s, false, "no member 'S.indices'"},
        {&d, &i, &p, NULL, false, "no member 'S.shape'"},
        {&d2, &i, &p, &s, false, "differ in length"},
        {&d, &i_out, &p, &s, false, "column 3 out of range"},
        {&d, &i_neg, &p, &s, false, "column -1 out of range"},
        {&d, &i_float, &p, &s, false, "not integers"},
        {&d, &i, &p_down, &s, false, "breaks the row offsets"},
        {&d, &i, &p_start, &s, false, "breaks the row offsets"},
        {&d, &i, &p_short, &s, false, "needs 3"},
        {&d, &i, &p_end, &s, false, "ends at 2"},
        {&d, &i, &p, &s_neg, false, "impossible or too large"},
        {&d, &i, &p, &s_huge, false, "impossible or too large"},
        {&d, &i, &p, &s_float, false, "not integers"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Npz npz;
        SkErr err = {{0}};
        int rc = load_parts(cases[k].d, cases[k].i, cases[k].p, cases[k].s, cases[k].dense, &npz, &err);
        ck_assert_msg(rc != 0, "case %zu loaded", k);
        ck_assert_msg(strstr(err.msg, cases[k].says) != NULL, "case %zu: '%s'", k, err.msg);
    }
}
END_TEST

static Suite *csr_suite(void)
{
    Suite *s = suite_create("csr");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sparse_round_trip_equals_dense);
    tcase_add_test(tc, auto_keeps_small_or_dense_matrices_dense);
    tcase_add_test(tc, scipy_conventions_are_read);
    tcase_add_test(tc, inconsistent_groups_are_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(csr_suite()); }
