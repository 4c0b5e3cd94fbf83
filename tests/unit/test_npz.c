/* test_npz.c — the file layer: NumPy-written fixtures, round trips of every
 * dtype and rank through our writer, stdin/stdout, "FILE:MEMBER" specs, and
 * hostile inputs (truncations, flipped bytes, lying sizes, absurd headers).
 * Hostile archives are built byte by byte here (tzip_*) so each lie is exact. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gemm.h"
#include "npz.h"
#include "testutil.h"

/* ---- helpers ---- */

/* A fresh empty folder for one test (under $SK_TMP when set). */
static void make_temp_dir(char *dir, size_t cap)
{
    const char *base = getenv("SK_TMP");
    snprintf(dir, cap, "%s/npz.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp failed");
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1200];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Parse must fail and its message contain want (when want is not NULL). */
static void expect_parse_error(const uint8_t *buf, size_t len, const char *want)
{
    Npz z;
    SkErr err = {{0}};
    int rc = npz_parse(buf, len, &z, &err);
    if (rc == 0)
        npz_free(&z);
    ck_assert_msg(rc != 0, "parse of a bad buffer succeeded (wanted '%s')", want ? want : "");
    ck_assert_msg(err.msg[0] != '\0', "error without message");
    ck_assert_msg(!strchr(err.msg, '\n'), "error message spans lines: %s", err.msg);
    if (want)
        ck_assert_msg(strstr(err.msg, want), "error '%s' lacks '%s'", err.msg, want);
}

/* A .npy version 1.0 file from dict text and raw data. */
static uint8_t *make_npy(const char *dict, const void *data, size_t data_len, size_t *len)
{
    size_t hl = strlen(dict);
    *len = 10 + hl + data_len;
    uint8_t *b = malloc(*len);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)(hl & 0xff);
    b[9] = (uint8_t)(hl >> 8);
    memcpy(b + 10, dict, hl);
    if (data_len)
        memcpy(b + 10 + hl, data, data_len);
    return b;
}

/* ---- a byte-level zip builder for hostile archives ---- */

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    uint8_t cd[4096];
    size_t cd_len, count;
} TZip;

static void tz_bytes(uint8_t *dst, size_t *len, const void *src, size_t n)
{
    memcpy(dst + *len, src, n);
    *len += n;
}
static void tz_u16(uint8_t *dst, size_t *len, uint32_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    tz_bytes(dst, len, b, 2);
}
static void tz_u32(uint8_t *dst, size_t *len, uint32_t v)
{
    tz_u16(dst, len, v & 0xffff);
    tz_u16(dst, len, v >> 16);
}
static void tz_u64(uint8_t *dst, size_t *len, uint64_t v)
{
    tz_u32(dst, len, (uint32_t)v);
    tz_u32(dst, len, (uint32_t)(v >> 32));
}

static void tz_init(TZip *z)
{
    memset(z, 0, sizeof *z);
    z->cap = 1 << 20;
    z->buf = malloc(z->cap);
}

/* Raw deflate of data into a malloc'ed buffer. */
static uint8_t *raw_deflate(const void *data, size_t n, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    size_t cap = deflateBound(&zs, n);
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

typedef struct {
    bool deflate;          /* method 8 */
    bool zip64_cd;         /* sizes and offset as 0xffffffff + ZIP64 extra in the directory */
    bool zip64_local;      /* ZIP64 extra in the local header (as NumPy writes) */
    bool descriptor;       /* flag bit 3, zero local sizes, data descriptor after the data */
    int64_t usize_delta;   /* lie about the uncompressed size */
    uint32_t crc_xor;      /* lie about the CRC */
} TzOpts;

static void tz_member(TZip *z, const char *name, const void *data, size_t n, TzOpts o)
{
    size_t plen = n;
    uint8_t *packed = o.deflate ? raw_deflate(data, n, &plen) : NULL;
    const void *payload = packed ? packed : data;
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)n) ^ o.crc_xor;
    uint64_t usize = (uint64_t)((int64_t)n + o.usize_delta);
    uint64_t offset = z->len;
    uint16_t flags = o.descriptor ? 8 : 0, method = o.deflate ? 8 : 0, nl = (uint16_t)strlen(name);
    /* local header */
    tz_u32(z->buf, &z->len, 0x04034b50);
    tz_u16(z->buf, &z->len, 45);
    tz_u16(z->buf, &z->len, flags);
    tz_u16(z->buf, &z->len, method);
    tz_u32(z->buf, &z->len, 0x00210000);
    tz_u32(z->buf, &z->len, o.descriptor ? 0 : crc);
    tz_u32(z->buf, &z->len, o.descriptor ? 0 : (uint32_t)plen);
    tz_u32(z->buf, &z->len, o.descriptor ? 0 : (uint32_t)usize);
    tz_u16(z->buf, &z->len, nl);
    tz_u16(z->buf, &z->len, o.zip64_local ? 20 : 0);
    tz_bytes(z->buf, &z->len, name, nl);
    if (o.zip64_local) {
        tz_u16(z->buf, &z->len, 1);
        tz_u16(z->buf, &z->len, 16);
        tz_u64(z->buf, &z->len, usize);
        tz_u64(z->buf, &z->len, plen);
    }
    tz_bytes(z->buf, &z->len, payload, plen);
    if (o.descriptor) {
        tz_u32(z->buf, &z->len, 0x08074b50);
        tz_u32(z->buf, &z->len, crc);
        tz_u32(z->buf, &z->len, (uint32_t)plen);
        tz_u32(z->buf, &z->len, (uint32_t)usize);
    }
    /* central directory record */
    uint32_t big = 0xffffffffu;
    tz_u32(z->cd, &z->cd_len, 0x02014b50);
    tz_u16(z->cd, &z->cd_len, 45);
    tz_u16(z->cd, &z->cd_len, 45);
    tz_u16(z->cd, &z->cd_len, flags);
    tz_u16(z->cd, &z->cd_len, method);
    tz_u32(z->cd, &z->cd_len, 0x00210000);
    tz_u32(z->cd, &z->cd_len, crc);
    tz_u32(z->cd, &z->cd_len, o.zip64_cd ? big : (uint32_t)plen);
    tz_u32(z->cd, &z->cd_len, o.zip64_cd ? big : (uint32_t)usize);
    tz_u16(z->cd, &z->cd_len, nl);
    tz_u16(z->cd, &z->cd_len, o.zip64_cd ? 28 : 0);
    tz_u16(z->cd, &z->cd_len, 0);
    tz_u16(z->cd, &z->cd_len, 0);
    tz_u16(z->cd, &z->cd_len, 0);
    tz_u32(z->cd, &z->cd_len, 0);
    tz_u32(z->cd, &z->cd_len, o.zip64_cd ? big : (uint32_t)offset);
    tz_bytes(z->cd, &z->cd_len, name, nl);
    if (o.zip64_cd) {
        tz_u16(z->cd, &z->cd_len, 1);
        tz_u16(z->cd, &z->cd_len, 24);
        tz_u64(z->cd, &z->cd_len, usize);
        tz_u64(z->cd, &z->cd_len, plen);
        tz_u64(z->cd, &z->cd_len, offset);
    }
    z->count++;
    free(packed);
}

