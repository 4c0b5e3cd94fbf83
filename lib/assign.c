/* assign.c — Jonker–Volgenant linear assignment (see assign.h).
 *
 * Working problem: minimise Σ_i c[i, x(i)] over injective x, with
 * c = sign · w (sign = −1 to maximise), n rows ≤ m columns.
 * Dual variables: column prices v_j; a row's price is implicit,
 * u_i = min_j (c_ij − v_j).
 * Invariant kept by every phase (dual feasibility + complementary slackness):
 *   every assigned row i attains min_j (c_ij − v_j) at its own column, and
 *   every unassigned column has v_j = 0 ≥ every other v_j (prices start at 0
 *   and only fall, and only on assigned columns).
 * When all rows are assigned the matching is therefore optimal (LP duality).
 */
#include "assign.h"

#include "mat.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Weights w, n × m row-major, stored as float (wf) or double (wd). */
typedef struct {
    size_t n, m;
    const float *wf;
    const double *wd;
    double sign;
} Problem;

typedef struct {
    double *v;       /* m: column prices */
    double *d;       /* m: shortest path length from the current free row */
    double *row;     /* m: one row of costs c_i· in double (scratch) */
    long *row_col;   /* n: column of row i, or -1 */
    long *col_row;   /* m: row of column j, or -1 */
    long *pred;      /* m: row before column j on the shortest path */
    long *collist;   /* m: columns; [0,low) settled, [low,up) at the minimum, [up,m) to do */
    long *free_rows; /* n: rows still unassigned */
    size_t n_free;
} Solver;

/* The two smallest reduced costs of one row: u1 at j1 (lowest index among
 * equal minima), u2 at j2 (u2 = +inf, j2 = -1 when m = 1). */
typedef struct {
    double u1, u2;
    long j1, j2;
} TwoSmallest;

/* row[j] = c_ij = sign · w_ij for j < m (contiguous conversion to double). */
static void load_cost_row(const Problem *p, size_t i, double *row)
{
    if (p->wf) {
        const float *w = p->wf + i * p->m;
        for (size_t j = 0; j < p->m; j++)
            row[j] = p->sign * (double)w[j];
    } else {
        const double *w = p->wd + i * p->m;
        for (size_t j = 0; j < p->m; j++)
            row[j] = p->sign * w[j];
    }
}

static TwoSmallest two_smallest(const double *row, const double *v, size_t m)
{
    TwoSmallest t = {row[0] - v[0], INFINITY, 0, -1};
    for (size_t j = 1; j < m; j++) {
        double h = row[j] - v[j];
        if (h < t.u2) {
            if (h >= t.u1) {
                t.u2 = h;
                t.j2 = (long)j;
            } else {
                t.u2 = t.u1;
                t.j2 = t.j1;
                t.u1 = h;
                t.j1 = (long)j;
            }
        }
    }
    return t;
}

/* JV augmenting row reduction, one pass over the free rows: each row takes
 * its cheapest column j1 and lowers v_j1 until its second cheapest column is
 * as cheap (u2 − u1); a displaced owner is processed again at once (if the
 * price moved) or deferred. The number of immediate re-processings is capped
 * (float near-ties can make them cycle for long); capping only defers rows to
 * the augmentation phase, the invariant holds after every step. */
static void augmenting_row_reduction(const Problem *p, Solver *s)
{
    size_t k = 0, pending = s->n_free, budget = 16 * p->n + 1024;
    s->n_free = 0;
    long *fr = s->free_rows;
    while (k < pending) {
        long i = fr[k++];
        load_cost_row(p, (size_t)i, s->row);
        TwoSmallest t = two_smallest(s->row, s->v, p->m);
        long j = t.j1, i0 = s->col_row[j];
        bool price_moved = t.j2 >= 0 && t.u1 < t.u2;
        if (price_moved)
            s->v[j] -= t.u2 - t.u1;
        else if (i0 >= 0 && t.j2 >= 0) {
            j = t.j2;
            i0 = s->col_row[j];
        }
        s->row_col[i] = j;
        s->col_row[j] = i;
        if (i0 >= 0) {
            s->row_col[i0] = -1;
            if (price_moved && budget > 0) {
                budget--;
                fr[--k] = i0;
            } else {
                fr[s->n_free++] = i0;
            }
        }
    }
}

/* Move every column of collist[low, m) with the smallest d to [low, up);
 * returns that smallest d. Needs low < m. */
