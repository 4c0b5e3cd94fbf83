/* npy.c — .npy headers (parse and format), dtype facts, and conversions of
 * arrays to float32 matrices and doubles. */
#include "npy.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mat.h"

/* ---- dtype facts ---- */

size_t npy_itemsize(NpyDtype t)
{
    switch (t) {
    case NPY_FLOAT32: return 4;
    case NPY_FLOAT64: return 8;
    case NPY_INT64: return 8;
    case NPY_INT32: return 4;
    case NPY_UINT8: return 1;
    case NPY_BOOL: return 1;
    }
    return 0;
}

const char *npy_dtype_name(NpyDtype t)
{
    switch (t) {
    case NPY_FLOAT32: return "float32";
    case NPY_FLOAT64: return "float64";
    case NPY_INT64: return "int64";
    case NPY_INT32: return "int32";
    case NPY_UINT8: return "uint8";
    case NPY_BOOL: return "bool";
    }
    return "unknown";
}

/* The descr NumPy writes for each dtype (little-endian). */
static const char *dtype_descr(NpyDtype t)
{
    switch (t) {
    case NPY_FLOAT32: return "<f4";
    case NPY_FLOAT64: return "<f8";
    case NPY_INT64: return "<i8";
    case NPY_INT32: return "<i4";
    case NPY_UINT8: return "|u1";
    case NPY_BOOL: return "|b1";
    }
    return NULL;
}

static bool dtype_valid(NpyDtype t) { return dtype_descr(t) != NULL; }

size_t npy_count(const NpyArray *a)
{
    size_t n = 1;
    for (int d = 0; d < a->ndim && d < 2; d++)
        n *= a->shape[d];
    return n;
}

const char *npy_shape_text(int ndim, const size_t *shape, char *buf, size_t cap)
{
    size_t used = (size_t)snprintf(buf, cap, "(");
    for (int d = 0; d < ndim && used < cap; d++)
        used += (size_t)snprintf(buf + used, cap - used, d ? ", %zu" : "%zu", shape[d]);
    if (used < cap)
        snprintf(buf + used, cap - used, ndim == 1 ? ",)" : ")");
    return buf;
}

int npy_check_shape(NpyDtype dtype, int ndim, const size_t *shape, size_t *count,
                    size_t *bytes, SkErr *err)
{
    if (!dtype_valid(dtype))
        return sk_fail(err, "invalid dtype code %d", (int)dtype);
    if (ndim < 0 || ndim > 2)
        return sk_fail(err, "%d-d arrays are not supported (only 0-d, 1-d and 2-d)", ndim);
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        if (!sk_mul_size(n, shape[d], &n))
            goto too_large;
    if (!sk_mul_size(n, npy_itemsize(dtype), bytes))
        goto too_large;
    *count = n;
    return 0;
too_large:;
    char text[96];
    return sk_fail(err, "shape %s is too large", npy_shape_text(ndim, shape, text, sizeof text));
}

/* ---- header parsing: a tiny reader for the Python dict literal ---- */

typedef struct {
    const char *p, *end;
} Cursor;

static void skip_space(Cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Consume ch (after optional whitespace); false when it is not next. */
static bool accept(Cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool accept_word(Cursor *c, const char *word)
{
    size_t n = strlen(word);
    skip_space(c);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0) {
        c->p += n;
        return true;
    }
    return false;
}

/* A quoted string literal ('...' or "...", no escapes) into out. */
static int parse_string(Cursor *c, char *out, size_t cap, SkErr *err)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return sk_fail(err, "bad .npy header: expected a quoted string");
    char quote = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != quote) {
        /* no escapes; no control characters (messages quote this text on one line) */
        if (*c->p == '\\' || (unsigned char)*c->p < 0x20 || *c->p == 0x7f || n + 1 >= cap)
            return sk_fail(err, "bad .npy header: unexpected string");
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return sk_fail(err, "bad .npy header: unterminated string");
    c->p++;
    out[n] = '\0';
    return 0;
}

