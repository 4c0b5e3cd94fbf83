/* assign_sparse.c — shortest augmenting paths on a sparse candidate graph
 * (see assign_sparse.h for the problem, the invariants and the certificate).
 * Costs c = −w; reduced cost of candidate edge (i, j): c_ij − u_i − v_j ≥ 0. */
#include "assign_sparse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A binary min-heap of (distance, column) with lazy deletion. */
typedef struct {
    double *key;
    long *col;
    size_t n, cap;
} Heap;

static void heap_push(Heap *h, double key, long col)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->key[parent] <= key)
            break;
        h->key[i] = h->key[parent];
        h->col[i] = h->col[parent];
        i = parent;
    }
    h->key[i] = key;
    h->col[i] = col;
}

static void heap_pop(Heap *h, double *key, long *col)
{
    *key = h->key[0];
    *col = h->col[0];
    double last_key = h->key[--h->n];
    long last_col = h->col[h->n];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->n)
            break;
        if (child + 1 < h->n && h->key[child + 1] < h->key[child])
            child++;
        if (h->key[child] >= last_key)
            break;
        h->key[i] = h->key[child];
        h->col[i] = h->col[child];
        i = child;
    }
    if (h->n > 0) {
        h->key[i] = last_key;
        h->col[i] = last_col;
    }
}

typedef struct {
    const SparseAssignProblem *p;
    double *u, *v;           /* row potentials (rows), column prices (cols) */
    double *dist;            /* cols: tentative path length, INFINITY when untouched */
    long *row_col, *col_row; /* the matching (-1: free) */
    long *pred;              /* cols: the row before column j on its path */
    unsigned char *done;     /* cols: distance final in this search */
    long *touched;           /* columns given a finite distance in this search */
    size_t n_touched;
    long *settled;           /* columns finalised in this search, in order */
    size_t n_settled;
    Heap heap;
} Solver;

static void solver_free(Solver *s)
{
    free(s->u);
    free(s->v);
    free(s->dist);
    free(s->row_col);
    free(s->col_row);
    free(s->pred);
    free(s->done);
    free(s->touched);
    free(s->settled);
    free(s->heap.key);
    free(s->heap.col);
}

static int solver_alloc(Solver *s, const SparseAssignProblem *p, SkErr *err)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    size_t n = p->rows, m = p->cols, e = p->ptr[n];
    s->u = calloc(n + 1, sizeof *s->u);
    s->v = calloc(m + 1, sizeof *s->v);
    s->dist = malloc((m + 1) * sizeof *s->dist);
    s->row_col = malloc((n + 1) * sizeof *s->row_col);
    s->col_row = malloc((m + 1) * sizeof *s->col_row);
    s->pred = malloc((m + 1) * sizeof *s->pred);
    s->done = calloc(m + 1, 1);
    s->touched = malloc((m + 1) * sizeof *s->touched);
    s->settled = malloc((m + 1) * sizeof *s->settled);
    s->heap.key = malloc((e + 1) * sizeof *s->heap.key);
    s->heap.col = malloc((e + 1) * sizeof *s->heap.col);
    s->heap.cap = e + 1;
    if (!s->u || !s->v || !s->dist || !s->row_col || !s->col_row || !s->pred || !s->done ||
        !s->touched || !s->settled || !s->heap.key || !s->heap.col) {
        solver_free(s);
        return sk_fail(err, "sparse assignment: out of memory (%zu rows, %zu candidates)", n, e);
    }
    for (size_t j = 0; j < m; j++) {
        s->dist[j] = INFINITY;
        s->col_row[j] = -1;
    }
    for (size_t i = 0; i < n; i++)
        s->row_col[i] = -1;
    return 0;
}

/* u_i = min over row i's candidates of c_ij = −w_ij (reduced costs ≥ 0 at v = 0). */
static void initial_potentials(Solver *s)
{
    const SparseAssignProblem *p = s->p;
    for (size_t i = 0; i < p->rows; i++) {
        double best = 0.0;
        for (size_t e = p->ptr[i]; e < p->ptr[i + 1]; e++)
            if (e == p->ptr[i] || -p->w[e] < best)
                best = -p->w[e];
        s->u[i] = best;
    }
}

/* Relax the candidate edges of row i, reached at path length base. */
static void relax_row(Solver *s, size_t i, double base)
{
    const SparseAssignProblem *p = s->p;
    for (size_t e = p->ptr[i]; e < p->ptr[i + 1]; e++) {
        long j = p->col[e];
        if (s->done[j])
            continue;
        double reduced = -p->w[e] - s->u[i] - s->v[j];
        double d = base + (reduced > 0.0 ? reduced : 0.0); /* rounding may give −0 */
        if (d < s->dist[j]) {
            if (s->dist[j] == INFINITY)
                s->touched[s->n_touched++] = j;
            s->dist[j] = d;
            s->pred[j] = (long)i;
            heap_push(&s->heap, d, j);
        }
    }
}

