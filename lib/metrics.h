/* metrics.h — the evaluation metrics of SPEC §4 (logistic-regression accuracy
 * lives in logreg.h).
 *
 * Shapes: codes and truths are n × d matrices, samples as rows (Z_true is
 * n × d_z, Z_pred is n × width); dictionaries are d_y × d, atoms as columns.
 * Means, variances and norms are accumulated in double. Correlation and
 * cosine matrices are float32 products (sk_gemm) of columns centred and
 * normalised in double; the assignment is exact on those float matrices.
 */
#ifndef SK_METRICS_H
#define SK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

#define METRICS_VAR_ACTIVE 1e-8       /* a truth/code column "varies" when var > this */
#define METRICS_NORM_FLOOR 1e-8       /* column norms below this are replaced by 1 */
#define METRICS_PAD_SEED 42           /* seed of the MCC noise padding, fresh at every call */
#define METRICS_SUPPORT_THRESHOLD 1e-4 /* support: |z| > this */
#define METRICS_ACTIVE_THRESHOLD 0.01 /* L0 and dead latents: |z| > this */
#define METRICS_CLOSE_COSINE 0.9      /* "close" atoms: |cos| > this (strict) */
#define METRICS_ANCHOR_THRESHOLD 0.5  /* label = z_0 > this */

/* ---- column statistics ---- */

/* var[j] = population variance of column j of z (n × d), double accumulation. */
int column_variances(const Mat *z, double *var, SkErr *err);

/* label[i] = z_true[i, 0] > 0.5 (the downstream label of SPEC §1). */
int anchor_labels(const Mat *z_true, unsigned char *label, SkErr *err);

/* ---- MCC ---- */

/* MCC, paper variant, on the given columns: if widths differ, the narrower
 * matrix gets N(0,1) columns appended (drawn row by row, sample i's padding
 * before sample i+1's, from rng_init(42, 0) afresh at every call, so equal
 * shapes get equal noise); every column is centred and divided by its L2 norm
 * (norm < 1e-8: by 1); C = |Zt_nᵀ Zp_n| (width × width, NaN → 0); exact
 * maximum-weight assignment; MCC = mean of the matched C over all width pairs.
 * zt: n × a, zp: n × b, same n ≥ 1. */
int mcc_paper(const Mat *zt, const Mat *zp, double *mcc, SkErr *err);

/* ID MCC (paper): truth = z_true_val restricted to columns with population
 * variance > 1e-8; codes = every column of z_pred_val. The noise padding
 * makes it a width × width problem: beyond METRICS_PADDED_MCC_MAX_WIDTH code
 * columns it is not computed and *mcc is NaN (use mcc_clean). */
#define METRICS_PADDED_MCC_MAX_WIDTH 32768
int mcc_paper_id(const Mat *z_true_val, const Mat *z_pred_val, double *mcc, SkErr *err);

/* OOD MCC (paper): truth = z_true_ood's columns with variance > 1e-8
 * (n_active of them); codes = the n_active columns of z_pred_ood with the
 * largest OOD variance (ties: lower index first; all columns when fewer). */
int mcc_paper_ood(const Mat *z_true_ood, const Mat *z_pred_ood, double *mcc, SkErr *err);

/* MCC, clean variant (no noise padding, no code selection): the a truth
 * columns with variance > 1e-8 are matched to the b code columns by an exact
 * rectangular maximum-weight assignment of C = |Pearson| (a × b, same
 * centring/normalisation as above); MCC = (1/a) Σ over those truth columns of
 * their matched C, a truth column left unmatched (only when b < a) counting 0.
 * Beyond METRICS_DENSE_MATCH_MAX pairs (a ≤ b) the assignment runs on the
 * top-m candidate graph (as dict_match_with); if its optimality is not proved,
 * nor its duals bound the optimum within METRICS_MATCH_GAP per truth column
 * of it, *mcc is NaN, never a lower value. Fails when no truth column varies. */
