/* sae_io.c — the SAE model file (see sae_io.h). */
#include "sae_io.h"

#include <stdint.h>
#include <string.h>

static const char *shown_path(const char *path) { return strcmp(path, "-") == 0 ? "stdin" : path; }

/* ---------------------------------------------------------------- a whole model */

int sae_save(NpzWriter *w, const Sae *m, SkErr *err)
{
    const SaeConfig *c = &m->cfg;
    size_t enc_shape[2] = {c->width, c->d_y}, width_shape[1] = {c->width}, dy_shape[1] = {c->d_y};
    Mat dec = {0};
    int rc = sae_decoder_mat(m, &dec, err);
    if (rc == 0)
        rc = npz_put(w, "W_enc", NPY_FLOAT32, 2, enc_shape, m->p.w_enc, err) ||
             npz_put(w, "b_enc", NPY_FLOAT32, 1, width_shape, m->p.b_enc, err) ||
             npz_put_mat(w, "W_dec", &dec, err) ||
             npz_put(w, "b_dec", NPY_FLOAT32, 1, dy_shape, m->p.b_dec, err) ||
             (m->p.log_theta &&
              npz_put(w, "log_theta", NPY_FLOAT32, 1, width_shape, m->p.log_theta, err)) ||
             npz_put_i64(w, "variant", (int64_t)c->variant, err) ||
             npz_put_i64(w, "k", (int64_t)c->k, err);
    mat_release(&dec);
    return rc ? -1 : 0;
}

/* A 1-d or 2-d float member with exactly n values into dst. */
static int load_values(const char *file, const Npz *npz, const char *member, float *dst, size_t n,
                       SkErr *err)
{
    const NpyArray *a = npz_get(npz, member);
    if (!a)
        return sk_fail(err, "%s: no member '%s' (not a train-sae model?)", file, member);
    Mat m;
    if (npy_to_mat(a, &m, err))
        return sk_prefix(err, file);
    int rc = 0;
    if (mat_size(&m) != n)
        rc = sk_fail(err, "%s: %s has %zu values, expected %zu", file, member, mat_size(&m), n);
    else if (!mat_all_finite(&m))
        rc = sk_fail(err, "%s: %s holds non-finite values", file, member);
    else
        memcpy(dst, m.v, n * sizeof(float));
    mat_release(&m);
    return rc;
}

/* W_enc fixes the configuration; the other members are checked against it. */
static int load_model(const Npz *npz, const char *file, Sae *m, SkErr *err)
{
    const NpyArray *enc = npz_get(npz, "W_enc"), *variant = npz_get(npz, "variant"),
                   *k = npz_get(npz, "k");
    if (!enc || !variant || !k || enc->ndim != 2 || variant->dtype != NPY_INT64 ||
        k->dtype != NPY_INT64 || npy_count(variant) != 1 || npy_count(k) != 1)
        return sk_fail(err, "%s: not a train-sae model (needs W_enc, variant, k)", file);
    int64_t v = *(const int64_t *)variant->data, kv = *(const int64_t *)k->data;
    if (v < 0 || v > SAE_MP)
        return sk_fail(err, "%s: unknown variant %lld", file, (long long)v);
    SaeConfig cfg = {.variant = (SaeVariant)v, .width = enc->shape[0], .d_y = enc->shape[1],
                     .k = kv > 0 ? (size_t)kv : 0};
    if (sae_alloc(m, &cfg, err))
        return sk_prefix(err, file);
    size_t wi = cfg.width, dy = cfg.d_y;
    if (load_values(file, npz, "W_enc", m->p.w_enc, wi * dy, err) ||
        load_values(file, npz, "b_enc", m->p.b_enc, wi, err) ||
        load_values(file, npz, "b_dec", m->p.b_dec, dy, err) ||
        (m->p.log_theta && load_values(file, npz, "log_theta", m->p.log_theta, wi, err)))
        return -1;
    Mat dec;
    if (npz_member_mat(npz, file, "W_dec", NULL, &dec, err))
        return -1;
    int rc = 0;
    if (dec.rows != dy || dec.cols != wi)
        rc = sk_fail(err, "%s: W_dec is %zu x %zu, expected %zu x %zu", file, dec.rows, dec.cols,
                     dy, wi);
    for (size_t j = 0; rc == 0 && j < wi; j++)
        for (size_t i = 0; i < dy; i++)
            m->p.dec[j * dy + i] = MAT_AT(dec, i, j);
    mat_release(&dec);
    return rc;
}

