/* test_lista.c — LISTA (lib/lista):
 *  - the paper's reference (fixture lista.npz, 16 untied steps on the whole
 *    9-row batch): codes at init, loss, gradients of θ₀, W₁₅, S₀, codes after
 *    one Adam step;
 *  - the backward pass against central finite differences, every parameter
 *    (θ of both signs, a non-square D);
 *  - lista_encode (blocked) equals the forward pass; training lowers the
 *    loss, is deterministic for a seed, and a different seed differs;
 *  - divergence: a non-finite loss stops training and is reported; a
 *    constructed blow-up is flagged, a normal run is not; the stable variant
 *    returns the best epoch's parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "lista.h"
#include "rng.h"
#include "gemm.h"
#include "testutil.h"

static Mat random_mat(Rng *r, size_t rows, size_t cols, double scale)
{
    Mat m;
    SkErr err = {{0}};
    ck_assert(mat_alloc(&m, rows, cols, &err) == 0);
    for (size_t i = 0; i < mat_size(&m); i++)
        m.v[i] = (float)(scale * rng_normal(r));
    return m;
}

START_TEST(fixture_init_gradients_and_one_step)
{
    Npz fx;
    fixture_load("lista.npz", &fx);
    Mat d = fixture_mat(&fx, "D"), y = fixture_mat(&fx, "Y");
    Mat codes0 = fixture_mat(&fx, "codes_init"), codes1 = fixture_mat(&fx, "codes_after_1step");
    Mat gt0 = fixture_mat(&fx, "grad_theta0"), gw15 = fixture_mat(&fx, "grad_W15"),
        gs0 = fixture_mat(&fx, "grad_S0");
    size_t steps = (size_t)fixture_scalar(&fx, "n_unroll");
    double lambda = fixture_scalar(&fx, "lam"), lr = fixture_scalar(&fx, "lr");
    ck_assert_uint_eq(steps, 16);
    ListaModel m;
    ListaWork w;
    SkErr err = {{0}};
    ck_assert_msg(lista_model_init(&m, &d, steps, &err) == 0, "%s", err.msg);
    ck_assert(lista_work_init(&w, &m, y.rows, &err) == 0);
    float *g = malloc(m.n_params * sizeof *g);
    float loss = lista_loss_grad(&m, &d, y.v, y.rows, lambda, g, &w);
    const size_t dz = m.d_z, dy = m.d_y;
    const float *z_init = w.z + steps * w.rows * dz;
    assert_close_f(z_init, codes0.v, mat_size(&codes0), 1e-5, 2e-6, "codes_init");
    double want_loss = fixture_scalar(&fx, "loss_init");
    ck_assert_msg(fabs(loss - want_loss) <= 1e-5 * want_loss, "loss %.9g want %.9g", loss, want_loss);
    const float *g_w = g, *g_s = g + steps * dz * dz, *g_t = g_s + steps * dz * dy;
    assert_close_f(g_t, gt0.v, dz, 1e-4, 1e-8, "grad_theta0");
    assert_close_f(g_w + 15 * dz * dz, gw15.v, dz * dz, 1e-4, 1e-8, "grad_W15");
    assert_close_f(g_s, gs0.v, dz * dy, 1e-4, 1e-8, "grad_S0");
    Adam adam;
    ck_assert(adam_init(&adam, m.n_params, &err) == 0);
    adam_step(&adam, m.params, g, lr);
    Mat z1;
    ck_assert(lista_encode(&m, &y, &z1, &err) == 0);
    assert_close_f(z1.v, codes1.v, mat_size(&codes1), 1e-4, 2e-6, "codes_after_1step");
    /* the step moved the codes (by ~0.09), and by the fixture's amount */
    for (size_t i = 0; i < mat_size(&z1); i++) {
        double du = z1.v[i] - codes0.v[i], dw = codes1.v[i] - codes0.v[i];
        ck_assert_msg(fabs(du - dw) <= 2e-6 + 1e-3 * fabs(dw), "code update [%zu]: %g vs %g", i,
                      du, dw);
    }
    adam_release(&adam);
    free(g);
    lista_work_release(&w);
    lista_model_release(&m);
    Mat all[] = {d, y, codes0, codes1, gt0, gw15, gs0, z1};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_release(&all[i]);
    npz_free(&fx);
}
END_TEST

