#include "linalg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Off-diagonal Frobenius norm squared. */
static double off_diagonal_norm2(const double *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j)
                s += a[i * n + j] * a[i * n + j];
    return s;
}

/* Apply the rotation that zeroes a[p][q] to a (both sides) and to v (right). */
static void jacobi_rotate(double *a, double *v, size_t n, size_t p, size_t q)
{
    double apq = a[p * n + q];
    double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
    double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
    for (size_t k = 0; k < n; k++) {           /* columns p, q: A ← A J */
        double akp = a[k * n + p], akq = a[k * n + q];
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for (size_t k = 0; k < n; k++) {           /* rows p, q: A ← Jᵀ A */
        double apk = a[p * n + k], aqk = a[q * n + k];
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
    for (size_t k = 0; k < n; k++) {           /* V ← V J */
        double vkp = v[k * n + p], vkq = v[k * n + q];
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
    }
}

static void sort_eigen_descending(double *w, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < n; j++)
            if (w[j] > w[best])
                best = j;
        if (best == i)
            continue;
        double t = w[i];
        w[i] = w[best];
        w[best] = t;
        for (size_t k = 0; k < n; k++) {
            t = v[k * n + i];
            v[k * n + i] = v[k * n + best];
            v[k * n + best] = t;
        }
    }
}

int sym_eig(double *a, size_t n, double *w, double *v, SkErr *err)
{
    memset(v, 0, n * n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i * n + i] = 1.0;
    double total = 0.0;
    for (size_t i = 0; i < n * n; i++)
        total += a[i] * a[i];
    int converged = 0;
    for (int sweep = 0; sweep < 100 && !converged; sweep++) {
        if (off_diagonal_norm2(a, n) <= 1e-30 * (total > 0 ? total : 1.0)) {
            converged = 1;
            break;
        }
        for (size_t p = 0; p + 1 < n; p++)
            for (size_t q = p + 1; q < n; q++)
                if (a[p * n + q] != 0.0)
                    jacobi_rotate(a, v, n, p, q);
    }
    if (!converged && off_diagonal_norm2(a, n) > 1e-20 * (total > 0 ? total : 1.0))
        return sk_fail(err, "symmetric eigensolver did not converge (NaN in input?)");
    for (size_t i = 0; i < n; i++)
        w[i] = a[i * n + i];
    sort_eigen_descending(w, v, n);
    return 0;
}

int sym_eig_max(const double *a, size_t n, double *lambda_max, SkErr *err)
{
    if (n == 0) {
        *lambda_max = 0.0;
        return 0;
    }
    double *work = malloc(n * n * sizeof *work), *vec = malloc(n * n * sizeof *vec),
           *w = malloc(n * sizeof *w);
    int rc = -1;
    if (!work || !vec || !w)
        sk_fail(err, "out of memory in eigensolver (n = %zu)", n);
    else {
        memcpy(work, a, n * n * sizeof *work);
        rc = sym_eig(work, n, w, vec, err);
        if (rc == 0)
            *lambda_max = w[0];
    }
    free(work);
    free(vec);
    free(w);
    return rc;
}

int cholesky(double *a, size_t n, SkErr *err)
{
    for (size_t j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0.0))
            return sk_fail(err, "matrix is not positive definite (pivot %zu)", j);
        d = sqrt(d);
        a[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    return 0;
}

void cholesky_solve_rows(const double *l, size_t n, double *b, size_t nrhs)
{
    for (size_t r = 0; r < nrhs; r++) {
        double *x = b + r * n;
        for (size_t i = 0; i < n; i++) {       /* L y = b */
            double s = x[i];
            for (size_t k = 0; k < i; k++)
                s -= l[i * n + k] * x[k];
            x[i] = s / l[i * n + i];
        }
        for (size_t i = n; i-- > 0;) {         /* Lᵀ x = y */
            double s = x[i];
            for (size_t k = i + 1; k < n; k++)
                s -= l[k * n + i] * x[k];
            x[i] = s / l[i * n + i];
        }
    }
}
