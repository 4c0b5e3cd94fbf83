#include "mat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool sk_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
}

int mat_alloc(Mat *m, size_t rows, size_t cols, SkErr *err)
{
    size_t n, bytes;
    m->rows = m->cols = 0;
    m->v = NULL;
    if (!sk_mul_size(rows, cols, &n) || !sk_mul_size(n, sizeof(float), &bytes))
        return sk_fail(err, "matrix %zu x %zu is too large", rows, cols);
    m->v = calloc(n ? n : 1, sizeof(float));
    if (!m->v)
        return sk_fail(err, "out of memory allocating a %zu x %zu matrix", rows, cols);
    m->rows = rows;
    m->cols = cols;
    return 0;
}

void mat_release(Mat *m)
{
    free(m->v);
    m->v = NULL;
    m->rows = m->cols = 0;
}

size_t mat_size(const Mat *m) { return m->rows * m->cols; }

int mat_copy(Mat *dst, const Mat *src, SkErr *err)
{
    if (mat_alloc(dst, src->rows, src->cols, err))
        return -1;
    memcpy(dst->v, src->v, mat_size(src) * sizeof(float));
    return 0;
}

int mat_transpose(Mat *dst, const Mat *src, SkErr *err)
{
    if (mat_alloc(dst, src->cols, src->rows, err))
        return -1;
    for (size_t i = 0; i < src->rows; i++)
        for (size_t j = 0; j < src->cols; j++)
            MAT_AT(*dst, j, i) = MAT_AT(*src, i, j);
    return 0;
}

bool mat_all_finite(const Mat *m)
{
    size_t n = mat_size(m);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(m->v[i]))
            return false;
    return true;
}

void mat_subtract_row(Mat *m, const float *row)
{
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            MAT_AT(*m, i, j) -= row[j];
}