/* Append the central directory and end record(s); returns the archive. */
static uint8_t *tz_finish(TZip *z, bool zip64_end, size_t *len)
{
    uint64_t cd_offset = z->len;
    tz_bytes(z->buf, &z->len, z->cd, z->cd_len);
    if (zip64_end) {
        uint64_t end64 = z->len;
        tz_u32(z->buf, &z->len, 0x06064b50);
        tz_u64(z->buf, &z->len, 44);
        tz_u16(z->buf, &z->len, 45);
        tz_u16(z->buf, &z->len, 45);
        tz_u32(z->buf, &z->len, 0);
        tz_u32(z->buf, &z->len, 0);
        tz_u64(z->buf, &z->len, z->count);
        tz_u64(z->buf, &z->len, z->count);
        tz_u64(z->buf, &z->len, z->cd_len);
        tz_u64(z->buf, &z->len, cd_offset);
        tz_u32(z->buf, &z->len, 0x07064b50);
        tz_u32(z->buf, &z->len, 0);
        tz_u64(z->buf, &z->len, end64);
        tz_u32(z->buf, &z->len, 1);
    }
    tz_u32(z->buf, &z->len, 0x06054b50);
    tz_u16(z->buf, &z->len, 0);
    tz_u16(z->buf, &z->len, 0);
    tz_u16(z->buf, &z->len, zip64_end ? 0xffff : (uint32_t)z->count);
    tz_u16(z->buf, &z->len, zip64_end ? 0xffff : (uint32_t)z->count);
    tz_u32(z->buf, &z->len, zip64_end ? 0xffffffffu : (uint32_t)z->cd_len);
    tz_u32(z->buf, &z->len, zip64_end ? 0xffffffffu : (uint32_t)cd_offset);
    tz_u16(z->buf, &z->len, 0);
    *len = z->len;
    return z->buf;
}

/* A 2x3 float32 .npy (values 0, 0.5, ..., 2.5) as NumPy would write it. */
static uint8_t *small_npy(size_t *len)
{
    float v[6] = {0, 0.5f, 1, 1.5f, 2, 2.5f};
    return make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", v,
                    sizeof v, len);
}

/* An archive with member "A.npy" (the small .npy) built with options o. */
static uint8_t *small_zip(TzOpts o, bool zip64_end, size_t *len)
{
    size_t nlen;
    uint8_t *npy = small_npy(&nlen);
    TZip z;
    tz_init(&z);
    tz_member(&z, "A.npy", npy, nlen, o);
    free(npy);
    return tz_finish(&z, zip64_end, len);
}

static void assert_small_array(const Npz *z, const char *name)
{
    const NpyArray *a = npz_get(z, name);
    ck_assert_msg(a != NULL, "no member %s", name);
    ck_assert_int_eq(a->dtype, NPY_FLOAT32);
    ck_assert_int_eq(a->ndim, 2);
    ck_assert_uint_eq(a->shape[0], 2);
    ck_assert_uint_eq(a->shape[1], 3);
    ck_assert(((float *)a->data)[5] == 2.5f);
}

/* ---- fixtures written by NumPy (savez_compressed: deflate + ZIP64 extras) ---- */

START_TEST(test_fixture_fista)
{
    Npz z;
    fixture_load("fista.npz", &z);
    ck_assert_uint_eq(z.count, 10);
    ck_assert_ptr_null(z.meta_json);
    /* L: 0-d float32. Values from
     * /usr/bin/python3 -c "import numpy as np; f=np.load('tests/fixtures/fista.npz');
     *   print('%.9g' % f['L'], '%.9g %.9g %.9g' % (f['D'][0,0], f['D'][5,9], f['Y'][8,5]))" */
    const NpyArray *L = npz_get(&z, "L");
    ck_assert_ptr_nonnull(L);
    ck_assert_int_eq(L->dtype, NPY_FLOAT32);
    ck_assert_int_eq(L->ndim, 0);
    ck_assert_uint_eq(npy_count(L), 1);
    ck_assert(*(float *)L->data == 3.26151967f);
    ck_assert(fixture_scalar(&z, "lam") == (double)0.1f);
    Mat D = fixture_mat(&z, "D"), Y = fixture_mat(&z, "Y");
    ck_assert_uint_eq(D.rows, 6);
    ck_assert_uint_eq(D.cols, 10);
    ck_assert(MAT_AT(D, 0, 0) == 0.0562831499f);
    ck_assert(MAT_AT(D, 5, 9) == -0.281582773f);
    ck_assert_uint_eq(Y.rows, 9);
    ck_assert_uint_eq(Y.cols, 6);
    ck_assert(MAT_AT(Y, 8, 5) == -0.040427614f);
    mat_release(&D);
    mat_release(&Y);
    ck_assert_ptr_null(npz_get(&z, "nope"));
    npz_free(&z);
}
END_TEST

START_TEST(test_fixture_metrics_dtypes)
{
    /* Values from /usr/bin/python3 -c "import numpy as np; m=np.load('tests/fixtures/metrics.npz');
     *   print('%.17g' % m['mcc'], m['labels'].sum(), m['col_ind'], '%.17g' % m['Z_pred'][59,9])" */
    Npz z;
    fixture_load("metrics.npz", &z);
    ck_assert_uint_eq(z.count, 17);
    const NpyArray *mcc = npz_get(&z, "mcc"), *labels = npz_get(&z, "labels"),
                   *col = npz_get(&z, "col_ind"), *zp = npz_get(&z, "Z_pred");
    ck_assert(mcc && labels && col && zp);
    ck_assert_int_eq(mcc->dtype, NPY_FLOAT64);
    ck_assert(*(double *)mcc->data == 0.81702981826981991);
    ck_assert_int_eq(labels->dtype, NPY_UINT8);
    ck_assert_int_eq(labels->ndim, 1);
    ck_assert_uint_eq(labels->shape[0], 60);
    ck_assert_uint_eq(labels->shape[1], 1);
    unsigned sum = 0;
    for (size_t i = 0; i < 60; i++)
        sum += ((uint8_t *)labels->data)[i];
    ck_assert_uint_eq(sum, 9);
    ck_assert_int_eq(col->dtype, NPY_INT64);
    const int64_t want_col[10] = {2, 9, 5, 0, 8, 4, 3, 1, 6, 7};
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(((int64_t *)col->data)[i], want_col[i]);
    ck_assert_int_eq(zp->dtype, NPY_FLOAT64);
    ck_assert_uint_eq(zp->shape[0], 60);
    ck_assert_uint_eq(zp->shape[1], 10);
    double *v;
    SkErr err = {{0}};
    ck_assert_int_eq(npy_to_doubles(zp, &v, &err), 0);
    ck_assert(v[599] == 0.080315117279102594);
    free(v);
    /* int64 -> float32 matrix: a 1-d array becomes 1 x n */
    Mat m;
    ck_assert_int_eq(npy_to_mat(col, &m, &err), 0);
    ck_assert_uint_eq(m.rows, 1);
    ck_assert_uint_eq(m.cols, 10);
    ck_assert(m.v[1] == 9.0f);
    mat_release(&m);
    npz_free(&z);
}
END_TEST

