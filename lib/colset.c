/* colset.c — see colset.h. */
#include "colset.h"

#include <stdlib.h>
#include <string.h>

void colset_release(ColumnSet *s)
{
    free(s->column);
    free(s->index);
    *s = (ColumnSet){.zero = -1};
}

static int check_matrix(const NpyArray *a, size_t width, SkErr *err)
{
    if (a->ndim != 2)
        return sk_fail(err, "%s: expected a matrix, got %d dimensions", a->name ? a->name : "",
                       a->ndim);
    if (a->shape[1] != width)
        return sk_fail(err, "%s has %zu columns, expected %zu", a->name ? a->name : "",
                       a->shape[1], width);
    return 0;
}

/* a's values as float32, rows × width: its own data, or (another dtype) a
 * converted copy in *whole, which the caller releases. */
static int dense_values(const NpyArray *a, Mat *whole, const float **v, SkErr *err)
{
    *whole = (Mat){0};
    *v = a->data;
    if (a->dtype == NPY_FLOAT32)
        return 0;
    if (npy_to_mat(a, whole, err))
        return -1;
    *v = whole->v;
    return 0;
}

/* seen[j] = 1 for every column j where a stores a non-zero (a NaN counts:
 * it must reach the finiteness check of the gathered matrix). */
static int mark_nonzero_columns(const NpyArray *a, unsigned char *seen, SkErr *err)
{
    size_t rows = a->shape[0], width = a->shape[1];
    if (a->csr) {
        for (int64_t k = 0; k < a->csr->indptr[rows]; k++)
            seen[a->csr->indices[k]] = 1;
        return 0;
    }
    Mat whole;
    const float *v;
    if (dense_values(a, &whole, &v, err))
        return -1;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < width; j++)
            seen[j] |= v[i * width + j] != 0.0f;
    mat_release(&whole);
    return 0;
}

int colset_nonzero(const NpyArray *const *arrays, size_t count, size_t zeros, bool keep_first,
                   ColumnSet *out, SkErr *err)
{
    *out = (ColumnSet){.zero = -1};
    if (count == 0)
        return sk_fail(err, "colset: no matrices");
    size_t width = arrays[0]->shape[1];
    for (size_t a = 0; a < count; a++)
        if (check_matrix(arrays[a], width, err))
            return -1;
    unsigned char *seen = calloc(width ? width : 1, 1);
    out->index = malloc((width ? width : 1) * sizeof *out->index);
    out->column = malloc((width ? width : 1) * sizeof *out->column);
    if (!seen || !out->index || !out->column) {
        free(seen);
        colset_release(out);
        return sk_fail(err, "out of memory for a column set of %zu columns", width);
    }
    for (size_t a = 0; a < count; a++)
        if (mark_nonzero_columns(arrays[a], seen, err)) {
            free(seen);
            colset_release(out);
            return -1;
        }
    size_t zeros_taken = 0;
    out->width = width;
    for (size_t j = 0; j < width; j++) {
        bool take = seen[j] || (keep_first && j == 0);
        if (!seen[j] && zeros_taken < zeros) {
            if (out->zero < 0)
                out->zero = (long)out->kept;
            zeros_taken++;
            take = true;
        }
        out->index[j] = take ? (int64_t)out->kept : -1;
        if (take)
            out->column[out->kept++] = j;
    }
    free(seen);
    return 0;
}

int colset_gather(const ColumnSet *s, const NpyArray *a, Mat *out, SkErr *err)
{
    if (check_matrix(a, s->width, err))
        return -1;
    size_t rows = a->shape[0];
    if (mat_alloc(out, rows, s->kept, err))
        return -1;
    if (a->csr) { /* mat_alloc zeroed it; a column outside the set holds no entry */
        for (size_t i = 0; i < rows; i++)
            for (int64_t k = a->csr->indptr[i]; k < a->csr->indptr[i + 1]; k++) {
                int64_t at = s->index[a->csr->indices[k]];
                if (at >= 0)
                    out->v[i * s->kept + (size_t)at] += a->csr->values[k];
            }
        return 0;
    }
    Mat whole;
    const float *v;
    if (dense_values(a, &whole, &v, err)) {
        mat_release(out);
        return -1;
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < s->kept; c++)
            out->v[i * s->kept + c] = v[i * s->width + s->column[c]];
    mat_release(&whole);
    return 0;
}

int colset_gather_atoms(const ColumnSet *s, const Mat *d, Mat *out, SkErr *err)
{
    if (d->cols != s->width)
        return sk_fail(err, "dictionary has %zu atoms, expected %zu", d->cols, s->width);
    if (mat_alloc(out, d->rows, s->kept, err))
        return -1;
    for (size_t r = 0; r < d->rows; r++)
        for (size_t c = 0; c < s->kept; c++)
            out->v[r * s->kept + c] = d->v[r * d->cols + s->column[c]];
    return 0;
}
