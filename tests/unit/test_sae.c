/* test_sae.c — the four SAEs (lib/sae, lib/adamw):
 *  - the paper's PyTorch reference (fixtures sae_*.npz): forward codes,
 *    reconstruction and losses, projected gradients, parameters after 1 and 3
 *    AdamW steps (compared as updates), the renormed decoder, the losses;
 *  - central finite differences of a double-precision transcription of the
 *    forward pass for every parameter of every variant (MP through its pursuit;
 *    JumpReLU's threshold path through the integral of its straight-through
 *    kernel, with thresholds inside the bandwidth window);
 *  - init depends on the seed only; training is deterministic; TopK ties;
 *    a NaN stops training naming the epoch; the projection and the renorm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "rng.h"
#include "sae.h"
#include "testutil.h"

static const char *const FIXTURES[] = {"sae_relu.npz", "sae_topk.npz", "sae_jumprelu.npz",
                                       "sae_mp.npz"};

/* ---- fixture plumbing -------------------------------------------------- */

/* Load fixture parameters with prefix ("init_", "step1_", ...) into a buffer
 * with the model layout (Ad transposed into atom rows). */
static void load_params(const Npz *f, const Sae *m, const char *prefix, float *buf)
{
    SaeParams p;
    sae_layout(&m->cfg, buf, &p);
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    char name[64];
    struct { const char *suffix; float *dst; size_t n; } flat[] = {
        {"Ae", p.w_enc, wi * dy}, {"be", p.b_enc, wi}, {"bd", p.b_dec, dy},
        {"logthreshold", p.log_theta, wi}};
    for (size_t i = 0; i < 4; i++) {
        if (!flat[i].dst)
            continue;
        snprintf(name, sizeof name, "%s%s", prefix, flat[i].suffix);
        Mat x = fixture_mat(f, name);
        ck_assert_uint_eq(mat_size(&x), flat[i].n);
        memcpy(flat[i].dst, x.v, flat[i].n * sizeof(float));
        mat_release(&x);
    }
    snprintf(name, sizeof name, "%sAd", prefix);
    Mat ad = fixture_mat(f, name);
    ck_assert_uint_eq(ad.rows, dy);
    ck_assert_uint_eq(ad.cols, wi);
    for (size_t j = 0; j < wi; j++)
        for (size_t i = 0; i < dy; i++)
            p.dec[j * dy + i] = MAT_AT(ad, i, j);
    mat_release(&ad);
}

static void model_for_fixture(const Npz *f, SaeVariant v, Sae *m, Mat *y)
{
    *y = fixture_mat(f, "Y");
    Mat ae = fixture_mat(f, "init_Ae");
    SaeConfig cfg = {.variant = v, .d_y = ae.cols, .width = ae.rows,
                     .k = (size_t)fixture_scalar(f, "k"), .gamma = (float)fixture_scalar(f, "gamma")};
    mat_release(&ae);
    SkErr err = {{0}};
    ck_assert_msg(sae_alloc(m, &cfg, &err) == 0, "%s", err.msg);
    load_params(f, m, "init_", m->params);
}

static Mat transpose_rows(const float *rows, size_t wi, size_t dy)
{
    Mat out;
    SkErr err = {{0}};
    ck_assert(mat_alloc(&out, dy, wi, &err) == 0);
    for (size_t j = 0; j < wi; j++)
        for (size_t i = 0; i < dy; i++)
            MAT_AT(out, i, j) = rows[j * dy + i];
    return out;
}

/* Compare a buffer in model layout with fixture members PREFIX* (absent members
 * must be all zero in got). */
static void assert_params_close(const Npz *f, const Sae *m, const char *prefix, const float *got,
                                double rtol, double atol)
{
    SaeParams g;
    sae_layout(&m->cfg, (float *)got, &g);
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    char name[64];
    struct { const char *suffix; const float *v; size_t n; } flat[] = {
        {"Ae", g.w_enc, wi * dy}, {"be", g.b_enc, wi}, {"bd", g.b_dec, dy},
        {"logthreshold", g.log_theta, wi}};
    for (size_t i = 0; i < 4; i++) {
        if (!flat[i].v)
            continue;
        snprintf(name, sizeof name, "%s%s", prefix, flat[i].suffix);
        if (!npz_get(f, name)) {
            for (size_t e = 0; e < flat[i].n; e++)
                ck_assert_msg(flat[i].v[e] == 0.0f, "%s[%zu] = %g, expected no gradient", name, e,
                              flat[i].v[e]);
            continue;
        }
        Mat want = fixture_mat(f, name);
        double scale = 0.0;
        for (size_t e = 0; e < flat[i].n; e++)
            scale = fmax(scale, fabs(want.v[e]));
        assert_close_f(flat[i].v, want.v, flat[i].n, rtol, atol + rtol * scale, name);
        mat_release(&want);
    }
    snprintf(name, sizeof name, "%sAd", prefix);
    Mat want = fixture_mat(f, name), got_ad = transpose_rows(g.dec, wi, dy);
    double scale = 0.0;
    for (size_t e = 0; e < mat_size(&want); e++)
        scale = fmax(scale, fabs(want.v[e]));
    assert_close_f(got_ad.v, want.v, mat_size(&want), rtol, atol + rtol * scale, name);
    mat_release(&want);
    mat_release(&got_ad);
}

/* Compare updates: (got − init) against (fixture PREFIX* − init). Each member
 * is allowed 2e-4 of its largest update plus float32 rounding of the stored
 * values (2 ulp of their magnitude). */
