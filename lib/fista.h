/* fista.h — batched non-negative FISTA (SPEC §3).
 *
 * Per row y (1 × d_y) of Y (n × d_y), with dictionary D (d_y × d_z, atoms are
 * columns):   min_z ½‖y − D z‖² + λ‖z‖₁  subject to z ≥ 0   (z is 1 × d_z).
 *
 *   L = max(‖D‖₂², 1e-8), θ = λ/L;   z = 0 (or z_init), x = z, t = 1;
 *   repeat `iters` times:
 *     g  = Dᵀ(D x − y)                       (∇ of the smooth part at x)
 *     z⁺ = max(0, x − g/L − θ)               (= max(0, soft(x − g/L, θ)))
 *     t⁺ = (1 + √(1 + 4t²)) / 2
 *     x  = z⁺ + ((t − 1)/t⁺)(z⁺ − z);  z = z⁺;  t = t⁺
 * Exactly `iters` iterations: no restart, no stopping test.
 *
 * Batched, rows are independent, so the solver runs each block of rows through
 * all iterations before the next block (buffers stay bounded and cache-warm).
 * The gradient of a block (m rows) is computed in one of three exact ways,
 * chosen per iteration by estimated cost (or forced with FistaOptions.product):
 *   DENSE   R = X Dᵀ − Y (gemm, m×d_y), G = R D (gemm, m×d_z): 4·m·d_y·d_z flops
 *   SPARSE  R from the non-zeros of X (row j of Dᵀ per non-zero: 2·nnz·d_y),
 *           then G = R D (gemm): 2·m·d_y·d_z + 2·nnz·d_y flops
 *   GRAM    G = X (DᵀD) − Y D (Y D formed once per block): 2·m·d_z² flops;
 *           only pays when d_z is small against d_y (e.g. d_y ≈ d_z).
 * All products run through sk_gemm. Threads: either BLIS threads each product
 * (FistaOptions.threads ≤ 1), or FistaOptions.threads workers take row blocks
 * in turn, each running everything (products single-threaded) for its block:
 * no fork/join per product, and the non-gemm work runs in parallel too.
 * Results do not depend on the thread count: the automatic block_rows does
 * not either (a block count that is a multiple of 16 when rows allow).
 * Computation is float32 like the paper; L comes from a double eigen solve
 * rounded like a float32 spectral norm (see fista_lipschitz).
 */
#ifndef SK_FISTA_H
#define SK_FISTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

typedef enum {
    FISTA_PRODUCT_AUTO = 0, /* cheapest per iteration (the default) */
    FISTA_PRODUCT_DENSE,    /* factored, two dense gemms */
    FISTA_PRODUCT_SPARSE,   /* factored, sparse X Dᵀ + dense gemm */
    FISTA_PRODUCT_GRAM      /* through DᵀD */
} FistaProduct;

/* Progress: called after every iteration of every row block with the work
 * done so far and the total, both counted in iterations × row blocks
 * (done == total at the end). With worker threads it is called from them,
 * one call at a time. */
typedef void (*FistaProgressFn)(void *user, long done, long total);

/* What a solve executed (for benchmarks and tests), accumulated across solves. */
typedef struct {
    double flops;                               /* gradient flops actually executed */
    long iters_dense, iters_sparse, iters_gram; /* block-iterations by product */
} FistaStats;

typedef struct {
    float lambda;            /* λ ≥ 0 (default 0.1) */
    int iters;               /* ≥ 0 (default 100) */
    bool warm;               /* z holds the initial codes on entry (unclamped) */
    FistaProduct product;    /* default AUTO */
    size_t block_rows;       /* rows per block; 0 = automatic (thread-independent) */
    int threads;             /* worker threads over row blocks; 0 or 1 = none (the
                                products then use sk_gemm's own threading). With
                                more, each worker runs single-threaded products:
                                BLIS is set to 1 thread during the solve and its
                                previous setting restored after. */
    FistaProgressFn progress;
    void *progress_user;
    FistaStats *stats;       /* when non-NULL, counts are added here */
    /* Snapshots (none when n_snapshots = 0): snapshots[s] (n × d_z, allocated
     * by the caller) receives the codes z after exactly snapshot_iters[s]
     * iterations of this solve, 0 meaning the initial codes (0, or z on entry
     * when warm), so snapshot N equals a separate solve with iters = N. Every
     * snapshot_iters[s] must lie in [0, iters]; repeats are allowed. */
    const int *snapshot_iters;
    size_t n_snapshots;
    Mat *snapshots;
} FistaOptions;