/* Dijkstra from free row `start` to the nearest free column; returns it (its
 * distance in *delta), or -1 when no free column is reachable. */
static long shortest_path(Solver *s, size_t start, double *delta)
{
    relax_row(s, start, 0.0);
    while (s->heap.n > 0) {
        double d;
        long j;
        heap_pop(&s->heap, &d, &j);
        if (s->done[j] || d > s->dist[j])
            continue;
        if (s->col_row[j] < 0) {
            *delta = d;
            return j;
        }
        s->done[j] = 1;
        s->settled[s->n_settled++] = j;
        relax_row(s, (size_t)s->col_row[j], d);
    }
    return -1;
}

/* Prices of settled columns fall and their rows' potentials rise by δ − d_j
 * (the start row's by δ), keeping matched edges tight; then flip the path. */
static void update_and_augment(Solver *s, size_t start, long end, double delta)
{
    for (size_t k = 0; k < s->n_settled; k++) {
        long j = s->settled[k];
        double gain = delta - s->dist[j];
        s->v[j] -= gain;
        s->u[s->col_row[j]] += gain;
    }
    s->u[start] += delta;
    for (long j = end;;) {
        long i = s->pred[j], next = s->row_col[i];
        s->row_col[i] = j;
        s->col_row[j] = i;
        if ((size_t)i == start)
            break;
        j = next;
    }
}

static void reset_search(Solver *s)
{
    for (size_t k = 0; k < s->n_touched; k++) {
        s->dist[s->touched[k]] = INFINITY;
        s->done[s->touched[k]] = 0;
    }
    s->n_touched = s->n_settled = 0;
    s->heap.n = 0;
}

static int check_problem(const SparseAssignProblem *p, SkErr *err)
{
    if (p->rows > p->cols)
        return sk_fail(err, "sparse assignment: %zu rows exceed %zu columns", p->rows, p->cols);
    if (p->ptr[0] != 0)
        return sk_fail(err, "sparse assignment: row offsets must start at 0");
    for (size_t i = 0; i < p->rows; i++) {
        if (p->ptr[i + 1] < p->ptr[i])
            return sk_fail(err, "sparse assignment: row offsets decrease at row %zu", i);
        for (size_t e = p->ptr[i]; e < p->ptr[i + 1]; e++) {
            if (p->col[e] < 0 || (size_t)p->col[e] >= p->cols)
                return sk_fail(err, "sparse assignment: row %zu names column %ld of %zu", i,
                               p->col[e], p->cols);
            if (!isfinite(p->w[e]))
                return sk_fail(err, "sparse assignment: non-finite weight in row %zu", i);
        }
    }
    return 0;
}

/* Rows whose potential is above −bound[i] (tolerance 1e-9 for the rounding
 * of the potential updates): their unlisted weights are not ruled out.
 * *gap = Σ over them of u_i + bound[i] (assign_sparse.h: how far the dense
 * optimum may lie above the matching). */
static size_t count_uncertified(const Solver *s, double *gap)
{
    const SparseAssignProblem *p = s->p;
    size_t bad = 0;
    *gap = 0.0;
    for (size_t i = 0; i < p->rows; i++)
        if (s->u[i] > -p->bound[i] + 1e-9) {
            bad++;
            *gap += s->u[i] + p->bound[i];
        }
    return bad;
}

int assign_sparse_max(const SparseAssignProblem *p, long *col_of_row, SparseAssignResult *result,
                      SkErr *err)
{
    memset(result, 0, sizeof *result);
    Solver s;
    if (check_problem(p, err) || solver_alloc(&s, p, err))
        return -1;
    initial_potentials(&s);
    result->complete = true;
    for (size_t i = 0; i < p->rows; i++) {
        double delta;
        long end = shortest_path(&s, i, &delta);
        if (end >= 0)
            update_and_augment(&s, i, end, delta);
        else
            result->complete = false;
        reset_search(&s);
    }
    for (size_t i = 0; i < p->rows; i++) {
        col_of_row[i] = s.row_col[i];
        if (s.row_col[i] >= 0)
            for (size_t e = p->ptr[i]; e < p->ptr[i + 1]; e++)
                if (p->col[e] == s.row_col[i])
                    result->total += p->w[e];
    }
    if (p->bound && result->complete) {
        result->uncertified = count_uncertified(&s, &result->gap);
        result->certified = result->uncertified == 0;
    }
    solver_free(&s);
    return 0;
}