/* A 3-step model with random weights, thresholds of both signs. */
static void random_model(ListaModel *m, Mat *d, Mat *y, uint64_t seed)
{
    Rng r;
    rng_init(&r, seed, 0);
    *d = random_mat(&r, 4, 7, 0.5);
    *y = random_mat(&r, 6, 4, 1.0);
    SkErr err = {{0}};
    ck_assert(lista_model_init(m, d, 3, &err) == 0);
    for (size_t i = 0; i < m->n_params; i++)
        m->params[i] += (float)(0.2 * rng_normal(&r));
    for (size_t i = 0; i < m->steps * m->d_z; i++)
        m->theta[i] = (float)((rng_uniform(&r) < 0.5 ? -1 : 1) * (0.05 + 0.3 * rng_uniform(&r)));
}

/* The LISTA loss of lista.h transcribed in float64, for the finite
 * differences: z_0 = 0, u_k = z_k W_kᵀ + y S_kᵀ, z_{k+1} = soft(u_k, |θ_k|),
 * loss = mean((z_K Dᵀ − y)²) + λ·mean|z_K| (d: d_y × d_z, y: n × d_y).
 * The float32 loss is no use here: its rounding (≈ ε₃₂·|loss| ≈ 1e-7) over
 * the step 2h = 4e-4 is noise of ~3e-4 in the quotient, the size of the
 * tolerance, and its value depends on which BLIS kernels (AVX2 or AVX-512)
 * summed the products; in float64 that noise is ~1e-12. */
static double loss_f64(const ListaModel *m, const Mat *d, const Mat *y, double lambda)
{
    const size_t dz = m->d_z, dy = m->d_y, n = y->rows;
    double *z = calloc(dz, sizeof *z), *u = malloc(dz * sizeof *u);
    ck_assert(z && u);
    double mse = 0.0, l1 = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *yi = y->v + i * dy;
        memset(z, 0, dz * sizeof *z);
        for (size_t k = 0; k < m->steps; k++) {
            const float *wk = m->w + k * dz * dz, *sk = m->s + k * dz * dy,
                        *tk = m->theta + k * dz;
            for (size_t j = 0; j < dz; j++) {
                double a = 0.0;
                for (size_t l = 0; l < dz; l++)
                    a += z[l] * (double)wk[j * dz + l];
                for (size_t l = 0; l < dy; l++)
                    a += (double)yi[l] * (double)sk[j * dy + l];
                u[j] = a;
            }
            for (size_t j = 0; j < dz; j++) {
                double mag = fabs(u[j]) - fabs((double)tk[j]);
                z[j] = mag > 0.0 ? copysign(mag, u[j]) : 0.0;
            }
        }
        for (size_t r = 0; r < dy; r++) {
            double rec = 0.0;
            for (size_t j = 0; j < dz; j++)
                rec += (double)d->v[r * dz + j] * z[j];
            mse += (rec - yi[r]) * (rec - yi[r]);
        }
        for (size_t j = 0; j < dz; j++)
            l1 += fabs(z[j]);
    }
    free(z);
    free(u);
    return mse / (double)(n * dy) + lambda * l1 / (double)(n * dz);
}