int mcc_clean(const Mat *z_true, const Mat *z_pred, double *mcc, SkErr *err);

/* ---- single-feature AUC ---- */

/* The column with the best folded val AUC (ties: lowest index), its folded
 * val AUC and its OOD AUC folded on its own (≥ 0.5). Constant columns
 * (std < 1e-10) count 0.5. */
typedef struct {
    size_t column;
    double auc_val;
    double auc_ood;
} AucSelection;

/* z_val: n_val × d with labels label_val (n_val); z_ood: n_ood × d, label_ood. */
int auc_select_feature(const Mat *z_val, const unsigned char *label_val, const Mat *z_ood,
                       const unsigned char *label_ood, AucSelection *out, SkErr *err);

/* auc[j] = unfolded AUC of column j of z (n × d) against label (0.5 if constant). */
int auc_per_column(const Mat *z, const unsigned char *label, double *auc, SkErr *err);

/* ---- dictionary vs truth ---- */

typedef struct {
    size_t n_matched;       /* min(A.cols, D.cols) */
    double mean_cosine;     /* mean matched |cos| */
    double mean_angle;      /* mean arccos(min(|cos|, 1)), radians */
    double mean_norm_ratio; /* mean ‖d‖ / ‖a‖ over matched pairs (raw columns) */
    double frac_close;      /* fraction of matched pairs with |cos| > 0.9 */
    /* how the assignment was solved: candidates = 0 for the dense Hungarian,
     * else the top-m candidates per column of the narrower side it ended with;
     * certified: proved optimal for the whole |cos| matrix (always for dense);
     * complete: min(p, q) pairs matched; gap: the whole matrix's optimal sum
     * of |cos| is at most the matching's + gap (0 when certified, infinite
     * when not complete; assign_sparse.h) */
    size_t candidates;
    bool certified, complete;
    double gap;
} DictMatch;

/* The dense |cos| matrix (q × p floats) is used up to this many entries (1 GiB);
 * beyond, the candidate graph (see dict_match_with). */
#define METRICS_DENSE_MATCH_MAX ((size_t)1 << 28)
#define METRICS_MATCH_CANDIDATES 16
/* The widest candidate graph tried: m ≤ 4096 candidates a column, and at most
 * 2^25 edges in all (≈ 0.7 GB of candidates and assignment state). ReLU and
 * JumpReLU codes at d_z = 10^5 (~900 active latents a row) need m = 256 for a
 * complete matching and 512 for its certificate. */
#define METRICS_MATCH_MAX_CANDIDATES 4096
#define METRICS_MATCH_MAX_EDGES ((size_t)1 << 25)
/* A sum of matched |correlations| (mcc_clean) whose assignment is not
 * certified is still reported when its duals bound the whole matrix's
 * optimum within this much per column above it (assign_sparse.h's gap):
 * below the 3 decimals a table prints; beyond it, NaN. */
#define METRICS_MATCH_GAP 1e-4

typedef enum { DICT_MATCH_AUTO, DICT_MATCH_DENSE, DICT_MATCH_CANDIDATES } DictMatchMethod;

typedef struct {
    DictMatchMethod method;   /* AUTO: dense up to METRICS_DENSE_MATCH_MAX entries */
    size_t candidates;        /* initial m per column (0: METRICS_MATCH_CANDIDATES) */
    size_t max_candidates;    /* widest m tried (0: METRICS_MATCH_MAX_CANDIDATES) */
} DictMatchOptions;

/* Match dictionary d (d_y × p) to the truth a (d_y × q): columns of both are
 * divided by their norms (norm < 1e-8: by 1), |cos| = |A_nᵀ D_n| (q × p),
 * exact maximum-weight assignment. d_col_of_a[r] (q entries) receives the
 * column of d matched to truth column r, or -1 (only when p < q).
 * A zero truth column makes its norm ratio divide by 1 (the floor). */