static void assert_updates_close(const Npz *f, const Sae *m, const char *prefix, const float *got,
                                 const float *init)
{
    float *want = malloc(m->n_params * sizeof(float));
    load_params(f, m, prefix, want);
    SaeParams gw, gg, gi;
    sae_layout(&m->cfg, want, &gw);
    sae_layout(&m->cfg, (float *)got, &gg);
    sae_layout(&m->cfg, (float *)init, &gi);
    size_t dy = m->cfg.d_y, wi = m->cfg.width;
    struct { const char *what; const float *w, *g, *i; size_t n; } parts[] = {
        {"W_enc", gw.w_enc, gg.w_enc, gi.w_enc, wi * dy}, {"b_enc", gw.b_enc, gg.b_enc, gi.b_enc, wi},
        {"D", gw.dec, gg.dec, gi.dec, wi * dy},             {"b_dec", gw.b_dec, gg.b_dec, gi.b_dec, dy},
        {"log_theta", gw.log_theta, gg.log_theta, gi.log_theta, wi}};
    for (size_t p = 0; p < 5; p++) {
        if (!parts[p].w)
            continue;
        double big = 0.0;
        for (size_t e = 0; e < parts[p].n; e++)
            big = fmax(big, fabs((double)parts[p].w[e] - parts[p].i[e]));
        for (size_t e = 0; e < parts[p].n; e++) {
            double du_want = (double)parts[p].w[e] - parts[p].i[e];
            double du_got = (double)parts[p].g[e] - parts[p].i[e];
            double tol = 2e-4 * big + 2.0 * 1.2e-7 * fabs(parts[p].w[e]);
            ck_assert_msg(fabs(du_got - du_want) <= tol, "%s%s[%zu]: update %.9g, want %.9g (tol %.3g)",
                          prefix, parts[p].what, e, du_got, du_want, tol);
        }
    }
    free(want);
}

/* ---- fixtures ---------------------------------------------------------- */

START_TEST(forward_matches_fixture)
{
    SaeVariant v = (SaeVariant)_i;
    Npz f;
    fixture_load(FIXTURES[v], &f);
    Sae m;
    Mat y;
    model_for_fixture(&f, v, &m, &y);
    SaeWork w;
    SkErr err = {{0}};
    ck_assert(sae_work_alloc(&w, &m.cfg, y.rows, &err) == 0);
    SaeLoss loss;
    sae_forward(&m, y.v, y.rows, &w, &loss);
    Mat codes = fixture_mat(&f, "codes"), recon = fixture_mat(&f, "recon");
    assert_close_f(w.z, codes.v, mat_size(&codes), 1e-5, 1e-6, "codes");
    assert_close_f(w.rec, recon.v, mat_size(&recon), 1e-5, 1e-6, "recon");
    double want[3] = {fixture_scalar(&f, "loss_recon"), fixture_scalar(&f, "loss_reg"),
                      fixture_scalar(&f, "loss")};
    double got[3] = {loss.recon, loss.reg, loss.loss};
    assert_close_f(got, want, 3, 1e-5, 1e-9, "losses");
    mat_release(&codes), mat_release(&recon), mat_release(&y);
    sae_work_release(&w);
    sae_release(&m);
    npz_free(&f);
}
END_TEST

START_TEST(gradients_match_fixture)
{
    SaeVariant v = (SaeVariant)_i;
    Npz f;
    fixture_load(FIXTURES[v], &f);
    Sae m;
    Mat y;
    model_for_fixture(&f, v, &m, &y);
    SaeWork w;
    SkErr err = {{0}};
    ck_assert(sae_work_alloc(&w, &m.cfg, y.rows, &err) == 0);
    float *grad = malloc(m.n_params * sizeof(float));
    sae_forward(&m, y.v, y.rows, &w, NULL);
    sae_backward(&m, y.v, y.rows, &w, grad);
    sae_project_decoder_grad(&m, grad);
    assert_params_close(&f, &m, "grad_", grad, 1e-5, 1e-9);
    free(grad);
    mat_release(&y);
    sae_work_release(&w);
    sae_release(&m);
    npz_free(&f);
}
END_TEST