static double collect_minimum(Solver *s, size_t low, size_t m, size_t *up)
{
    long *cl = s->collist;
    size_t u = low;
    double dmin = s->d[cl[u++]];
    for (size_t k = u; k < m; k++) {
        long j = cl[k];
        double h = s->d[j];
        if (h <= dmin) {
            if (h < dmin) {
                u = low;
                dmin = h;
            }
            cl[k] = cl[u];
            cl[u++] = j;
        }
    }
    *up = u;
    return dmin;
}

static long first_unassigned(const Solver *s, size_t low, size_t up)
{
    for (size_t k = low; k < up; k++)
        if (s->col_row[s->collist[k]] < 0)
            return s->collist[k];
    return -1;
}

/* Dijkstra relaxation through row i (its costs in s->row), reached at path
 * length dmin; h = u_i − dmin. For each column still to do:
 * d_j = min(d_j, c_ij − v_j − h). A column reaching dmin joins the minimum
 * set, or ends the path if unassigned (returned; else -1). */
static long relax_row(Solver *s, long i, double h, double dmin, size_t *up, size_t m)
{
    const double *row = s->row, *v = s->v;
    long *cl = s->collist;
    size_t u = *up;
    for (size_t k = u; k < m; k++) {
        long j = cl[k];
        double dj = row[j] - v[j] - h;
        if (dj < s->d[j]) {
            s->pred[j] = i;
            if (dj == dmin) {
                if (s->col_row[j] < 0) {
                    *up = u;
                    return j;
                }
                cl[k] = cl[u];
                cl[u++] = j;
            }
            s->d[j] = dj;
        }
    }
    *up = u;
    return -1;
}

/* Shortest augmenting path from free_row (reduced costs c_ij − v_j − u_i
 * are ≥ 0), then price update of the settled columns and path flip. */
static void augment(const Problem *p, Solver *s, long free_row)
{
    size_t m = p->m, low = 0, up = 0, n_settled = 0;
    long *cl = s->collist;
    load_cost_row(p, (size_t)free_row, s->row);
    for (size_t j = 0; j < m; j++) {
        s->d[j] = s->row[j] - s->v[j];
        s->pred[j] = free_row;
        cl[j] = (long)j;
    }
    long end = -1;
    double dmin = 0.0;
    while (end < 0) {
        if (up == low) {
            n_settled = low;
            dmin = collect_minimum(s, low, m, &up);
            end = first_unassigned(s, low, up);
            if (end >= 0)
                break;
        }
        long j1 = cl[low++];
        long i = s->col_row[j1];
        load_cost_row(p, (size_t)i, s->row);
        double h = s->row[j1] - s->v[j1] - dmin;
        end = relax_row(s, i, h, dmin, &up, m);
    }
    /* v_j += d_j − dmin on settled columns keeps reduced costs ≥ 0 and makes the path tight */
    for (size_t k = 0; k < n_settled; k++) {
        long j = cl[k];
        s->v[j] += s->d[j] - dmin;
    }
    long i;
    do {
        i = s->pred[end];
        s->col_row[end] = i;
        long next = s->row_col[i];
        s->row_col[i] = end;
        end = next;
    } while (i != free_row);
}

static void solver_free(Solver *s)
{
    free(s->v);
    free(s->d);
    free(s->row);
    free(s->row_col);
    free(s->col_row);
    free(s->pred);
    free(s->collist);
    free(s->free_rows);
}

static int solver_alloc(Solver *s, size_t n, size_t m, SkErr *err)
{
    memset(s, 0, sizeof *s);
    s->v = calloc(m, sizeof *s->v);
    s->d = malloc(m * sizeof *s->d);
    s->row = malloc(m * sizeof *s->row);
    s->row_col = malloc(n * sizeof *s->row_col);
    s->col_row = malloc(m * sizeof *s->col_row);
    s->pred = malloc(m * sizeof *s->pred);
    s->collist = malloc(m * sizeof *s->collist);
    s->free_rows = malloc(n * sizeof *s->free_rows);
    if (!s->v || !s->d || !s->row || !s->row_col || !s->col_row || !s->pred || !s->collist ||
        !s->free_rows) {
        solver_free(s);
        return sk_fail(err, "assignment: out of memory (%zu x %zu)", n, m);
    }
    for (size_t i = 0; i < n; i++)
        s->row_col[i] = -1;
    for (size_t j = 0; j < m; j++)
        s->col_row[j] = -1;
    return 0;
}

/* Start: every row free, every price 0 (JV's column reduction and reduction
 * transfer were measured slower here: on 10 000² |N(0,1)| weights they left
 * ~6× more work for the augmentation phase, and they would give unassigned
 * columns of a rectangular problem non-zero prices). */
static void initialise(const Problem *p, Solver *s)
{
    for (size_t i = 0; i < p->n; i++)
        s->free_rows[i] = (long)i;
    s->n_free = p->n;
}

