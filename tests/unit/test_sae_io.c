/* test_sae_io.c — lib/sae_io: a model saved and loaded again is the same
 * model to the bit, for every variant; the surgeries' view reads the decoder
 * (atoms as columns), bias, variant and codes of the same file; files that
 * are not models, or whose members disagree, are refused with their name. */
#include "sae_io.h"
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A trained-looking model: the seeded init, then every parameter moved so
 * that b_enc, b_dec and log_theta are not their initial constants. */
static void make_model(Sae *m, SaeVariant v, size_t dy, size_t width, uint64_t seed)
{
    SaeConfig cfg = {.variant = v, .d_y = dy, .width = width,
                     .k = v == SAE_TOPK || v == SAE_MP ? 2 : 0, .gamma = 1e-4f};
    SkErr err;
    ck_assert_int_eq(sae_alloc(m, &cfg, &err), 0);
    sae_init(m, seed);
    for (size_t i = 0; i < m->n_params; i++)
        m->params[i] += 0.001f * (float)(i % 7);
}

/* A fresh folder and a path in it (under $SK_TMP when set). */
static void temp_path(char *dir, size_t dcap, char *path, size_t pcap, const char *name)
{
    const char *base = getenv("SK_TMP");
    snprintf(dir, dcap, "%s/sae_io.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp failed");
    snprintf(path, pcap, "%s/%s", dir, name);
}