/* λ = 0.1, 100 iterations, cold start, automatic product and blocks, no progress,
 * no snapshots. */
void fista_options_default(FistaOptions *opt);

/* L = max(σ_max(D)², 1e-8) as the paper computes it in float32:
 * σ_max² is the top eigenvalue of the smaller Gram (D Dᵀ or DᵀD) in double,
 * σ_max = (float)sqrt(·), L = σ_max · σ_max in float. */
int fista_lipschitz(const Mat *d, float *lipschitz, SkErr *err);

/* What FISTA derives from one dictionary, reusable across solves with that D
 * (DL-FISTA solves val and OOD with the same D each round). */
typedef struct {
    Mat d;          /* borrowed view of D (d_y × d_z); not owned */
    float lipschitz;
    Mat dt;         /* Dᵀ (d_z × d_y): column j of D as a contiguous row */
    Mat gram;       /* DᵀD (d_z × d_z) when the GRAM product may be used, else empty */
} FistaDict;

/* Prepare D for solves. product says which kernels may be used: the Gram
 * matrix is built only when product is GRAM, or AUTO and it can pay. D must
 * stay alive and unchanged while fd is used. */
int fista_dict_prepare(FistaDict *fd, const Mat *d, FistaProduct product, SkErr *err);
void fista_dict_release(FistaDict *fd);

/* Scratch buffers (grown on demand, kept between calls to avoid reallocation).
 * Zero-initialise with fista_work_init, free with fista_work_release. */
typedef struct {
    size_t cap_wide, cap_yd, cap_narrow, cap_rows; /* element capacities */
    float *x;          /* momentum point, block × d_z */
    float *g;          /* −∇/L, block × d_z */
    float *yd;         /* (Y D)/L for the GRAM product, block × d_z */
    float *y;          /* the block's y − b, block × d_y */
    float *r;          /* residual X Dᵀ − Y, block × d_y */
    uint32_t *nz;      /* per row: column indices of the non-zeros of x, block × d_z */
    size_t *nnz;       /* per row: count of those indices */
} FistaWork;

void fista_work_init(FistaWork *w);
void fista_work_release(FistaWork *w);

/* Solve every row of y (n × d_y) with the prepared dictionary; bias (1 × d_y,
 * may be NULL) is subtracted first, so the solver works on y − b.
 * z (n × d_z, allocated by the caller): on entry the initial codes when
 * opt->warm (else ignored), on return the codes after opt->iters iterations.
 * work may be NULL (then buffers are allocated for this call). */
int fista_solve_prepared(const FistaDict *fd, const Mat *y, const float *bias,
                         const FistaOptions *opt, Mat *z, FistaWork *work, SkErr *err);

/* One-shot: prepare D, solve, release. */
int fista_solve(const Mat *d, const Mat *y, const float *bias, const FistaOptions *opt,
                Mat *z, SkErr *err);

/* Rows per block of a solve of n rows with a d_y × d_z dictionary:
 * opt->block_rows (at most n) when set, else the automatic choice (32 to 1024
 * rows, about 2^21 elements per block × d_z buffer, at least 128 rows when D
 * is larger than 8 MB; thread-independent). Rows are independent
 * and each block is solved on its own, so solving the rows in consecutive
 * slices whose sizes are multiples of this (with block_rows set to it) gives
 * the same codes, bit for bit, as one solve of all n rows. */
size_t fista_block_rows(const FistaOptions *opt, size_t n, size_t dy, size_t dz);

/* Threads for FISTA on rows samples with a d_y × d_z dictionary (DL-FISTA's
 * passes too): requested when non-zero; else one below ~1 GFLOP of gradient
 * work, 4 · rows · d_y · d_z per iteration (iters, at least 1), where BLIS's
 * fork and join at every product cost more than they save (much more on a
 * busy machine); else sk_default_threads(). Results do not depend on it. */
int fista_threads(long requested, size_t rows, size_t dy, size_t dz, long iters);

#endif