/* 3 AdamW steps on the fixture's batch: step1_*, step3_*, losses_3steps, renormed_Ad. */
START_TEST(adamw_steps_match_fixture)
{
    SaeVariant v = (SaeVariant)_i;
    Npz f;
    fixture_load(FIXTURES[v], &f);
    Sae m;
    Mat y;
    model_for_fixture(&f, v, &m, &y);
    SaeWork w;
    AdamW opt;
    SkErr err = {{0}};
    AdamWConfig cfg = adamw_default_config();
    cfg.lr = fixture_scalar(&f, "lr");
    cfg.weight_decay = fixture_scalar(&f, "weight_decay");
    ck_assert(sae_work_alloc(&w, &m.cfg, y.rows, &err) == 0);
    ck_assert(adamw_init(&opt, m.n_params - m.trained_offset, &cfg, &err) == 0);
    float *grad = malloc(m.n_params * sizeof(float)), *init = malloc(m.n_params * sizeof(float));
    memcpy(init, m.params, m.n_params * sizeof(float));
    Mat losses = fixture_mat(&f, "losses_3steps");
    for (int step = 1; step <= 3; step++) {
        SaeLoss loss;
        sae_forward(&m, y.v, y.rows, &w, &loss);
        assert_close_f(&loss.loss, &losses.v[step - 1], 1, 1e-5, 0.0, "losses_3steps");
        sae_backward(&m, y.v, y.rows, &w, grad);
        sae_project_decoder_grad(&m, grad);
        adamw_step(&opt, m.params + m.trained_offset, grad + m.trained_offset);
        if (step == 1)
            assert_updates_close(&f, &m, "step1_", m.params, init);
    }
    assert_updates_close(&f, &m, "step3_", m.params, init);
    sae_renorm_decoder(&m);
    Mat want = fixture_mat(&f, "renormed_Ad"), got = transpose_rows(m.p.dec, m.cfg.width, m.cfg.d_y);
    assert_close_f(got.v, want.v, mat_size(&want), 1e-4, 1e-6, "renormed_Ad");
    if (v == SAE_MP) {   /* the unused encoder: not even decayed */
        Mat ae = fixture_mat(&f, "step3_Ae");
        for (size_t e = 0; e < mat_size(&ae); e++)
            ck_assert_float_eq(m.p.w_enc[e], ae.v[e]);
        mat_release(&ae);
    }
    mat_release(&want), mat_release(&got), mat_release(&losses), mat_release(&y);
    free(grad), free(init);
    adamw_release(&opt);
    sae_work_release(&w);
    sae_release(&m);
    npz_free(&f);
}
END_TEST

/* ---- finite differences ---------------------------------------------------- */

/* A double-precision transcription of SPEC §3's forward loss. For JumpReLU's
 * threshold path, theta_ref != NULL makes the loss the function of log θ whose
 * exact derivative is the straight-through estimator: with h, z held at their
 * values for θ_ref, each code becomes z(θ_ref) + ∫_{θ_ref}^{θ} −(t/ε) rect((h − t)/ε) dt
 * and each regulariser count #[z > θ_ref] + ∫_{θ_ref}^{θ} −(1/ε) rect((z − t)/ε) dt.
 * mp_idx (n × k) receives / is checked against MP's choices when not NULL. */
typedef struct {
    SaeConfig cfg;
    size_t n;
    const double *y;
} Problem;

/* ∫_{a}^{b} t^power · 1[|h − t| ≤ ε/2] dt for power 0 or 1 (a, b in any order). */
static double window_integral(double h, double a, double b, int power, double eps)
{
    double sign = 1.0;
    if (b < a) {
        double t = a;
        a = b, b = t, sign = -1.0;
    }
    double lo = fmax(a, h - eps / 2), hi = fmin(b, h + eps / 2);
    if (hi <= lo)
        return 0.0;
    return sign * (power == 0 ? hi - lo : 0.5 * (hi * hi - lo * lo));
}

static double loss_double(const Problem *pr, const double *params, const double *theta_ref)
{
    const SaeConfig *c = &pr->cfg;
    size_t dy = c->d_y, wi = c->width, k = c->k, n = pr->n;
    size_t wd = wi * dy;
    const double *we = params, *be = we + wd, *dec = be + wi, *bd = dec + wd, *lt = bd + dy;
    const double eps = SAE_JUMP_BANDWIDTH;
    double se = 0.0, reg = 0.0;
    double *z = calloc(wi, sizeof *z), *unit = calloc(wd, sizeof *unit), *r = calloc(dy, sizeof *r);
    for (size_t j = 0; j < wi; j++) {
        double s = 0.0;
        for (size_t i = 0; i < dy; i++)
            s += dec[j * dy + i] * dec[j * dy + i];
        for (size_t i = 0; i < dy; i++)
            unit[j * dy + i] = dec[j * dy + i] / sqrt(s);
    }
    for (size_t s = 0; s < n; s++) {
        const double *y = pr->y + s * dy;
        for (size_t i = 0; i < dy; i++)
            r[i] = y[i] - bd[i];
        memset(z, 0, wi * sizeof *z);
        const double *atoms = dec;
        if (c->variant == SAE_MP) {
            atoms = unit;
            size_t chosen[64];
            for (size_t t = 0; t < k; t++) {
                size_t best = 0;
                double best_abs = -1.0, best_c = 0.0;
                for (size_t j = 0; j < wi; j++) {
                    bool used = false;
                    for (size_t u = 0; u < t; u++)
                        used |= chosen[u] == j;
                    double cj = 0.0;
                    for (size_t i = 0; i < dy; i++)
                        cj += unit[j * dy + i] * r[i];
                    if (!used && fabs(cj) > best_abs)
                        best = j, best_abs = fabs(cj), best_c = cj;
                }
                chosen[t] = best;
                z[best] = best_c;
                for (size_t i = 0; i < dy; i++)
                    r[i] -= best_c * unit[best * dy + i];
            }
        } else {
            for (size_t j = 0; j < wi; j++) {
                double pre = be[j];
                for (size_t i = 0; i < dy; i++)
                    pre += we[j * dy + i] * r[i];
                z[j] = pre;
            }
            if (c->variant == SAE_RELU) {
                for (size_t j = 0; j < wi; j++) {
                    z[j] = fmax(z[j], 0.0);
                    reg += z[j] / (double)n;
                }
            } else if (c->variant == SAE_TOPK) {
                bool keep[64] = {false};
                for (size_t t = 0; t < k; t++) {
                    size_t best = wi;
                    for (size_t j = 0; j < wi; j++)
                        if (!keep[j] && (best == wi || z[j] > z[best]))
                            best = j;
                    keep[best] = true;
                }
                for (size_t j = 0; j < wi; j++)
                    z[j] = keep[j] ? fmax(z[j], 0.0) : 0.0;
            } else {
                for (size_t j = 0; j < wi; j++) {
                    double th = exp(fmin(lt[j], 20.0)), h = fmax(z[j], 0.0);
                    if (!theta_ref) {
                        z[j] = h > th ? h : 0.0;
                        reg += (z[j] > th) / (double)n;
                    } else {
                        double t0 = theta_ref[j], z0 = h > t0 ? h : 0.0;
                        z[j] = z0 - window_integral(h, t0, th, 1, eps) / eps;
                        reg += ((z0 > t0) - window_integral(z0, t0, th, 0, eps) / eps) / (double)n;
                    }
                }
            }
        }
        for (size_t i = 0; i < dy; i++) {
            double rec = bd[i];
            for (size_t j = 0; j < wi; j++)
                rec += atoms[j * dy + i] * z[j];
            se += (rec - y[i]) * (rec - y[i]);
        }
    }
    free(z), free(unit), free(r);
    return se / (double)(n * dy) + (double)c->gamma * reg;
}