int sae_load(NpzCache *cache, const char *path, Sae *m, const char **meta_json, SkErr *err)
{
    const Npz *npz;
    memset(m, 0, sizeof *m);
    if (meta_json)
        *meta_json = NULL;
    if (npz_cache_open(cache, path, &npz, err))
        return -1;
    if (meta_json)
        *meta_json = npz->meta_json;
    if (load_model(npz, shown_path(path), m, err)) {
        sae_release(m);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the surgeries' view */

/* A member as a finite float32 matrix (1-d arrays become 1 × n). */
static int model_member(const Npz *npz, const char *file, const char *name, int max_ndim, Mat *m,
                        SkErr *err)
{
    const NpyArray *a = npz_get(npz, name);
    if (!a)
        return sk_fail(err, "%s: no member '%s' (not a train-sae model?)", file, name);
    if (a->ndim < 1 || a->ndim > max_ndim)
        return sk_fail(err, "%s: %s is %d-dimensional, expected %s", file, name, a->ndim,
                       max_ndim == 1 ? "a vector" : "a matrix");
    if (npy_to_mat(a, m, err))
        return sk_prefix(err, file);
    if (!mat_all_finite(m))
        return sk_fail(err, "%s: %s holds non-finite values", file, name);
    return 0;
}

int sae_model_file_load(NpzCache *cache, const char *path, bool need_codes, SaeModelFile *m,
                        SkErr *err)
{
    memset(m, 0, sizeof *m);
    m->variant = -1;
    const char *file = shown_path(path);
    const Npz *npz;
    if (npz_cache_open(cache, path, &npz, err))
        return -1;
    m->meta_json = npz->meta_json;
    if (model_member(npz, file, "W_dec", 2, &m->w_dec, err) ||
        model_member(npz, file, "b_dec", 2, &m->b_dec, err))
        return sae_model_file_release(m), -1;
    size_t dy = m->w_dec.rows, width = m->w_dec.cols;
    int rc = 0;
    if (dy == 0 || width == 0)
        rc = sk_fail(err, "%s: W_dec is %zu x %zu (empty)", file, dy, width);
    else if (m->b_dec.rows != 1 || m->b_dec.cols != dy)
        rc = sk_fail(err, "%s: b_dec has %zu x %zu values, expected %zu (d_y)", file,
                     m->b_dec.rows, m->b_dec.cols, dy);
    const NpyArray *v = npz_get(npz, "variant");
    if (rc == 0 && v && v->dtype == NPY_INT64 && npy_count(v) == 1)
        m->variant = (long)*(const int64_t *)v->data;
    static const char *const CODES[2] = {"Z_val", "Z_ood"};
    Mat *dst[2] = {&m->z_val, &m->z_ood};
    for (int s = 0; s < 2 && rc == 0 && need_codes; s++) {
        rc = model_member(npz, file, CODES[s], 2, dst[s], err);
        if (rc == 0 && dst[s]->cols != width)
            rc = sk_fail(err, "%s: %s has %zu columns, W_dec %zu (width)", file, CODES[s],
                         dst[s]->cols, width);
    }
    if (rc)
        sae_model_file_release(m);
    return rc;
}

void sae_model_file_release(SaeModelFile *m)
{
    mat_release(&m->w_dec);
    mat_release(&m->b_dec);
    mat_release(&m->z_val);
    mat_release(&m->z_ood);
    m->meta_json = NULL;
}
