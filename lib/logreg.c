/* logreg.c — binary logistic regression with scipy's L-BFGS-B (no bounds)
 * reproduced step for step. See logreg.h. */
#include "logreg.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the design matrix: dense float32 rows, or CSR when codes are sparse ---- */

typedef struct {
    size_t n, d;
    const float *dense;      /* n × d (borrowed), or NULL when stored as CSR */
    size_t *row_start;       /* CSR: n + 1 offsets into col/val */
    uint32_t *col;
    double *val;
} Design;

static void design_free(Design *x)
{
    free(x->row_start);
    free(x->col);
    free(x->val);
    memset(x, 0, sizeof *x);
}

static size_t count_nonzeros(const Mat *m)
{
    size_t nnz = 0, count = m->rows * m->cols;
    for (size_t i = 0; i < count; i++)
        nnz += m->v[i] != 0.0f;
    return nnz;
}

/* Sparse codes (≤ 1/3 non-zero) go to CSR: a product then costs O(nnz). */
static int design_init(Design *x, const Mat *m, SkErr *err)
{
    memset(x, 0, sizeof *x);
    x->n = m->rows;
    x->d = m->cols;
    size_t nnz = count_nonzeros(m);
    if (nnz * 3 > m->rows * m->cols || m->cols > UINT32_MAX) {
        x->dense = m->v;
        return 0;
    }
    x->row_start = malloc((m->rows + 1) * sizeof *x->row_start);
    x->col = malloc((nnz ? nnz : 1) * sizeof *x->col);
    x->val = malloc((nnz ? nnz : 1) * sizeof *x->val);
    if (!x->row_start || !x->col || !x->val) {
        design_free(x);
        return sk_fail(err, "logreg: out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < m->rows; i++) {
        x->row_start[i] = k;
        for (size_t j = 0; j < m->cols; j++) {
            float v = m->v[i * m->cols + j];
            if (v != 0.0f) {
                x->col[k] = (uint32_t)j;
                x->val[k++] = (double)v;
            }
        }
    }
    x->row_start[m->rows] = k;
    return 0;
}

/* Σ_j row_j · w_j for one dense float row, in double (four partial sums). */
static double dense_row_dot(const float *row, const double *w, size_t d)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t j = 0;
    for (; j + 4 <= d; j += 4) {
        s0 += (double)row[j] * w[j];
        s1 += (double)row[j + 1] * w[j + 1];
        s2 += (double)row[j + 2] * w[j + 2];
        s3 += (double)row[j + 3] * w[j + 3];
    }
    for (; j < d; j++)
        s0 += (double)row[j] * w[j];
    return (s0 + s1) + (s2 + s3);
}

/* t (n) = X w + b. */
static void design_mul(const Design *x, const double *w, double b, double *t)
{
    for (size_t i = 0; i < x->n; i++) {
        double s;
        if (x->dense) {
            s = dense_row_dot(x->dense + i * x->d, w, x->d);
        } else {
            s = 0.0;
            for (size_t k = x->row_start[i]; k < x->row_start[i + 1]; k++)
                s += x->val[k] * w[x->col[k]];
        }
        t[i] = s + b;
    }
}

/* out (d) = Xᵀ r. */
static void design_mul_t(const Design *x, const double *r, double *out)
{
    memset(out, 0, x->d * sizeof *out);
    for (size_t i = 0; i < x->n; i++) {
        double ri = r[i];
        if (ri == 0.0)
            continue;
        if (x->dense) {
            const float *row = x->dense + i * x->d;
            for (size_t j = 0; j < x->d; j++)
                out[j] += ri * (double)row[j];
        } else {
            for (size_t k = x->row_start[i]; k < x->row_start[i + 1]; k++)
                out[x->col[k]] += ri * x->val[k];
        }
    }
}

/* ---- the objective --------------------------------------------------------- */

typedef struct {
    Design x;
    const unsigned char *y;
    double l2;
    double *t;      /* n: scores x_i·w + b */
    double *r;      /* n: residuals p_i − y_i */
    int evaluations;
} Problem;