/* Central differences of loss_double for every parameter against sae_backward
 * (unprojected). Step 1e-6 in double: truncation and rounding ~1e-9. */
static void check_fd(const Sae *m, const float *yf, size_t n, const char *what)
{
    size_t np = m->n_params, dy = m->cfg.d_y;
    SaeWork w;
    SkErr err = {{0}};
    ck_assert(sae_work_alloc(&w, &m->cfg, n, &err) == 0);
    float *grad = malloc(np * sizeof(float));
    sae_forward(m, yf, n, &w, NULL);
    sae_backward(m, yf, n, &w, grad);
    double *p = malloc(np * sizeof *p), *y = malloc(n * dy * sizeof *y), *theta = NULL;
    for (size_t i = 0; i < np; i++)
        p[i] = m->params[i];
    for (size_t i = 0; i < n * dy; i++)
        y[i] = yf[i];
    Problem pr = {m->cfg, n, y};
    SaeParams views;
    sae_layout(&m->cfg, m->params, &views);
    size_t lt_at = views.log_theta ? (size_t)(views.log_theta - m->params) : np;
    if (views.log_theta) {
        theta = malloc(m->cfg.width * sizeof *theta);
        for (size_t j = 0; j < m->cfg.width; j++)
            theta[j] = exp(fmin(p[lt_at + j], 20.0));
    }
    double scale = 0.0;
    for (size_t i = m->trained_offset; i < np; i++)
        scale = fmax(scale, fabs(grad[i]));
    ck_assert_msg(scale > 0.0, "%s: zero gradient", what);
    const double h = 1e-6;
    for (size_t i = 0; i < np; i++) {
        double keep = p[i];
        bool threshold = i >= lt_at;
        p[i] = keep + h;
        double up = loss_double(&pr, p, threshold ? theta : NULL);
        p[i] = keep - h;
        double down = loss_double(&pr, p, threshold ? theta : NULL);
        p[i] = keep;
        double fd = (up - down) / (2 * h);
        double tol = 2e-5 * scale + 1e-4 * fabs(fd);
        ck_assert_msg(fabs(grad[i] - fd) <= tol, "%s: d loss / d param[%zu]: backward %.9g, FD %.9g",
                      what, i, grad[i], fd);
    }
    free(grad), free(p), free(y), free(theta);
    sae_work_release(&w);
}

/* Fixture models (JumpReLU's has thresholds in the window) and random ones. */
START_TEST(backward_matches_finite_differences)
{
    SaeVariant v = (SaeVariant)_i;
    Npz f;
    fixture_load(FIXTURES[v], &f);
    Sae m;
    Mat y;
    model_for_fixture(&f, v, &m, &y);
    check_fd(&m, y.v, y.rows, FIXTURES[v]);
    if (v == SAE_JUMPRELU) {   /* the threshold path must really be exercised */
        SaeWork w;
        SkErr err = {{0}};
        float *grad = malloc(m.n_params * sizeof(float));
        ck_assert(sae_work_alloc(&w, &m.cfg, y.rows, &err) == 0);
        sae_forward(&m, y.v, y.rows, &w, NULL);
        sae_backward(&m, y.v, y.rows, &w, grad);
        SaeParams g;
        sae_layout(&m.cfg, grad, &g);
        size_t nonzero = 0;
        for (size_t j = 0; j < m.cfg.width; j++)
            nonzero += fabsf(g.log_theta[j]) > 1e-4f;
        ck_assert_msg(nonzero >= 2, "only %zu thresholds get a gradient", nonzero);
        free(grad);
        sae_work_release(&w);
    }
    mat_release(&y);
    sae_release(&m);
    npz_free(&f);

    /* a random model, non-unit atoms, biases, more rows than the fixture */
    SaeConfig cfg = {.variant = v, .d_y = 9, .width = 14, .k = 4, .gamma = 0.05f};
    SkErr err = {{0}};
    ck_assert(sae_alloc(&m, &cfg, &err) == 0);
    sae_init(&m, 11);
    Rng r;
    rng_init(&r, 5, 0);
    for (size_t j = 0; j < cfg.width * cfg.d_y; j++)
        m.p.dec[j] *= (float)(0.5 + rng_uniform(&r));
    for (size_t j = 0; j < cfg.width; j++)
        m.p.b_enc[j] = (float)(0.1 * rng_normal(&r));
    for (size_t i = 0; i < cfg.d_y; i++)
        m.p.b_dec[i] = (float)(0.1 * rng_normal(&r));
    size_t n = 13;
    float *yr = malloc(n * cfg.d_y * sizeof(float));
    for (size_t i = 0; i < n * cfg.d_y; i++)
        yr[i] = (float)rng_normal(&r);
    if (v == SAE_JUMPRELU) {
        /* put threshold j just beside h of row j % n, inside the window */
        SaeWork w;
        ck_assert(sae_work_alloc(&w, &cfg, n, &err) == 0);
        sae_forward(&m, yr, n, &w, NULL);
        for (size_t j = 0; j < cfg.width; j++) {
            float h = w.pre[(j % n) * cfg.width + j];
            float th = h > 0.01f ? h + (j % 2 ? 2e-4f : -3e-4f) : 0.02f;
            m.p.log_theta[j] = logf(th);
        }
        sae_work_release(&w);
    }
    check_fd(&m, yr, n, "random model");
    sae_release(&m);
    if (v == SAE_MP) {   /* wide and k = 2: correlations from one product per step, no Gram */
        SaeConfig wide = {.variant = SAE_MP, .d_y = 5, .width = 150, .k = 2, .gamma = 0};
        ck_assert(sae_alloc(&m, &wide, &err) == 0);
        sae_init(&m, 12);
        for (size_t j = 0; j < wide.width * wide.d_y; j++)
            m.p.dec[j] *= (float)(0.5 + rng_uniform(&r));
        for (size_t i = 0; i < wide.d_y; i++)
            m.p.b_dec[i] = (float)(0.1 * rng_normal(&r));
        check_fd(&m, yr, 7, "wide MP");
        sae_release(&m);
    }
    free(yr);
}
END_TEST

