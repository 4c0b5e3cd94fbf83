/* warm_start.c — the warm-start surgeries (see warm_start.h). */
#include "warm_start.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fista.h"
#include "metrics.h"

static const long DECODER_BUDGETS[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
static const long ENCODER_BUDGETS[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500};

const long *warm_start_default_budgets(WarmStartKind kind, size_t *n)
{
    if (kind == WARM_START_DECODER) {
        *n = sizeof DECODER_BUDGETS / sizeof *DECODER_BUDGETS;
        return DECODER_BUDGETS;
    }
    *n = sizeof ENCODER_BUDGETS / sizeof *ENCODER_BUDGETS;
    return ENCODER_BUDGETS;
}

void warm_start_options_default(WarmStartOptions *o)
{
    memset(o, 0, sizeof *o);
    o->kind = WARM_START_DECODER;
    o->budgets = warm_start_default_budgets(o->kind, &o->nbudgets);
    o->lambda = 0.1f;
    o->iters = 100;
    o->solve = DLFISTA_SOLVE_F32;
    o->oracle_iters = 500;
}

/* A run of the protocol: its points and its progress. */
typedef struct {
    const WarmStartOptions *o;
    const WarmStartProblem *p;
    WarmStartPoint *points;
    size_t npoints, cap;
    double done, total;     /* progress units: FISTA passes or iterations */
    /* the DL-FISTA run in progress */
    const char *start;
    size_t next_budget;     /* index into o->budgets */
    double done_before;     /* progress units before this run */
} Curves;

static void report(const Curves *c, double done, const char *what)
{
    if (c->o->progress)
        c->o->progress(c->o->user, done, c->total, what);
}

/* Score OOD codes and append a point. */
static int add_point(Curves *c, long budget, const char *start, const Mat *z_ood, SkErr *err)
{
    if (c->npoints == c->cap)
        return sk_fail(err, "internal: too many points");
    WarmStartPoint *pt = &c->points[c->npoints];
    if (mcc_paper_ood(c->p->z_ood, z_ood, &pt->mcc, err) ||
        mcc_clean(c->p->z_ood, z_ood, &pt->mcc_clean, err))
        return -1;
    pt->budget = budget;
    pt->start = start;
    c->npoints++;
    if (c->o->on_point)
        c->o->on_point(c->o->user, pt);
    return 0;
}

/* ---- decoder: DL-FISTA ------------------------------------------------------ */

/* After each pass: budget N ≥ 1 is pass N's codes, budget 0 pass 1's; after
 * the last pass every remaining budget gets the final codes. */
static int on_round(void *user, const DlFistaRound *r, SkErr *err)
{
    Curves *c = user;
    const WarmStartOptions *o = c->o;
    c->done = c->done_before + (double)r->pass;
    char what[64];
    snprintf(what, sizeof what, "%s DL-FISTA round %ld", c->start, r->round);
    report(c, c->done, what);
    while (c->next_budget < o->nbudgets) {
        long n = o->budgets[c->next_budget];
        bool now = (n == 0 && r->pass == 1) || n == r->pass || (r->last && n > r->pass);
        if (!now)
            break;
        if (!(n == 0 && strcmp(c->start, "cold") == 0) && add_point(c, n, c->start, r->z_ood, err))
            return -1;
        c->next_budget++;
    }
    return 0;
}

/* One DL-FISTA run from d (consumed) on y_val, y_ood (already y − b). */
static int decoder_run(Curves *c, const char *start, Mat *d, const Mat *y_val, const Mat *y_ood,
                       SkErr *err)
{
    const WarmStartOptions *o = c->o;
    long max_budget = o->budgets[o->nbudgets - 1];
    Mat zv = {0}, zo = {0};
    if (mat_alloc(&zv, y_val->rows, d->cols, err) || mat_alloc(&zo, y_ood->rows, d->cols, err)) {
        mat_release(&zv);
        return -1;
    }
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    opt.lambda = o->lambda;
    opt.iters = o->iters;
    opt.rounds = max_budget;
    opt.solve = o->solve;
    opt.threads = o->threads;
    opt.on_round = on_round;
    opt.user = c;
    c->start = start;
    c->next_budget = 0;
    c->done_before = c->done;
    DlFistaResult res;
    int rc = dlfista_learn(y_val, y_ood, d, &zv, &zo, &opt, &res, err);
    if (rc == 0)
        dlfista_result_release(&res);
    else
        sk_prefix(err, start);
    c->done = c->done_before + (double)(max_budget > 0 ? max_budget : 1);
    mat_release(&zv);
    mat_release(&zo);
    return rc;
}

static int decoder_curves(Curves *c, SkErr *err)
{
    const WarmStartProblem *p = c->p;
    Mat y_val = {0}, y_ood = {0}, d = {0};
    int rc = mat_copy(&y_val, p->y_val, err) || mat_copy(&y_ood, p->y_ood, err) ? -1 : 0;
    if (rc == 0) {
        mat_subtract_row(&y_val, p->b_dec);
        mat_subtract_row(&y_ood, p->b_dec);
        rc = mat_copy(&d, p->w_dec, err);
    }
    if (rc == 0)
        rc = decoder_run(c, "warm", &d, &y_val, &y_ood, err);
    mat_release(&d);
    bool cold = c->o->budgets[c->o->nbudgets - 1] > 0; /* cold 0 is not run */
    if (rc == 0 && cold)
        rc = dlfista_init_dict(c->o->seed, p->w_dec->rows, p->w_dec->cols, &d, err);
    if (rc == 0 && cold)
        rc = decoder_run(c, "cold", &d, &y_val, &y_ood, err);
    mat_release(&d);
    mat_release(&y_val);
    mat_release(&y_ood);
    return rc;
}

/* ---- encoder and oracle: FISTA with snapshots --------------------------------- */

typedef struct {
    Curves *c;
    char what[32];
    double units;           /* progress units of this solve: its iterations */
} FistaProgress;

static void fista_progress(void *user, long done, long total)
{
    FistaProgress *fp = user;
    double part = total > 0 ? (double)done / (double)total : 1.0;
    report(fp->c, fp->c->done_before + part * fp->units, fp->what);
}

/* FISTA on d for y (already y − b) from init (NULL: cold) with a snapshot at
 * every budget; scores each snapshot. */
static int fista_curve(Curves *c, const char *start, const Mat *d, const Mat *y, const Mat *init,
                       int iters, const long *budgets, size_t nbudgets, SkErr *err)
{
    Mat *snaps = calloc(nbudgets + 1, sizeof *snaps);
    int *snap_iters = calloc(nbudgets + 1, sizeof *snap_iters);
    Mat z = {0};
    int rc = snaps && snap_iters ? 0 : sk_fail(err, "out of memory");
    for (size_t s = 0; s < nbudgets && rc == 0; s++) {
        snap_iters[s] = (int)budgets[s];
        rc = mat_alloc(&snaps[s], y->rows, d->cols, err);
    }
    if (rc == 0)
        rc = mat_alloc(&z, y->rows, d->cols, err);
    if (rc == 0 && init)
        memcpy(z.v, init->v, mat_size(&z) * sizeof *z.v);
    FistaProgress fp = {.c = c, .units = (double)iters};
    snprintf(fp.what, sizeof fp.what, "%s FISTA", start);
    if (rc == 0) {
        FistaOptions opt;
        fista_options_default(&opt);
        opt.lambda = c->o->lambda;
        opt.iters = iters;
        opt.warm = init != NULL;
        opt.threads = c->o->threads;
        opt.snapshot_iters = snap_iters;
        opt.n_snapshots = nbudgets;
        opt.snapshots = snaps;
        opt.progress = fista_progress;
        opt.progress_user = &fp;
        c->done_before = c->done;
        rc = fista_solve(d, y, NULL, &opt, &z, err);
        c->done = c->done_before + (double)iters;
    }
    for (size_t s = 0; s < nbudgets && rc == 0; s++)
        rc = add_point(c, budgets[s], start, &snaps[s], err);
    for (size_t s = 0; s < nbudgets && snaps; s++)
        mat_release(&snaps[s]);
    free(snaps);
    free(snap_iters);
    mat_release(&z);
    return rc;
}

static int encoder_curves(Curves *c, SkErr *err)
{
    const WarmStartProblem *p = c->p;
    const WarmStartOptions *o = c->o;
    Mat y = {0};
    if (mat_copy(&y, p->y_ood, err))
        return -1;
    mat_subtract_row(&y, p->b_dec);
    int iters = (int)o->budgets[o->nbudgets - 1];
    int rc = fista_curve(c, "warm", p->w_dec, &y, p->z_sae, iters, o->budgets, o->nbudgets, err);
    if (rc == 0)
        rc = fista_curve(c, "cold", p->w_dec, &y, NULL, iters, o->budgets, o->nbudgets, err);
    mat_release(&y);
    return rc;
}

/* FISTA with A on the raw y_ood. */
static int oracle_point(Curves *c, SkErr *err)
{
    long iters = c->o->oracle_iters;
    return fista_curve(c, "oracle", c->p->a, c->p->y_ood, NULL, (int)iters, &iters, 1, err);
}

/* ---- the protocol ------------------------------------------------------------ */

static int check_problem(const WarmStartProblem *p, const WarmStartOptions *o, SkErr *err)
{
    if (o->nbudgets == 0 || !o->budgets || o->budgets[0] < 0)
        return sk_fail(err, "warm start: needs budgets >= 0");
    for (size_t i = 1; i < o->nbudgets; i++)
        if (o->budgets[i] <= o->budgets[i - 1])
            return sk_fail(err, "warm start: budgets must be sorted and distinct");
    if (o->budgets[o->nbudgets - 1] > 100000000L || o->oracle_iters < 0 ||
        o->oracle_iters > 100000000L)
        return sk_fail(err, "warm start: budget or oracle iterations too large");
    size_t dy = p->w_dec->rows, width = p->w_dec->cols, n = p->y_ood->rows;
    if (dy == 0 || width == 0 || !p->b_dec)
        return sk_fail(err, "warm start: needs a decoder and its bias");
    if (p->y_ood->cols != dy || p->z_ood->rows != n)
        return sk_fail(err, "warm start: OOD samples are %zu x %zu and their codes %zu x %zu, "
                            "the decoder %zu x %zu", n, p->y_ood->cols, p->z_ood->rows,
                       p->z_ood->cols, dy, width);
    if (o->kind == WARM_START_DECODER && (!p->y_val || p->y_val->cols != dy))
        return sk_fail(err, "warm start: the decoder kind needs val samples of %zu columns", dy);
    if (o->kind == WARM_START_ENCODER &&
        (!p->z_sae || p->z_sae->rows != n || p->z_sae->cols != width))
        return sk_fail(err, "warm start: the encoder kind needs the SAE's codes, %zu x %zu", n,
                       width);
    if (p->a && p->a->rows != dy)
        return sk_fail(err, "warm start: A has %zu rows, the samples %zu columns", p->a->rows, dy);
    return 0;
}

int warm_start_curves(const WarmStartProblem *p, const WarmStartOptions *o,
                      WarmStartPoint **points, size_t *npoints, SkErr *err)
{
    *points = NULL;
    *npoints = 0;
    if (check_problem(p, o, err))
        return -1;
    Curves c = {.o = o, .p = p, .cap = 2 * o->nbudgets + 1};
    c.points = calloc(c.cap, sizeof *c.points);
    if (!c.points)
        return sk_fail(err, "out of memory");
    long max_budget = o->budgets[o->nbudgets - 1];
    c.total = (o->kind == WARM_START_DECODER ? 2.0 * (double)(max_budget > 0 ? max_budget : 1)
                                             : 2.0 * (double)max_budget) +
              (p->a ? (double)o->oracle_iters : 0.0);
    int rc = o->kind == WARM_START_DECODER ? decoder_curves(&c, err) : encoder_curves(&c, err);
    if (rc == 0 && p->a)
        rc = oracle_point(&c, err);
    if (rc) {
        free(c.points);
        return -1;
    }
    *points = c.points;
    *npoints = c.npoints;
    return 0;
}