int dict_match(const Mat *d, const Mat *a, long *d_col_of_a, DictMatch *out, SkErr *err);

/* dict_match, choosing how the assignment is solved. CANDIDATES (and AUTO on
 * wide problems, e.g. 10⁵–10⁶ atoms): the top-m |cos| of every column of the
 * narrower side, from blocked products, and the exact assignment on that
 * graph (assign_sparse.h), with m doubled until its duals prove it optimal for
 * the whole matrix (out->certified) or the next graph would be wider than
 * METRICS_MATCH_MAX_CANDIDATES / METRICS_MATCH_MAX_EDGES allow (o's
 * max_candidates); it equals the dense result whenever certified. A graph
 * with no complete matching at the widest leaves out->complete false
 * (columns it could not match: -1). */
/* On the candidate path a dictionary bit-identical to the truth is matched
 * to itself column by column (proved optimal: |cos| <= 1), scoring no
 * other pair. */
int dict_match_with(const Mat *d, const Mat *a, const DictMatchOptions *o, long *d_col_of_a,
                    DictMatch *out, SkErr *err);

/* mcc_clean, choosing how its assignment is solved (as dict_match_with). */
int mcc_clean_with(const Mat *z_true, const Mat *z_pred, const DictMatchOptions *o, double *mcc,
                   SkErr *err);

/* ---- support recovery ---- */

typedef struct {
    double precision, recall, f1; /* per-sample, over matched columns, averaged */
    double true_l0;               /* mean #(|z_true| > 1e-4) over all truth columns */
    double pred_l0_matched;       /* mean #(|z_pred| > 1e-4) over matched code columns */
    double pred_l0_total;         /* mean #(|z_pred| > 1e-4) over all code columns */
} SupportStats;

/* z_true: n × q, z_pred: n × p, pred_col_of_true (q): code column matched to
 * each truth column or -1 (as from dict_match). Per sample, with T = matched
 * truth columns active and P = their matched code columns active:
 * precision = |T∩P|/|P|, recall = |T∩P|/|T|, F1 = 2PR/(P+R), each 0 when its
 * denominator is 0; no sample is skipped. */
int support_stats(const Mat *z_true, const Mat *z_pred, const long *pred_col_of_true,
                  SupportStats *out, SkErr *err);
/* support_stats on column subsets of a wide truth and wide codes (colset.h):
 * z_true holds the truth columns truth_col[0 .. z_true->cols) of a
 * truth_width-column truth (every column with a non-zero among them), z_pred
 * the code columns c with pred_index[c] >= 0, at that position, of
 * pred_width code columns (every column with a non-zero among them);
 * pred_col_of_true has truth_width entries in original code columns. NULL
 * maps are the identity. Same statistics as support_stats on the whole
 * matrices: a column outside a set is never active. */
typedef struct {
    const size_t *truth_col;
    const int64_t *pred_index;
    size_t truth_width, pred_width;
} SupportColumns;
int support_stats_columns(const Mat *z_true, const Mat *z_pred, const SupportColumns *cols,
                          const long *pred_col_of_true, SupportStats *out, SkErr *err);

/* ---- reconstruction and sparsity ---- */

/* mean over all elements of (y − y_hat)², both n × d_y. */
int recon_mse(const Mat *y, const Mat *y_hat, double *mse, SkErr *err);

/* mean over all elements of (y − (z dᵀ + bias))²: z n × p, d d_y × p,
 * bias d_y values or NULL. */
int recon_mse_codes(const Mat *y, const Mat *z, const Mat *d, const float *bias, double *mse,
                    SkErr *err);

/* Mean over samples of #(|z_ij| > threshold). */
double mean_l0(const Mat *z, double threshold);

/* *dead = number of columns j with |z_ij| ≤ threshold for every sample i
 * (dead latents: never active; SPEC uses the val codes, threshold 0.01). */
int dead_latents(const Mat *z, double threshold, size_t *dead, SkErr *err);

#endif
