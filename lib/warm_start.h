/* warm_start.h — the warm-start surgeries on a trained SAE (SPEC §5.2, §5.3):
 * MCC(OOD) of the codes after each iteration budget, started from the SAE
 * (warm) and from scratch (cold), plus an oracle reference.
 *
 * decoder: DL-FISTA (dlfista_learn) on y − b_dec from the raw SAE decoder
 *   (warm) and from a random dictionary of the SAE's width (cold, the seed's
 *   dlfista_init_dict); a budget of N rounds = N FISTA passes, pass N's codes
 *   inferred with the dictionary after N − 1 updates (warm N = 0 and N = 1
 *   are the frozen decoder's FISTA codes; cold N = 0 is not run); a run that
 *   converges early gives later budgets its final codes. Exactly what
 *   `dl-fista --rounds N [--init MODEL:W_dec] --bias MODEL:b_dec` writes.
 * encoder: FISTA (with snapshots) on the frozen decoder W_dec and y − b_dec,
 *   from 0 (cold) and from the SAE's codes (warm, unclamped); a budget of N =
 *   the codes after N iterations (warm 0 = the SAE's codes, cold 0 = zeros).
 * oracle: FISTA with the true A on the raw y (no bias), oracle_iters
 *   iterations, cold: one point with start "oracle" and budget = those
 *   iterations (a reference line).
 *
 * Every point is scored against the true OOD codes: mcc_paper_ood and
 * mcc_clean (metrics.h). Shapes: samples and codes as rows, dictionaries
 * d_y × width (atoms as columns). */
#ifndef SK_WARM_START_H
#define SK_WARM_START_H

#include <stddef.h>
#include <stdint.h>

#include "dlfista.h"
#include "err.h"
#include "mat.h"

typedef enum { WARM_START_DECODER = 0, WARM_START_ENCODER } WarmStartKind;

/* The kind's default budgets (sorted, distinct): decoder 0, 1, 2, 5, 10, 20,
 * 50, 100, 200, 500, 1000 rounds; encoder the same up to 500 iterations.
 * *n receives their count. */
const long *warm_start_default_budgets(WarmStartKind kind, size_t *n);
/* The same, as --help shows them (test_warm_start holds it to the arrays). */
#define WARM_START_DEFAULT_BUDGETS_TEXT \
    "decoder\n0,1,2,5,10,20,50,100,200,500,1000; encoder\n0,1,2,5,10,20,50,100,200,500"

/* What the surgeries run on (nothing is modified or kept). */
typedef struct {
    const Mat *w_dec;       /* d_y × width, the SAE's decoder */
    const float *b_dec;     /* d_y, the SAE's decoder bias */
    const Mat *z_sae;       /* encoder: the SAE's codes of y_ood (n_ood × width) */
    const Mat *y_val;       /* decoder: val samples, n_val × d_y (DL-FISTA learns on them) */
    const Mat *y_ood;       /* OOD samples, n_ood × d_y (raw: b_dec not subtracted) */
    const Mat *z_ood;       /* the true OOD codes, n_ood × d_z (scoring) */
    const Mat *a;           /* the true dictionary d_y × d_z for the oracle point, or NULL */
} WarmStartProblem;

/* One point of a curve. */
typedef struct {
    long budget;            /* rounds (decoder), iterations (encoder, oracle) */
    const char *start;      /* "warm", "cold", "oracle" (static strings) */
    double mcc, mcc_clean;  /* mcc_paper_ood, mcc_clean against z_ood */
} WarmStartPoint;

typedef struct {
    WarmStartKind kind;
    const long *budgets;    /* sorted ascending, distinct, ≥ 0 */
    size_t nbudgets;        /* ≥ 1 */
    float lambda;           /* FISTA λ (0.1) */
    int iters;              /* decoder: FISTA iterations per DL-FISTA pass (100) */
    DlFistaSolve solve;     /* decoder: dictionary update arithmetic (F32) */
    uint64_t seed;          /* decoder: the cold dictionary's seed */
    long oracle_iters;      /* FISTA iterations of the oracle point (500) */
    int threads;            /* FISTA worker threads (as DlFistaOptions, FistaOptions) */
    /* Called after each point is scored, in output order (may be NULL). */
    void (*on_point)(void *user, const WarmStartPoint *pt);
    /* Progress (may be NULL): done of total units (FISTA passes or
     * iterations) and what runs, e.g. "warm DL-FISTA round 3", "cold FISTA". */
    void (*progress)(void *user, double done, double total, const char *what);
    void *user;
} WarmStartOptions;

/* decoder, the default budgets, λ = 0.1, 100 iterations, F32, seed 0,
 * oracle_iters = 500, no threads, no callbacks. */
void warm_start_options_default(WarmStartOptions *o);

/* Run the kind's warm and cold curves, then (when p->a) the oracle point.
 * *points (malloc'ed, free()) receives *npoints points: one per budget of
 * the warm run, one per budget of the cold run (decoder: without budget 0),
 * the oracle point. */
int warm_start_curves(const WarmStartProblem *p, const WarmStartOptions *o,
                      WarmStartPoint **points, size_t *npoints, SkErr *err);

#endif
