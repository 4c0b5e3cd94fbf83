/* test_softplus_adam.c — Softplus-Adam (lib/softplus_adam):
 *  - the paper's 30 steps (fixture softplus_adam.npz): losses, learning rates,
 *    final D and pre-activations (and their updates);
 *  - the backward pass against central finite differences (D against the val
 *    terms only: the OOD terms see sg(D)); D's gradient ignores Y_ood;
 *  - the adaptive learning rate and the early stop replayed from the recorded
 *    losses; the clamp; a non-finite loss names its step;
 *  - the pre-activation draws (N(0,1) − 10, seeded);
 *  - the fused step (softplus_adam_step) leaves the bits of loss_grad +
 *    adam_step, on any number of threads; softplus within 2 ulp. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "rng.h"
#include "softplus_adam.h"
#include "gemm.h"
#include "testutil.h"

static Mat alloc_mat(size_t rows, size_t cols)
{
    Mat m;
    SkErr err = {{0}};
    ck_assert_msg(mat_alloc(&m, rows, cols, &err) == 0, "%s", err.msg);
    return m;
}

static Mat random_mat(Rng *r, size_t rows, size_t cols, double scale, double shift)
{
    Mat m = alloc_mat(rows, cols);
    for (size_t i = 0; i < mat_size(&m); i++)
        m.v[i] = (float)(shift + scale * rng_normal(r));
    return m;
}

/* ---- fixture ------------------------------------------------------------ */