/* Every fixture loads; shapes checked against NumPy's listing for a few. */
START_TEST(test_fixture_all)
{
    static const struct {
        const char *file, *member;
        int ndim;
        size_t rows, cols;
        NpyDtype dtype;
    } expect[] = {
        {"dlfista_round.npz", "iters", 0, 1, 1, NPY_INT64},
        {"lista.npz", "grad_theta0", 1, 10, 1, NPY_FLOAT32},
        {"ridge_probe.npz", "alphas", 1, 5, 1, NPY_FLOAT64},
        {"ridge_probe_noisy.npz", "Z_pred", 2, 11, 10, NPY_FLOAT64},
        {"sae_jumprelu.npz", "init_be", 2, 1, 10, NPY_FLOAT32},
        {"sae_mp.npz", "k", 0, 1, 1, NPY_INT64},
        {"sae_relu.npz", "losses_3steps", 1, 3, 1, NPY_FLOAT32},
        {"sae_topk.npz", "renormed_Ad", 2, 6, 10, NPY_FLOAT32},
        {"softplus_adam.npz", "losses", 1, 30, 1, NPY_FLOAT32},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        Npz z;
        fixture_load(expect[i].file, &z);
        const NpyArray *a = npz_get(&z, expect[i].member);
        ck_assert_msg(a != NULL, "%s lacks %s", expect[i].file, expect[i].member);
        ck_assert_int_eq(a->ndim, expect[i].ndim);
        ck_assert_int_eq(a->dtype, expect[i].dtype);
        ck_assert_uint_eq(a->shape[0], expect[i].rows);
        ck_assert_uint_eq(a->shape[1], expect[i].cols);
        npz_free(&z);
    }
}
END_TEST

/* ---- round trips through our writer ---- */

/* Fill n values of dtype t with a pattern that uses the type's range. */
static void *pattern(NpyDtype t, size_t n)
{
    uint8_t *p = malloc(n * npy_itemsize(t) + 1);
    for (size_t i = 0; i < n; i++) {
        switch (t) {
        case NPY_FLOAT32: ((float *)p)[i] = (float)i * 0.25f - 1.5f; break;
        case NPY_FLOAT64: ((double *)p)[i] = (double)i / 3.0 - 1e300 * (i == 1); break;
        case NPY_INT64: ((int64_t *)p)[i] = (int64_t)i * 1000000007LL - (INT64_C(1) << 62); break;
        case NPY_INT32: ((int32_t *)p)[i] = (int32_t)i * -77 + 5; break;
        case NPY_UINT8: p[i] = (uint8_t)(i * 37 + 200); break;
        case NPY_BOOL: p[i] = (uint8_t)(i % 3 == 0); break;
        }
    }
    return p;
}

/* Write every dtype at ndim 0, 1, 2 (and an empty 0 x 5) plus meta.json at
 * compression level `level`, read the file back and compare. Loop index = level. */
