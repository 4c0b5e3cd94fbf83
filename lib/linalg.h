/* linalg.h — small dense double-precision linear algebra (row-major, n × n). */
#ifndef SK_LINALG_H
#define SK_LINALG_H

#include <stddef.h>

#include "err.h"

/* Symmetric eigendecomposition by cyclic Jacobi rotations: on return
 * eigenvalues[0..n) are in descending order and column j of vectors (n × n,
 * row-major) is the unit eigenvector of eigenvalues[j]. a is overwritten. */
int sym_eig(double *a, size_t n, double *eigenvalues, double *vectors, SkErr *err);

/* Largest eigenvalue of a symmetric positive semi-definite n × n matrix. */
int sym_eig_max(const double *a, size_t n, double *lambda_max, SkErr *err);

/* In-place Cholesky a = L Lᵀ (lower triangle holds L). Fails if a is not
 * positive definite. */
int cholesky(double *a, size_t n, SkErr *err);
/* Solve L Lᵀ x = b for nrhs right-hand sides stored as rows of b (nrhs × n), in place. */
void cholesky_solve_rows(const double *l, size_t n, double *b, size_t nrhs);

#endif
