/* assign_sparse.h — exact maximum-weight assignment on a sparse candidate
 * graph, with a certificate that the result is also optimal for the dense
 * problem the candidates were drawn from.
 *
 * Problem: rows ≤ cols; each row i lists candidate columns with weights
 * (CSR: ptr[i] .. ptr[i+1] into col[], w[]); every weight a row does not list
 * is at most bound[i] (e.g. the smallest of its top-m kept weights). Find an
 * assignment of every row to a distinct candidate column maximising Σ w.
 *
 * Algorithm: successive shortest augmenting paths (Dijkstra with a binary
 * heap over reduced costs) from each free row, on costs c = −w, with row
 * potentials u and column prices v kept dual-feasible:
 *   c_ij − u_i − v_j ≥ 0 on every candidate edge, = 0 on matched edges,
 *   v_j ≤ 0 always and v_j = 0 on unmatched columns,
 * so the matching is optimal among candidate edges (LP duality). Only the
 * rows and columns a search touches are visited: cost ~ Σ (edges reached).
 * Certificate: a non-candidate pair (i, j) has c_ij ≥ −bound[i] and
 * u_i + v_j ≤ u_i, so if u_i ≤ −bound[i] for every row the duals stay
 * feasible for the dense problem, and the matching is its optimum too.
 */
#ifndef SK_ASSIGN_SPARSE_H
#define SK_ASSIGN_SPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef struct {
    size_t rows, cols;
    const size_t *ptr;    /* rows + 1 */
    const long *col;      /* ptr[rows] candidate columns, each < cols, distinct within a row */
    const double *w;      /* their weights (finite) */
    const double *bound;  /* rows: every unlisted weight of row i is ≤ bound[i]; NULL: no certificate */
} SparseAssignProblem;

typedef struct {
    bool complete;        /* every row matched (else the graph has no complete matching) */
    bool certified;       /* bound given and the duals prove dense optimality */
    size_t uncertified;   /* rows whose certificate inequality fails */
    double total;         /* Σ matched weights */
    double gap;           /* bound given and complete: the dense optimum is at most
                             total + gap (0 when certified; see below) */
} SparseAssignResult;

/* col_of_row (rows entries) gets each row's column. When the candidate graph
 * admits no complete matching, returns 0 with result->complete false and
 * col_of_row holding a maximal partial matching's columns (-1 elsewhere).
 * Fails only on bad input (sizes, non-finite weights, columns out of range)
 * or out of memory. */
int assign_sparse_max(const SparseAssignProblem *p, long *col_of_row, SparseAssignResult *result,
                      SkErr *err);

/* The gap, when some rows fail the certificate: lowering each such u_i to
 * −bound[i] keeps every candidate edge dual-feasible and makes every
 * unlisted one feasible, so Σ u' + Σ v bounds the dense minimum cost from
 * below. The matching's cost is Σ u + Σ v (matched edges tight, unmatched
 * columns priced 0), so the dense maximum weight lies in
 * [total, total + Σ_i max(0, u_i + bound[i])]. */

#endif