/* ---- behaviour ----------------------------------------------------------- */

START_TEST(init_depends_on_seed_only)
{
    SkErr err = {{0}};
    Sae ref, m;
    SaeConfig cfg = {.variant = SAE_RELU, .d_y = 7, .width = 20, .k = 3, .gamma = 1e-4f};
    ck_assert(sae_alloc(&ref, &cfg, &err) == 0);
    sae_init(&ref, 42);
    size_t wd = cfg.width * cfg.d_y;
    float bound = 1.0f / sqrtf(7.0f);
    for (size_t i = 0; i < wd; i++)
        ck_assert(fabsf(ref.p.w_enc[i]) <= bound);
    for (size_t j = 0; j < cfg.width; j++) {
        double s = 0.0, cosine = 0.0, ns = 0.0;
        for (size_t i = 0; i < cfg.d_y; i++) {
            s += (double)ref.p.dec[j * 7 + i] * ref.p.dec[j * 7 + i];
            cosine += (double)ref.p.dec[j * 7 + i] * ref.p.w_enc[j * 7 + i];
            ns += (double)ref.p.w_enc[j * 7 + i] * ref.p.w_enc[j * 7 + i];
        }
        ck_assert(fabs(s - 1.0) < 1e-6);
        ck_assert(fabs(cosine / sqrt(ns) - 1.0) < 1e-6);   /* atom j ∥ encoder row j */
        ck_assert(ref.p.b_enc[j] == 0.0f);
    }
    for (SaeVariant v = SAE_TOPK; v <= SAE_MP; v++) {
        cfg.variant = v;
        ck_assert(sae_alloc(&m, &cfg, &err) == 0);
        sae_init(&m, 42);
        ck_assert(memcmp(m.p.w_enc, ref.p.w_enc, wd * sizeof(float)) == 0);
        ck_assert(memcmp(m.p.dec, ref.p.dec, wd * sizeof(float)) == 0);
        if (v == SAE_JUMPRELU)
            ck_assert(fabsf(m.p.log_theta[3] - logf(1e-3f)) < 1e-6f);
        sae_release(&m);
    }
    cfg.variant = SAE_RELU;
    ck_assert(sae_alloc(&m, &cfg, &err) == 0);
    sae_init(&m, 43);
    ck_assert(memcmp(m.p.w_enc, ref.p.w_enc, wd * sizeof(float)) != 0);
    sae_release(&m);
    sae_release(&ref);
}
END_TEST

START_TEST(topk_ties_keep_lower_index_and_relu)
{
    SkErr err = {{0}};
    Sae m;
    SaeConfig cfg = {.variant = SAE_TOPK, .d_y = 1, .width = 6, .k = 3, .gamma = 0};
    ck_assert(sae_alloc(&m, &cfg, &err) == 0);
    /* pre = W_enc y + b_enc with y = 0: the biases */
    float be[6] = {0.5f, 2.0f, 0.5f, -1.0f, 0.5f, 3.0f};
    memcpy(m.p.b_enc, be, sizeof be);
    SaeWork w;
    ck_assert(sae_work_alloc(&w, &cfg, 1, &err) == 0);
    float y = 0.0f;
    sae_forward(&m, &y, 1, &w, NULL);
    float want[6] = {0.5f, 2.0f, 0.0f, 0.0f, 0.0f, 3.0f};
    for (int j = 0; j < 6; j++)
        ck_assert_float_eq(w.z[j], want[j]);
    float be2[6] = {-0.5f, -2.0f, -0.5f, -1.0f, 0.5f, -3.0f};   /* selected negatives relu to 0 */
    memcpy(m.p.b_enc, be2, sizeof be2);
    sae_forward(&m, &y, 1, &w, NULL);
    float want2[6] = {0, 0, 0, 0, 0.5f, 0};
    for (int j = 0; j < 6; j++)
        ck_assert_float_eq(w.z[j], want2[j]);
    ck_assert_uint_eq(w.idx[0], 4);
    ck_assert_uint_eq(w.idx[1], 0);
    ck_assert_uint_eq(w.idx[2], 2);
    sae_work_release(&w);
    sae_release(&m);
}
END_TEST

