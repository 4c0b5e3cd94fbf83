/* ridge.h — the linear probe of SPEC §3: multi-output ridge regression
 * X (n × d) → Z (n × m), no intercept, float64 throughout, with α chosen by
 * efficient leave-one-out, exactly like sklearn's
 * RidgeCV(alphas, fit_intercept=False) in its default GCV mode:
 *
 *   for every α:  Ŵ_α = (XᵀX + αI)⁻¹ XᵀZ,   H = X (XᵀX + αI)⁻¹ Xᵀ
 *                 e_ik = (z_ik − ẑ_ik) / (1 − H_ii)      (LOO residual)
 *                 score(α) = mean over i, k of e_ik²
 *   one α for all outputs: the smallest score, ties to the first α listed.
 *
 * Like sklearn, the work goes through an eigendecomposition of the smaller
 * Gram: XᵀX (d × d) when n > d ("svd" mode), else XXᵀ (n × n, "eigen" mode,
 * the dual form (XXᵀ + αI)⁻¹), so rank-deficient problems behave alike.
 */
#ifndef SK_RIDGE_H
#define SK_RIDGE_H

#include <stddef.h>

#include "err.h"
#include "mat.h"

/* The paper's grid {1e-6, 1e-4, 1e-2, 1, 10}. */
#define RIDGE_DEFAULT_ALPHA_COUNT 5
extern const double ridge_default_alphas[RIDGE_DEFAULT_ALPHA_COUNT];

typedef struct {
    size_t n_outputs;     /* m */
    size_t n_features;    /* d */
    double *coef;         /* m × d row-major (sklearn's coef_): ẑ = coef · x */
    double alpha;         /* the chosen α */
    size_t alpha_index;   /* its position in the list */
    size_t n_alphas;
    double *loo_mse;      /* n_alphas scores: mean squared LOO residual per α */
} Ridge;

/* Fit on x (n × d) and z (n × m) with α from alphas[0..n_alphas) (all > 0 and
 * finite; NULL/0 = the default grid). out is overwritten; free with ridge_free. */
int ridge_fit_loo(const Mat *x, const Mat *z, const double *alphas, size_t n_alphas,
                  Ridge *out, SkErr *err);
void ridge_free(Ridge *r);

/* Predictions ẑ = coef · x_i for every row of x (n × d): out is n × m doubles. */
int ridge_predict_f64(const Ridge *r, const Mat *x, double *out, SkErr *err);
/* Same, stored as a float32 matrix (allocated here). */
int ridge_predict(const Ridge *r, const Mat *x, Mat *out, SkErr *err);

#endif