START_TEST(test_roundtrip_all_dtypes)
{
    const int level = _i == 0 ? 0 : _i == 1 ? 1 : 9;
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rt.npz", dir);
    const NpyDtype types[] = {NPY_FLOAT32, NPY_FLOAT64, NPY_INT64, NPY_INT32, NPY_UINT8, NPY_BOOL};
    const size_t shapes[4][2] = {{0, 0}, {7, 1}, {5, 3}, {0, 5}};
    const int ndims[4] = {0, 1, 2, 2};
    const char *meta = "{\"tool\": \"test\", \"n\": 1}";
    SkErr err = {{0}};
    NpzWriter *w = npz_create(path, level, &err);
    ck_assert_msg(w != NULL, "%s", err.msg);
    for (int t = 0; t < 6; t++) {
        for (int s = 0; s < 4; s++) {
            char name[32];
            snprintf(name, sizeof name, "%s_%d", npy_dtype_name(types[t]), s);
            void *data = pattern(types[t], 15);
            ck_assert_msg(npz_put(w, name, types[t], ndims[s], shapes[s], data, &err) == 0, "%s",
                          err.msg);
            free(data);
        }
    }
    ck_assert_int_eq(npz_put_raw(w, "meta.json", meta, strlen(meta), &err), 0);
    ck_assert_msg(npz_commit(w, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(count_entries(dir), 1);   /* no temporary file left */

    Npz z;
    ck_assert_msg(npz_load(path, &z, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(z.count, 24);
    ck_assert_str_eq(z.meta_json, meta);
    for (int t = 0; t < 6; t++) {
        for (int s = 0; s < 4; s++) {
            char name[32];
            snprintf(name, sizeof name, "%s_%d", npy_dtype_name(types[t]), s);
            const NpyArray *a = npz_get(&z, name);
            ck_assert_msg(a != NULL, "missing %s", name);
            ck_assert_int_eq(a->dtype, types[t]);
            ck_assert_int_eq(a->ndim, ndims[s]);
            size_t n = ndims[s] == 0 ? 1 : ndims[s] == 1 ? shapes[s][0]
                                                         : shapes[s][0] * shapes[s][1];
            ck_assert_uint_eq(npy_count(a), n);
            ck_assert_uint_eq(a->shape[0], ndims[s] >= 1 ? shapes[s][0] : 1);
            ck_assert_uint_eq(a->shape[1], ndims[s] == 2 ? shapes[s][1] : 1);
            void *want = pattern(types[t], 15);
            ck_assert_msg(memcmp(a->data, want, n * npy_itemsize(types[t])) == 0,
                          "%s data differs", name);
            free(want);
        }
    }
    npz_free(&z);
    remove_dir(dir);
}
END_TEST

/* Write a small archive at path; returns 0 or fails the test. */
static void write_small_archive(const char *path, int level)
{
    SkErr err = {{0}};
    float v[40];
    for (int i = 0; i < 40; i++)
        v[i] = (float)(i % 4);
    Mat m = {10, 4, v};
    NpzWriter *w = npz_create(path, level, &err);
    ck_assert_msg(w != NULL, "%s", err.msg);
    ck_assert_int_eq(npz_put_mat(w, "A", &m, &err), 0);
    ck_assert_int_eq(npz_put_f64(w, "x", 2.5, &err), 0);
    ck_assert_int_eq(npz_put_i64(w, "n", -7, &err), 0);
    ck_assert_int_eq(npz_put_raw(w, "meta.json", "{}", 2, &err), 0);
    ck_assert_msg(npz_commit(w, &err) == 0, "%s", err.msg);
}

START_TEST(test_deterministic_and_header_layout)
{
    char dir[1024], p1[1100], p2[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(p1, sizeof p1, "%s/a.npz", dir);
    snprintf(p2, sizeof p2, "%s/b.npz", dir);
    write_small_archive(p1, 1);
    write_small_archive(p2, 1);
    size_t n1, n2;
    uint8_t *b1 = read_file(p1, &n1), *b2 = read_file(p2, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert(memcmp(b1, b2, n1) == 0);
    /* first local header: DOS time 0, date 1980-01-01 (0x0021), method deflate */
    ck_assert(b1[0] == 'P' && b1[1] == 'K' && b1[2] == 3 && b1[3] == 4);
    ck_assert_uint_eq(b1[8] | b1[9] << 8, 8);
    ck_assert_uint_eq(b1[10] | b1[11] << 8, 0);
    ck_assert_uint_eq(b1[12] | b1[13] << 8, 0x21);
    free(b1);
    free(b2);

    /* stored archive: the .npy header text is NumPy's, data at a multiple of 64 */
    write_small_archive(p1, 0);
    b1 = read_file(p1, &n1);
    ck_assert_uint_eq(b1[8] | b1[9] << 8, 0);
    const uint8_t *npy = b1 + 30 + 5;   /* local header + "A.npy" */
    ck_assert(memcmp(npy, "\x93NUMPY\x01\x00", 8) == 0);
    size_t hl = npy[8] | npy[9] << 8;
    ck_assert_uint_eq((10 + hl) % 64, 0);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 4), }";
    ck_assert(memcmp(npy + 10, dict, strlen(dict)) == 0);
    ck_assert(npy[10 + hl - 1] == '\n');
    free(b1);
    remove_dir(dir);
}
END_TEST

/* Incompressible bytes are stored (method 0, compressed size = size); a member
 * that deflate shrinks is deflated, and always smaller than stored. */
START_TEST(test_store_when_deflate_does_not_pay)
{
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.npz", dir);
    uint32_t state = 12345;
    uint8_t noise[4000];
    for (size_t i = 0; i < sizeof noise; i++) {
        state = state * 1664525u + 1013904223u;
        noise[i] = (uint8_t)(state >> 24);
    }
    float zeros[1000] = {0};
    Mat m = {1000, 1, zeros};
    SkErr err = {{0}};
    NpzWriter *w = npz_create(path, 9, &err);
    ck_assert_int_eq(npz_put_raw(w, "noise.bin", noise, sizeof noise, &err), 0);
    ck_assert_int_eq(npz_put_mat(w, "Z", &m, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);
    size_t n;
    uint8_t *b = read_file(path, &n);
    /* first local header: noise.bin, stored */
    ck_assert_uint_eq(b[8], 0);
    ck_assert_uint_eq(b[18] | b[19] << 8, sizeof noise);
    ck_assert_uint_eq(b[22] | b[23] << 8, sizeof noise);
    /* second local header: Z.npy, deflated and smaller */
    const uint8_t *h = b + 30 + 9 + sizeof noise;
    ck_assert(h[0] == 'P' && h[1] == 'K');
    ck_assert_uint_eq(h[8], 8);
    ck_assert_uint_lt(h[18] | h[19] << 8, h[22] | h[23] << 8);
    free(b);
    Npz z;
    ck_assert_int_eq(npz_load(path, &z, &err), 0);
    ck_assert_uint_eq(z.count, 1);   /* noise.bin is not an array */
    ck_assert(memcmp(npz_get(&z, "Z")->data, zeros, sizeof zeros) == 0);
    npz_free(&z);
    remove_dir(dir);
}
END_TEST

/* Members of 8 MiB and more are deflated in independent 4 MiB pieces
 * (lib/zip.c): the bytes do not depend on the thread count, the archive
 * reads back exactly, and an incompressible one is still stored. */
START_TEST(test_large_member_in_pieces)
{
    char dir[1024], p1[1100], p2[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(p1, sizeof p1, "%s/one.npz", dir);
    snprintf(p2, sizeof p2, "%s/two.npz", dir);
    const size_t n = 2600000;   /* 10.4 MB: three pieces, the first after the .npy header */
    float *v = malloc(n * sizeof *v);
    uint8_t *noise = malloc(9u << 20);
    ck_assert(v && noise);
    uint32_t state = 7;
    for (size_t i = 0; i < n; i++) {
        state = state * 1664525u + 1013904223u;
        v[i] = (float)(i % 1000) * 0.5f + (state >> 28 == 0 ? 1.0f : 0.0f);
    }
    for (size_t i = 0; i < (9u << 20); i++) {
        state = state * 1664525u + 1013904223u;
        noise[i] = (uint8_t)(state >> 24);
    }
    Mat m = {n / 100, 100, v};
    SkErr err = {{0}};
    const char *paths[2] = {p1, p2};
    for (int t = 0; t < 2; t++) {
        sk_gemm_set_threads(t + 1);
        NpzWriter *w = npz_create(paths[t], 1, &err);
        ck_assert_msg(w != NULL, "%s", err.msg);
        ck_assert_int_eq(npz_put_mat(w, "V", &m, &err), 0);
        ck_assert_int_eq(npz_put_raw(w, "noise.bin", noise, 9u << 20, &err), 0);
        ck_assert_int_eq(npz_commit(w, &err), 0);
    }
    sk_gemm_set_threads(1);
    size_t n1, n2;
    uint8_t *b1 = read_file(p1, &n1), *b2 = read_file(p2, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert(memcmp(b1, b2, n1) == 0);
    /* V.npy deflated, well below its size; noise.bin stored */
    const uint32_t csize = b1[18] | b1[19] << 8 | (uint32_t)b1[20] << 16 | (uint32_t)b1[21] << 24;
    const uint32_t usize = b1[22] | b1[23] << 8 | (uint32_t)b1[24] << 16 | (uint32_t)b1[25] << 24;
    ck_assert_uint_eq(b1[8], 8);
    ck_assert_uint_gt(usize, n * sizeof(float));
    ck_assert_uint_lt(csize, usize / 2);
    const uint8_t *h = b1 + 30 + 5 + csize;
    ck_assert(h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4);
    ck_assert_uint_eq(h[8], 0);
    free(b1);
    free(b2);
    Npz z;
    ck_assert_msg(npz_load(p2, &z, &err) == 0, "%s", err.msg);
    const NpyArray *a = npz_get(&z, "V");
    ck_assert_ptr_nonnull(a);
    ck_assert(memcmp(a->data, v, n * sizeof *v) == 0);
    npz_free(&z);
    free(v);
    free(noise);
    remove_dir(dir);
}
END_TEST

START_TEST(test_plain_npy_output)
{
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/one.npy", dir);
    SkErr err = {{0}};
    double d[3] = {1.5, -2.0, 1e-300};
    size_t shape[1] = {3};
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_int_eq(npz_put(w, "v", NPY_FLOAT64, 1, shape, d, &err), 0);
    ck_assert_int_ne(npz_put(w, "w", NPY_FLOAT64, 1, shape, d, &err), 0);
    ck_assert_msg(strstr(err.msg, "one array"), "%s", err.msg);
    ck_assert_int_ne(npz_put_raw(w, "meta.json", "{}", 2, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);
    size_t n;
    uint8_t *b = read_file(path, &n);
    ck_assert(memcmp(b, "\x93NUMPY", 6) == 0);
    ck_assert_uint_eq(n, 128 + sizeof d);
    free(b);
    Npz z;
    ck_assert_int_eq(npz_load(path, &z, &err), 0);
    ck_assert_uint_eq(z.count, 1);
    ck_assert_str_eq(z.arrays[0].name, "arr_0");
    ck_assert(memcmp(z.arrays[0].data, d, sizeof d) == 0);
    npz_free(&z);

    /* a .npy with no array: commit fails and leaves nothing */
    snprintf(path, sizeof path, "%s/none.npy", dir);
    w = npz_create(path, 1, &err);
    ck_assert_int_ne(npz_commit(w, &err), 0);
    ck_assert_int_eq(count_entries(dir), 1);
    remove_dir(dir);
}
END_TEST

START_TEST(test_abort_and_bad_targets)
{
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x.npz", dir);
    SkErr err = {{0}};
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_int_eq(npz_put_f64(w, "x", 1.0, &err), 0);
    ck_assert_int_eq(count_entries(dir), 1);   /* the temporary file */
    npz_abort(w);
    ck_assert_int_eq(count_entries(dir), 0);
    npz_abort(NULL);

    snprintf(path, sizeof path, "%s/missing/x.npz", dir);
    ck_assert_ptr_null(npz_create(path, 1, &err));
    ck_assert_msg(strstr(err.msg, "missing/x.npz"), "%s", err.msg);
    snprintf(path, sizeof path, "%s/x.npz", dir);
    ck_assert_ptr_null(npz_create(path, 10, &err));

    /* duplicate names, bad ndim, NULL data are refused */
    w = npz_create(path, 1, &err);
    size_t shape3[3] = {1, 2, 3};
    ck_assert_int_eq(npz_put_f64(w, "x", 1.0, &err), 0);
    ck_assert_int_ne(npz_put_f64(w, "x", 1.0, &err), 0);
    ck_assert_msg(strstr(err.msg, "duplicate"), "%s", err.msg);
    ck_assert_int_ne(npz_put(w, "t", NPY_FLOAT32, 3, shape3, NULL, &err), 0);
    ck_assert_int_ne(npz_put(w, "u", NPY_FLOAT32, 2, shape3, NULL, &err), 0);
    ck_assert_int_ne(npz_put(w, "", NPY_FLOAT32, 0, NULL, shape3, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);   /* refusals did not spoil the archive */
    Npz z;
    ck_assert_int_eq(npz_load(path, &z, &err), 0);
    ck_assert_uint_eq(z.count, 1);
    npz_free(&z);
    remove_dir(dir);
}
END_TEST

/* ---- stdin and stdout ---- */

START_TEST(test_stdin_read_once_and_cached)
{
    char path[1100];
    NpzCache c;
    const Npz *first, *second;
    SkErr err = {{0}};
    fixture_path("fista.npz", path, sizeof path);
    int saved = dup(0);
    int fd = open(path, O_RDONLY);
    ck_assert(fd >= 0 && saved >= 0);
    dup2(fd, 0);
    close(fd);
    npz_cache_init(&c);
    ck_assert_msg(npz_cache_open(&c, "-", &first, &err) == 0, "%s", err.msg);
    ck_assert_msg(npz_cache_open(&c, "-", &second, &err) == 0, "%s", err.msg);
    ck_assert_ptr_eq(first, second);
    ck_assert_uint_eq(first->count, 10);
    Mat m;
    ck_assert_msg(npz_load_mat(&c, "-:D", NULL, &m, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(m.rows, 6);
    mat_release(&m);
    ck_assert_uint_eq(c.count, 1);
    npz_cache_free(&c);
    dup2(saved, 0);
    close(saved);
}
END_TEST

START_TEST(test_stdout_written_on_commit)
{
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.bin", dir);
    SkErr err = {{0}};
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    close(fd);
    NpzWriter *w = npz_create("-", 1, &err);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(npz_put_i64(w, "n", 42, &err), 0);
    size_t n;
    free(read_file(path, &n));
    int empty_before_commit = n == 0;
    int rc = npz_commit(w, &err);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert(empty_before_commit);
    Npz z;
    ck_assert_int_eq(npz_load(path, &z, &err), 0);
    ck_assert(*(int64_t *)npz_get(&z, "n")->data == 42);
    npz_free(&z);
    remove_dir(dir);
}
END_TEST

/* ---- specs and matrices ---- */

static void check_split(const char *spec, const char *file, const char *member)
{
    char *f, *m;
    SkErr err = {{0}};
    ck_assert_msg(npz_split_spec(spec, &f, &m, &err) == 0, "%s: %s", spec, err.msg);
    ck_assert_str_eq(f, file);
    if (member)
        ck_assert_msg(m && strcmp(m, member) == 0, "%s: member %s", spec, m ? m : "NULL");
    else
        ck_assert_ptr_null(m);
    free(f);
    free(m);
}

START_TEST(test_split_spec)
{
    check_split("data.npz:A", "data.npz", "A");
    check_split("data.npz", "data.npz", NULL);
    check_split("-:Y_val", "-", "Y_val");
    check_split("a:b.npz:Z", "a:b.npz", "Z");
    check_split("dir:x/data.npz", "dir:x/data.npz", NULL);
    check_split("data.npz:", "data.npz:", NULL);
    char *f, *m;
    SkErr err = {{0}};
    ck_assert_int_ne(npz_split_spec(":A", &f, &m, &err), 0);
    ck_assert_int_ne(npz_split_spec("", &f, &m, &err), 0);
}
END_TEST

START_TEST(test_load_mat_choices_and_errors)
{
    char path[1100], spec[1200];
    NpzCache c;
    SkErr err = {{0}};
    Mat m;
    npz_cache_init(&c);
    fixture_path("fista.npz", path, sizeof path);
    snprintf(spec, sizeof spec, "%s:Y", path);
    ck_assert_int_eq(npz_load_mat(&c, spec, NULL, &m, &err), 0);
    ck_assert_uint_eq(m.rows, 9);
    mat_release(&m);
    ck_assert_int_eq(npz_load_mat(&c, path, "D", &m, &err), 0);   /* default member */
    ck_assert_uint_eq(m.rows, 6);
    mat_release(&m);
    ck_assert_int_eq(npz_load_mat(&c, path, "L", &m, &err), 0);   /* 0-d -> 1 x 1 */
    ck_assert(m.rows == 1 && m.cols == 1 && m.v[0] == 3.26151967f);
    mat_release(&m);
    ck_assert_uint_eq(c.count, 1);   /* one file, opened once */

    snprintf(spec, sizeof spec, "%s:A", path);
    ck_assert_int_ne(npz_load_mat(&c, spec, NULL, &m, &err), 0);
    ck_assert_msg(strstr(err.msg, "no member 'A' (members: D, Y, lam, L,"), "%s", err.msg);
    ck_assert_int_ne(npz_load_mat(&c, path, NULL, &m, &err), 0);   /* ambiguous */
    ck_assert_msg(strstr(err.msg, "10 arrays"), "%s", err.msg);
    ck_assert_int_ne(npz_load_mat(&c, "/nonexistent/x.npz:A", NULL, &m, &err), 0);
    ck_assert_msg(strstr(err.msg, "/nonexistent/x.npz: cannot open"), "%s", err.msg);
    npz_cache_free(&c);
}
END_TEST

START_TEST(test_member_loaders)
{
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.npz", dir);
    SkErr err = {{0}};
    float v[6] = {1, 2, 3, 4, 5, 6}, bad[2] = {1, NAN};
    size_t s23[2] = {2, 3}, s03[2] = {0, 3}, s12[2] = {1, 2};
    NpzWriter *w = npz_create(path, 1, &err);
    ck_assert_int_eq(npz_put(w, "M", NPY_FLOAT32, 2, s23, v, &err), 0);
    ck_assert_int_eq(npz_put(w, "E", NPY_FLOAT32, 2, s03, v, &err), 0);
    ck_assert_int_eq(npz_put(w, "N", NPY_FLOAT32, 2, s12, bad, &err), 0);
    ck_assert_int_eq(npz_put(w, "V", NPY_FLOAT32, 1, s23 + 1, v, &err), 0);
    ck_assert_int_eq(npz_commit(w, &err), 0);
    NpzCache c;
    npz_cache_init(&c);
    const Npz *npz;
    ck_assert_int_eq(npz_cache_open(&c, path, &npz, &err), 0);
    Mat m;
    ck_assert_int_eq(npz_member_mat_nonempty(npz, "f", "M", NULL, &m, &err), 0);
    ck_assert(m.rows == 2 && m.cols == 3 && m.v[5] == 6.0f);
    mat_release(&m);
    ck_assert_int_eq(npz_member_mat(npz, "f", "E", NULL, &m, &err), 0);   /* empty is a matrix */
    mat_release(&m);
    ck_assert_int_ne(npz_member_mat_nonempty(npz, "f", "E", NULL, &m, &err), 0);
    ck_assert_str_eq(err.msg, "f: E is 0 x 3 (empty)");
    ck_assert_ptr_null(m.v);
    ck_assert_int_ne(npz_member_mat_nonempty(npz, "f", "N", NULL, &m, &err), 0);
    ck_assert_str_eq(err.msg, "f: N holds non-finite values");
    ck_assert_int_ne(npz_member_mat_nonempty(npz, "f", "Q", "X needs Q", &m, &err), 0);
    ck_assert_str_eq(err.msg, "f: no member 'Q' (X needs Q)");
    ck_assert_int_ne(npz_member_mat_nonempty(npz, "f", "V", NULL, &m, &err), 0);
    ck_assert_str_eq(err.msg, "f: V is 1-dimensional, expected a matrix");

    ck_assert_int_eq(npz_load_member_finite(&c, path, "M", &m, &err), 0);
    ck_assert(m.rows == 2 && m.cols == 3);
    mat_release(&m);
    ck_assert_int_eq(npz_load_member_finite(&c, path, "V", &m, &err), 0);   /* 1-d: 1 x n */
    ck_assert(m.rows == 1 && m.cols == 3);
    mat_release(&m);
    ck_assert_int_ne(npz_load_member_finite(&c, path, "N", &m, &err), 0);
    ck_assert_msg(strstr(err.msg, "m.npz: N holds non-finite values"), "%s", err.msg);
    ck_assert_int_ne(npz_load_member_finite(&c, path, "Q", &m, &err), 0);
    ck_assert_msg(strstr(err.msg, "m.npz: no member 'Q' (members: M, E, N, V)"), "%s", err.msg);
    ck_assert_uint_eq(c.count, 1);
    npz_cache_free(&c);
    remove_dir(dir);
}
END_TEST

START_TEST(test_conversions)
{
    SkErr err = {{0}};
    int64_t i64[3] = {-5, 0, (INT64_C(1) << 40)};
    NpyArray a = {.name = "i", .dtype = NPY_INT64, .ndim = 1, .shape = {3, 1}, .data = i64};
    Mat m;
    double *d;
    ck_assert_int_eq(npy_to_mat(&a, &m, &err), 0);
    ck_assert(m.rows == 1 && m.cols == 3 && m.v[0] == -5.0f && m.v[2] == 1099511627776.0f);
    mat_release(&m);
    uint8_t b[4] = {0, 1, 2, 255};
    a = (NpyArray){.name = "b", .dtype = NPY_BOOL, .ndim = 2, .shape = {2, 2}, .data = b};
    ck_assert_int_eq(npy_to_doubles(&a, &d, &err), 0);
    ck_assert(d[0] == 0 && d[1] == 1 && d[2] == 1 && d[3] == 1);
    free(d);
    a.dtype = NPY_UINT8;
    ck_assert_int_eq(npy_to_doubles(&a, &d, &err), 0);
    ck_assert(d[3] == 255);
    free(d);
    int32_t i32[2] = {-2147483647 - 1, 7};
    a = (NpyArray){.name = "j", .dtype = NPY_INT32, .ndim = 1, .shape = {2, 1}, .data = i32};
    ck_assert_int_eq(npy_to_doubles(&a, &d, &err), 0);
    ck_assert(d[0] == -2147483648.0 && d[1] == 7);
    free(d);
    double big[2] = {1.0, 1e39};
    a = (NpyArray){.name = "f", .dtype = NPY_FLOAT64, .ndim = 1, .shape = {2, 1}, .data = big};
    ck_assert_int_ne(npy_to_mat(&a, &m, &err), 0);
    ck_assert_msg(strstr(err.msg, "overflows float32"), "%s", err.msg);
    big[1] = INFINITY;   /* infinities are representable, not an overflow */
    ck_assert_int_eq(npy_to_mat(&a, &m, &err), 0);
    ck_assert(isinf(m.v[1]));
    mat_release(&m);
    ck_assert_str_eq(npy_dtype_name(NPY_BOOL), "bool");
    ck_assert_uint_eq(npy_itemsize(NPY_INT32), 4);
}
END_TEST

/* ---- NumPy variants the reader must accept ---- */

START_TEST(test_npy_header_variants)
{
    float v[6] = {0, 0.5f, 1, 1.5f, 2, 2.5f};
    const char *ok[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n",
        "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,3)}",
        "{'shape': (2L, 3L), 'fortran_order': False, 'descr': '=f4'}   \n",
        "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        size_t len;
        uint8_t *b = make_npy(ok[i], v, sizeof v, &len);
        Npz z;
        SkErr err = {{0}};
        ck_assert_msg(npz_parse(b, len, &z, &err) == 0, "header %zu: %s", i, err.msg);
        assert_small_array(&z, "arr_0");
        npz_free(&z);
        free(b);
    }
    /* version 2.0: 4-byte header length */
    const char *dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }\n";
    size_t hl = strlen(dict), len = 12 + hl + 4;
    uint8_t *b = malloc(len);
    memcpy(b, "\x93NUMPY\x02\x00", 8);
    b[8] = (uint8_t)hl;
    b[9] = b[10] = b[11] = 0;
    memcpy(b + 12, dict, hl);
    memcpy(b + 12 + hl, "\x01\x02\x03\x04", 4);
    Npz z;
    SkErr err = {{0}};
    ck_assert_msg(npz_parse(b, len, &z, &err) == 0, "%s", err.msg);
    ck_assert(z.arrays[0].dtype == NPY_UINT8 && ((uint8_t *)z.arrays[0].data)[3] == 4);
    npz_free(&z);
    free(b);
}
END_TEST

/* Zip layouts: ZIP64 extras (local and central), ZIP64 end record, data
 * descriptors, stored and deflated members, ignored extra members. */
START_TEST(test_zip_variants)
{
    for (int variant = 0; variant < 6; variant++) {
        TzOpts o = {.deflate = variant & 1, .zip64_local = variant >= 2,
                    .zip64_cd = variant >= 4, .descriptor = variant == 3};
        size_t nlen, len;
        uint8_t *npy = small_npy(&nlen);
        TZip t;
        tz_init(&t);
        tz_member(&t, "A.npy", npy, nlen, o);
        tz_member(&t, "notes.txt", "hello", 5, o);
        tz_member(&t, "meta.json", "{\"k\": 3}", 8, o);
        tz_member(&t, "sub/B.npy", npy, nlen, o);
        uint8_t *zip = tz_finish(&t, variant >= 4, &len);
        Npz z;
        SkErr err = {{0}};
        ck_assert_msg(npz_parse(zip, len, &z, &err) == 0, "variant %d: %s", variant, err.msg);
        ck_assert_uint_eq(z.count, 2);
        assert_small_array(&z, "A");
        assert_small_array(&z, "sub/B");
        ck_assert_str_eq(z.meta_json, "{\"k\": 3}");
        npz_free(&z);
        free(zip);
        free(npy);
    }
}
END_TEST

/* ---- hostile inputs ---- */

/* Every proper prefix of a valid archive and of a valid .npy is an error. */
START_TEST(test_every_prefix_fails)
{
    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/p.npz", dir);
    write_small_archive(path, 1);
    size_t n;
    uint8_t *full = read_file(path, &n);
    for (size_t k = 0; k < n; k++) {
        uint8_t *prefix = malloc(k ? k : 1);   /* exact size: ASan/valgrind see overreads */
        memcpy(prefix, full, k);
        expect_parse_error(prefix, k, NULL);
        free(prefix);
    }
    /* truncation at the end names the problem */
    expect_parse_error(full, n - 1, "truncated file");
    free(full);
    uint8_t *npy = small_npy(&n);
    for (size_t k = 0; k < n; k++) {
        uint8_t *prefix = malloc(k ? k : 1);
        memcpy(prefix, npy, k);
        expect_parse_error(prefix, k, NULL);
        free(prefix);
    }
    free(npy);
    remove_dir(dir);
}
END_TEST

/* Flipping any bit of a stored member's data is a CRC error; flipping any bit
 * anywhere in a deflated archive never crashes, and inside the compressed data
 * it is nearly always detected. */
START_TEST(test_flipped_bytes)
{
    size_t len, nlen;
    free(small_npy(&nlen));
    uint8_t *zip = small_zip((TzOpts){0}, false, &len);
    size_t data_start = 30 + 5, data_end = data_start + nlen;
    for (size_t i = data_start; i < data_end; i++) {
        zip[i] ^= 0x10;
        expect_parse_error(zip, len, "CRC mismatch in member 'A.npy'");
        zip[i] ^= 0x10;
    }
    free(zip);

    char dir[1024], path[1100];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f.npz", dir);
    write_small_archive(path, 9);
    uint8_t *b = read_file(path, &len);
    size_t csize = b[18] | b[19] << 8, failures = 0, data_flips = 0, data_caught = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1 << bit);
            Npz z;
            SkErr err = {{0}};
            int rc = npz_parse(b, len, &z, &err);
            if (rc == 0)
                npz_free(&z);
            else
                failures++;
            bool in_data = i >= 30 + 5 && i < 30 + 5 + csize;
            data_flips += in_data;
            data_caught += in_data && rc != 0;
            b[i] ^= (uint8_t)(1 << bit);
        }
    }
    /* A flip inside deflate data can decode to the same bytes (a match distance
     * changed between equal periods of the data, padding bits after the end of the
     * stream), so not every flip is an error; nearly all must be. */
    ck_assert_msg(data_caught * 100 >= data_flips * 95, "only %zu of %zu flips in the data caught",
                  data_caught, data_flips);
    ck_assert_uint_gt(failures, len * 4);
    free(b);
    remove_dir(dir);
}
END_TEST

static void expect_npy_error(const char *dict, size_t data_len, const char *want)
{
    size_t len;
    uint8_t *zeros = calloc(data_len + 1, 1);
    uint8_t *b = make_npy(dict, zeros, data_len, &len);
    expect_parse_error(b, len, want);
    /* the same .npy inside an archive names the member */
    TZip t;
    tz_init(&t);
    tz_member(&t, "X.npy", b, len, (TzOpts){.deflate = true});
    size_t zlen;
    uint8_t *zip = tz_finish(&t, false, &zlen);
    expect_parse_error(zip, zlen, "member 'X.npy'");
    expect_parse_error(zip, zlen, want);
    free(zip);
    free(b);
    free(zeros);
}

START_TEST(test_hostile_npy_headers)
{
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, "
                     "1099511627776), }", 16, "too large");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }",
                     16, "needs 4000000000000 bytes but has 16");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 40,
                     "shape (3, 4) needs 48 bytes but has 40");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 52,
                     "needs 48 bytes but has 52");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }", 12,
                     "negative dimension");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(99999999999999999999999, 3), }", 12, "too large");
    expect_npy_error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16,
                     "fortran_order: True");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", 32,
                     "3-d arrays are not supported (shape (2, 2, 2))");
    expect_npy_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8,
                     "big-endian");
    expect_npy_error("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16,
                     "unsupported dtype '<c8'");
    expect_npy_error("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8,
                     "descr");
    expect_npy_error("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", 8,
                     "byte order");
    expect_npy_error("{'descr': '<f4', 'shape': (2,), }", 8, "missing key 'fortran_order'");
    expect_npy_error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
                     8, "twice");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8,
                     "unexpected key 'x'");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", 8,
                     "after the dict");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8, "shape");
    expect_npy_error("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 8, "tuple");

    /* header length beyond the buffer */
    size_t len;
    uint8_t *b = small_npy(&len);
    b[8] = 0xff;
    b[9] = 0xff;
    expect_parse_error(b, len, "truncated .npy header");
    b[6] = 9;   /* version 9.0 */
    expect_parse_error(b, len, "unsupported .npy version 9.0");
    free(b);
}
END_TEST