/* Map a descr such as '<f4' to a dtype; rejects big-endian and unknown types. */
static int parse_descr(const char *descr, NpyDtype *out, SkErr *err)
{
    static const struct {
        const char *code;
        NpyDtype dtype;
    } known[] = {{"f4", NPY_FLOAT32}, {"f8", NPY_FLOAT64}, {"i8", NPY_INT64},
                 {"i4", NPY_INT32},   {"u1", NPY_UINT8},   {"b1", NPY_BOOL}};
    char order = descr[0];
    const char *code = descr + 1;
    if (order != '<' && order != '>' && order != '=' && order != '|')
        return sk_fail(err, "unsupported dtype '%s'", descr);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(code, known[i].code) != 0)
            continue;
        bool one_byte = npy_itemsize(known[i].dtype) == 1;
        if (order == '>' && !one_byte)
            return sk_fail(err, "big-endian dtype '%s' is not supported (only little-endian)",
                           descr);
        if (order == '|' && !one_byte)
            return sk_fail(err, "dtype '%s' lacks a byte order", descr);
        *out = known[i].dtype;
        return 0;
    }
    return sk_fail(err, "unsupported dtype '%s' (supported: float32, float64, int64, int32, "
                        "uint8, bool)", descr);
}

/* A non-negative integer literal (Python 2 files may add an 'L'). */
static int parse_dim(Cursor *c, size_t *out, SkErr *err)
{
    skip_space(c);
    if (c->p < c->end && *c->p == '-')
        return sk_fail(err, "bad .npy header: negative dimension in shape");
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return sk_fail(err, "bad .npy header: expected a dimension in shape");
    size_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        size_t digit = (size_t)(*c->p++ - '0');
        if (v > (SIZE_MAX - digit) / 10)
            return sk_fail(err, "bad .npy header: dimension too large");
        v = v * 10 + digit;
    }
    if (c->p < c->end && *c->p == 'L')
        c->p++;
    *out = v;
    return 0;
}

/* A shape tuple "()", "(n,)", "(n, m)"; more dims are parsed to name them in the error. */
static int parse_shape(Cursor *c, NpyHeader *h, SkErr *err)
{
    enum { MAX_SHOWN = 8 };
    size_t dims[MAX_SHOWN];
    int ndim = 0;
    if (!accept(c, '('))
        return sk_fail(err, "bad .npy header: shape is not a tuple");
    while (!accept(c, ')')) {
        size_t v = 0;
        if (parse_dim(c, &v, err))
            return -1;
        if (ndim < MAX_SHOWN)
            dims[ndim] = v;
        ndim++;
        if (ndim > 64)
            return sk_fail(err, "bad .npy header: too many dimensions");
        if (!accept(c, ',')) {
            if (!accept(c, ')'))
                return sk_fail(err, "bad .npy header: malformed shape tuple");
            break;
        }
    }
    if (ndim > 2) {
        char text[160];
        int shown = ndim < MAX_SHOWN ? ndim : MAX_SHOWN;
        return sk_fail(err, "%d-d arrays are not supported (shape %s%s); only 0-d, 1-d and 2-d",
                       ndim, npy_shape_text(shown, dims, text, sizeof text),
                       ndim > shown ? "..." : "");
    }
    h->ndim = ndim;
    h->shape[0] = h->shape[1] = 1;
    for (int d = 0; d < ndim; d++)
        h->shape[d] = dims[d];
    return 0;
}

/* One "key: value" pair of the header dict; seen[] guards against duplicates. */
static int parse_entry(Cursor *c, NpyHeader *h, bool seen[3], SkErr *err)
{
    char key[32];
    if (parse_string(c, key, sizeof key, err))
        return -1;
    if (!accept(c, ':'))
        return sk_fail(err, "bad .npy header: expected ':' after '%s'", key);
    int slot = strcmp(key, "descr") == 0           ? 0
               : strcmp(key, "fortran_order") == 0 ? 1
               : strcmp(key, "shape") == 0         ? 2
                                                   : -1;
    if (slot < 0)
        return sk_fail(err, "bad .npy header: unexpected key '%s'", key);
    if (seen[slot])
        return sk_fail(err, "bad .npy header: key '%s' appears twice", key);
    seen[slot] = true;
    if (slot == 0) {
        char descr[32];
        if (parse_string(c, descr, sizeof descr, err))
            return sk_fail(err, "bad .npy header: 'descr' is not a simple type string");
        return parse_descr(descr, &h->dtype, err);
    }
    if (slot == 1) {
        if (accept_word(c, "False"))
            return 0;
        if (accept_word(c, "True"))
            return sk_fail(err, "Fortran-order arrays are not supported (fortran_order: True)");
        return sk_fail(err, "bad .npy header: fortran_order is not True or False");
    }
    return parse_shape(c, h, err);
}

