/* surgery.h — the controlled experiments on a trained SAE (SPEC §5): the
 * decoder as a fixed dictionary (freeze-decoder), and magnitudes re-estimated
 * on the SAE's own support (support-refit). The warm starts (§5.2, §5.3) are
 * in warm_start.h, the model file in sae_io.h.
 *
 * Shapes: dictionaries d_y × width (atoms are columns, like W_dec), samples
 * and codes as rows (Y n × d_y, Z n × width). */
#ifndef SK_SURGERY_H
#define SK_SURGERY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "mat.h"

/* ---- freeze-decoder (SPEC §5.1) ---- */

typedef enum {
    FREEZE_FROZEN = 0,    /* the raw decoder W_dec */
    FREEZE_RENORMED,      /* every column d_j / max(‖d_j‖, 1e-8): unit columns, zero stays zero */
    FREEZE_ORACLE_NORMS   /* matched columns rescaled to the matched true column's norm,
                             unmatched columns zeroed */
} FreezeMode;

/* "frozen", "renormed", "oracle-norms". */
const char *freeze_mode_name(FreezeMode m);
/* The names in FreezeMode order, NULL-terminated. */
extern const char *const FREEZE_MODE_NAMES[];
/* Parse a name; returns 0, or -1 when unknown. */
int freeze_mode_parse(const char *name, FreezeMode *out);

/* The dictionary of a mode: d (allocated here, d_y × width) from w_dec
 * (d_y × width). Norms are in double; a column is divided by max(‖d_j‖, 1e-8)
 * and multiplied by the target norm in double, then rounded to float32.
 * FREEZE_ORACLE_NORMS needs truth (d_y × q): the columns of w_dec are matched
 * to those of truth by dict_match (Hungarian on |cos|); matched column j
 * becomes d_j · ‖a_r‖ / max(‖d_j‖, 1e-8) with r its truth column (the real
 * norm of a_r, not assumed 1); the others become 0. truth_col (width entries,
 * may be NULL) receives r for each column, or -1 (unmatched, or another mode). */
int freeze_decoder(const Mat *w_dec, FreezeMode mode, const Mat *truth, Mat *d, long *truth_col,
                   SkErr *err);

/* ---- support-refit (SPEC §5.4) ---- */

#define REFIT_SUPPORT_THRESHOLD 1e-4 /* support S = {j : |z_j| > this} */
#define REFIT_RIDGE 1e-8             /* ρ of the paper's (D_Sᵀ D_S + ρ I)⁻¹ */

typedef enum {
    REFIT_PAPER = 0, /* z_S = (G + ρI)⁻¹ D_Sᵀ r with G = D_SᵀD_S and D_Sᵀr formed in float32,
                        ridge and solve (LU, partial pivoting) in float64; clamp ≥ 0.
                        When |S| > d_y, G is singular and ρ lies below float32 rounding:
                        the result is rounding noise, as the paper's was. */
    REFIT_LSTSQ,     /* minimum-norm least squares z_S = D_S⁺ r in float64, clamp ≥ 0
                        (lstsq_min_norm, linalg.h) */
    REFIT_NNLS       /* min ‖D_S z_S − r‖ s.t. z_S ≥ 0 in float64 (Lawson–Hanson,
                        nnls_solve, linalg.h) */
} RefitVariant;

/* "paper", "lstsq", "nnls". */
const char *refit_variant_name(RefitVariant v);
/* The names in RefitVariant order, NULL-terminated. */
extern const char *const REFIT_VARIANT_NAMES[];
int refit_variant_parse(const char *name, RefitVariant *out);

/* Counts over the samples of one refit (added to, so one struct can sum
 * several calls). */
typedef struct {
    size_t samples;
    size_t empty;          /* samples with an empty support (codes 0) */
    size_t singular;       /* |S| > d_y (the Gram is singular) */
    size_t nonfinite;      /* PAPER: samples whose solve gave a non-finite value or
                              met an exactly zero pivot; their codes are set to 0 */
    size_t support_total;  /* Σ |S| */
    size_t support_max;
} RefitStats;

/* For every row i of y (n × d_y): S = {j : |z_model[i, j]| > 1e-4},
 * r = y_i − bias (float32, bias 1 × d_y or NULL), z_out[i] = the variant's
 * z_S on S (clamped ≥ 0) and 0 elsewhere. d is d_y × width, z_model and z_out
 * (allocated by the caller) n × width. stats may be NULL. */
int support_refit(const Mat *d, const float *bias, const Mat *y, const Mat *z_model,
                  RefitVariant variant, Mat *z_out, RefitStats *stats, SkErr *err);

#endif
