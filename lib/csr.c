#define _POSIX_C_SOURCE 200809L
#include "csr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const CSR_STORAGE_NAMES[] = {"auto", "dense", "sparse", NULL};

size_t csr_count_nonzeros(const Mat *m)
{
    size_t nnz = 0, count = m->rows * m->cols;
    for (size_t i = 0; i < count; i++)
        nnz += m->v[i] != 0.0f;
    return nnz;
}

bool csr_auto_prefers_sparse(const Mat *m)
{
    size_t count = m->rows * m->cols;
    if (count * sizeof(float) < CSR_AUTO_MIN_BYTES)
        return false;
    return csr_count_nonzeros(m) <= count / CSR_AUTO_MAX_DENSITY_INV;
}

/* ---- writing ------------------------------------------------------------ */

/* The three arrays of m's CSR form; index arrays are int32 when they fit. */
typedef struct {
    float *data;
    void *indices, *indptr;
    bool wide_indices, wide_indptr;   /* int64 instead of int32 */
    size_t nnz;
} CsrParts;

static void parts_release(CsrParts *p)
{
    free(p->data);
    free(p->indices);
    free(p->indptr);
}

static void set_index(void *array, bool wide, size_t i, size_t value)
{
    if (wide)
        ((int64_t *)array)[i] = (int64_t)value;
    else
        ((int32_t *)array)[i] = (int32_t)value;
}

static int build_parts(const Mat *m, CsrParts *p, SkErr *err)
{
    memset(p, 0, sizeof *p);
    p->nnz = csr_count_nonzeros(m);
    p->wide_indices = m->cols > (size_t)INT32_MAX;
    p->wide_indptr = p->nnz > (size_t)INT32_MAX;
    size_t nnz_alloc = p->nnz ? p->nnz : 1;
    p->data = malloc(nnz_alloc * sizeof *p->data);
    p->indices = malloc(nnz_alloc * (p->wide_indices ? 8 : 4));
    p->indptr = malloc((m->rows + 1) * (p->wide_indptr ? 8 : 4));
    if (!p->data || !p->indices || !p->indptr) {
        parts_release(p);
        return sk_fail(err, "out of memory for a sparse %zu x %zu matrix", m->rows, m->cols);
    }
    size_t k = 0;
    for (size_t i = 0; i < m->rows; i++) {
        set_index(p->indptr, p->wide_indptr, i, k);
        for (size_t j = 0; j < m->cols; j++) {
            float v = m->v[i * m->cols + j];
            if (v != 0.0f) {
                p->data[k] = v;
                set_index(p->indices, p->wide_indices, k++, j);
            }
        }
    }
    set_index(p->indptr, p->wide_indptr, m->rows, k);
    return 0;
}

/* The four members NAME.data, .indices, .indptr, .shape of a rows × cols
 * matrix whose CSR arrays are p's. */
static int put_parts(NpzWriter *w, const char *name, size_t rows, size_t cols, const CsrParts *p,
                     SkErr *err)
{
    char member[1100];
    if (strlen(name) > 1000)
        return sk_fail(err, "bad member name '%s'", name);
    size_t nnz_shape[1] = {p->nnz}, ptr_shape[1] = {rows + 1}, two[1] = {2};
    int64_t shape[2] = {(int64_t)rows, (int64_t)cols};
    int rc = 0;
    snprintf(member, sizeof member, "%.1000s.data", name);
    rc = rc ? rc : npz_put(w, member, NPY_FLOAT32, 1, nnz_shape, p->data, err);
    snprintf(member, sizeof member, "%.1000s.indices", name);
    rc = rc ? rc : npz_put(w, member, p->wide_indices ? NPY_INT64 : NPY_INT32, 1, nnz_shape, p->indices, err);
    snprintf(member, sizeof member, "%.1000s.indptr", name);
    rc = rc ? rc : npz_put(w, member, p->wide_indptr ? NPY_INT64 : NPY_INT32, 1, ptr_shape, p->indptr, err);
    snprintf(member, sizeof member, "%.1000s.shape", name);
    rc = rc ? rc : npz_put(w, member, NPY_INT64, 1, two, shape, err);
    return rc;
}