/* Parse the dict text; only whitespace may follow the closing brace. */
static int parse_dict(const char *text, size_t len, NpyHeader *h, SkErr *err)
{
    Cursor c = {text, text + len};
    bool seen[3] = {false, false, false};
    if (!accept(&c, '{'))
        return sk_fail(err, "bad .npy header: not a dict");
    while (!accept(&c, '}')) {
        if (parse_entry(&c, h, seen, err))
            return -1;
        if (!accept(&c, ',')) {
            if (!accept(&c, '}'))
                return sk_fail(err, "bad .npy header: expected ',' or '}'");
            break;
        }
    }
    skip_space(&c);
    if (c.p != c.end)
        return sk_fail(err, "bad .npy header: unexpected text after the dict");
    if (!seen[0] || !seen[1] || !seen[2])
        return sk_fail(err, "bad .npy header: missing key '%s'",
                       !seen[0] ? "descr" : !seen[1] ? "fortran_order" : "shape");
    return 0;
}

static uint32_t read_le(const uint8_t *p, int bytes)
{
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int npy_parse_header(const uint8_t *buf, size_t len, NpyHeader *h, SkErr *err)
{
    if (len < NPY_MAGIC_LEN + 2) {
        if (memcmp(buf, NPY_MAGIC, len < NPY_MAGIC_LEN ? len : NPY_MAGIC_LEN) == 0)
            return sk_fail(err, "truncated .npy header");
        return sk_fail(err, "not a .npy array");
    }
    if (memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return sk_fail(err, "not a .npy array (bad magic)");
    int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return sk_fail(err, "unsupported .npy version %d.%d", major, minor);
    size_t len_bytes = major == 1 ? 2 : 4;
    size_t start = NPY_MAGIC_LEN + 2 + len_bytes;
    if (len < start)
        return sk_fail(err, "truncated .npy header");
    size_t header_len = read_le(buf + 8, (int)len_bytes);
    if (header_len > len - start)
        return sk_fail(err, "truncated .npy header (header length %zu, only %zu bytes left)",
                       header_len, len - start);
    if (parse_dict((const char *)buf + start, header_len, h, err))
        return -1;
    size_t count;
    if (npy_check_shape(h->dtype, h->ndim, h->shape, &count, &h->data_bytes, err))
        return -1;
    h->data_offset = start + header_len;
    size_t have = len - h->data_offset;
    if (have != h->data_bytes) {
        char text[96];
        return sk_fail(err, "shape %s needs %zu bytes but has %zu",
                       npy_shape_text(h->ndim, h->shape, text, sizeof text), h->data_bytes, have);
    }
    return 0;
}

int npy_decode(const uint8_t *buf, size_t len, const char *name, NpyArray *out, SkErr *err)
{
    NpyHeader h;
    memset(out, 0, sizeof *out);
    if (npy_parse_header(buf, len, &h, err))
        return -1;
    out->name = strdup(name);
    out->data = malloc(h.data_bytes ? h.data_bytes : 1);
    if (!out->name || !out->data) {
        free(out->name);
        free(out->data);
        memset(out, 0, sizeof *out);
        return sk_fail(err, "out of memory reading %zu bytes", h.data_bytes);
    }
    memcpy(out->data, buf + h.data_offset, h.data_bytes);
    out->dtype = h.dtype;
    out->ndim = h.ndim;
    out->shape[0] = h.shape[0];
    out->shape[1] = h.shape[1];
    return 0;
}

/* ---- header formatting ---- */

int npy_format_header(NpyDtype dtype, int ndim, const size_t *shape, char *out, size_t cap,
                      size_t *len, SkErr *err)
{
    size_t count, bytes;
    if (npy_check_shape(dtype, ndim, shape, &count, &bytes, err))
        return -1;
    char shape_text[96], dict[192];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     dtype_descr(dtype), npy_shape_text(ndim, shape, shape_text, sizeof shape_text));
    /* magic(6) + version(2) + uint16 length(2) + dict + spaces + '\n' = multiple of 64 */
    size_t prefix = NPY_MAGIC_LEN + 2 + 2;
    size_t total = (prefix + (size_t)n + 1 + 63) / 64 * 64;
    if (n < 0 || (size_t)n >= sizeof dict || total > cap)
        return sk_fail(err, "internal error: .npy header does not fit");
    size_t header_len = total - prefix;
    memcpy(out, NPY_MAGIC, NPY_MAGIC_LEN);
    out[6] = 1;
    out[7] = 0;
    out[8] = (char)(header_len & 0xff);
    out[9] = (char)(header_len >> 8);
    memcpy(out + prefix, dict, (size_t)n);
    memset(out + prefix + n, ' ', total - prefix - (size_t)n - 1);
    out[total - 1] = '\n';
    *len = total;
    return 0;
}

/* ---- conversions ---- */

/* Element i of any array as a double (little-endian host assumed, as on x86/ARM). */
static double element_as_double(const NpyArray *a, size_t i)
{
    const uint8_t *p = (const uint8_t *)a->data + i * npy_itemsize(a->dtype);
    switch (a->dtype) {
    case NPY_FLOAT32: { float v; memcpy(&v, p, 4); return v; }
    case NPY_FLOAT64: { double v; memcpy(&v, p, 8); return v; }
    case NPY_INT64: { int64_t v; memcpy(&v, p, 8); return (double)v; }
    case NPY_INT32: { int32_t v; memcpy(&v, p, 4); return v; }
    case NPY_UINT8: return *p;
    case NPY_BOOL: return *p ? 1.0 : 0.0;
    }
    return 0.0;
}

void npy_csr_free(NpyCsr *csr)
{
    if (!csr)
        return;
    free(csr->values);
    free(csr->indices);
    free(csr->indptr);
    free(csr);
}

/* Add a sparse matrix's values into dense rows × cols storage (zeroed), as
 * float (out_f) or double (out_d); repeated columns add up, as in SciPy. */
static void csr_scatter(const NpyArray *a, float *out_f, double *out_d)
{
    size_t rows = a->shape[0], cols = a->shape[1];
    const NpyCsr *c = a->csr;
    for (size_t i = 0; i < rows; i++)
        for (int64_t k = c->indptr[i]; k < c->indptr[i + 1]; k++) {
            size_t at = i * cols + (size_t)c->indices[k];
            if (out_f)
                out_f[at] += c->values[k];
            else
                out_d[at] += (double)c->values[k];
        }
}

int npy_to_doubles(const NpyArray *a, double **out, SkErr *err)
{
    size_t n = npy_count(a), bytes;
    *out = NULL;
    if (!sk_mul_size(n, sizeof(double), &bytes))
        return sk_fail(err, "array '%s' is too large", a->name ? a->name : "");
    double *v = malloc(bytes ? bytes : 1);
    if (!v)
        return sk_fail(err, "out of memory converting array '%s'", a->name ? a->name : "");
    if (a->csr) {
        memset(v, 0, n * sizeof *v);
        csr_scatter(a, NULL, v);
    } else
        for (size_t i = 0; i < n; i++)
            v[i] = element_as_double(a, i);
    *out = v;
    return 0;
}

int npy_to_mat(const NpyArray *a, Mat *out, SkErr *err)
{
    size_t rows = a->ndim == 2 ? a->shape[0] : 1;
    size_t cols = a->ndim == 2 ? a->shape[1] : a->ndim == 1 ? a->shape[0] : 1;
    if (mat_alloc(out, rows, cols, err))
        return -1;
    size_t n = rows * cols;
    if (a->csr) { /* mat_alloc zeroed it */
        csr_scatter(a, out->v, NULL);
        return 0;
    }
    if (a->dtype == NPY_FLOAT32) {
        memcpy(out->v, a->data, n * sizeof(float));
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        double x = element_as_double(a, i);
        if (isfinite(x) && fabs(x) > FLT_MAX) {
            mat_release(out);
            return sk_fail(err, "array '%s': value %g at index %zu overflows float32",
                           a->name ? a->name : "", x, i);
        }
        out->v[i] = (float)x;
    }
    return 0;
}