/* Solve the n ≤ m problem; row_col[i] receives row i's column. */
static int solve(const Problem *p, long *row_col, SkErr *err)
{
    Solver s;
    if (solver_alloc(&s, p->n, p->m, err))
        return -1;
    initialise(p, &s);
    for (int pass = 0; pass < 2 && s.n_free > 0; pass++)
        augmenting_row_reduction(p, &s);
    for (size_t f = 0; f < s.n_free; f++)
        augment(p, &s, s.free_rows[f]);
    memcpy(row_col, s.row_col, p->n * sizeof *row_col);
    solver_free(&s);
    return 0;
}

static int check_finite(const float *wf, const double *wd, size_t count, SkErr *err)
{
    for (size_t k = 0; k < count; k++) {
        double x = wf ? (double)wf[k] : wd[k];
        if (!isfinite(x))
            return sk_fail(err, "assignment: weight %zu is %s", k, isnan(x) ? "NaN" : "infinite");
    }
    return 0;
}

/* Transposed copy (cols × rows) of a rows × cols matrix, float or double,
 * in 64 × 64 tiles so both sides stay in cache. */
#define TRANSPOSE_TILE 64
static void *transposed_copy(const float *wf, const double *wd, size_t rows, size_t cols)
{
    void *t = malloc(rows * cols * (wf ? sizeof(float) : sizeof(double)));
    if (!t)
        return NULL;
    float *tf = t;
    double *td = t;
    for (size_t i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE)
        for (size_t j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE) {
            size_t i1 = i0 + TRANSPOSE_TILE < rows ? i0 + TRANSPOSE_TILE : rows;
            size_t j1 = j0 + TRANSPOSE_TILE < cols ? j0 + TRANSPOSE_TILE : cols;
            for (size_t i = i0; i < i1; i++)
                for (size_t j = j0; j < j1; j++) {
                    if (wf)
                        tf[j * rows + i] = wf[i * cols + j];
                    else
                        td[j * rows + i] = wd[i * cols + j];
                }
        }
    return t;
}

/* Common driver: validates, transposes a tall problem, maps the answer back. */
static int assign_solve(const float *wf, const double *wd, size_t rows, size_t cols,
                        AssignSense sense, long *col_of_row, SkErr *err)
{
    size_t count;
    if (!sk_mul_size(rows, cols, &count) || !sk_mul_size(count, sizeof(double), &count))
        return sk_fail(err, "assignment: %zu x %zu is too large", rows, cols);
    for (size_t i = 0; i < rows; i++)
        col_of_row[i] = -1;
    if (rows == 0 || cols == 0)
        return 0;
    if (check_finite(wf, wd, rows * cols, err))
        return -1;
    Problem p = {rows, cols, wf, wd, sense == ASSIGN_MAXIMIZE ? -1.0 : 1.0};
    if (rows <= cols)
        return solve(&p, col_of_row, err);

    void *t = transposed_copy(wf, wd, rows, cols);
    long *row_of_col = malloc(cols * sizeof *row_of_col);
    if (!t || !row_of_col) {
        free(t);
        free(row_of_col);
        return sk_fail(err, "assignment: out of memory (%zu x %zu)", rows, cols);
    }
    p.n = cols;
    p.m = rows;
    p.wf = wf ? t : NULL;
    p.wd = wf ? NULL : t;
    int rc = solve(&p, row_of_col, err);
    if (rc == 0)
        for (size_t j = 0; j < cols; j++)
            col_of_row[row_of_col[j]] = (long)j;
    free(t);
    free(row_of_col);
    return rc;
}

int assign_solve_f64(const double *w, size_t rows, size_t cols, AssignSense sense,
                     long *col_of_row, SkErr *err)
{
    return assign_solve(NULL, w, rows, cols, sense, col_of_row, err);
}

int assign_solve_f32(const float *w, size_t rows, size_t cols, AssignSense sense,
                     long *col_of_row, SkErr *err)
{
    return assign_solve(w, NULL, rows, cols, sense, col_of_row, err);
}

int assign_max_f64(const double *w, size_t rows, size_t cols, long *col_of_row, SkErr *err)
{
    return assign_solve(NULL, w, rows, cols, ASSIGN_MAXIMIZE, col_of_row, err);
}

double assign_total_f64(const double *w, size_t rows, size_t cols, const long *col_of_row)
{
    double total = 0.0;
    for (size_t i = 0; i < rows; i++)
        if (col_of_row[i] >= 0)
            total += w[i * cols + (size_t)col_of_row[i]];
    return total;
}