/* The k largest pre-activations (signed, ties to the lower index) against a
 * brute force, on rows with many ties, negatives, and widths around the
 * vector blocks; pre = b_enc via y = 0. */
START_TEST(topk_matches_brute_force)
{
    Rng r;
    rng_init(&r, 17, 0);
    SkErr err = {{0}};
    static const size_t WIDTHS[] = {1, 3, 7, 8, 9, 16, 31, 100, 257, 1000};
    for (size_t wi_at = 0; wi_at < sizeof WIDTHS / sizeof WIDTHS[0]; wi_at++) {
        size_t wi = WIDTHS[wi_at];
        for (size_t k = 1; k <= wi && k <= 12; k += (k < 4 ? 1 : 5)) {
            SaeConfig cfg = {.variant = SAE_TOPK, .d_y = 1, .width = wi, .k = k};
            Sae m;
            SaeWork w;
            ck_assert(sae_alloc(&m, &cfg, &err) == 0 && sae_work_alloc(&w, &cfg, 1, &err) == 0);
            for (int trial = 0; trial < 20; trial++) {
                for (size_t j = 0; j < wi; j++)   /* few distinct values: many ties */
                    m.p.b_enc[j] = trial % 2 ? (float)rng_below(&r, 7) - 3.0f : (float)rng_normal(&r);
                float y = 0.0f;
                sae_forward(&m, &y, 1, &w, NULL);
                bool *taken = calloc(wi, sizeof *taken);
                for (size_t t = 0; t < k; t++) {
                    size_t best = wi;
                    for (size_t j = 0; j < wi; j++)
                        if (!taken[j] && (best == wi || m.p.b_enc[j] > m.p.b_enc[best]))
                            best = j;
                    taken[best] = true;
                }
                for (size_t j = 0; j < wi; j++) {
                    float want = taken[j] && m.p.b_enc[j] > 0.0f ? m.p.b_enc[j] : 0.0f;
                    ck_assert_msg(w.z[j] == want, "w %zu k %zu trial %d: z[%zu] = %g, want %g", wi, k,
                                  trial, j, w.z[j], want);
                }
                /* the support itself, zeros included */
                for (size_t t = 0; t < k; t++)
                    ck_assert_msg(taken[w.idx[t]], "w %zu k %zu: latent %zu selected", wi, k, w.idx[t]);
                free(taken);
            }
            sae_work_release(&w);
            sae_release(&m);
        }
    }
}
END_TEST

START_TEST(projection_and_renorm)
{
    SkErr err = {{0}};
    Sae m;
    SaeConfig cfg = {.variant = SAE_RELU, .d_y = 5, .width = 4, .k = 1, .gamma = 0};
    ck_assert(sae_alloc(&m, &cfg, &err) == 0);
    sae_init(&m, 1);
    for (size_t i = 0; i < 20; i++)
        m.p.dec[i] *= 1.0f + 0.1f * (float)(i % 3);
    float *g = malloc(m.n_params * sizeof(float));
    for (size_t i = 0; i < m.n_params; i++)
        g[i] = (float)sin((double)i);
    float *before = malloc(m.n_params * sizeof(float));
    memcpy(before, g, m.n_params * sizeof(float));
    sae_project_decoder_grad(&m, g);
    SaeParams gv, bv;
    sae_layout(&cfg, g, &gv);
    sae_layout(&cfg, before, &bv);
    for (size_t j = 0; j < 4; j++) {
        /* g_j − (g_j·d_j) d_j, with the current (non-unit) d_j */
        double gd = 0.0;
        for (size_t i = 0; i < 5; i++)
            gd += (double)bv.dec[j * 5 + i] * m.p.dec[j * 5 + i];
        for (size_t i = 0; i < 5; i++)
            ck_assert(fabs(gv.dec[j * 5 + i] - (bv.dec[j * 5 + i] - gd * m.p.dec[j * 5 + i])) < 1e-6);
    }
    ck_assert(memcmp(gv.w_enc, bv.w_enc, 20 * sizeof(float)) == 0);   /* only the decoder */
    sae_renorm_decoder(&m);
    for (size_t j = 0; j < 4; j++) {
        double s = 0.0;
        for (size_t i = 0; i < 5; i++)
            s += (double)m.p.dec[j * 5 + i] * m.p.dec[j * 5 + i];
        ck_assert(fabs(s - 1.0) < 1e-6);
    }
    free(g), free(before);
    sae_release(&m);
}
END_TEST

/* Data y = A z with k-sparse non-negative z, like gen-data, small. */
static Mat toy_data(size_t n, size_t dy, size_t dz, size_t k, uint64_t seed)
{
    Rng r;
    rng_init(&r, seed, 9);
    float *a = malloc(dy * dz * sizeof(float));
    for (size_t i = 0; i < dy * dz; i++)
        a[i] = (float)rng_normal(&r);
    Mat y;
    SkErr err = {{0}};
    ck_assert(mat_alloc(&y, n, dy, &err) == 0);
    uint64_t sup[16];
    for (size_t s = 0; s < n; s++) {
        rng_sample_distinct(&r, dz, k, sup);
        for (size_t t = 0; t < k; t++) {
            float zv = (float)rng_uniform(&r);
            for (size_t i = 0; i < dy; i++)
                MAT_AT(y, s, i) += zv * a[i * dz + sup[t]] / sqrtf((float)dy);
        }
    }
    free(a);
    return y;
}

