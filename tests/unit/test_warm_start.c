/* test_warm_start.c — lib/warm_start: every point of the warm-start curves
 * equals the independent computation it stands for (FISTA from the SAE's
 * codes or from 0 for N iterations; DL-FISTA from the decoder or from the
 * seed's random dictionary for N rounds; FISTA with A for the oracle), scored
 * with the OOD MCCs; the points come in their documented order (decoder: no
 * cold 0, warm 0 = warm 1); callbacks see every point; bad problems are
 * refused. */
#include "warm_start.h"
#include "datagen.h"
#include "fista.h"
#include "metrics.h"
#include "testutil.h"

#include <string.h>

/* A dataset and a stand-in for a trained SAE: its decoder is A slightly
 * bent, its bias small, its OOD codes the true ones shrunk. */
typedef struct {
    Dataset data;
    Mat w_dec, z_sae;
    float *b_dec;
} Fixture;

static void fixture_make(Fixture *f)
{
    SkErr err = {{0}};
    DataParams dp = {.dz = 20, .k = 3, .p = 120, .seed = 1};
    ck_assert_msg(datagen_validate(&dp, &err) == 0, "%s", err.msg);
    ck_assert_msg(datagen_generate(&dp, &f->data, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(mat_copy(&f->w_dec, &f->data.A, &err), 0);
    for (size_t i = 0; i < mat_size(&f->w_dec); i++)
        f->w_dec.v[i] += 0.05f * sinf((float)i);
    ck_assert_int_eq(mat_copy(&f->z_sae, &f->data.z_ood, &err), 0);
    for (size_t i = 0; i < mat_size(&f->z_sae); i++)
        f->z_sae.v[i] *= 0.8f;
    f->b_dec = malloc(f->w_dec.rows * sizeof *f->b_dec);
    for (size_t j = 0; j < f->w_dec.rows; j++)
        f->b_dec[j] = 0.01f * (float)j;
}

static void fixture_free(Fixture *f)
{
    dataset_release(&f->data);
    mat_release(&f->w_dec);
    mat_release(&f->z_sae);
    free(f->b_dec);
}

static WarmStartProblem problem_of(const Fixture *f, bool oracle)
{
    return (WarmStartProblem){.w_dec = &f->w_dec, .b_dec = f->b_dec, .z_sae = &f->z_sae,
                              .y_val = &f->data.y_val, .y_ood = &f->data.y_ood,
                              .z_ood = &f->data.z_ood, .a = oracle ? &f->data.A : NULL};
}

/* The two MCCs of OOD codes. */
static void score(const Fixture *f, const Mat *z, double out[2])
{
    SkErr err = {{0}};
    ck_assert_int_eq(mcc_paper_ood(&f->data.z_ood, z, &out[0], &err), 0);
    ck_assert_int_eq(mcc_clean(&f->data.z_ood, z, &out[1], &err), 0);
}

/* y − b (a copy). */
static Mat minus_bias(const Mat *y, const float *b)
{
    Mat out;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_copy(&out, y, &err), 0);
    mat_subtract_row(&out, b);
    return out;
}

/* FISTA on d for y from init (NULL: 0), iters iterations; scored. */
static void fista_score(const Fixture *f, const Mat *d, const Mat *y, const Mat *init, int iters,
                        double out[2])
{
    SkErr err = {{0}};
    Mat z;
    ck_assert_int_eq(mat_alloc(&z, y->rows, d->cols, &err), 0);
    if (init)
        memcpy(z.v, init->v, mat_size(&z) * sizeof *z.v);
    FistaOptions opt;
    fista_options_default(&opt);
    opt.iters = iters;
    opt.warm = init != NULL;
    ck_assert_msg(fista_solve(d, y, NULL, &opt, &z, &err) == 0, "%s", err.msg);
    score(f, &z, out);
    mat_release(&z);
}

/* DL-FISTA from d0 for rounds rounds of iters iterations; its OOD codes scored. */
static void dlfista_score(const Fixture *f, const Mat *d0, long rounds, int iters, double out[2])
{
    SkErr err = {{0}};
    Mat yv = minus_bias(&f->data.y_val, f->b_dec), yo = minus_bias(&f->data.y_ood, f->b_dec);
    Mat d, zv, zo;
    ck_assert_int_eq(mat_copy(&d, d0, &err), 0);
    ck_assert_int_eq(mat_alloc(&zv, yv.rows, d.cols, &err), 0);
    ck_assert_int_eq(mat_alloc(&zo, yo.rows, d.cols, &err), 0);
    DlFistaOptions opt;
    dlfista_options_default(&opt);
    opt.iters = iters;
    opt.rounds = rounds;
    opt.solve = DLFISTA_SOLVE_F32;
    DlFistaResult res;
    ck_assert_msg(dlfista_learn(&yv, &yo, &d, &zv, &zo, &opt, &res, &err) == 0, "%s", err.msg);
    dlfista_result_release(&res);
    score(f, &zo, out);
    Mat *all[] = {&yv, &yo, &d, &zv, &zo};
    for (size_t i = 0; i < 5; i++)
        mat_release(all[i]);
}

/* What the callbacks saw. */
typedef struct {
    WarmStartPoint seen[32];
    size_t nseen;
    double last_done, total;
    bool backwards;
    size_t progress_calls;
} Seen;

static void on_point(void *user, const WarmStartPoint *pt)
{
    Seen *s = user;
    if (s->nseen < 32)
        s->seen[s->nseen++] = *pt;
}

static void on_progress(void *user, double done, double total, const char *what)
{
    Seen *s = user;
    s->backwards |= done < s->last_done || done > total || what[0] == '\0';
    s->last_done = done;
    s->total = total;
    s->progress_calls++;
}

static void assert_point(const WarmStartPoint *pt, long budget, const char *start,
                         const double want[2], double tol)
{
    ck_assert_int_eq(pt->budget, budget);
    ck_assert_str_eq(pt->start, start);
    ck_assert_msg(fabs(pt->mcc - want[0]) <= tol && fabs(pt->mcc_clean - want[1]) <= tol,
                  "%s %ld: %.12g %.12g, independently %.12g %.12g", start, budget, pt->mcc,
                  pt->mcc_clean, want[0], want[1]);
}

START_TEST(encoder_points_are_fista_from_the_sae_codes_and_from_zero)
{
    Fixture f;
    fixture_make(&f);
    WarmStartProblem p = problem_of(&f, true);
    static const long budgets[] = {0, 1, 5, 30};
    Seen seen = {0};
    WarmStartOptions o;
    warm_start_options_default(&o);
    o.kind = WARM_START_ENCODER;
    o.budgets = budgets;
    o.nbudgets = 4;
    o.oracle_iters = 40;
    o.on_point = on_point;
    o.progress = on_progress;
    o.user = &seen;
    WarmStartPoint *pts;
    size_t n;
    SkErr err = {{0}};
    ck_assert_msg(warm_start_curves(&p, &o, &pts, &n, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(n, 9);

    Mat y = minus_bias(&f.data.y_ood, f.b_dec), zero;
    ck_assert_int_eq(mat_alloc(&zero, f.z_sae.rows, f.z_sae.cols, &err), 0);
    double want[2];
    score(&f, &f.z_sae, want); /* warm 0: the SAE's own codes, exactly */
    assert_point(&pts[0], 0, "warm", want, 0.0);
    score(&f, &zero, want);    /* cold 0: zeros */
    assert_point(&pts[4], 0, "cold", want, 0.0);
    for (size_t i = 1; i < 4; i++) {
        fista_score(&f, &f.w_dec, &y, &f.z_sae, (int)budgets[i], want);
        assert_point(&pts[i], budgets[i], "warm", want, 1e-12);
        fista_score(&f, &f.w_dec, &y, NULL, (int)budgets[i], want);
        assert_point(&pts[4 + i], budgets[i], "cold", want, 1e-12);
    }
    fista_score(&f, &f.data.A, &f.data.y_ood, NULL, 40, want); /* the raw y, no bias */
    assert_point(&pts[8], 40, "oracle", want, 1e-12);
    /* warm and cold differ early */
    ck_assert(fabs(pts[1].mcc_clean - pts[5].mcc_clean) > 1e-6);

    ck_assert_uint_eq(seen.nseen, 9);
    ck_assert_int_eq(memcmp(seen.seen, pts, 9 * sizeof *pts), 0);
    ck_assert(!seen.backwards && seen.progress_calls > 0);
    ck_assert_double_eq(seen.total, 2.0 * 30 + 40);
    free(pts);
    mat_release(&y);
    mat_release(&zero);
    fixture_free(&f);
}
END_TEST

START_TEST(decoder_points_are_dlfista_from_the_decoder_and_from_random)
{
    Fixture f;
    fixture_make(&f);
    WarmStartProblem p = problem_of(&f, false);
    static const long budgets[] = {0, 1, 3};
    WarmStartOptions o;
    warm_start_options_default(&o);
    o.kind = WARM_START_DECODER;
    o.budgets = budgets;
    o.nbudgets = 3;
    o.iters = 30;
    o.seed = 7;
    WarmStartPoint *pts;
    size_t n;
    SkErr err = {{0}};
    ck_assert_msg(warm_start_curves(&p, &o, &pts, &n, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(n, 5); /* warm 0, 1, 3; cold 1, 3 (no cold 0, no oracle) */
    double want[2];
    dlfista_score(&f, &f.w_dec, 1, 30, want);
    assert_point(&pts[0], 0, "warm", want, 0.0); /* warm 0 = warm 1 = the frozen decoder's codes */
    assert_point(&pts[1], 1, "warm", want, 0.0);
    dlfista_score(&f, &f.w_dec, 3, 30, want);
    assert_point(&pts[2], 3, "warm", want, 0.0);
    Mat cold;
    ck_assert_int_eq(dlfista_init_dict(7, f.w_dec.rows, f.w_dec.cols, &cold, &err), 0);
    dlfista_score(&f, &cold, 1, 30, want);
    assert_point(&pts[3], 1, "cold", want, 0.0);
    dlfista_score(&f, &cold, 3, 30, want);
    assert_point(&pts[4], 3, "cold", want, 0.0);
    mat_release(&cold);
    free(pts);
    fixture_free(&f);
}
END_TEST

START_TEST(refuses_bad_problems)
{
    Fixture f;
    fixture_make(&f);
    WarmStartProblem p = problem_of(&f, true);
    static const long unsorted[] = {5, 1};
    WarmStartOptions o;
    warm_start_options_default(&o);
    WarmStartPoint dummy, *pts = &dummy; /* reset to NULL on failure */
    size_t n = 7;
    SkErr err = {{0}};
    o.budgets = unsorted;
    o.nbudgets = 2;
    ck_assert_int_ne(warm_start_curves(&p, &o, &pts, &n, &err), 0);
    ck_assert_msg(strstr(err.msg, "sorted"), "%s", err.msg);
    ck_assert(pts == NULL && n == 0);

    warm_start_options_default(&o);
    o.kind = WARM_START_ENCODER;
    p.z_sae = NULL;
    ck_assert_int_ne(warm_start_curves(&p, &o, &pts, &n, &err), 0);
    ck_assert_msg(strstr(err.msg, "SAE's codes"), "%s", err.msg);

    p = problem_of(&f, true);
    Mat narrow = {f.data.y_ood.rows, f.data.y_ood.cols - 1, f.data.y_ood.v}; /* a view */
    p.y_ood = &narrow;
    ck_assert_int_ne(warm_start_curves(&p, &o, &pts, &n, &err), 0);
    ck_assert_msg(strstr(err.msg, "OOD samples"), "%s", err.msg);
    fixture_free(&f);
}
END_TEST

START_TEST(default_budgets)
{
    size_t n;
    const long *d = warm_start_default_budgets(WARM_START_DECODER, &n);
    ck_assert_uint_eq(n, 11);
    ck_assert(d[0] == 0 && d[n - 1] == 1000);
    const long *e = warm_start_default_budgets(WARM_START_ENCODER, &n);
    ck_assert_uint_eq(n, 10);
    ck_assert(e[0] == 0 && e[n - 1] == 500);
    /* the --help text lists exactly these arrays */
    char text[256];
    int at = snprintf(text, sizeof text, "decoder\n");
    for (size_t i = 0; i < 11; i++)
        at += snprintf(text + at, sizeof text - (size_t)at, "%s%ld", i ? "," : "", d[i]);
    at += snprintf(text + at, sizeof text - (size_t)at, "; encoder\n");
    for (size_t i = 0; i < n; i++)
        at += snprintf(text + at, sizeof text - (size_t)at, "%s%ld", i ? "," : "", e[i]);
    ck_assert_str_eq(text, WARM_START_DEFAULT_BUDGETS_TEXT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("warm_start");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, encoder_points_are_fista_from_the_sae_codes_and_from_zero);
    tcase_add_test(tc, decoder_points_are_dlfista_from_the_decoder_and_from_random);
    tcase_add_test(tc, refuses_bad_problems);
    tcase_add_test(tc, default_budgets);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