START_TEST(thirty_steps_match_fixture)
{
    Npz fx;
    fixture_load("softplus_adam.npz", &fx);
    Mat d0 = fixture_mat(&fx, "D0"), yv = fixture_mat(&fx, "Y_val"), yo = fixture_mat(&fx, "Y_ood");
    Mat pv = fixture_mat(&fx, "pre_val_init"), po = fixture_mat(&fx, "pre_ood_init");
    Mat losses = fixture_mat(&fx, "losses"), lrs = fixture_mat(&fx, "lrs");
    Mat d30 = fixture_mat(&fx, "D_after30"), pv30 = fixture_mat(&fx, "pre_val_after30"),
        po30 = fixture_mat(&fx, "pre_ood_after30");
    SoftplusAdamOptions o;
    softplus_adam_options_default(&o);
    o.lambda = fixture_scalar(&fx, "lam");
    o.lr = fixture_scalar(&fx, "lr");
    o.max_steps = 30;
    SoftplusAdamModel m;
    SoftplusAdamHistory h;
    SkErr err = {{0}};
    ck_assert_msg(softplus_adam_model_init(&m, &d0, &pv, &po, &err) == 0, "%s", err.msg);
    ck_assert_msg(softplus_adam_train(&m, &yv, &yo, &o, &h, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(h.steps, 30);
    ck_assert(!h.early_stopped);
    assert_close_f(h.loss, losses.v, 30, 1e-5, 0.0, "losses");
    double lr_got[30];
    for (int t = 0; t < 30; t++)
        lr_got[t] = h.lr[t];
    assert_close_f(lr_got, lrs.v, 30, 1e-6, 0.0, "lrs");
    assert_close_f(m.d.v, d30.v, mat_size(&d30), 1e-4, 1e-5, "D_after30");
    assert_close_f(m.pre_val.v, pv30.v, mat_size(&pv30), 1e-5, 1e-5, "pre_val_after30");
    assert_close_f(m.pre_ood.v, po30.v, mat_size(&po30), 1e-5, 1e-5, "pre_ood_after30");
    /* the updates themselves (moves of ~0.2), not only the weights */
    const Mat *start[3] = {&d0, &pv, &po}, *want[3] = {&d30, &pv30, &po30};
    const Mat got[3] = {m.d, m.pre_val, m.pre_ood};
    for (int s = 0; s < 3; s++)
        for (size_t i = 0; i < mat_size(want[s]); i++) {
            double du = got[s].v[i] - start[s]->v[i], dw = want[s]->v[i] - start[s]->v[i];
            ck_assert_msg(fabs(du - dw) <= 1e-5 + 1e-3 * fabs(dw), "update %d[%zu]: %g vs %g", s,
                          i, du, dw);
        }
    softplus_adam_history_release(&h);
    softplus_adam_model_release(&m);
    Mat all[] = {d0, yv, yo, pv, po, losses, lrs, d30, pv30, po30};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_release(&all[i]);
    npz_free(&fx);
}
END_TEST

/* ---- finite differences ---------------------------------------------------- */

typedef struct {
    SoftplusAdamModel m;
    Mat yv, yo;
    SoftplusAdamWork w;
    double lambda;
} Problem;

/* The shape of a test problem: sizes, pre-activations drawn as
 * scale·U + shift, a few entries set by hand (index into Pv or Po), λ. */
typedef struct {
    size_t dy, dz, nv, no;
    double scale, shift, lambda;
    struct { bool ood; size_t at; float value; } set[2];
    size_t nset;
} ProblemShape;

static void problem_build(Problem *p, uint64_t seed, const ProblemShape *s)
{
    Rng r;
    rng_init(&r, seed, 0);
    Mat d = random_mat(&r, s->dy, s->dz, 0.7, 0.0);
    Mat pv = random_mat(&r, s->nv, s->dz, s->scale, s->shift);
    Mat po = random_mat(&r, s->no, s->dz, s->scale, s->shift);
    for (size_t i = 0; i < s->nset; i++)
        (s->set[i].ood ? po : pv).v[s->set[i].at] = s->set[i].value;
    p->yv = random_mat(&r, s->nv, s->dy, 1.0, 0.0);
    p->yo = random_mat(&r, s->no, s->dy, 1.0, 0.0);
    p->lambda = s->lambda;
    SkErr err = {{0}};
    ck_assert(softplus_adam_model_init(&p->m, &d, &pv, &po, &err) == 0);
    ck_assert(softplus_adam_work_init(&p->w, &p->m, &err) == 0);
    mat_release(&d);
    mat_release(&pv);
    mat_release(&po);
}

/* A small problem with pre-activations near 0 (softplus curved there), one
 * above the threshold 20, and a non-unit dictionary. */
static void problem_init(Problem *p, uint64_t seed)
{
    const ProblemShape small = {4, 6, 5, 3, 1.0, 0.0, 0.5, {{false, 7, 21.0f}}, 1};
    problem_build(p, seed, &small);
}

static void problem_free(Problem *p)
{
    softplus_adam_work_release(&p->w);
    softplus_adam_model_release(&p->m);
    mat_release(&p->yv);
    mat_release(&p->yo);
}

/* softplus in float64, as PyTorch's: x itself above 20. */
static double softplus_f64(double x)
{
    return x > 20.0 ? x : log1p(exp(x));
}

/* One split's terms of the loss in float64 (softplus_adam.h):
 * mse(softplus(P) Dᵀ, Y) + λ·mean(softplus(P) ⊙ ‖d_j‖), P n × d_z, D d_y × d_z. */
static double split_loss_f64(const Mat *pre, const Mat *d, const Mat *y, double lambda)
{
    const size_t n = pre->rows, dz = pre->cols, dy = d->rows;
    double mse = 0.0, reg = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (size_t r = 0; r < dy; r++) {
            double rec = 0.0;
            for (size_t j = 0; j < dz; j++)
                rec += softplus_f64(MAT_AT(*pre, i, j)) * (double)MAT_AT(*d, r, j);
            mse += (rec - MAT_AT(*y, i, r)) * (rec - MAT_AT(*y, i, r));
        }
        for (size_t j = 0; j < dz; j++) {
            double norm2 = 0.0;
            for (size_t r = 0; r < dy; r++)
                norm2 += (double)MAT_AT(*d, r, j) * MAT_AT(*d, r, j);
            reg += softplus_f64(MAT_AT(*pre, i, j)) * sqrt(norm2);
        }
    }
    return mse / (double)(n * dy) + lambda * reg / (double)(n * dz);
}

/* The loss seen by parameter k, in float64: the whole loss for
 * pre-activations, the val terms only for D (the OOD terms hold sg(D)).
 * The library's float32 loss would do for h = 1e-2 on this problem, but its
 * rounding (≈ ε₃₂·|loss|/h in the quotient, and dependent on which BLIS
 * kernels summed the products) is noise that a smaller h or a larger loss
 * would push past the tolerance; in float64 it is ~1e-16/h. */
static double loss_seen_by(const Problem *p, size_t k)
{
    bool in_d = k < p->m.d_y * p->m.d_z;
    double val = split_loss_f64(&p->m.pre_val, &p->m.d, &p->yv, p->lambda);
    return in_d ? val : val + split_loss_f64(&p->m.pre_ood, &p->m.d, &p->yo, p->lambda);
}

/* The float64 transcription agrees with the library's float32 loss. */
START_TEST(float64_transcription_matches_loss)
{
    Problem p;
    problem_init(&p, 11);
    SoftplusAdamLoss t;
    softplus_adam_forward(&p.m, &p.yv, &p.yo, &p.w, &t);
    double f32 = t.mse_val + t.mse_ood + p.lambda * (t.reg_val + t.reg_ood);
    double f64 = loss_seen_by(&p, p.m.n_params - 1);
    ck_assert_msg(fabs(f32 - f64) <= 1e-5 * fabs(f64), "float32 loss %.9g, float64 %.9g", f32, f64);
    problem_free(&p);
}
END_TEST

START_TEST(gradient_matches_finite_differences)
{
    Problem p;
    problem_init(&p, 11);
    float *g = malloc(p.m.n_params * sizeof *g);
    softplus_adam_loss_grad(&p.m, &p.yv, &p.yo, p.lambda, g, &p.w);
    /* softplus is smooth, so the central difference's truncation error is
     * O(h²); the tolerance covers the backward pass's float32 rounding. */
    const float h = 1e-3f;
    double worst = 0.0;
    for (size_t k = 0; k < p.m.n_params; k++) {
        float keep = p.m.params[k];
        p.m.params[k] = keep + h;
        double up = loss_seen_by(&p, k);
        p.m.params[k] = keep - h;
        double down = loss_seen_by(&p, k);
        p.m.params[k] = keep;
        double fd = (up - down) / ((double)(keep + h) - (double)(keep - h));
        double tol = 2e-5 + 2e-3 * fabs(fd);
        ck_assert_msg(fabs(g[k] - fd) <= tol, "param %zu: backward %.7g, finite difference %.7g",
                      k, g[k], fd);
        worst = fmax(worst, fabs(fd));
    }
    ck_assert_msg(worst > 1e-2, "gradient too small to test (%g)", worst);
    free(g);
    problem_free(&p);
}
END_TEST

START_TEST(dictionary_gradient_ignores_ood)
{
    Problem p;
    problem_init(&p, 12);
    size_t nd = p.m.d_y * p.m.d_z, n = p.m.n_params;
    float *g1 = malloc(n * sizeof *g1), *g2 = malloc(n * sizeof *g2);
    softplus_adam_loss_grad(&p.m, &p.yv, &p.yo, p.lambda, g1, &p.w);
    for (size_t i = 0; i < mat_size(&p.yo); i++)
        p.yo.v[i] = 3.0f * p.yo.v[i] + 1.0f;
    float l2 = softplus_adam_loss_grad(&p.m, &p.yv, &p.yo, p.lambda, g2, &p.w);
    ck_assert(isfinite(l2));
    ck_assert_msg(memcmp(g1, g2, nd * sizeof *g1) == 0, "D's gradient depends on Y_ood");
    size_t ood = nd + mat_size(&p.m.pre_val);
    ck_assert_msg(memcmp(g1 + ood, g2 + ood, (n - ood) * sizeof *g1) != 0,
                  "P_ood's gradient does not depend on Y_ood");
    free(g1);
    free(g2);
    problem_free(&p);
}
END_TEST

/* ---- schedule, early stop, failures ------------------------------------- */

/* Replay SPEC's learning-rate rule on the recorded losses. */
static void check_schedule(const SoftplusAdamHistory *h, const SoftplusAdamOptions *o)
{
    double lr = o->lr, best = INFINITY;
    long bad = 0;
    for (long t = 0; t < h->steps; t++) {
        if (h->loss[t] < best) {
            best = h->loss[t];
            bad = 0;
            lr *= o->lr_up;
        } else if (++bad == o->lr_patience) {
            lr *= o->lr_down;
            bad = 0;
        }
        lr = fmin(fmax(lr, o->lr_min), o->lr_max);
        ck_assert_msg(fabs(h->lr[t] - lr) <= 1e-12 * lr, "lr after step %ld: %g, expected %g",
                      t + 1, h->lr[t], lr);
    }
}

START_TEST(schedule_and_early_stop_follow_spec)
{
    Problem p;
    problem_init(&p, 13);
    SoftplusAdamOptions o;
    softplus_adam_options_default(&o);
    o.lambda = p.lambda;
    o.lr = 0.05;
    o.lr_max = 0.2;         /* so the clamp acts */
    o.max_steps = 4000;
    o.stop_after = 300;
    o.stop_patience = 100;
    o.stop_min_delta = 1e-4;
    SoftplusAdamHistory h;
    SkErr err = {{0}};
    ck_assert_msg(softplus_adam_train(&p.m, &p.yv, &p.yo, &o, &h, &err) == 0, "%s", err.msg);
    check_schedule(&h, &o);
    /* the lr was clamped at least once and halved at least once */
    bool clamped = false, halved = false;
    for (long t = 1; t < h.steps; t++) {
        clamped |= h.lr[t] == o.lr_max && h.lr[t - 1] == o.lr_max;
        halved |= h.lr[t] < h.lr[t - 1];
    }
    ck_assert(clamped && halved);
    /* replay the early stop: it fires at the first t > stop_after with
     * stop_patience steps since the last improvement > min_delta */
    double best = INFINITY;
    long since = 0, stop = -1;
    for (long t = 1; t <= o.max_steps && t <= h.steps; t++) {
        double l = h.loss[t - 1];
        if (l < best - o.stop_min_delta) {
            best = l;
            since = 0;
        } else {
            since++;
        }
        if (t > o.stop_after && since >= o.stop_patience) {
            stop = t;
            break;
        }
    }
    ck_assert_msg(stop > 0, "the test problem never met the stop rule in %ld steps", h.steps);
    ck_assert(h.early_stopped);
    ck_assert_int_eq(h.steps, stop);
    softplus_adam_history_release(&h);
    problem_free(&p);
}
END_TEST

START_TEST(nonfinite_loss_names_step)
{
    Problem p;
    problem_init(&p, 14);
    p.yv.v[0] = 1e30f;      /* squared residual overflows float32 */
    SoftplusAdamOptions o;
    softplus_adam_options_default(&o);
    o.max_steps = 10;
    SoftplusAdamHistory h;
    SkErr err = {{0}};
    ck_assert_int_ne(softplus_adam_train(&p.m, &p.yv, &p.yo, &o, &h, &err), 0);
    ck_assert_msg(strstr(err.msg, "at step 1") != NULL, "message: %s", err.msg);
    ck_assert_ptr_null(h.loss);
    problem_free(&p);
}
END_TEST

START_TEST(preactivations_are_seeded_normal_minus_10)
{
    Mat a1, b1, a2, b2, a3, b3;
    SkErr err = {{0}};
    ck_assert(softplus_adam_init_preactivations(5, 200, 100, 50, &a1, &b1, &err) == 0);
    ck_assert(softplus_adam_init_preactivations(5, 200, 100, 50, &a2, &b2, &err) == 0);
    ck_assert(softplus_adam_init_preactivations(6, 200, 100, 50, &a3, &b3, &err) == 0);
    ck_assert(memcmp(a1.v, a2.v, mat_size(&a1) * 4) == 0 && memcmp(b1.v, b2.v, mat_size(&b1) * 4) == 0);
    ck_assert(memcmp(a1.v, a3.v, mat_size(&a1) * 4) != 0);
    ck_assert(memcmp(a1.v, b1.v, mat_size(&b1) * 4) != 0);   /* OOD continues the stream */
    double s = 0, s2 = 0;
    size_t n = mat_size(&a1);
    for (size_t i = 0; i < n; i++) {
        s += a1.v[i];
        s2 += (a1.v[i] + 10.0) * (a1.v[i] + 10.0);
    }
    ck_assert_msg(fabs(s / n + 10.0) < 0.05, "mean %g", s / n);
    ck_assert_msg(fabs(s2 / n - 1.0) < 0.05, "variance %g", s2 / n);
    Mat all[] = {a1, b1, a2, b2, a3, b3};
    for (int i = 0; i < 6; i++)
        mat_release(&all[i]);
}
END_TEST

START_TEST(softplus_matches_pytorch)
{
    ck_assert_float_eq(softplus_f(25.0f), 25.0f);
    ck_assert(fabs(softplus_f(0.0f) - log(2.0)) < 1e-7);
    ck_assert(fabs(softplus_f(-10.0f) - log1p(exp(-10.0))) < 1e-11);
    ck_assert(fabs(softplus_f(19.5f) - 19.5f) < 1e-6);
}
END_TEST


/* ---- the fused step ------------------------------------------------------ */

/* Problems over several row blocks with a tail, d_z not a multiple of 8
 * (8-lane runs cross rows), pre-activations on both sides of the series'
 * cut-off (−5) and above the threshold 20: d_z = 13 (blocks of 512 rows,
 * the step block by block) and d_z = 2100 (blocks of 128 rows, too wide for
 * that: the step on whole splits). */
static const ProblemShape FUSED_SHAPES[] = {
    {5, 13, 1100, 600, 4.0, -6.0, 0.3, {{false, 17, 21.0f}, {true, 40, 25.0f}}, 2},
    {5, 2100, 300, 140, 4.0, -6.0, 0.3, {{false, 17, 21.0f}, {true, 40, 25.0f}}, 2},
};

/* Three steps on problem `shape`, fused or as loss_grad + adam_step, on
 * `threads` threads; returns the parameters and Adam's moments after them
 * (3·n_params floats) and the losses. */
static float *three_steps(int shape, bool fused, int threads, float loss[3])
{
    Problem p;
    problem_build(&p, 21, &FUSED_SHAPES[shape]);
    p.w.threads = threads;
    const size_t n = p.m.n_params;
    Adam adam;
    SkErr err = {{0}};
    ck_assert(adam_init(&adam, n, &err) == 0);
    float *g = malloc(n * sizeof *g), *out = malloc(3 * n * sizeof *out);
    for (int t = 0; t < 3; t++) {
        double lr = 0.05 * (t + 1);
        if (fused) {
            loss[t] = softplus_adam_step(&p.m, &p.yv, &p.yo, p.lambda, &adam, lr, &p.w);
        } else {
            loss[t] = softplus_adam_loss_grad(&p.m, &p.yv, &p.yo, p.lambda, g, &p.w);
            adam_step(&adam, p.m.params, g, lr);
        }
    }
    memcpy(out, p.m.params, n * sizeof *out);
    memcpy(out + n, adam.m, n * sizeof *out);
    memcpy(out + 2 * n, adam.v, n * sizeof *out);
    free(g);
    adam_release(&adam);
    problem_free(&p);
    return out;
}

START_TEST(fused_step_is_loss_grad_then_adam)
{
    const int shape = _i;
    Problem p;
    problem_build(&p, 21, &FUSED_SHAPES[shape]);
    const size_t n = p.m.n_params;
    ck_assert_uint_ge(p.w.blocks_val + p.w.blocks_ood, 4);   /* more blocks than threads */
    problem_free(&p);
    float l_unfused[3], l_fused[3], l_threads[3];
    float *unfused = three_steps(shape, false, 1, l_unfused);
    float *fused = three_steps(shape, true, 1, l_fused);
    float *threaded = three_steps(shape, true, 3, l_threads);
    ck_assert(memcmp(l_unfused, l_fused, sizeof l_fused) == 0);
    ck_assert(memcmp(l_fused, l_threads, sizeof l_fused) == 0);
    for (size_t i = 0; i < 3 * n; i++) {
        ck_assert_msg(memcmp(&unfused[i], &fused[i], sizeof(float)) == 0,
                      "%s[%zu]: fused %.9g, unfused %.9g", i < n ? "params" : "moments", i % n,
                      fused[i], unfused[i]);
        ck_assert_msg(memcmp(&fused[i], &threaded[i], sizeof(float)) == 0,
                      "[%zu]: 3 threads %.9g, 1 thread %.9g", i, threaded[i], fused[i]);
    }
    /* and the step moved the parameters */
    Problem q;
    problem_build(&q, 21, &FUSED_SHAPES[shape]);
    ck_assert(memcmp(q.m.params, fused, n * sizeof *fused) != 0);
    problem_free(&q);
    free(unfused);
    free(fused);
    free(threaded);
}
END_TEST

/* softplus against log1p(exp(x)) in double: the kernels' exp (1 ulp) and
 * log1p (1 ulp) compose to within 2 ulp of the exact value. */
START_TEST(softplus_within_two_ulp)
{
    double worst = 0.0;
    for (float x = -60.0f; x <= 20.0f; x += 0.00731f) {
        double ref = log1p(exp((double)x));
        float got = softplus_f(x);
        double ulp = (double)nextafterf((float)ref, INFINITY) - (float)ref;
        worst = fmax(worst, fabs(got - ref) / ulp);
    }
    ck_assert_msg(worst <= 2.0, "worst %.3f ulp", worst);
    ck_assert(isnan(softplus_f(NAN)));
    ck_assert_float_eq(softplus_f(-INFINITY), 0.0f);
    ck_assert_float_eq(softplus_f(INFINITY), INFINITY);
}
END_TEST

/* The codes a model writes (softplus_adam_codes: chunks of 1024 codes, a
 * second pass over the vectors with a lane at x ≥ −5) are softplus_f's, lane
 * for lane: 2506 codes (3 chunks, a 2-lane tail) drawn N(0, 15²), so the
 * series' side, the general side and the threshold 20 mix within vectors,
 * every fifth one below −5; and a 7-code split. */
START_TEST(model_codes_are_softplus_f)
{
    Rng r;
    rng_init(&r, 3, 0);
    Mat d = random_mat(&r, 3, 7, 1.0, 0.0), pv = random_mat(&r, 358, 7, 15.0, 0.0);
    Mat po = random_mat(&r, 1, 7, 15.0, 0.0);
    for (size_t i = 0; i < mat_size(&pv); i += 5)
        pv.v[i] = -10.0f - (float)(i % 7);
    SoftplusAdamModel m;
    SkErr err = {{0}};
    ck_assert(softplus_adam_model_init(&m, &d, &pv, &po, &err) == 0);
    Mat zv, zo;
    ck_assert(softplus_adam_codes(&m, &zv, &zo, &err) == 0);
    const Mat *pre[2] = {&pv, &po}, *z[2] = {&zv, &zo};
    for (int split = 0; split < 2; split++)
        for (size_t i = 0; i < mat_size(pre[split]); i++) {
            float want = softplus_f(pre[split]->v[i]);
            ck_assert_msg(memcmp(&z[split]->v[i], &want, sizeof want) == 0, "split %d [%zu]: %.9g, softplus_f %.9g",
                          split, i, z[split]->v[i], want);
        }
    softplus_adam_model_release(&m);
    Mat *mats[] = {&d, &pv, &po, &zv, &zo};
    for (size_t i = 0; i < 5; i++)
        mat_release(mats[i]);
}
END_TEST

START_TEST(softplus_adam_threads_serial_below_2e7)
{
    ck_assert_int_eq(softplus_adam_threads(5, 10, 10, 10), 5);
    ck_assert_int_eq(softplus_adam_threads(0, 1000, 14, 100), 1);   /* 1.4e6 MACs */
    ck_assert_int_eq(softplus_adam_threads(0, 10000, 100, 100), sk_default_threads());
}
END_TEST

static Suite *softplus_adam_suite(void)
{
    Suite *s = suite_create("softplus_adam");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, thirty_steps_match_fixture);
    tcase_add_test(tc, float64_transcription_matches_loss);
    tcase_add_test(tc, gradient_matches_finite_differences);
    tcase_add_test(tc, dictionary_gradient_ignores_ood);
    tcase_add_test(tc, schedule_and_early_stop_follow_spec);
    tcase_add_test(tc, nonfinite_loss_names_step);
    tcase_add_test(tc, preactivations_are_seeded_normal_minus_10);
    tcase_add_test(tc, softplus_matches_pytorch);
    tcase_add_loop_test(tc, fused_step_is_loss_grad_then_adam, 0, 2);
    tcase_add_test(tc, softplus_within_two_ulp);
    tcase_add_test(tc, model_codes_are_softplus_f);
    tcase_add_test(tc, softplus_adam_threads_serial_below_2e7);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(softplus_adam_suite()); }