/* log(1 + e^t) without overflow or loss of precision. */
static double softplus(double t)
{
    return t > 0.0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

static double sigmoid(double t)
{
    if (t >= 0.0)
        return 1.0 / (1.0 + exp(-t));
    double e = exp(t);
    return e / (1.0 + e);
}

/* f at v = (w, b) (d + 1 values); g = ∇f (d + 1 values, ∂b last). */
static double problem_eval(Problem *p, const double *v, double *g)
{
    size_t n = p->x.n, d = p->x.d;
    design_mul(&p->x, v, v[d], p->t);
    double loss = 0.0, rsum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = p->t[i], y = p->y[i] ? 1.0 : 0.0;
        loss += softplus(t) - y * t;
        p->r[i] = sigmoid(t) - y;
        rsum += p->r[i];
    }
    design_mul_t(&p->x, p->r, g);
    double inv_n = 1.0 / (double)n, penalty = 0.0;
    for (size_t j = 0; j < d; j++) {
        g[j] = g[j] * inv_n + p->l2 * v[j];
        penalty += v[j] * v[j];
    }
    g[d] = rsum * inv_n;
    p->evaluations++;
    return loss * inv_n + 0.5 * p->l2 * penalty;
}

/* ---- Moré–Thuente line search (MINPACK-2 dcsrch / dcstep) ------------------ */

typedef enum { LS_EVALUATE, LS_CONVERGED, LS_WARNING, LS_ERROR } LsStatus;

typedef struct {
    double ftol, gtol, xtol, stpmin, stpmax;
    bool started, brackt;
    int stage;
    double ginit, gtest, gx, gy, finit, fx, fy, stx, sty, stmin, stmax, width, width1;
} LineSearch;

static double max3(double a, double b, double c)
{
    double m = a > b ? a : b;
    return m > c ? m : c;
}

/* Safeguarded cubic/quadratic step of Moré and Thuente: updates the interval
 * (stx, sty) and the trial step stp from the values and derivatives at the
 * best step stx, the other end sty and the trial stp. */
