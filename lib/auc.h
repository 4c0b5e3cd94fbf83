/* auc.h — ROC-AUC of a score vector against binary labels.
 *
 * AUC = P(score of a positive > score of a negative) + ½ P(tie), i.e. the
 * Mann–Whitney statistic with rank-averaged ties, computed by sorting
 * (O(n log n)). It equals sklearn.metrics.roc_auc_score.
 */
#ifndef SK_AUC_H
#define SK_AUC_H

#include <stddef.h>

#include "err.h"
#include "mat.h"

/* Population standard deviation below which a score column is constant and
 * its AUC is taken as 0.5 (SPEC §4). */
#define AUC_CONSTANT_STD 1e-10

/* AUC of score[k·stride] (k < n) against label[k] (non-zero = positive).
 * Fails when a score is NaN, or when either class is empty. */
int auc_roc_strided(const float *score, size_t stride, const unsigned char *label, size_t n,
                    double *auc, SkErr *err);

/* Same for a contiguous double vector. */
int auc_roc(const double *score, const unsigned char *label, size_t n, double *auc, SkErr *err);

/* max(auc, 1 − auc): a feature predicts equally well in either direction. */
double auc_fold(double auc);

/* Unfolded AUC of column j of z (n × d, samples as rows) against label (n);
 * 0.5 when the column's population std < AUC_CONSTANT_STD. */
int auc_column(const Mat *z, size_t j, const unsigned char *label, double *auc, SkErr *err);

#endif