/* The float64 transcription agrees with the library's float32 loss. */
START_TEST(float64_transcription_matches_loss)
{
    ListaModel m;
    Mat d, y;
    random_model(&m, &d, &y, 21);
    ListaWork w;
    SkErr err = {{0}};
    ck_assert(lista_work_init(&w, &m, y.rows, &err) == 0);
    float *g = malloc(m.n_params * sizeof *g);
    double f32 = lista_loss_grad(&m, &d, y.v, y.rows, 0.5, g, &w);
    double f64 = loss_f64(&m, &d, &y, 0.5);
    ck_assert_msg(fabs(f32 - f64) <= 1e-5 * fabs(f64), "float32 loss %.9g, float64 %.9g", f32, f64);
    free(g);
    lista_work_release(&w);
    lista_model_release(&m);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

START_TEST(gradient_matches_finite_differences)
{
    ListaModel m;
    Mat d, y;
    random_model(&m, &d, &y, 21);
    ListaWork w;
    SkErr err = {{0}};
    ck_assert(lista_work_init(&w, &m, y.rows, &err) == 0);
    const double lambda = 0.5;
    float *g = malloc(m.n_params * sizeof *g);
    lista_loss_grad(&m, &d, y.v, y.rows, lambda, g, &w);
    /* Small h: a larger one lets some |u| cross |θ| (a kink) between the two
     * points; with the loss in float64 the quotient's rounding noise is
     * ~1e-16/h, so h can be this small. The tolerance covers the backward
     * pass's own float32 rounding (seen here within a tenth of it, on the
     * AVX-512 and the AVX2 kernels alike). */
    const float h = 1e-5f;
    size_t nonzero = 0;
    for (size_t k = 0; k < m.n_params; k++) {
        float keep = m.params[k];
        m.params[k] = keep + h;
        double up = loss_f64(&m, &d, &y, lambda);
        m.params[k] = keep - h;
        double down = loss_f64(&m, &d, &y, lambda);
        m.params[k] = keep;
        double fd = (up - down) / ((double)(keep + h) - (double)(keep - h));
        ck_assert_msg(fabs(g[k] - fd) <= 3e-5 + 1e-2 * fabs(fd),
                      "param %zu: backward %.7g, finite difference %.7g", k, g[k], fd);
        nonzero += fabs(fd) > 1e-3;
    }
    ck_assert_msg(nonzero > m.n_params / 3, "only %zu of %zu gradients are non-zero", nonzero,
                  m.n_params);
    free(g);
    lista_work_release(&w);
    lista_model_release(&m);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

START_TEST(encode_equals_forward)
{
    Rng r;
    rng_init(&r, 3, 0);
    Mat d = random_mat(&r, 5, 9, 0.5), y = random_mat(&r, 600, 5, 1.0);  /* > one 256-row block */
    ListaModel m;
    ListaWork w;
    SkErr err = {{0}};
    ck_assert(lista_model_init(&m, &d, 4, &err) == 0);
    for (size_t i = 0; i < m.n_params; i++)
        m.params[i] += (float)(0.1 * rng_normal(&r));
    ck_assert(lista_work_init(&w, &m, y.rows, &err) == 0);
    const float *zf = lista_forward(&m, y.v, y.rows, &w);
    Mat z;
    ck_assert(lista_encode(&m, &y, &z, &err) == 0);
    assert_close_f(z.v, zf, mat_size(&z), 1e-6, 1e-7, "encode");
    size_t nz = 0;
    for (size_t i = 0; i < mat_size(&z); i++)
        nz += z.v[i] != 0.0f;
    ck_assert(nz > 0 && nz < mat_size(&z));
    lista_work_release(&w);
    lista_model_release(&m);
    mat_release(&z);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

static double *train(const Mat *d, const Mat *y, uint64_t seed, long epochs, ListaModel *m)
{
    SkErr err = {{0}};
    ck_assert(lista_model_init(m, d, 16, &err) == 0);
    ListaTrainOptions o;
    lista_train_options_default(&o);
    o.epochs = epochs;
    o.batch = 16;
    o.lr = 1e-2;
    o.seed = seed;
    double *hist;
    ck_assert_msg(lista_train(m, d, y, &o, &hist, NULL, &err) == 0, "%s", err.msg);
    return hist;
}

START_TEST(training_lowers_loss_and_is_seeded)
{
    Rng r;
    rng_init(&r, 4, 0);
    Mat d = random_mat(&r, 6, 12, 0.4), y = random_mat(&r, 70, 6, 1.0);  /* 4 × 16 + 6 */
    ListaModel a, b, c;
    double *ha = train(&d, &y, 1, 30, &a), *hb = train(&d, &y, 1, 30, &b),
           *hc = train(&d, &y, 2, 30, &c);
    ck_assert_msg(ha[29] < 0.8 * ha[0], "loss %g -> %g", ha[0], ha[29]);
    ck_assert(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0);
    ck_assert(memcmp(ha, hb, 30 * sizeof *ha) == 0);
    ck_assert(memcmp(a.params, c.params, a.n_params * sizeof(float)) != 0);
    free(ha);
    free(hb);
    free(hc);
    lista_model_release(&a);
    lista_model_release(&b);
    lista_model_release(&c);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

/* The very first batch's loss (before any step) is the data's: an error. */
START_TEST(nonfinite_loss_names_epoch)
{
    Rng r;
    rng_init(&r, 5, 0);
    Mat d = random_mat(&r, 3, 5, 0.5), y = random_mat(&r, 10, 3, 1.0);
    y.v[4] = 1e30f;   /* squared residual overflows float32 */
    ListaModel m;
    SkErr err = {{0}};
    ck_assert(lista_model_init(&m, &d, 2, &err) == 0);
    ListaTrainOptions o;
    lista_train_options_default(&o);
    o.epochs = 3;
    o.batch = 100;
    double *hist = (double *)1;
    ck_assert_int_ne(lista_train(&m, &d, &y, &o, &hist, NULL, &err), 0);
    ck_assert_msg(strstr(err.msg, "epoch 1, batch 1") != NULL, "%s", err.msg);
    ck_assert_ptr_null(hist);
    lista_model_release(&m);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

/* A constructed blow-up: after the first step of epoch `at`, W is scaled by
 * `gain` and θ zeroed, so the 16-step map amplifies by ~gain^15 from then on
 * (gain 4: a finite explosion; 1e20: float32 overflow, a non-finite loss). */
typedef struct {
    ListaModel *m;
    long at;
    float gain;
} Sabotage;

static void sabotage(void *user, long epoch, long epochs, size_t batch, size_t batches, double loss)
{
    Sabotage *s = user;
    if (epoch != s->at || batch != 1)
        return;
    ListaModel *m = s->m;
    for (size_t i = 0; i < m->steps * m->d_z * m->d_z; i++)
        m->w[i] *= s->gain;
    for (size_t i = 0; i < m->steps * m->d_z; i++)
        m->theta[i] = 0.0f;
}

static double *train_gain(const Mat *d, const Mat *y, ListaVariant v, long epochs, long sabotage_at,
                          float gain, ListaModel *m, ListaTrainReport *rep)
{
    SkErr err = {{0}};
    ck_assert(lista_model_init(m, d, 16, &err) == 0);
    ListaTrainOptions o;
    lista_train_options_default(&o);
    o.epochs = epochs;
    o.batch = 16;
    o.lr = 1e-2;
    o.seed = 7;
    o.variant = v;
    Sabotage s = {m, sabotage_at, gain};
    o.progress = sabotage;
    o.progress_user = &s;
    double *hist;
    ck_assert_msg(lista_train(m, d, y, &o, &hist, rep, &err) == 0, "%s", err.msg);
    return hist;
}

static double *train_run(const Mat *d, const Mat *y, ListaVariant v, long epochs, long sabotage_at,
                         ListaModel *m, ListaTrainReport *rep)
{
    return train_gain(d, y, v, epochs, sabotage_at, 4.0f, m, rep);
}

/* Loss of a model on all rows of y (the training loss at fixed parameters). */
static double full_loss(const ListaModel *m, const Mat *d, const Mat *y)
{
    ListaWork w;
    SkErr err = {{0}};
    ck_assert(lista_work_init(&w, m, y->rows, &err) == 0);
    float *g = malloc(m->n_params * sizeof *g);
    double loss = lista_loss_grad(m, d, y->v, y->rows, 0.1, g, &w);
    free(g);
    lista_work_release(&w);
    return loss;
}

START_TEST(divergence_detected_on_exploding_run_only)
{
    Rng r;
    rng_init(&r, 4, 0);
    Mat d = random_mat(&r, 6, 12, 0.4), y = random_mat(&r, 70, 6, 1.0);
    ListaModel normal, blown;
    ListaTrainReport rn, rb;
    /* a normal run (no sabotage): nothing flagged, the last epoch kept */
    double *hn = train_run(&d, &y, LISTA_VARIANT_PAPER, 12, 0, &normal, &rn);
    ck_assert_int_eq(rn.diverged_epoch, 0);
    ck_assert(!rn.diverged);
    ck_assert_int_eq(rn.nonfinite_epoch, 0);
    ck_assert_int_eq(rn.kept_epoch, 12);
    ck_assert(rn.kept_loss == hn[11]);
    ck_assert(rn.best_epoch >= 1 && rn.best_epoch <= 12);
    for (int e = 0; e < 12; e++)
        ck_assert(hn[e] >= rn.best_loss);
    ck_assert(rn.best_loss == hn[rn.best_epoch - 1]);
    /* sabotaged in epoch 7: epoch 7 explodes, and the paper run ends diverged */
    double *hb = train_run(&d, &y, LISTA_VARIANT_PAPER, 9, 7, &blown, &rb);
    for (int e = 0; e < 6; e++)
        ck_assert(hb[e] == hn[e]);   /* the same run up to the sabotage */
    ck_assert_msg(hb[6] > 10.0 * rb.best_loss && isfinite(hb[8]), "losses %g %g, best %g", hb[6],
                  hb[8], rb.best_loss);
    ck_assert_int_eq(rb.diverged_epoch, 7);
    ck_assert_int_le(rb.best_epoch, 6);
    ck_assert_int_eq(rb.kept_epoch, 9);
    ck_assert_int_eq(rb.nonfinite_epoch, 0);
    ck_assert_msg(rb.diverged, "final %g, best %g", hb[8], rb.best_loss);
    free(hn);
    free(hb);
    lista_model_release(&normal);
    lista_model_release(&blown);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

/* STABLE trains exactly as PAPER (same loss history) and returns the
 * parameters at the end of the best epoch: those of a PAPER run stopped there,
 * far better than the blown-up last epoch. */
START_TEST(stable_variant_keeps_best_epoch)
{
    Rng r;
    rng_init(&r, 4, 0);
    Mat d = random_mat(&r, 6, 12, 0.4), y = random_mat(&r, 70, 6, 1.0);
    ListaModel paper, stable, stopped;
    ListaTrainReport rp, rs, rt;
    double *hp = train_run(&d, &y, LISTA_VARIANT_PAPER, 9, 7, &paper, &rp);
    double *hs = train_run(&d, &y, LISTA_VARIANT_STABLE, 9, 7, &stable, &rs);
    ck_assert(memcmp(hp, hs, 9 * sizeof *hp) == 0);
    ck_assert_int_eq(rs.diverged_epoch, 7);
    ck_assert_int_eq(rs.best_epoch, rp.best_epoch);
    ck_assert_int_eq(rs.kept_epoch, rs.best_epoch);
    ck_assert(rs.kept_loss == rs.best_loss);
    ck_assert(!rs.diverged);
    double *ht = train_run(&d, &y, LISTA_VARIANT_PAPER, rs.best_epoch, 0, &stopped, &rt);
    ck_assert(memcmp(stable.params, stopped.params, stable.n_params * sizeof(float)) == 0);
    double ls = full_loss(&stable, &d, &y), lp = full_loss(&paper, &d, &y);
    ck_assert_msg(ls < 2.0 * rs.best_loss && 10.0 * ls < lp, "stable %g, paper %g, best epoch %g",
                  ls, lp, rs.best_loss);
    /* without a blow-up the best epoch is kept too, and the history is PAPER's */
    ListaModel calm;
    ListaTrainReport rc;
    double *hc = train_run(&d, &y, LISTA_VARIANT_STABLE, 6, 0, &calm, &rc);
    ck_assert(memcmp(hc, hp, 6 * sizeof *hc) == 0);
    ck_assert_int_eq(rc.diverged_epoch, 0);
    ck_assert(!rc.diverged);
    free(hp);
    free(hs);
    free(ht);
    free(hc);
    lista_model_release(&paper);
    lista_model_release(&stable);
    lista_model_release(&stopped);
    lista_model_release(&calm);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

/* A non-finite loss after some steps is the training's divergence: it stops
 * before its step and is reported, not an error. PAPER keeps the parameters
 * it stopped at (diverged), STABLE the best epoch's. */
START_TEST(nonfinite_loss_later_stops_and_is_reported)
{
    Rng r;
    rng_init(&r, 4, 0);
    Mat d = random_mat(&r, 6, 12, 0.4), y = random_mat(&r, 70, 6, 1.0);
    ListaModel calm;
    ListaTrainReport rc;
    double *hc = train_run(&d, &y, LISTA_VARIANT_PAPER, 2, 0, &calm, &rc);
    for (int v = 0; v < 2; v++) {
        ListaModel m;
        ListaTrainReport rep;
        double *h = train_gain(&d, &y, v ? LISTA_VARIANT_STABLE : LISTA_VARIANT_PAPER, 5, 3, 1e20f,
                               &m, &rep);
        ck_assert(h[0] == hc[0] && h[1] == hc[1]);
        for (int e = 2; e < 5; e++)
            ck_assert_msg(isnan(h[e]), "epoch %d: %g", e + 1, h[e]);
        ck_assert_int_eq(rep.nonfinite_epoch, 3);
        ck_assert_uint_eq(rep.nonfinite_batch, 2);   /* the first batch after the sabotage */
        ck_assert_int_eq(rep.diverged_epoch, 3);
        ck_assert(rep.best_epoch == 1 || rep.best_epoch == 2);
        ck_assert_int_eq(rep.kept_epoch, v ? rep.best_epoch : 3);
        ck_assert(rep.diverged == !v);
        if (v && rep.best_epoch == 2)
            ck_assert(memcmp(m.params, calm.params, m.n_params * sizeof(float)) == 0);
        free(h);
        lista_model_release(&m);
    }
    free(hc);
    lista_model_release(&calm);
    mat_release(&d);
    mat_release(&y);
}
END_TEST

START_TEST(variant_names)
{
    ListaVariant v = LISTA_VARIANT_STABLE;
    ck_assert_int_eq(lista_variant_parse("paper", &v), 0);
    ck_assert_int_eq(v, LISTA_VARIANT_PAPER);
    ck_assert_int_eq(lista_variant_parse("stable", &v), 0);
    ck_assert_int_eq(v, LISTA_VARIANT_STABLE);
    ck_assert_int_ne(lista_variant_parse("Stable", &v), 0);
    ck_assert_str_eq(lista_variant_name(LISTA_VARIANT_PAPER), "paper");
    ck_assert_str_eq(lista_variant_name(LISTA_VARIANT_STABLE), "stable");
    ListaTrainOptions o;
    lista_train_options_default(&o);
    ck_assert_int_eq(o.variant, LISTA_VARIANT_PAPER);
    ck_assert(lista_variant_bytes(LISTA_VARIANT_PAPER, 47, 100, 16) == 0.0);
    ck_assert(lista_variant_bytes(LISTA_VARIANT_STABLE, 47, 100, 16) ==
              4.0 * 16 * (100.0 * 100 + 100 * 47 + 100));
}
END_TEST

START_TEST(memory_estimate_and_counts)
{
    size_t count;
    ck_assert(lista_param_count(139, 10000, 16, &count));
    ck_assert_uint_eq(count, 16u * (100000000u + 1390000u + 10000u));
    /* 4 copies of 1.6e9 floats: > 24 GiB */
    ck_assert(lista_training_bytes(139, 10000, 16, 64) > 24.0 * 1073741824.0);
    ck_assert(lista_training_bytes(47, 100, 16, 64) < 1e8);
    ck_assert(!lista_param_count(1, (size_t)1 << 40, 16, &count));
}
END_TEST

START_TEST(lista_threads_serial_below_2e7)
{
    ck_assert_int_eq(lista_threads(2, 64, 10), 2);
    ck_assert_int_eq(lista_threads(0, 64, 500), 1);                 /* 1.6e7 MACs */
    ck_assert_int_eq(lista_threads(0, 64, 1000), sk_default_threads());
}
END_TEST

static Suite *lista_suite(void)
{
    Suite *s = suite_create("lista");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fixture_init_gradients_and_one_step);
    tcase_add_test(tc, float64_transcription_matches_loss);
    tcase_add_test(tc, gradient_matches_finite_differences);
    tcase_add_test(tc, encode_equals_forward);
    tcase_add_test(tc, training_lowers_loss_and_is_seeded);
    tcase_add_test(tc, nonfinite_loss_names_epoch);
    tcase_add_test(tc, nonfinite_loss_later_stops_and_is_reported);
    tcase_add_test(tc, divergence_detected_on_exploding_run_only);
    tcase_add_test(tc, stable_variant_keeps_best_epoch);
    tcase_add_test(tc, variant_names);
    tcase_add_test(tc, memory_estimate_and_counts);
    tcase_add_test(tc, lista_threads_serial_below_2e7);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(lista_suite()); }