/* Write m (and, when z is given, Z_val = Z_ood = z) to path. */
static void write_model(const char *path, const Sae *m, const Mat *z)
{
    SkErr err = {{0}};
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_msg(w != NULL, "%s", err.msg);
    ck_assert_msg(sae_save(w, m, &err) == 0, "%s", err.msg);
    if (z) {
        ck_assert_int_eq(npz_put_mat(w, "Z_val", z, &err), 0);
        ck_assert_int_eq(npz_put_mat(w, "Z_ood", z, &err), 0);
    }
    ck_assert_int_eq(npz_put_raw(w, "meta.json", "{}", 2, &err), 0);
    ck_assert_msg(npz_commit(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_then_load_is_the_same_model)
{
    for (int v = SAE_RELU; v <= SAE_MP; v++) {
        Sae m, back;
        make_model(&m, (SaeVariant)v, 5, 7, 11 + (uint64_t)v);
        char dir[256], path[300];
        temp_path(dir, sizeof dir, path, sizeof path, "model.npz");
        write_model(path, &m, NULL);
        NpzCache cache;
        npz_cache_init(&cache);
        SkErr err = {{0}};
        const char *meta = NULL;
        ck_assert_msg(sae_load(&cache, path, &back, &meta, &err) == 0, "%s", err.msg);
        ck_assert_str_eq(meta, "{}");
        ck_assert_int_eq(back.cfg.variant, v);
        ck_assert_uint_eq(back.cfg.d_y, 5);
        ck_assert_uint_eq(back.cfg.width, 7);
        ck_assert_uint_eq(back.cfg.k, m.cfg.k);
        ck_assert_uint_eq(back.n_params, m.n_params);
        ck_assert_int_eq(memcmp(back.params, m.params, m.n_params * sizeof(float)), 0);
        ck_assert(v == SAE_JUMPRELU ? back.p.log_theta != NULL : back.p.log_theta == NULL);
        sae_release(&back);
        npz_cache_free(&cache);
        sae_release(&m);
        unlink(path);
        rmdir(dir);
    }
}
END_TEST

START_TEST(surgery_view_reads_decoder_columns_bias_and_codes)
{
    Sae m;
    make_model(&m, SAE_TOPK, 4, 6, 3);
    Mat z;
    SkErr err = {{0}};
    ck_assert_int_eq(mat_alloc(&z, 3, 6, &err), 0);
    for (size_t i = 0; i < mat_size(&z); i++)
        z.v[i] = (float)i;
    char dir[256], path[300];
    temp_path(dir, sizeof dir, path, sizeof path, "model.npz");
    write_model(path, &m, &z);
    NpzCache cache;
    npz_cache_init(&cache);
    SaeModelFile f;
    ck_assert_msg(sae_model_file_load(&cache, path, true, &f, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(f.variant, SAE_TOPK);
    ck_assert_uint_eq(f.w_dec.rows, 4);
    ck_assert_uint_eq(f.w_dec.cols, 6);
    for (size_t i = 0; i < 4; i++)       /* W_dec[i, j] = D[j, i] */
        for (size_t j = 0; j < 6; j++)
            ck_assert_float_eq(MAT_AT(f.w_dec, i, j), m.p.dec[j * 4 + i]);
    ck_assert_int_eq(memcmp(f.b_dec.v, m.p.b_dec, 4 * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(f.z_ood.v, z.v, mat_size(&z) * sizeof(float)), 0);
    ck_assert_str_eq(f.meta_json, "{}");
    sae_model_file_release(&f);
    npz_cache_free(&cache);
    sae_release(&m);
    mat_release(&z);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(refuses_what_is_not_a_model)
{
    char dir[256], path[300];
    temp_path(dir, sizeof dir, path, sizeof path, "data.npz");
    SkErr err = {{0}};
    Mat a;
    ck_assert_int_eq(mat_alloc(&a, 3, 4, &err), 0);
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_int_eq(npz_put_mat(w, "A", &a, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);
    NpzCache cache;
    npz_cache_init(&cache);
    Sae m;
    ck_assert_int_ne(sae_load(&cache, path, &m, NULL, &err), 0);
    ck_assert_msg(strstr(err.msg, "not a train-sae model") && strstr(err.msg, path), "%s", err.msg);
    ck_assert_ptr_null(m.params);
    SaeModelFile f;
    ck_assert_int_ne(sae_model_file_load(&cache, path, false, &f, &err), 0);
    ck_assert_msg(strstr(err.msg, "no member 'W_dec'"), "%s", err.msg);
    npz_cache_free(&cache);
    mat_release(&a);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A model whose W_dec does not match W_enc, and one without its codes. */
START_TEST(refuses_members_that_disagree)
{
    Sae m;
    make_model(&m, SAE_RELU, 4, 6, 5);
    char dir[256], path[300];
    temp_path(dir, sizeof dir, path, sizeof path, "bad.npz");
    SkErr err = {{0}};
    Mat wrong;
    ck_assert_int_eq(mat_alloc(&wrong, 6, 4, &err), 0); /* transposed */
    size_t ws[2] = {6, 4}, w1[1] = {6}, d1[1] = {4};
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_int_eq(npz_put(w, "W_enc", NPY_FLOAT32, 2, ws, m.p.w_enc, &err), 0);
    ck_assert_int_eq(npz_put(w, "b_enc", NPY_FLOAT32, 1, w1, m.p.b_enc, &err), 0);
    ck_assert_int_eq(npz_put_mat(w, "W_dec", &wrong, &err), 0);
    ck_assert_int_eq(npz_put(w, "b_dec", NPY_FLOAT32, 1, d1, m.p.b_dec, &err), 0);
    ck_assert_int_eq(npz_put_i64(w, "variant", 0, &err), 0);
    ck_assert_int_eq(npz_put_i64(w, "k", 0, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);
    NpzCache cache;
    npz_cache_init(&cache);
    Sae back;
    ck_assert_int_ne(sae_load(&cache, path, &back, NULL, &err), 0);
    ck_assert_msg(strstr(err.msg, "W_dec is 6 x 4, expected 4 x 6"), "%s", err.msg);
    ck_assert_ptr_null(back.params);
    SaeModelFile f;
    ck_assert_int_ne(sae_model_file_load(&cache, path, true, &f, &err), 0);
    ck_assert_msg(strstr(err.msg, "b_dec has 1 x 4 values, expected 6"), "%s", err.msg);
    npz_cache_free(&cache);
    unlink(path);

    write_model(path, &m, NULL); /* a good model without Z_val, Z_ood */
    npz_cache_init(&cache);
    ck_assert_int_eq(sae_model_file_load(&cache, path, false, &f, &err), 0);
    sae_model_file_release(&f);
    ck_assert_int_ne(sae_model_file_load(&cache, path, true, &f, &err), 0);
    ck_assert_msg(strstr(err.msg, "no member 'Z_val'"), "%s", err.msg);
    npz_cache_free(&cache);
    mat_release(&wrong);
    sae_release(&m);
    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sae_io");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, save_then_load_is_the_same_model);
    tcase_add_test(tc, surgery_view_reads_decoder_columns_bias_and_codes);
    tcase_add_test(tc, refuses_what_is_not_a_model);
    tcase_add_test(tc, refuses_members_that_disagree);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