START_TEST(test_hostile_zip_sizes)
{
    size_t len, nlen;
    uint8_t *zip;
    char want[128];
    free(small_npy(&nlen));
    /* claims fewer bytes than the stream inflates to */
    zip = small_zip((TzOpts){.deflate = true, .usize_delta = -1}, false, &len);
    snprintf(want, sizeof want, "inflates to more than its declared %zu bytes", nlen - 1);
    expect_parse_error(zip, len, want);
    free(zip);
    /* claims more than it inflates to */
    zip = small_zip((TzOpts){.deflate = true, .usize_delta = 1}, false, &len);
    snprintf(want, sizeof want, "inflates to %zu bytes, not the declared %zu", nlen, nlen + 1);
    expect_parse_error(zip, len, want);
    free(zip);
    /* claims an impossible ratio: refused before allocating */
    zip = small_zip((TzOpts){.deflate = true, .usize_delta = 4000000000LL}, true, &len);
    expect_parse_error(zip, len, "deflate cannot produce");
    free(zip);
    zip = small_zip((TzOpts){.deflate = true, .zip64_cd = true,
                             .usize_delta = (int64_t)1 << 50}, true, &len);
    expect_parse_error(zip, len, "deflate cannot produce");
    free(zip);
    /* stored member whose sizes disagree */
    zip = small_zip((TzOpts){.usize_delta = 1}, false, &len);
    expect_parse_error(zip, len, "stored with compressed size");
    free(zip);
    /* wrong CRC */
    zip = small_zip((TzOpts){.deflate = true, .crc_xor = 1}, false, &len);
    expect_parse_error(zip, len, "CRC mismatch in member 'A.npy'");
    free(zip);
    /* a real zip bomb: 64 MiB of zeros declared as 1000 bytes */
    size_t big = (size_t)64 << 20;
    uint8_t *zeros = calloc(big, 1);
    TZip t;
    tz_init(&t);
    tz_member(&t, "B.npy", zeros, big, (TzOpts){.deflate = true, .usize_delta = -(int64_t)big + 1000});
    free(zeros);
    zip = tz_finish(&t, false, &len);
    expect_parse_error(zip, len, "inflates to more than its declared 1000 bytes");
    free(zip);
}
END_TEST