int csr_put_mat(NpzWriter *w, const char *name, const Mat *m, SkErr *err)
{
    CsrParts p;
    if (strlen(name) > 1000)
        return sk_fail(err, "bad member name '%s'", name);
    if (build_parts(m, &p, err))
        return -1;
    int rc = put_parts(w, name, m->rows, m->cols, &p, err);
    parts_release(&p);
    return rc;
}

int npz_put_mat_stored(NpzWriter *w, const char *name, const Mat *m, CsrStorage storage,
                       SkErr *err)
{
    bool sparse = storage == CSR_STORAGE_SPARSE ||
                  (storage == CSR_STORAGE_AUTO && csr_auto_prefers_sparse(m));
    return sparse ? csr_put_mat(w, name, m, err) : npz_put_mat(w, name, m, err);
}

int npz_put_codes(NpzWriter *w, const char *name, const Mat *m, SkErr *err)
{
    return npz_put_mat_stored(w, name, m, CSR_STORAGE_AUTO, err);
}

/* ---- building a slice of rows at a time ---------------------------------- */

void csr_builder_init(CsrBuilder *b, size_t cols)
{
    memset(b, 0, sizeof *b);
    b->cols = cols;
}

void csr_builder_release(CsrBuilder *b)
{
    free(b->data);
    free(b->indices);
    free(b->indptr);
    memset(b, 0, sizeof *b);
}

/* Room for `more` values and `rows` more rows (capacities double). */
static int builder_reserve(CsrBuilder *b, size_t more, size_t rows, SkErr *err)
{
    if (b->nnz + more > b->cap_nnz) {
        size_t cap = b->cap_nnz ? b->cap_nnz : 1024;
        while (cap < b->nnz + more)
            cap *= 2;
        float *data = realloc(b->data, cap * sizeof *data);
        if (data)
            b->data = data;
        int64_t *indices = data ? realloc(b->indices, cap * sizeof *indices) : NULL;
        if (!indices)
            return sk_fail(err, "out of memory for %zu sparse values", cap);
        b->indices = indices;
        b->cap_nnz = cap;
    }
    if (b->rows + rows + 1 > b->cap_rows) {
        size_t cap = b->rows + rows + 1;
        cap = cap < 2 * b->cap_rows ? 2 * b->cap_rows : cap;
        int64_t *indptr = realloc(b->indptr, cap * sizeof *indptr);
        if (!indptr)
            return sk_fail(err, "out of memory for %zu sparse rows", cap);
        b->indptr = indptr;
        b->cap_rows = cap;
    }
    return 0;
}

int csr_builder_append(CsrBuilder *b, const Mat *m, SkErr *err)
{
    if (m->cols != b->cols)
        return sk_fail(err, "sparse rows of %zu columns appended to a matrix of %zu", m->cols,
                       b->cols);
    if (builder_reserve(b, csr_count_nonzeros(m), m->rows, err))
        return -1;
    b->indptr[0] = 0;
    for (size_t i = 0; i < m->rows; i++) {
        const float *row = m->v + i * m->cols;
        for (size_t j = 0; j < m->cols; j++)
            if (row[j] != 0.0f) {
                b->data[b->nnz] = row[j];
                b->indices[b->nnz++] = (int64_t)j;
            }
        b->indptr[++b->rows] = (int64_t)b->nnz;
    }
    return 0;
}

/* a (n int64 values) as int32 when !wide: a new array (NULL when out of
 * memory), else a itself. */
