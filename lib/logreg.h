/* logreg.h — binary logistic regression on codes, for the "Accuracy" metric of
 * SPEC §4, in float64.
 *
 * Model: p_i = σ(x_i · w + b), x_i a row of X (n × d), label y_i ∈ {0, 1};
 * objective (the paper's, as sklearn ≥ 1.4 minimises it: mean, not sum):
 *
 *   f(w, b) = (1/n) Σ_i [log(1 + e^{t_i}) − y_i t_i] + (l2/2)‖w‖²,  t_i = x_i·w + b
 *   ∇_w f = (1/n) Xᵀ(p − y) + l2·w,   ∂_b f = (1/n) Σ_i (p_i − y_i)
 *
 * The intercept b is one more coordinate (never penalised); features are used as
 * given (not standardised); the start is w = 0, b = 0.
 *
 * Solver: scipy's L-BFGS-B 3.0 without bounds, step for step (memory m, first
 * direction −g with step 1/‖g‖, Moré–Thuente line search dcsrch with
 * ftol = 1e-3, gtol = 0.9, xtol = 0.1, at most max_linesearch evaluations,
 * update skipped when sᵀy ≤ ε·(−gᵀs), memory reset after a failed line search),
 * so that on separable codes — where the optimum is at infinity — it stops
 * where the paper's solver stops:
 *   iterations reach max_iter, or max_i |∇f_i| ≤ pgtol, or
 *   (f_old − f) ≤ ftol_rel · max(|f_old|, |f|, 1).
 */
#ifndef SK_LOGREG_H
#define SK_LOGREG_H

#include <stddef.h>

#include "err.h"
#include "mat.h"

typedef struct {
    int max_iter;           /* 1000 */
    int memory;             /* L-BFGS pairs kept: 10 */
    int max_linesearch;     /* evaluations per line search: 50 */
    double pgtol;           /* max-norm of the gradient: 1e-4 */
    double ftol_rel;        /* relative decrease: 64·DBL_EPSILON */
    double l2;              /* ridge on w (not b); 0 = unregularised */
} LogRegOptions;

typedef enum {
    LOGREG_STOP_GRADIENT,      /* max |∇f| ≤ pgtol */
    LOGREG_STOP_DECREASE,      /* relative decrease ≤ ftol_rel */
    LOGREG_STOP_MAX_ITER,      /* iteration limit */
    LOGREG_STOP_LINESEARCH     /* the line search failed from a steepest-descent step */
} LogRegStop;

typedef struct {
    size_t n_features;      /* d */
    double *w;              /* d weights */
    double b;               /* intercept */
    int iterations;         /* as sklearn's n_iter_ (L-BFGS-B's iteration count) */
    int evaluations;        /* loss/gradient evaluations */
    LogRegStop stop;
    double loss;            /* final objective */
    double grad_max;        /* final max |∇f| */
} LogReg;

/* The paper's set-up: sklearn LogisticRegression(penalty=None, solver="lbfgs",
 * max_iter=1000, tol=1e-4) with its ftol = 64·ε and maxls = 50. */
void logreg_options_paper(LogRegOptions *o);
/* Variant "l2": sklearn's default penalty, L2 with C = 1, i.e. on the mean
 * objective l2 = 1/(C·n) (the same minimiser as sum-loss + ½‖w‖²/C); the
 * problem is strongly convex, so the optimum is finite even on separable codes.
 * Otherwise as the paper set-up. n = number of training samples. */
void logreg_options_l2(LogRegOptions *o, double C, size_t n);

/* Fit on x (n × d) and labels (n values, 0 or 1; both classes must occur).
 * out is overwritten; free with logreg_free. */
int logreg_fit(const Mat *x, const unsigned char *labels, const LogRegOptions *opt,
               LogReg *out, SkErr *err);
int logreg_fit_paper(const Mat *x, const unsigned char *labels, LogReg *out, SkErr *err);
int logreg_fit_l2(const Mat *x, const unsigned char *labels, double C, LogReg *out,
                  SkErr *err);
void logreg_free(LogReg *m);

/* Objective and gradient at (w, b) (grad has d + 1 entries, the intercept
 * last): exposed for tests and diagnostics. */
int logreg_objective(const Mat *x, const unsigned char *labels, double l2, const double *w,
                     double b, double *f, double *grad, SkErr *err);

/* Predicted class per row: 1 when x_i·w + b > 0 (sklearn's rule), else 0. */
int logreg_predict(const LogReg *m, const Mat *x, unsigned char *out, SkErr *err);
/* Fraction of rows whose predicted class equals the label; NAN on a width
 * mismatch or an empty x. */
double logreg_accuracy(const LogReg *m, const Mat *x, const unsigned char *labels);

const char *logreg_stop_name(LogRegStop s);

#endif