/* Offsets and counts that point outside the file. */
START_TEST(test_hostile_zip_offsets)
{
    size_t len;
    uint8_t *zip = small_zip((TzOpts){0}, false, &len);
    size_t end = len - 22, cd = end - (46 + 5);
    uint8_t saved[4];
    /* central directory offset past the end */
    memcpy(saved, zip + end + 16, 4);
    memset(zip + end + 16, 0x7f, 4);
    expect_parse_error(zip, len, "central directory outside the file");
    memcpy(zip + end + 16, saved, 4);
    /* entry count larger than the directory can hold */
    zip[end + 10] = 0xff;
    zip[end + 11] = 0xff;
    expect_parse_error(zip, len, "entries cannot fit");
    zip[end + 10] = 1;
    zip[end + 11] = 0;
    /* local header offset past the end */
    memcpy(saved, zip + cd + 42, 4);
    memset(zip + cd + 42, 0x7f, 4);
    expect_parse_error(zip, len, "starts past the end");
    memcpy(zip + cd + 42, saved, 4);
    /* compressed size past the end */
    memcpy(saved, zip + cd + 20, 4);
    memset(zip + cd + 20, 0x7f, 4);
    expect_parse_error(zip, len, NULL);
    memcpy(zip + cd + 20, saved, 4);
    /* name length overrunning the directory */
    zip[cd + 28] = 0xff;
    expect_parse_error(zip, len, "overruns");
    zip[cd + 28] = 5;
    /* unknown compression method; encryption */
    zip[cd + 10] = 12;
    expect_parse_error(zip, len, "unsupported compression method 12");
    zip[cd + 10] = 0;
    zip[cd + 8] = 1;
    expect_parse_error(zip, len, "encrypted");
    zip[cd + 8] = 0;
    /* local name differs from the central directory's */
    zip[30] = 'Q';
    expect_parse_error(zip, len, "disagrees");
    zip[30] = 'A';
    /* after all that, the untouched archive still parses */
    Npz z;
    SkErr err = {{0}};
    ck_assert_msg(npz_parse(zip, len, &z, &err) == 0, "%s", err.msg);
    npz_free(&z);
    free(zip);

    /* duplicate member names */
    size_t nlen;
    uint8_t *npy = small_npy(&nlen);
    TZip t;
    tz_init(&t);
    tz_member(&t, "A.npy", npy, nlen, (TzOpts){0});
    tz_member(&t, "A.npy", npy, nlen, (TzOpts){0});
    zip = tz_finish(&t, false, &len);
    expect_parse_error(zip, len, "duplicate member 'A.npy'");
    free(zip);
    free(npy);

    /* not an archive at all */
    expect_parse_error((const uint8_t *)"hello world", 11, "not a .npz or .npy file");
    expect_parse_error((const uint8_t *)"", 0, "not a .npz or .npy file");
}
END_TEST

