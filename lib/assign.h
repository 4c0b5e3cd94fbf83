/* assign.h — exact linear assignment (the "Hungarian" step of the metrics).
 *
 * Given a dense weight matrix W (rows × cols, row-major), find a one-to-one
 * matching of min(rows, cols) rows to columns that maximises (or minimises)
 * the summed weight: the same optimum scipy.optimize.linear_sum_assignment finds.
 *
 * Algorithm: Jonker–Volgenant (1987): two passes of augmenting row
 * reduction from zero prices, then shortest augmenting paths (Dijkstra on
 * reduced costs) for the rows still free. The same code serves square and
 * rectangular problems (the wide side becomes the columns, transposing if
 * needed): an unassigned column's price stays 0, so the result is optimal.
 * (JV's column reduction + reduction transfer start was measured slower on
 * the metrics' matrices and is not used.)
 * Costs are read in their own type (float or double), dual variables and path
 * lengths are double. Optimality is exact for costs whose sums are exact in
 * double (e.g. integers, as in the tests); otherwise it is exact up to double
 * rounding of the dual updates. Ties never break optimality: any one of the
 * optimal matchings may be returned.
 *
 * NaN or infinite weights are rejected with an error.
 */
#ifndef SK_ASSIGN_H
#define SK_ASSIGN_H

#include <stddef.h>

#include "err.h"

typedef enum { ASSIGN_MAXIMIZE, ASSIGN_MINIMIZE } AssignSense;

/* w: rows × cols doubles, row-major. On success col_of_row[i] (rows entries)
 * is the column matched to row i, or -1 when rows > cols and row i is left
 * out (exactly rows − cols rows are then left out). Fails on non-finite
 * weights or out of memory. rows or cols may be 0 (nothing is matched). */
int assign_solve_f64(const double *w, size_t rows, size_t cols, AssignSense sense,
                     long *col_of_row, SkErr *err);

/* Same for float weights (no double copy of a large matrix is made; a
 * transposed float copy is made only when rows > cols). */
int assign_solve_f32(const float *w, size_t rows, size_t cols, AssignSense sense,
                     long *col_of_row, SkErr *err);

/* Convenience: maximum-weight assignment of doubles (scipy's maximize=True). */
int assign_max_f64(const double *w, size_t rows, size_t cols, long *col_of_row, SkErr *err);

/* Σ_i w[i, col_of_row[i]] over matched rows (double accumulation). */
double assign_total_f64(const double *w, size_t rows, size_t cols, const long *col_of_row);

#endif
