/* mat.h — dense float32 matrices, row-major (samples as rows). */
#ifndef SK_MAT_H
#define SK_MAT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* rows × cols, element (i, j) at v[i * cols + j]. A Mat with v == NULL is empty. */
typedef struct {
    size_t rows, cols;
    float *v;
} Mat;

#define MAT_AT(m, i, j) ((m).v[(size_t)(i) * (m).cols + (size_t)(j)])

/* Allocate a zeroed rows × cols matrix; fails (with a message) on overflow or OOM. */
int mat_alloc(Mat *m, size_t rows, size_t cols, SkErr *err);
/* Free and reset to empty; safe on an empty Mat. */
void mat_release(Mat *m);
/* Deep copy. */
int mat_copy(Mat *dst, const Mat *src, SkErr *err);
/* dst = srcᵀ (allocates dst). */
int mat_transpose(Mat *dst, const Mat *src, SkErr *err);
/* m[i, j] -= row[j] for every row i (row has m->cols values). */
void mat_subtract_row(Mat *m, const float *row);
/* True when every element is finite. */
bool mat_all_finite(const Mat *m);
/* Number of elements, rows*cols. */
size_t mat_size(const Mat *m);
/* Overflow-checked a*b; returns false on overflow. */
bool sk_mul_size(size_t a, size_t b, size_t *out);

#endif