typedef struct {
    long calls, last;
} EpochLog;

static int count_epochs(void *user, const Sae *m, long epoch, double loss, double l0, SkErr *err)
{
    EpochLog *log = user;
    ck_assert_int_eq(epoch, log->calls);
    ck_assert(isfinite(loss) && l0 >= 0.0);
    log->calls++;
    log->last = epoch;
    return 0;
}

/* sae_train_step (the fused, threaded projection + AdamW + renorm pass; the
 * sparse variants' zero-kept gradient) against the plain sequence, bit for
 * bit: several blocks of latents and a partial one, d_y not a multiple of 8,
 * a renorm step, batches smaller than the work space's rows (20 of 27, then
 * 5), 1 and 2 threads. */
START_TEST(train_step_matches_plain_sequence)
{
    SaeVariant v = (SaeVariant)_i;
    SaeConfig cfg = {.variant = v, .d_y = 13, .width = 200, .k = 3, .gamma = 1e-3f};
    size_t n = 20;
    Mat y = toy_data(n, cfg.d_y, 40, 3, 8);
    SkErr err = {{0}};
    for (int threads = 1; threads <= 2; threads++) {
        sk_gemm_set_threads(threads);
        Sae ref, m;
        ck_assert(sae_alloc(&ref, &cfg, &err) == 0 && sae_alloc(&m, &cfg, &err) == 0);
        sae_init(&ref, 4);
        sae_init(&m, 4);
        SaeWork wr, wm;
        AdamW or_, om;
        AdamWConfig ac = adamw_default_config();
        ac.lr = 1e-2;   /* visible steps */
        size_t trained = ref.n_params - ref.trained_offset;
        ck_assert(sae_work_alloc(&wr, &cfg, n, &err) == 0 && sae_work_alloc(&wm, &cfg, n + 7, &err) == 0);
        ck_assert(adamw_init(&or_, trained, &ac, &err) == 0 && adamw_init(&om, trained, &ac, &err) == 0);
        float *gr = malloc(ref.n_params * sizeof(float)), *gm = calloc(m.n_params, sizeof(float));
        for (int step = 0; step < 5; step++) {
            bool renorm = step == 2;
            size_t rows = step == 4 ? 5 : n;
            SaeLoss lr, lm;
            sae_forward(&ref, y.v, rows, &wr, &lr);
            sae_backward(&ref, y.v, rows, &wr, gr);
            sae_project_decoder_grad(&ref, gr);
            adamw_step(&or_, ref.params + ref.trained_offset, gr + ref.trained_offset);
            if (renorm)
                sae_renorm_decoder(&ref);
            ck_assert_int_eq(sae_train_step(&m, y.v, rows, &wm, gm, &om, renorm, &lm), 0);
            ck_assert(lr.loss == lm.loss);
            ck_assert_msg(memcmp(ref.params, m.params, m.n_params * sizeof(float)) == 0,
                          "%s, %d threads, step %d: parameters differ", sae_variant_name(v), threads, step);
            ck_assert(memcmp(or_.m, om.m, trained * sizeof(float)) == 0);
            ck_assert(memcmp(or_.v, om.v, trained * sizeof(float)) == 0);
            if (v == SAE_TOPK || v == SAE_MP)
                for (size_t i = 0; i < m.n_params; i++)
                    ck_assert_msg(gm[i] == 0.0f, "sparse step left gradient %zu non-zero", i);
        }
        if (v == SAE_MP)   /* the untrained encoder: untouched */
            ck_assert(memcmp(m.p.w_enc, ref.p.w_enc, cfg.width * cfg.d_y * sizeof(float)) == 0);
        free(gr), free(gm);
        adamw_release(&or_), adamw_release(&om);
        sae_work_release(&wr), sae_work_release(&wm);
        sae_release(&ref), sae_release(&m);
    }
    sk_gemm_set_threads(1);
    mat_release(&y);
}
END_TEST

