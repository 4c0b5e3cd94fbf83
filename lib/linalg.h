/* linalg.h — small dense double-precision linear algebra (row-major): the
 * symmetric eigenproblem, Cholesky, LU, least squares and non-negative least
 * squares. */
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

/* ---- dense solves (support-refit's per-sample solvers, SPEC §5.4) ----
 * The least-squares problems take a d_y × s matrix D by its columns stored as
 * rows: dts is s × d_y, row-major, double (Dᵀ); r has d_y values. */

/* Solve a x = b in place (a: n × n row-major, destroyed; b: n, becomes x) by
 * LU with partial pivoting. Fails on an exactly zero pivot. */
int lu_solve_f64(double *a, size_t n, double *b, SkErr *err);

/* Eigenvalues of a Gram at or below this × the largest count as 0 in
 * lstsq_min_norm (singular values below ~3e-7 σ_max: below the float32
 * precision of D). */
#define LSTSQ_EIG_RTOL 1e-13

/* Minimum-norm least squares x (s) = D⁺ r: through Cholesky of the smaller
 * Gram (DᵀD when s ≤ d_y, else D Dᵀ) when it is well conditioned, else
 * through its eigendecomposition with eigenvalues ≤ 1e-13 λ_max dropped. */
int lstsq_min_norm(const double *dts, size_t s, size_t dy, const double *r, double *x,
                   SkErr *err);

/* Non-negative least squares x (s) ≥ 0 minimising ‖D x − r‖ (Lawson–Hanson
 * active set; the subproblems by Cholesky, or the minimum-norm solution when
 * the passive columns are dependent). On return the KKT conditions hold to
 * the solver's tolerance: w = Dᵀ(r − D x) ≤ tol everywhere, |w_j| ≤ tol
 * where x_j > 0. *iterations (may be NULL) receives the outer iterations. */
int nnls_solve(const double *dts, size_t s, size_t dy, const double *r, double *x,
               size_t *iterations, SkErr *err);

#endif