static void dcstep(double *stx, double *fx, double *dx, double *sty, double *fy, double *dy,
                   double *stp, double fp, double dp, bool *brackt, double stpmin, double stpmax)
{
    double sgnd = dp * (*dx / fabs(*dx));
    double stpf, stpc, stpq, theta, s, gamma, p, q, r;

    if (fp > *fx) {                           /* 1: higher value, minimum bracketed */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = max3(fabs(theta), fabs(*dx), fabs(dp));
        gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
        if (*stp < *stx)
            gamma = -gamma;
        p = (gamma - *dx) + theta;
        q = ((gamma - *dx) + gamma) + dp;
        r = p / q;
        stpc = *stx + r * (*stp - *stx);
        stpq = *stx + ((*dx / ((*fx - fp) / (*stp - *stx) + *dx)) / 2.0) * (*stp - *stx);
        if (fabs(stpc - *stx) < fabs(stpq - *stx))
            stpf = stpc;
        else
            stpf = stpc + (stpq - stpc) / 2.0;
        *brackt = true;
    } else if (sgnd < 0.0) {                  /* 2: lower value, derivatives of opposite sign */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = max3(fabs(theta), fabs(*dx), fabs(dp));
        gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
        if (*stp > *stx)
            gamma = -gamma;
        p = (gamma - dp) + theta;
        q = ((gamma - dp) + gamma) + *dx;
        r = p / q;
        stpc = *stp + r * (*stx - *stp);
        stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        stpf = fabs(stpc - *stp) > fabs(stpq - *stp) ? stpc : stpq;
        *brackt = true;
    } else if (fabs(dp) < fabs(*dx)) {        /* 3: lower value, same sign, |d| decreases */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = max3(fabs(theta), fabs(*dx), fabs(dp));
        double disc = (theta / s) * (theta / s) - (*dx / s) * (dp / s);
        gamma = s * sqrt(disc > 0.0 ? disc : 0.0);
        if (*stp > *stx)
            gamma = -gamma;
        p = (gamma - dp) + theta;
        q = (gamma + (*dx - dp)) + gamma;
        r = p / q;
        if (r < 0.0 && gamma != 0.0)
            stpc = *stp + r * (*stx - *stp);
        else if (*stp > *stx)
            stpc = stpmax;
        else
            stpc = stpmin;
        stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        if (*brackt) {
            stpf = fabs(stpc - *stp) < fabs(stpq - *stp) ? stpc : stpq;
            if (*stp > *stx) {
                double lim = *stp + 0.66 * (*sty - *stp);
                stpf = lim < stpf ? lim : stpf;
            } else {
                double lim = *stp + 0.66 * (*sty - *stp);
                stpf = lim > stpf ? lim : stpf;
            }
        } else {
            stpf = fabs(stpc - *stp) > fabs(stpq - *stp) ? stpc : stpq;
            stpf = stpmax < stpf ? stpmax : stpf;
            stpf = stpmin > stpf ? stpmin : stpf;
        }
    } else {                                  /* 4: lower value, same sign, |d| grows */
        if (*brackt) {
            theta = 3.0 * (fp - *fy) / (*sty - *stp) + *dy + dp;
            s = max3(fabs(theta), fabs(*dy), fabs(dp));
            gamma = s * sqrt((theta / s) * (theta / s) - (*dy / s) * (dp / s));
            if (*stp > *sty)
                gamma = -gamma;
            p = (gamma - dp) + theta;
            q = ((gamma - dp) + gamma) + *dy;
            r = p / q;
            stpc = *stp + r * (*sty - *stp);
            stpf = stpc;
        } else if (*stp > *stx) {
            stpf = stpmax;
        } else {
            stpf = stpmin;
        }
    }

    if (fp > *fx) {                           /* update the interval */
        *sty = *stp;
        *fy = fp;
        *dy = dp;
    } else {
        if (sgnd < 0.0) {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = *stp;
        *fx = fp;
        *dx = dp;
    }
    *stp = stpf;
}

static void linesearch_init(LineSearch *ls, double stpmax)
{
    memset(ls, 0, sizeof *ls);
    ls->ftol = 1e-3;
    ls->gtol = 0.9;
    ls->xtol = 0.1;
    ls->stpmin = 0.0;
    ls->stpmax = stpmax;
}

/* One call of dcsrch with the value f and directional derivative g at *stp:
 * LS_EVALUATE asks for f, g at the new *stp; LS_CONVERGED / LS_WARNING end the
 * search at the current *stp. */
static LsStatus dcsrch(LineSearch *ls, double f, double g, double *stp)
{
    if (!ls->started) {
        if (*stp < ls->stpmin || *stp > ls->stpmax || g >= 0.0)
            return LS_ERROR;
        ls->started = true;
        ls->brackt = false;
        ls->stage = 1;
        ls->finit = f;
        ls->ginit = g;
        ls->gtest = ls->ftol * ls->ginit;
        ls->width = ls->stpmax - ls->stpmin;
        ls->width1 = ls->width / 0.5;
        ls->stx = 0.0;
        ls->fx = ls->finit;
        ls->gx = ls->ginit;
        ls->sty = 0.0;
        ls->fy = ls->finit;
        ls->gy = ls->ginit;
        ls->stmin = 0.0;
        ls->stmax = *stp + 4.0 * *stp;
        return LS_EVALUATE;
    }
    double ftest = ls->finit + *stp * ls->gtest;
    if (ls->stage == 1 && f <= ftest && g >= 0.0)
        ls->stage = 2;

    LsStatus status = LS_EVALUATE;
    if (ls->brackt && (*stp <= ls->stmin || *stp >= ls->stmax))
        status = LS_WARNING;                  /* rounding errors prevent progress */
    if (ls->brackt && ls->stmax - ls->stmin <= ls->xtol * ls->stmax)
        status = LS_WARNING;                  /* xtol test satisfied */
    if (*stp == ls->stpmax && f <= ftest && g <= ls->gtest)
        status = LS_WARNING;                  /* stp = stpmax */
    if (*stp == ls->stpmin && (f > ftest || g >= ls->gtest))
        status = LS_WARNING;                  /* stp = stpmin */
    if (f <= ftest && fabs(g) <= ls->gtol * (-ls->ginit))
        status = LS_CONVERGED;
    if (status != LS_EVALUATE)
        return status;

    if (ls->stage == 1 && f <= ls->fx && f > ftest) {
        /* modified function ψ(α) = f(α) − f(0) − α·gtest while in stage 1 */
        double fm = f - *stp * ls->gtest, fxm = ls->fx - ls->stx * ls->gtest;
        double fym = ls->fy - ls->sty * ls->gtest, gm = g - ls->gtest;
        double gxm = ls->gx - ls->gtest, gym = ls->gy - ls->gtest;
        dcstep(&ls->stx, &fxm, &gxm, &ls->sty, &fym, &gym, stp, fm, gm, &ls->brackt,
               ls->stmin, ls->stmax);
        ls->fx = fxm + ls->stx * ls->gtest;
        ls->fy = fym + ls->sty * ls->gtest;
        ls->gx = gxm + ls->gtest;
        ls->gy = gym + ls->gtest;
    } else {
        dcstep(&ls->stx, &ls->fx, &ls->gx, &ls->sty, &ls->fy, &ls->gy, stp, f, g, &ls->brackt,
               ls->stmin, ls->stmax);
    }

    if (ls->brackt) {                         /* bisect when the interval shrinks slowly */
        if (fabs(ls->sty - ls->stx) >= 0.66 * ls->width1)
            *stp = ls->stx + 0.5 * (ls->sty - ls->stx);
        ls->width1 = ls->width;
        ls->width = fabs(ls->sty - ls->stx);
    }
    if (ls->brackt) {
        ls->stmin = ls->stx < ls->sty ? ls->stx : ls->sty;
        ls->stmax = ls->stx > ls->sty ? ls->stx : ls->sty;
    } else {
        ls->stmin = *stp + 1.1 * (*stp - ls->stx);
        ls->stmax = *stp + 4.0 * (*stp - ls->stx);
    }
    *stp = *stp > ls->stpmin ? *stp : ls->stpmin;
    *stp = *stp < ls->stpmax ? *stp : ls->stpmax;
    if ((ls->brackt && (*stp <= ls->stmin || *stp >= ls->stmax)) ||
        (ls->brackt && ls->stmax - ls->stmin <= ls->xtol * ls->stmax))
        *stp = ls->stx;                       /* no progress possible: best point so far */
    return LS_EVALUATE;
}

/* ---- L-BFGS memory: the last m pairs (s, y), H₀ = I/θ ---------------------- */

typedef struct {
    size_t dim;
    int m, count, newest;
    double *s, *y;          /* m × dim each, circular */
    double *rho;            /* 1 / sᵀy */
    double *a;              /* two-loop scratch */
    double theta;           /* yᵀy / sᵀy of the newest pair (L-BFGS-B's θ) */
} Memory;

static int memory_init(Memory *mem, size_t dim, int m, SkErr *err)
{
    memset(mem, 0, sizeof *mem);
    mem->dim = dim;
    mem->m = m;
    mem->theta = 1.0;
    mem->s = malloc((size_t)m * dim * sizeof *mem->s);
    mem->y = malloc((size_t)m * dim * sizeof *mem->y);
    mem->rho = malloc((size_t)m * sizeof *mem->rho);
    mem->a = malloc((size_t)m * sizeof *mem->a);
    if (!mem->s || !mem->y || !mem->rho || !mem->a)
        return sk_fail(err, "logreg: out of memory");
    return 0;
}

static void memory_free(Memory *mem)
{
    free(mem->s);
    free(mem->y);
    free(mem->rho);
    free(mem->a);
}

/* L-BFGS-B's refresh: forget every pair, θ = 1. */
static void memory_reset(Memory *mem)
{
    mem->count = 0;
    mem->newest = 0;
    mem->theta = 1.0;
}

static void memory_push(Memory *mem, const double *s, const double *y, double sy, double yy)
{
    mem->newest = mem->count == 0 ? 0 : (mem->newest + 1) % mem->m;
    memcpy(mem->s + (size_t)mem->newest * mem->dim, s, mem->dim * sizeof *s);
    memcpy(mem->y + (size_t)mem->newest * mem->dim, y, mem->dim * sizeof *y);
    mem->rho[mem->newest] = 1.0 / sy;
    mem->theta = yy / sy;
    if (mem->count < mem->m)
        mem->count++;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* dir = −H g by the two-loop recursion (H the L-BFGS inverse Hessian, which
 * is what L-BFGS-B's compact form gives without bounds). */
static void memory_direction(Memory *mem, const double *g, double *dir)
{
    size_t n = mem->dim;
    for (size_t i = 0; i < n; i++)
        dir[i] = g[i];
    for (int k = 0; k < mem->count; k++) {               /* newest → oldest */
        int slot = (mem->newest - k + mem->m) % mem->m;
        const double *s = mem->s + (size_t)slot * n, *y = mem->y + (size_t)slot * n;
        mem->a[slot] = mem->rho[slot] * dot(s, dir, n);
        for (size_t i = 0; i < n; i++)
            dir[i] -= mem->a[slot] * y[i];
    }
    for (size_t i = 0; i < n; i++)
        dir[i] /= mem->theta;
    for (int k = mem->count - 1; k >= 0; k--) {          /* oldest → newest */
        int slot = (mem->newest - k + mem->m) % mem->m;
        const double *s = mem->s + (size_t)slot * n, *y = mem->y + (size_t)slot * n;
        double beta = mem->rho[slot] * dot(y, dir, n);
        for (size_t i = 0; i < n; i++)
            dir[i] += (mem->a[slot] - beta) * s[i];
    }
    for (size_t i = 0; i < n; i++)
        dir[i] = -dir[i];
}

/* ---- the driver: L-BFGS-B's mainlb/lnsrlb without bounds ------------------ */

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    return m;
}

typedef struct {
    size_t dim;
    double *x, *g;          /* current point and gradient */
    double *z;              /* the point the direction aims at (x + d) */
    double *d;              /* search direction, then s = stp·d */
    double *t, *r;          /* point and gradient before the line search */
    double *dir;
    double f;
} Iterate;

static void iterate_free(Iterate *it)
{
    free(it->g);
    free(it->z);
    free(it->d);
    free(it->t);
    free(it->r);
    free(it->dir);
}

/* z = x + (−H g), or the generalized Cauchy point x − g/θ (θ = 1) when the
 * memory is empty; d = z − x as L-BFGS-B forms it. */
static void search_direction(Memory *mem, Iterate *it)
{
    size_t n = it->dim;
    if (mem->count == 0) {
        double tsum = 1.0 / mem->theta;
        for (size_t i = 0; i < n; i++)
            it->z[i] = it->x[i] + tsum * (-it->g[i]);
    } else {
        memory_direction(mem, it->g, it->dir);
        for (size_t i = 0; i < n; i++)
            it->z[i] = it->x[i] + it->dir[i];
    }
    for (size_t i = 0; i < n; i++)
        it->d[i] = it->z[i] - it->x[i];
}

/* lnsrlb: Moré–Thuente along d from x; the first iteration starts at
 * stp = 1/‖d‖, later ones at 1. Returns true when a step was accepted
 * (x, f, g then hold the new point), false when it failed (x, f, g restored). */
static bool line_search(Problem *p, Iterate *it, int iter, int max_evals, double *stp_out,
                        double *gd_out, double *gdold_out)
{
    const double stpmax = 1e10;
    size_t n = it->dim;
    double dnorm = sqrt(dot(it->d, it->d, n));
    double stp = iter == 0 ? fmin(1.0 / dnorm, stpmax) : 1.0;
    memcpy(it->t, it->x, n * sizeof *it->x);
    memcpy(it->r, it->g, n * sizeof *it->g);
    double fold = it->f, gd = dot(it->g, it->d, n), gdold = gd;
    bool ok = gd < 0.0;                     /* else: not a descent direction */
    LineSearch ls;
    linesearch_init(&ls, stpmax);
    for (int evals = 0; ok;) {
        LsStatus st = dcsrch(&ls, it->f, gd, &stp);
        if (st == LS_CONVERGED || st == LS_WARNING)
            break;
        if (st == LS_ERROR || evals >= max_evals) {   /* iback = evals ≥ maxls */
            ok = false;
            break;
        }
        evals++;
        if (stp == 1.0)
            memcpy(it->x, it->z, n * sizeof *it->x);
        else
            for (size_t i = 0; i < n; i++)
                it->x[i] = stp * it->d[i] + it->t[i];
        it->f = problem_eval(p, it->x, it->g);
        gd = dot(it->g, it->d, n);
    }
    if (!ok) {
        memcpy(it->x, it->t, n * sizeof *it->x);
        memcpy(it->g, it->r, n * sizeof *it->g);
        it->f = fold;
    }
    *stp_out = stp;
    *gd_out = gd;
    *gdold_out = gdold;
    return ok;
}

/* Store the pair s = stp·d, y = g − g_old unless sᵀy ≤ ε·(−g_oldᵀs). */
static void update_memory(Memory *mem, Iterate *it, double stp, double gd, double gdold)
{
    size_t n = it->dim;
    for (size_t i = 0; i < n; i++)
        it->r[i] = it->g[i] - it->r[i];
    double rr = dot(it->r, it->r, n), dr, ddum;
    if (stp == 1.0) {
        dr = gd - gdold;
        ddum = -gdold;
    } else {
        dr = (gd - gdold) * stp;
        for (size_t i = 0; i < n; i++)
            it->d[i] *= stp;
        ddum = -gdold * stp;
    }
    if (dr <= DBL_EPSILON * ddum)
        return;                              /* skip the update */
    memory_push(mem, it->d, it->r, dr, rr);
}

static int lbfgsb_minimise(Problem *p, const LogRegOptions *o, Iterate *it, LogReg *out,
                           SkErr *err)
{
    Memory mem;
    if (memory_init(&mem, it->dim, o->memory, err)) {
        memory_free(&mem);
        return -1;
    }
    size_t n = it->dim;
    it->f = problem_eval(p, it->x, it->g);
    int iter = 0;
    LogRegStop stop;
    if (max_abs(it->g, n) <= o->pgtol) {
        stop = LOGREG_STOP_GRADIENT;
    } else {
        for (;;) {
            search_direction(&mem, it);
            double fold = it->f, stp, gd, gdold;
            if (!line_search(p, it, iter, o->max_linesearch, &stp, &gd, &gdold)) {
                if (mem.count == 0) {
                    stop = LOGREG_STOP_LINESEARCH;
                    break;
                }
                memory_reset(&mem);          /* refresh the memory and retry */
                continue;
            }
            iter++;
            if (iter >= o->max_iter) {
                stop = LOGREG_STOP_MAX_ITER;
                break;
            }
            if (max_abs(it->g, n) <= o->pgtol) {
                stop = LOGREG_STOP_GRADIENT;
                break;
            }
            if (fold - it->f <= o->ftol_rel * max3(fabs(fold), fabs(it->f), 1.0)) {
                stop = LOGREG_STOP_DECREASE;
                break;
            }
            update_memory(&mem, it, stp, gd, gdold);
        }
    }
    memory_free(&mem);
    out->iterations = iter;
    out->stop = stop;
    out->loss = it->f;
    out->grad_max = max_abs(it->g, n);
    return 0;
}

/* ---- public API ------------------------------------------------------------- */

void logreg_options_paper(LogRegOptions *o)
{
    o->max_iter = 1000;
    o->memory = 10;
    o->max_linesearch = 50;
    o->pgtol = 1e-4;
    o->ftol_rel = 64.0 * DBL_EPSILON;
    o->l2 = 0.0;
}

void logreg_options_l2(LogRegOptions *o, double C, size_t n)
{
    logreg_options_paper(o);
    o->l2 = 1.0 / (C * (double)(n ? n : 1));
}

static int check_problem(const Mat *x, const unsigned char *labels, SkErr *err)
{
    if (!x->v || x->rows == 0 || x->cols == 0)
        return sk_fail(err, "logreg: empty input");
    if (!mat_all_finite(x))
        return sk_fail(err, "logreg: input has non-finite values");
    size_t ones = 0;
    for (size_t i = 0; i < x->rows; i++) {
        if (labels[i] > 1)
            return sk_fail(err, "logreg: label %u at row %zu is not 0 or 1", labels[i], i);
        ones += labels[i];
    }
    if (ones == 0 || ones == x->rows)
        return sk_fail(err, "logreg: the labels need both classes (all %zu are %d)", x->rows,
                       ones ? 1 : 0);
    return 0;
}

static int problem_init(Problem *p, const Mat *x, const unsigned char *labels, double l2,
                        SkErr *err)
{
    memset(p, 0, sizeof *p);
    if (design_init(&p->x, x, err))
        return -1;
    p->y = labels;
    p->l2 = l2;
    p->t = malloc(x->rows * sizeof *p->t);
    p->r = malloc(x->rows * sizeof *p->r);
    if (!p->t || !p->r) {
        free(p->t);
        free(p->r);
        design_free(&p->x);
        return sk_fail(err, "logreg: out of memory");
    }
    return 0;
}

static void problem_free(Problem *p)
{
    design_free(&p->x);
    free(p->t);
    free(p->r);
}

static int iterate_init(Iterate *it, size_t dim, SkErr *err)
{
    memset(it, 0, sizeof *it);
    it->dim = dim;
    it->x = calloc(dim, sizeof *it->x);       /* start at w = 0, b = 0 */
    it->g = malloc(dim * sizeof *it->g);
    it->z = malloc(dim * sizeof *it->z);
    it->d = malloc(dim * sizeof *it->d);
    it->t = malloc(dim * sizeof *it->t);
    it->r = malloc(dim * sizeof *it->r);
    it->dir = malloc(dim * sizeof *it->dir);
    if (!it->x || !it->g || !it->z || !it->d || !it->t || !it->r || !it->dir) {
        free(it->x);
        iterate_free(it);
        return sk_fail(err, "logreg: out of memory");
    }
    return 0;
}

int logreg_fit(const Mat *x, const unsigned char *labels, const LogRegOptions *opt,
               LogReg *out, SkErr *err)
{
    memset(out, 0, sizeof *out);
    if (check_problem(x, labels, err))
        return -1;
    if (opt->max_iter < 1 || opt->memory < 1 || opt->max_linesearch < 1 || !(opt->l2 >= 0.0))
        return sk_fail(err, "logreg: invalid solver options");
    Problem p;
    Iterate it;
    if (problem_init(&p, x, labels, opt->l2, err))
        return -1;
    if (iterate_init(&it, x->cols + 1, err)) {
        problem_free(&p);
        return -1;
    }
    int rc = lbfgsb_minimise(&p, opt, &it, out, err);
    out->evaluations = p.evaluations;
    out->n_features = x->cols;
    out->b = it.x[x->cols];
    out->w = it.x;                            /* the first d entries: the weights */
    it.x = NULL;
    iterate_free(&it);
    problem_free(&p);
    if (rc)
        logreg_free(out);
    return rc;
}

int logreg_fit_paper(const Mat *x, const unsigned char *labels, LogReg *out, SkErr *err)
{
    LogRegOptions o;
    logreg_options_paper(&o);
    return logreg_fit(x, labels, &o, out, err);
}

int logreg_fit_l2(const Mat *x, const unsigned char *labels, double C, LogReg *out,
                  SkErr *err)
{
    if (!(C > 0.0) || !isfinite(C))
        return sk_fail(err, "logreg: C must be a positive finite number");
    LogRegOptions o;
    logreg_options_l2(&o, C, x->rows);
    return logreg_fit(x, labels, &o, out, err);
}

void logreg_free(LogReg *m)
{
    free(m->w);
    memset(m, 0, sizeof *m);
}

int logreg_objective(const Mat *x, const unsigned char *labels, double l2, const double *w,
                     double b, double *f, double *grad, SkErr *err)
{
    Problem p;
    if (problem_init(&p, x, labels, l2, err))
        return -1;
    double *v = malloc((x->cols + 1) * sizeof *v);
    if (!v) {
        problem_free(&p);
        return sk_fail(err, "logreg: out of memory");
    }
    memcpy(v, w, x->cols * sizeof *v);
    v[x->cols] = b;
    *f = problem_eval(&p, v, grad);
    free(v);
    problem_free(&p);
    return 0;
}

int logreg_predict(const LogReg *m, const Mat *x, unsigned char *out, SkErr *err)
{
    if (x->cols != m->n_features)
        return sk_fail(err, "logreg: input has %zu columns, the model %zu", x->cols,
                       m->n_features);
    for (size_t i = 0; i < x->rows; i++) {
        double t = dense_row_dot(x->v + i * x->cols, m->w, x->cols) + m->b;
        out[i] = t > 0.0;
    }
    return 0;
}

double logreg_accuracy(const LogReg *m, const Mat *x, const unsigned char *labels)
{
    if (x->cols != m->n_features || x->rows == 0)
        return NAN;
    size_t right = 0;
    for (size_t i = 0; i < x->rows; i++) {
        double t = dense_row_dot(x->v + i * x->cols, m->w, x->cols) + m->b;
        right += (unsigned char)(t > 0.0) == (labels[i] ? 1 : 0);
    }
    return (double)right / (double)x->rows;
}

const char *logreg_stop_name(LogRegStop s)
{
    switch (s) {
    case LOGREG_STOP_GRADIENT: return "gradient";
    case LOGREG_STOP_DECREASE: return "decrease";
    case LOGREG_STOP_MAX_ITER: return "max_iter";
    case LOGREG_STOP_LINESEARCH: return "linesearch";
    }
    return "?";
}
