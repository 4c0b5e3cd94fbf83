/* dlfista.h — DL-FISTA dictionary learning (SPEC §3 "DL-FISTA").
 *
 * Y_val (n × d_y) and Y_ood (m × d_y) samples as rows; dictionary D (d_y × p,
 * atoms are columns; p = d_z for a random init, any width for a given one).
 *
 *   D = init (random: N(0,1), unit columns);  Z_val = 0, Z_ood = 0
 *   round r = 0, 1, …, rounds − 1:
 *     1. Z_val = FISTA(D, Y_val, warm from Z_val), Z_ood = FISTA(D, Y_ood, warm
 *        from Z_ood)   (λ, iters; momentum restarts, t = 1, every round)
 *     2. D_old = D;  D = Y_valᵀ Z_val (Z_valᵀ Z_val + ρ I)⁻¹   (ρ = 1e-6)
 *        then every column divided by max(‖col‖, 1e-8)
 *     3. stop when ‖D − D_old‖_F / ‖D_old‖_F < tol (1e-5) and r > min_round (10)
 * Returned: the codes of the last FISTA pass (inferred with D_old) and the
 * updated D. rounds = 0 runs one FISTA pass and no update (codes on the init
 * dictionary, D unchanged): "a budget of N rounds" (SPEC §5.2) = N FISTA
 * passes, pass N's codes inferred with the dictionary after N − 1 updates,
 * and budgets 0 and 1 give the same codes.
 *
 * The update is solved exactly (Cholesky, never a truncated pseudo-inverse):
 * a latent never active in Z_val gets an exactly-zero column (+0.0f), which
 * then stays zero, and its val codes stay zero (no re-initialisation).
 * Solvers (DlFistaSolve):
 *   F64 (default): double precision. With the sparse Z (≈ k non-zeros per
 *     row) it forms, whichever is smaller,
 *       primal  G = ZᵀZ + ρI (p × p),  Dᵀ = G⁻¹ (Zᵀ Y)              when p ≤ n
 *       dual    K = Z Zᵀ + ρI (n × n), Dᵀ = Zᵀ (K⁻¹ Y)               when n < p
 *     (the same matrix: (ZᵀZ + ρI)⁻¹ Zᵀ = Zᵀ (ZZᵀ + ρI)⁻¹), by sparse outer
 *     products, then a blocked Cholesky whose updates run through BLIS.
 *   F32 (the paper's arithmetic, SPEC §7): primal Gram and Cholesky solve in
 *     float32. When n < p the p × p Gram is singular up to ρ, whose 1e-6 lies
 *     below float32 rounding of the Gram, so this solve is dominated by
 *     rounding noise in Z's null space (as the paper's presumably was). When
 *     rounding makes a float32 pivot ≤ 0 the factorisation breaks down (the
 *     paper's LU solve would have returned noise); that round is solved by
 *     F64 instead and counted in DlFistaTimes.f32_fallbacks.
 */
#ifndef SK_DLFISTA_H
#define SK_DLFISTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

/* The rng stream of the initial dictionary (Softplus-Adam shares it through
 * dlfista_init_dict). */
enum { DLFISTA_STREAM_INIT = 16 };

/* D (d_y × d_z, allocated here): i.i.d. N(0, 1) drawn row-major from
 * rng_init(seed, DLFISTA_STREAM_INIT), then every column divided by its L2
 * norm (norm in double, floor 1e-8). */
int dlfista_init_dict(uint64_t seed, size_t d_y, size_t d_z, Mat *d, SkErr *err);

typedef enum {
    DLFISTA_SOLVE_F64 = 0, /* exact, double, smaller of primal/dual (default) */
    DLFISTA_SOLVE_F32      /* the paper's float32 primal solve */
} DlFistaSolve;

/* Seconds spent, accumulated over rounds (for benchmarks and progress). */
typedef struct {
    double fista;     /* both FISTA passes, including fista_dict_prepare */
    double gram;      /* Zᵀ Y and the Gram (sparse outer products) */
    double cholesky;  /* factorisation */
    double solve;     /* triangular solves, back-substitution Zᵀ W */
    double rest;      /* normalisation, change, checks */
    double chol_flops; /* n³/3 of each factorisation, summed */
    long f32_fallbacks; /* F32 rounds whose Cholesky broke down, solved in F64 */
} DlFistaTimes;

