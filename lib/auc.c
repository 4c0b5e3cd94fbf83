/* auc.c — ROC-AUC by sorting (see auc.h). */
#include "auc.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    double score;
    unsigned char positive;
} Scored;

static int by_score(const void *a, const void *b)
{
    double x = ((const Scored *)a)->score, y = ((const Scored *)b)->score;
    return (x > y) - (x < y);
}

/* Sorted ascending, walk groups of equal scores: each positive of a group
 * beats the negatives below the group and ties (½) with the group's own
 * negatives. AUC = that count / (n_pos · n_neg). */
static double auc_of_sorted(const Scored *s, size_t n, size_t n_pos, size_t n_neg)
{
    double wins = 0.0;
    size_t neg_below = 0;
    for (size_t start = 0; start < n;) {
        size_t end = start, pos = 0, neg = 0;
        while (end < n && s[end].score == s[start].score) {
            if (s[end].positive)
                pos++;
            else
                neg++;
            end++;
        }
        wins += (double)pos * (double)neg_below + 0.5 * (double)pos * (double)neg;
        neg_below += neg;
        start = end;
    }
    return wins / ((double)n_pos * (double)n_neg);
}

/* Common path: s holds n (score, label) pairs, already filled. */
static int auc_of_pairs(Scored *s, size_t n, double *auc, SkErr *err)
{
    size_t n_pos = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(s[k].score))
            return sk_fail(err, "auc: score %zu is NaN", k);
        n_pos += s[k].positive;
    }
    if (n_pos == 0 || n_pos == n)
        return sk_fail(err, "auc: labels hold only one class (%zu positive of %zu)", n_pos, n);
    qsort(s, n, sizeof *s, by_score);
    *auc = auc_of_sorted(s, n, n_pos, n - n_pos);
    return 0;
}

int auc_roc_strided(const float *score, size_t stride, const unsigned char *label, size_t n,
                    double *auc, SkErr *err)
{
    Scored *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return sk_fail(err, "auc: out of memory (%zu scores)", n);
    for (size_t k = 0; k < n; k++) {
        s[k].score = score[k * stride];
        s[k].positive = label[k] != 0;
    }
    int rc = auc_of_pairs(s, n, auc, err);
    free(s);
    return rc;
}

int auc_roc(const double *score, const unsigned char *label, size_t n, double *auc, SkErr *err)
{
    Scored *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return sk_fail(err, "auc: out of memory (%zu scores)", n);
    for (size_t k = 0; k < n; k++) {
        s[k].score = score[k];
        s[k].positive = label[k] != 0;
    }
    int rc = auc_of_pairs(s, n, auc, err);
    free(s);
    return rc;
}

double auc_fold(double auc) { return auc > 1.0 - auc ? auc : 1.0 - auc; }

/* Population std of column j, two passes in double. */
static double column_std(const Mat *z, size_t j)
{
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < z->rows; i++)
        mean += MAT_AT(*z, i, j);
    mean /= (double)z->rows;
    for (size_t i = 0; i < z->rows; i++) {
        double c = MAT_AT(*z, i, j) - mean;
        ss += c * c;
    }
    return sqrt(ss / (double)z->rows);
}

int auc_column(const Mat *z, size_t j, const unsigned char *label, double *auc, SkErr *err)
{
    if (j >= z->cols)
        return sk_fail(err, "auc: column %zu out of range (%zu columns)", j, z->cols);
    if (z->rows == 0)
        return sk_fail(err, "auc: no samples");
    double sd = column_std(z, j);
    if (isnan(sd))
        return sk_fail(err, "auc: column %zu holds NaN", j);
    if (sd < AUC_CONSTANT_STD) {
        *auc = 0.5;
        return 0;
    }
    return auc_roc_strided(z->v + j, z->cols, label, z->rows, auc, err);
}