START_TEST(training_is_deterministic_and_learns)
{
    SaeVariant v = (SaeVariant)_i;
    Mat y = toy_data(150, 8, 16, 2, 3);
    SaeConfig cfg = {.variant = v, .d_y = 8, .width = 16, .k = 2, .gamma = 1e-4f};
    Sae a, b;
    SkErr err = {{0}};
    ck_assert(sae_alloc(&a, &cfg, &err) == 0 && sae_alloc(&b, &cfg, &err) == 0);
    sae_init(&a, 7);
    sae_init(&b, 7);
    SaeTrainOptions o;
    sae_train_options_default(&o);
    o.epochs = 12;
    o.renorm_every = 5;
    o.seed = 7;
    EpochLog log = {0, -1};
    o.on_epoch = count_epochs;
    o.user = &log;
    double la[12], lb[12], l0[12];
    ck_assert_msg(sae_train(&a, &y, &o, la, l0, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(log.calls, 12);
    o.on_epoch = NULL;
    ck_assert(sae_train(&b, &y, &o, lb, NULL, &err) == 0);
    ck_assert(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0);
    ck_assert(memcmp(la, lb, sizeof la) == 0);
    ck_assert_msg(la[11] < la[0], "%s: loss %g -> %g", sae_variant_name(v), la[0], la[11]);
    /* epoch 10 was renormed, epoch 11 not: atoms are near but not exactly unit */
    if (v == SAE_TOPK || v == SAE_MP)
        ck_assert(l0[5] <= 2.0 + 1e-9);
    /* a different batch seed gives a different model from the same init */
    o.seed = 8;
    sae_init(&b, 7);
    ck_assert(sae_train(&b, &y, &o, lb, NULL, &err) == 0);
    ck_assert(memcmp(a.params, b.params, a.n_params * sizeof(float)) != 0);
    if (v == SAE_MP) {   /* the encoder never moves */
        Sae init;
        ck_assert(sae_alloc(&init, &cfg, &err) == 0);
        sae_init(&init, 7);
        ck_assert(memcmp(a.p.w_enc, init.p.w_enc, (cfg.width * (cfg.d_y + 1)) * sizeof(float)) == 0);
        sae_release(&init);
    }
    sae_release(&a), sae_release(&b);
    mat_release(&y);
}
END_TEST

START_TEST(nan_stops_training_naming_the_epoch)
{
    Mat y = toy_data(100, 6, 10, 2, 4);
    SaeConfig cfg = {.variant = SAE_RELU, .d_y = 6, .width = 10, .k = 2, .gamma = 1e-4f};
    Sae m;
    SkErr err = {{0}};
    ck_assert(sae_alloc(&m, &cfg, &err) == 0);
    sae_init(&m, 1);
    SaeTrainOptions o;
    sae_train_options_default(&o);
    o.epochs = 5;
    y.v[3 * 6 + 2] = 3e38f;   /* (y − ŷ)² overflows */
    ck_assert(sae_train(&m, &y, &o, NULL, NULL, &err) != 0);
    ck_assert_msg(strstr(err.msg, "epoch 0") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "diverged") != NULL, "%s", err.msg);
    sae_release(&m);
    mat_release(&y);
}
END_TEST

START_TEST(rejects_bad_configurations)
{
    Sae m;
    SkErr err = {{0}};
    SaeConfig cfg = {.variant = SAE_TOPK, .d_y = 4, .width = 5, .k = 6, .gamma = 0};
    ck_assert(sae_alloc(&m, &cfg, &err) != 0);
    ck_assert(strstr(err.msg, "k = 6") != NULL);
    cfg.k = 0;
    ck_assert(sae_alloc(&m, &cfg, &err) != 0);
    cfg = (SaeConfig){.variant = SAE_RELU, .d_y = 0, .width = 5};
    ck_assert(sae_alloc(&m, &cfg, &err) != 0);
    SaeVariant v;
    ck_assert(sae_variant_parse("jumprelu", &v) == 0 && v == SAE_JUMPRELU);
    ck_assert(sae_variant_parse("JumpReLU", &v) != 0);
    ck_assert_str_eq(sae_variant_name(SAE_MP), "mp");
}
END_TEST

/* Encoding in blocks equals one forward over all rows. */
START_TEST(encode_in_blocks)
{
    SaeVariant v = (SaeVariant)_i;
    Mat y = toy_data(37, 6, 12, 3, 2);
    SaeConfig cfg = {.variant = v, .d_y = 6, .width = 12, .k = 3, .gamma = 1e-4f};
    Sae m;
    SkErr err = {{0}};
    ck_assert(sae_alloc(&m, &cfg, &err) == 0);
    sae_init(&m, 3);
    SaeWork small, big;
    ck_assert(sae_work_alloc(&small, &cfg, 5, &err) == 0 && sae_work_alloc(&big, &cfg, 37, &err) == 0);
    Mat z;
    ck_assert(sae_encode(&m, &y, &small, &z, &err) == 0);
    sae_forward(&m, y.v, 37, &big, NULL);
    assert_close_f(z.v, big.z, 37 * 12, 1e-6, 1e-7, "codes");
    mat_release(&z);
    sae_work_release(&small), sae_work_release(&big);
    sae_release(&m);
    mat_release(&y);
}
END_TEST

START_TEST(sae_threads_default_one)
{
    ck_assert_int_eq(sae_threads(0), 1);
    ck_assert_int_eq(sae_threads(4), 4);
}
END_TEST

static Suite *sae_suite(void)
{
    Suite *s = suite_create("sae");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, forward_matches_fixture, 0, 4);
    tcase_add_loop_test(tc, gradients_match_fixture, 0, 4);
    tcase_add_loop_test(tc, adamw_steps_match_fixture, 0, 4);
    tcase_add_loop_test(tc, backward_matches_finite_differences, 0, 4);
    tcase_add_test(tc, init_depends_on_seed_only);
    tcase_add_test(tc, topk_ties_keep_lower_index_and_relu);
    tcase_add_test(tc, topk_matches_brute_force);
    tcase_add_test(tc, projection_and_renorm);
    tcase_add_loop_test(tc, training_is_deterministic_and_learns, 0, 4);
    tcase_add_loop_test(tc, train_step_matches_plain_sequence, 0, 4);
    tcase_add_test(tc, nan_stops_training_naming_the_epoch);
    tcase_add_test(tc, rejects_bad_configurations);
    tcase_add_test(tc, sae_threads_default_one);
    tcase_add_loop_test(tc, encode_in_blocks, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(sae_suite()); }