/* After each FISTA pass (and the update that followed it, if any). */
typedef struct {
    long pass;            /* 1-based number of this FISTA pass */
    long round;           /* 0-based round index = pass − 1 */
    const Mat *d_used;    /* the dictionary the codes were inferred with */
    const Mat *z_val, *z_ood;  /* this pass's codes (z_ood NULL without OOD) */
    const Mat *d;         /* the dictionary after this round's update, or
                             d_used when no update followed (rounds = 0) */
    bool updated;         /* an update followed this pass */
    double rel_change;    /* ‖D − D_old‖_F / ‖D_old‖_F of that update (0 when none) */
    bool last;            /* this is the final pass */
} DlFistaRound;

/* Return non-zero (with err set) to stop the run with that error. */
typedef int (*DlFistaRoundFn)(void *user, const DlFistaRound *r, SkErr *err);

typedef struct {
    float lambda;      /* FISTA λ (0.1) */
    int iters;         /* FISTA iterations per pass (100) */
    long rounds;       /* maximum rounds = updates (1000); 0 = one pass, no update */
    double tol;        /* relative change to stop (1e-5) */
    long min_round;    /* stop only when the 0-based round index > this (10) */
    double ridge;      /* ρ (1e-6) */
    DlFistaSolve solve;
    int threads;       /* FISTA worker threads (0/1: BLIS threads each product);
                          results do not depend on it (FISTA's row blocks are
                          chosen independently of the thread count) */
    DlFistaRoundFn on_round;
    void *user;
    DlFistaTimes *times; /* when non-NULL, seconds are added here */
} DlFistaOptions;

/* The SPEC defaults above, no callback. */
void dlfista_options_default(DlFistaOptions *opt);

typedef struct {
    long rounds_run;      /* updates done (0 when rounds = 0) */
    long passes;          /* FISTA passes = max(rounds_run, 1) */
    long f32_fallbacks;   /* F32 rounds solved in F64 after a Cholesky breakdown */
    bool converged;       /* stopped by the tolerance, not by the round budget */
    double *rel_change;   /* per round, rounds_run values (malloc'ed) */
} DlFistaResult;

void dlfista_result_release(DlFistaResult *r);

/* Learn. d: on entry the initial dictionary (d_y × p, finite), on return the
 * final one. z_val (n × p) and z_ood (m × p), allocated by the caller, receive
 * the last pass's codes; y_ood/z_ood may be NULL. Fails on non-finite codes or
 * dictionary ("round R: ..."), leaving the outputs unspecified. */
int dlfista_learn(const Mat *y_val, const Mat *y_ood, Mat *d, Mat *z_val, Mat *z_ood,
                  const DlFistaOptions *opt, DlFistaResult *res, SkErr *err);

/* One dictionary update (step 2) from codes z (n × p) of samples y (n × d_y)
 * into d (d_y × p, allocated by the caller). times may be NULL. */
int dlfista_update(const Mat *y, const Mat *z, double ridge, DlFistaSolve solve, Mat *d,
                   DlFistaTimes *times, SkErr *err);

/* ‖D − D_old‖_F / ‖D_old‖_F in double (0 when both are zero, +inf when only
 * D_old is). */
double dlfista_rel_change(const Mat *d, const Mat *d_old);

/* ---- blocked Cholesky (exposed for tests) ----
 * a (n × n, row-major; the lower triangle is read) = L Lᵀ in place: on return
 * the lower triangle holds L and the strict upper triangle is zero. Left-looking
 * by column blocks of nb (0 = default): each block column is updated by one
 * gemm, its diagonal block factored and inverted, and the panel below
 * multiplied by that inverse (gemm). inv (n × nb values, may be NULL then
 * discarded) receives the inverted diagonal blocks, block b at inv + b·nb·nb
 * (bs × bs with row stride bs for a last block of bs < nb rows).
 * Fails (naming the pivot) when a is not positive definite. */
int chol_blocked_f64(double *a, size_t n, size_t nb, double *inv, SkErr *err);
int chol_blocked_f32(float *a, size_t n, size_t nb, float *inv, SkErr *err);
/* Solve (L Lᵀ) X = B in place: b is n × m (m right-hand sides as columns),
 * l and inv from chol_blocked_* with the same nb. */
void chol_solve_blocked_f64(const double *l, const double *inv, size_t n, size_t nb, double *b,
                            size_t m);
void chol_solve_blocked_f32(const float *l, const float *inv, size_t n, size_t nb, float *b,
                            size_t m);
/* The default block size. */
size_t chol_block_default(size_t n);

#endif