Suite *npz_suite(void)
{
    Suite *s = suite_create("npz");
    TCase *tc = tcase_create("npz");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixture_fista);
    tcase_add_test(tc, test_fixture_metrics_dtypes);
    tcase_add_test(tc, test_fixture_all);
    tcase_add_loop_test(tc, test_roundtrip_all_dtypes, 0, 3);
    tcase_add_test(tc, test_deterministic_and_header_layout);
    tcase_add_test(tc, test_store_when_deflate_does_not_pay);
    tcase_add_test(tc, test_large_member_in_pieces);
    tcase_add_test(tc, test_plain_npy_output);
    tcase_add_test(tc, test_abort_and_bad_targets);
    tcase_add_test(tc, test_stdin_read_once_and_cached);
    tcase_add_test(tc, test_stdout_written_on_commit);
    tcase_add_test(tc, test_split_spec);
    tcase_add_test(tc, test_load_mat_choices_and_errors);
    tcase_add_test(tc, test_member_loaders);
    tcase_add_test(tc, test_conversions);
    tcase_add_test(tc, test_npy_header_variants);
    tcase_add_test(tc, test_zip_variants);
    tcase_add_test(tc, test_every_prefix_fails);
    tcase_add_test(tc, test_flipped_bytes);
    tcase_add_test(tc, test_hostile_npy_headers);
    tcase_add_test(tc, test_hostile_zip_sizes);
    tcase_add_test(tc, test_hostile_zip_offsets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(npz_suite()); }