static void *index_array(const int64_t *a, size_t n, bool wide)
{
    if (wide)
        return (void *)a;
    int32_t *out = malloc((n ? n : 1) * sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        out[i] = (int32_t)a[i];
    return out;
}

/* The builder's matrix dense (rows × cols): only when AUTO keeps it dense. */
static int builder_dense(const CsrBuilder *b, Mat *out, SkErr *err)
{
    if (mat_alloc(out, b->rows, b->cols, err))
        return -1;
    memset(out->v, 0, b->rows * b->cols * sizeof *out->v);
    for (size_t i = 0; i < b->rows; i++)
        for (int64_t k = b->indptr[i]; k < b->indptr[i + 1]; k++)
            out->v[i * b->cols + (size_t)b->indices[k]] = b->data[k];
    return 0;
}

int csr_builder_put_codes(NpzWriter *w, const char *name, const CsrBuilder *b, SkErr *err)
{
    size_t count = b->rows * b->cols;
    bool sparse = count * sizeof(float) >= CSR_AUTO_MIN_BYTES &&
                  b->nnz <= count / CSR_AUTO_MAX_DENSITY_INV; /* as csr_auto_prefers_sparse */
    if (!sparse) {
        Mat dense;
        if (builder_dense(b, &dense, err))
            return -1;
        int rc = npz_put_mat(w, name, &dense, err);
        mat_release(&dense);
        return rc;
    }
    int64_t empty_indptr[1] = {0};
    float no_data[1] = {0.0f};
    CsrParts p = {.data = b->data ? b->data : no_data, .nnz = b->nnz,
                  .wide_indices = b->cols > (size_t)INT32_MAX,
                  .wide_indptr = b->nnz > (size_t)INT32_MAX};
    const int64_t *indptr = b->rows ? b->indptr : empty_indptr;
    p.indices = index_array(b->indices, b->nnz, p.wide_indices);
    p.indptr = index_array(indptr, b->rows + 1, p.wide_indptr);
    int rc = p.indices && p.indptr ? put_parts(w, name, b->rows, b->cols, &p, err)
                                   : sk_fail(err, "out of memory for sparse %s", name);
    if (p.indices != (void *)b->indices)
        free(p.indices);
    if (p.indptr != (void *)indptr)
        free(p.indptr);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* Element i of an integer array as a signed 64-bit value. */
static int64_t index_at(const NpyArray *a, size_t i)
{
    switch (a->dtype) {
    case NPY_INT64: return ((const int64_t *)a->data)[i];
    case NPY_INT32: return ((const int32_t *)a->data)[i];
    case NPY_UINT8: return ((const uint8_t *)a->data)[i];
    default: return -1;
    }
}

/* A 1-d integer part of `length` elements (SIZE_MAX: any). */
static int check_index_part(const NpyArray *a, const char *name, const char *part, size_t length,
                            SkErr *err)
{
    if (a->dtype != NPY_INT64 && a->dtype != NPY_INT32 && a->dtype != NPY_UINT8)
        return sk_fail(err, "sparse matrix '%s': %s.%s is %s, not integers", name, name, part,
                       npy_dtype_name(a->dtype));
    if (a->ndim != 1)
        return sk_fail(err, "sparse matrix '%s': %s.%s is not 1-d", name, name, part);
    if (length != SIZE_MAX && a->shape[0] != length)
        return sk_fail(err, "sparse matrix '%s': %s.%s has %zu entries, needs %zu", name, name,
                       part, a->shape[0], length);
    return 0;
}

/* rows, cols from NAME.shape, with the dense size checked. */
static int read_shape(const NpyArray *shape, const char *name, size_t *rows, size_t *cols, SkErr *err)
{
    if (check_index_part(shape, name, "shape", 2, err))
        return -1;
    int64_t r = index_at(shape, 0), c = index_at(shape, 1);
    size_t count, bytes;
    if (r < 0 || c < 0 || !sk_mul_size((size_t)r, (size_t)c, &count) ||
        !sk_mul_size(count, sizeof(float), &bytes) || bytes > CSR_MAX_DENSE_BYTES)
        return sk_fail(err, "sparse matrix '%s': shape (%lld, %lld) is impossible or too large "
                            "to hold dense", name, (long long)r, (long long)c);
    *rows = (size_t)r;
    *cols = (size_t)c;
    return 0;
}

/* indptr starts at 0, never decreases and ends at nnz. */
static int check_indptr(const NpyArray *indptr, const char *name, size_t nnz, SkErr *err)
{
    int64_t previous = 0;
    for (size_t i = 0; i < indptr->shape[0]; i++) {
        int64_t v = index_at(indptr, i);
        if ((i == 0 && v != 0) || v < previous || (uint64_t)v > nnz)
            return sk_fail(err, "sparse matrix '%s': %s.indptr[%zu] = %lld breaks the row offsets",
                           name, name, i, (long long)v);
        previous = v;
    }
    if ((size_t)previous != nnz)
        return sk_fail(err, "sparse matrix '%s': %s.indptr ends at %lld but there are %zu values",
                       name, name, (long long)previous, nnz);
    return 0;
}

/* The values as floats (any numeric dtype; float64 must fit float32). */
static int read_values(const NpyArray *data, const char *name, float **out, SkErr *err)
{
    if (data->ndim != 1)
        return sk_fail(err, "sparse matrix '%s': %s.data is not 1-d", name, name);
    Mat values;
    if (npy_to_mat(data, &values, err))
        return sk_prefix(err, name);
    *out = values.v;
    return 0;
}

int csr_fold(const NpyArray *data, const NpyArray *indices, const NpyArray *indptr,
             const NpyArray *shape, const char *name, NpyArray *out, SkErr *err)
{
    size_t rows = 0, cols = 0;
    if (read_shape(shape, name, &rows, &cols, err) ||
        check_index_part(indptr, name, "indptr", rows + 1, err) ||
        check_index_part(indices, name, "indices", SIZE_MAX, err))
        return -1;
    size_t nnz = indices->shape[0];
    if (data->ndim != 1 || data->shape[0] != nnz)
        return sk_fail(err, "sparse matrix '%s': %s.data and %s.indices differ in length", name,
                       name, name);
    if (check_indptr(indptr, name, nnz, err))
        return -1;
    for (size_t i = 0; i < rows; i++)
        for (int64_t k = index_at(indptr, i); k < index_at(indptr, i + 1); k++) {
            int64_t j = index_at(indices, (size_t)k);
            if (j < 0 || (uint64_t)j >= cols)
                return sk_fail(err, "sparse matrix '%s': column %lld out of range [0, %zu) in row %zu",
                               name, (long long)j, cols, i);
        }
    NpyCsr *csr = calloc(1, sizeof *csr);
    if (csr)
        csr->indices = malloc((nnz ? nnz : 1) * sizeof *csr->indices);
    if (csr && csr->indices)
        csr->indptr = malloc((rows + 1) * sizeof *csr->indptr);
    if (!csr || !csr->indptr) {
        npy_csr_free(csr);
        return sk_fail(err, "sparse matrix '%s': out of memory for %zu values", name, nnz);
    }
    if (read_values(data, name, &csr->values, err)) {
        npy_csr_free(csr);
        return -1;
    }
    for (size_t k = 0; k < nnz; k++)
        csr->indices[k] = index_at(indices, k);
    for (size_t i = 0; i <= rows; i++)
        csr->indptr[i] = index_at(indptr, i);
    *out = (NpyArray){.dtype = NPY_FLOAT32, .ndim = 2, .shape = {rows, cols}, .data = NULL,
                      .sparse = true, .nnz = nnz, .csr = csr};
    out->name = strdup(name);
    if (!out->name) {
        npy_csr_free(csr);
        return sk_fail(err, "out of memory");
    }
    return 0;
}
