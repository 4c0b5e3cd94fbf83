/* npz.c — .npz archives and .npy files: loading (files, stdin, memory),
 * writing atomically, and opening "FILE:MEMBER" inputs named on a command line.
 * The .npy format lives in npy.c, the zip container in zip.c. */
#include "npz.h"
#include "csr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "npy.h"
#include "zip.h"

/* Largest input read into memory (stdin or file): far above any dataset here,
 * low enough that a runaway pipe fails with a message rather than swapping. */
#define NPZ_MAX_INPUT ((size_t)1 << 38)
/* Distinct files one tool run may open through an NpzCache. The cache's array
 * never moves, so pointers handed out by npz_cache_open stay valid. */
#define NPZ_CACHE_MAX 256

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- reading ---- */

void npz_free(Npz *npz)
{
    if (!npz)
        return;
    for (size_t i = 0; i < npz->count; i++) {
        free(npz->arrays[i].name);
        free(npz->arrays[i].data);
        npy_csr_free(npz->arrays[i].csr);
    }
    free(npz->arrays);
    free(npz->meta_json);
    memset(npz, 0, sizeof *npz);
}

const NpyArray *npz_get(const Npz *npz, const char *name)
{
    for (size_t i = 0; i < npz->count; i++)
        if (strcmp(npz->arrays[i].name, name) == 0)
            return &npz->arrays[i];
    return NULL;
}

static int append_array(Npz *npz, const NpyArray *a, SkErr *err)
{
    NpyArray *grown = realloc(npz->arrays, (npz->count + 1) * sizeof *grown);
    if (!grown)
        return sk_fail(err, "out of memory");
    npz->arrays = grown;
    npz->arrays[npz->count++] = *a;
    return 0;
}

/* Turn a member's bytes into an array in place: the data is moved to the start
 * of the member's own buffer, which the array then owns. */
static int adopt_npy_member(Npz *npz, ZipMember *m, SkErr *err)
{
    size_t name_len = strlen(m->name) - 4;   /* without ".npy" */
    NpyHeader h;
    if (npy_parse_header(m->data, m->size, &h, err)) {
        char where[1100];
        snprintf(where, sizeof where, "member '%s'", m->name);
        return sk_prefix(err, where);
    }
    NpyArray a = {.dtype = h.dtype, .ndim = h.ndim, .shape = {h.shape[0], h.shape[1]}};
    a.name = strndup(m->name, name_len);
    if (!a.name)
        return sk_fail(err, "out of memory");
    if (npz_get(npz, a.name)) {
        sk_fail(err, "duplicate member '%s'", m->name);
        free(a.name);
        return -1;
    }
    memmove(m->data, m->data + h.data_offset, h.data_bytes);
    uint8_t *shrunk = realloc(m->data, h.data_bytes ? h.data_bytes : 1);
    a.data = shrunk ? shrunk : m->data;
    m->data = NULL;
    if (append_array(npz, &a, err)) {
        free(a.name);
        free(a.data);
        return -1;
    }
    return 0;
}

/* Member visitor: .npy members become arrays, meta.json is kept as text,
 * anything else is ignored (its CRC was still verified). */
static int collect_member(void *ctx, ZipMember *m, SkErr *err)
{
    Npz *npz = ctx;
    if (ends_with(m->name, ".npy"))
        return adopt_npy_member(npz, m, err);
    if (strcmp(m->name, "meta.json") == 0) {
        if (npz->meta_json)
            return sk_fail(err, "duplicate member 'meta.json'");
        m->data[m->size] = '\0';   /* zip_read leaves one spare byte */
        npz->meta_json = (char *)m->data;
        m->data = NULL;
    }
    return 0;
}

/* Remove arrays[i] from the archive (freeing it), keeping the order. */
static void remove_array(Npz *npz, size_t i)
{
    free(npz->arrays[i].name);
    free(npz->arrays[i].data);
    npy_csr_free(npz->arrays[i].csr);
    memmove(npz->arrays + i, npz->arrays + i + 1, (npz->count - i - 1) * sizeof *npz->arrays);
    npz->count--;
}

/* The part NAME.SUFFIX of sparse matrix NAME, or an error naming it. */
static const NpyArray *sparse_part(const Npz *npz, const char *base, const char *suffix, SkErr *err)
{
    char member[1100];
    snprintf(member, sizeof member, "%.1000s.%.8s", base, suffix);
    const NpyArray *a = npz_get(npz, member);
    if (!a)
        sk_fail(err, "sparse matrix '%s' has no member '%s'", base, member);
    return a;
}

/* Fold the sparse matrix whose NAME.indptr is arrays[i] into a dense NAME. */
static int fold_sparse_matrix(Npz *npz, size_t i, SkErr *err)
{
    char base[1024];
    size_t base_len = strlen(npz->arrays[i].name) - strlen(".indptr");
    if (base_len > 1000)
        return sk_fail(err, "sparse matrix name too long");
    memcpy(base, npz->arrays[i].name, base_len);
    base[base_len] = '\0';
    if (npz_get(npz, base))
        return sk_fail(err, "'%s' is stored both dense and sparse", base);
    const NpyArray *data = sparse_part(npz, base, "data", err), *indices = NULL, *shape = NULL;
    if (!data || !(indices = sparse_part(npz, base, "indices", err)) ||
        !(shape = sparse_part(npz, base, "shape", err)))
        return -1;
    NpyArray dense;
    if (csr_fold(data, indices, &npz->arrays[i], shape, base, &dense, err))
        return -1;
    if (append_array(npz, &dense, err)) {
        free(dense.name);
        npy_csr_free(dense.csr);
        return -1;
    }
    /* the matrix takes the place of its first part; the parts go */
    static const char *const PARTS[] = {"data", "indices", "indptr", "shape"};
    size_t first = npz->count;
    for (size_t p = 0; p < 4; p++) {
        char member[1100];
        snprintf(member, sizeof member, "%.1000s.%.8s", base, PARTS[p]);
        size_t at = (size_t)(npz_get(npz, member) - npz->arrays);
        first = at < first ? at : first;
    }
    NpyArray folded = npz->arrays[npz->count - 1];
    memmove(npz->arrays + first + 1, npz->arrays + first,
            (npz->count - 1 - first) * sizeof *npz->arrays);
    npz->arrays[first] = folded;
    for (size_t p = 0; p < 4; p++) {
        char member[1100];
        snprintf(member, sizeof member, "%.1000s.%.8s", base, PARTS[p]);
        remove_array(npz, (size_t)(npz_get(npz, member) - npz->arrays));
    }
    return 0;
}

/* Every NAME.indptr member starts a sparse matrix (csr.h): fold each. */
static int fold_sparse_matrices(Npz *npz, SkErr *err)
{
    for (size_t i = 0; i < npz->count;) {
        const char *name = npz->arrays[i].name;
        if (npz->arrays[i].sparse || !ends_with(name, ".indptr") || strlen(name) == strlen(".indptr")) {
            i++;
            continue;
        }
        if (fold_sparse_matrix(npz, i, err))
            return -1;
        i = 0; /* the list changed under us; folded arrays are skipped */
    }
    return 0;
}

int npz_parse(const uint8_t *buf, size_t len, Npz *out, SkErr *err)
{
    memset(out, 0, sizeof *out);
    if (len >= NPY_MAGIC_LEN && memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) == 0) {
        NpyArray a;
        if (npy_decode(buf, len, "arr_0", &a, err))
            return -1;
        if (append_array(out, &a, err)) {
            free(a.name);
            free(a.data);
            return -1;
        }
        return 0;
    }
    if (zip_has_magic(buf, len)) {
        if (zip_read(buf, len, collect_member, out, err) || fold_sparse_matrices(out, err)) {
            npz_free(out);
            return -1;
        }
        return 0;
    }
    bool prefix_of_magic = len < NPY_MAGIC_LEN && len > 0 &&
                           (memcmp(buf, NPY_MAGIC, len) == 0 ||
                            memcmp(buf, "PK\x03\x04", len < 4 ? len : 4) == 0);
    if (prefix_of_magic)
        return sk_fail(err, "truncated file");
    return sk_fail(err, len == 0 ? "empty file, not a .npz or .npy file"
                                 : "not a .npz or .npy file");
}

/* Read a whole stream into a malloc'ed buffer, growing it geometrically. */
static int read_stream(FILE *f, size_t size_hint, uint8_t **out, size_t *len, SkErr *err)
{
    size_t cap = size_hint + 1 > 65536 ? size_hint + 1 : 65536, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return sk_fail(err, "out of memory reading %zu bytes", cap);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap >= NPZ_MAX_INPUT) {
            free(buf);
            return sk_fail(err, "input larger than %zu bytes", NPZ_MAX_INPUT);
        }
        uint8_t *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            return sk_fail(err, "out of memory reading input (%zu bytes so far)", n);
        }
        buf = grown;
        cap *= 2;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        return sk_fail(err, "read error: %s", strerror(e));
    }
    *out = buf;
    *len = n;
    return 0;
}

static int read_path(const char *path, uint8_t **buf, size_t *len, SkErr *err)
{
    if (strcmp(path, "-") == 0)
        return read_stream(stdin, 0, buf, len, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sk_fail(err, "cannot open: %s", strerror(errno));
    struct stat st;
    size_t hint = 0;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < NPZ_MAX_INPUT)
        hint = (size_t)st.st_size;
    int rc = read_stream(f, hint, buf, len, err);
    fclose(f);
    return rc;
}

int npz_load(const char *path, Npz *out, SkErr *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    const char *shown = strcmp(path, "-") == 0 ? "stdin" : path;
    if (read_path(path, &buf, &len, err))
        return sk_prefix(err, shown);
    int rc = npz_parse(buf, len, out, err);
    free(buf);
    return rc ? sk_prefix(err, shown) : 0;
}

/* ---- writing ---- */

struct NpzWriter {
    FILE *f;
    char *path;        /* final path; NULL when writing to stdout */
    bool special;      /* path is a device or FIFO: copied into at commit, never renamed over */
    char *tmp_path;    /* temporary file beside it; NULL for stdout (tmpfile) */
    bool npy_only;     /* plain .npy output: exactly one array, no zip */
    bool broken;       /* a write failed: the file is unusable, commit refuses */
    size_t arrays;
    ZipWriter zip;
};

static const char *writer_name(const NpzWriter *w) { return w->path ? w->path : "stdout"; }

/* The temporary file beside the target (see atomic.h). */
static int open_temp(NpzWriter *w, SkErr *err)
{
    return atomic_create_temp(w->path, &w->tmp_path, &w->f, err);
}

static void writer_free(NpzWriter *w)
{
    zip_writer_release(&w->zip);
    free(w->path);
    if (w->tmp_path)
        atomic_forget_temp(w->tmp_path);
    free(w->tmp_path);
    free(w);
}

void npz_abort(NpzWriter *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    if (w->tmp_path)
        unlink(w->tmp_path);
    writer_free(w);
}

NpzWriter *npz_create(const char *path, int level, SkErr *err)
{
    if (level < 0 || level > 9) {
        sk_fail(err, "%s: compression level %d is not in 0..9", path, level);
        return NULL;
    }
    bool to_stdout = strcmp(path, "-") == 0;
    if (!*path || ends_with(path, "/")) {
        sk_fail(err, "'%s' is not a file name", path);
        return NULL;
    }
    NpzWriter *w = calloc(1, sizeof *w);
    if (!w || (!to_stdout && !(w->path = strdup(path)))) {
        free(w);
        sk_fail(err, "%s: out of memory", path);
        return NULL;
    }
    w->npy_only = !to_stdout && ends_with(path, ".npy");
    w->special = !to_stdout && atomic_is_special(path);
    int rc = 0;
    if ((to_stdout || w->special) && !(w->f = tmpfile()))
        rc = sk_fail(err, "cannot create a temporary file: %s", strerror(errno));
    else if (!to_stdout && !w->special)
        rc = open_temp(w, err);
    if (rc) {
        sk_prefix(err, path);
        npz_abort(w);
        return NULL;
    }
    zip_writer_init(&w->zip, w->f, level);
    return w;
}

static bool name_taken(const NpzWriter *w, const char *member)
{
    for (size_t i = 0; i < w->zip.count; i++)
        if (strcmp(w->zip.entries[i].name, member) == 0)
            return true;
    return false;
}

/* Write one member (zip) or the whole file (.npy) from chunks. */
static int put_member(NpzWriter *w, const char *member, const ZipChunk *chunks, size_t n,
                      SkErr *err)
{
    if (w->broken)
        return sk_fail(err, "an earlier write failed");
    if (name_taken(w, member))
        return sk_fail(err, "duplicate member '%s'", member);
    int rc = 0;
    if (w->npy_only) {
        for (size_t c = 0; c < n && !rc; c++)
            if (chunks[c].len && fwrite(chunks[c].data, 1, chunks[c].len, w->f) != chunks[c].len)
                rc = sk_fail(err, "write error: %s", strerror(errno));
    } else {
        rc = zip_writer_add(&w->zip, member, chunks, n, err);
    }
    if (rc)
        w->broken = true;
    return rc;
}

static int check_member_name(const char *name, SkErr *err)
{
    if (!name || !*name || strlen(name) > 1000)
        return sk_fail(err, "bad member name '%s'", name ? name : "");
    return 0;
}

static int put_array(NpzWriter *w, const char *name, NpyDtype dtype, int ndim,
                     const size_t *shape, const void *data, SkErr *err)
{
    char header[256];
    size_t header_len, count, bytes;
    if (check_member_name(name, err) ||
        npy_check_shape(dtype, ndim, shape, &count, &bytes, err) ||
        npy_format_header(dtype, ndim, shape, header, sizeof header, &header_len, err))
        return -1;
    if (w->npy_only && w->arrays > 0)
        return sk_fail(err, "a .npy file holds one array; cannot add '%s'", name);
    if (bytes && !data)
        return sk_fail(err, "array '%s' has no data", name);
    char member[1024];
    snprintf(member, sizeof member, "%s.npy", name);
    ZipChunk chunks[2] = {{header, header_len}, {data, bytes}};
    if (put_member(w, member, chunks, 2, err))
        return -1;
    w->arrays++;
    return 0;
}

int npz_put(NpzWriter *w, const char *name, NpyDtype dtype, int ndim, const size_t *shape,
            const void *data, SkErr *err)
{
    if (put_array(w, name, dtype, ndim, shape, data, err))
        return sk_prefix(err, writer_name(w));
    return 0;
}

int npz_put_mat(NpzWriter *w, const char *name, const Mat *m, SkErr *err)
{
    size_t shape[2] = {m->rows, m->cols};
    return npz_put(w, name, NPY_FLOAT32, 2, shape, m->v, err);
}

int npz_put_f64(NpzWriter *w, const char *name, double value, SkErr *err)
{
    return npz_put(w, name, NPY_FLOAT64, 0, NULL, &value, err);
}

int npz_put_i64(NpzWriter *w, const char *name, int64_t value, SkErr *err)
{
    return npz_put(w, name, NPY_INT64, 0, NULL, &value, err);
}

int npz_put_raw(NpzWriter *w, const char *name, const void *bytes, size_t len, SkErr *err)
{
    int rc;
    if (w->npy_only)
        rc = sk_fail(err, "a .npy file holds one array; cannot add member '%s'", name);
    else if (check_member_name(name, err))
        rc = -1;
    else if (len && !bytes)
        rc = sk_fail(err, "member '%s' has no data", name);
    else {
        ZipChunk chunk = {bytes, len};
        rc = put_member(w, name, &chunk, 1, err);
    }
    return rc ? sk_prefix(err, writer_name(w)) : 0;
}

/* Copy the finished temporary stream to out (stdout or a special file). */
static int copy_stream(FILE *f, FILE *out, SkErr *err)
{
    char buf[65536];
    size_t n;
    if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0)
        return sk_fail(err, "cannot rewind the temporary file: %s", strerror(errno));
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            return sk_fail(err, "write error: %s", strerror(errno));
    if (ferror(f))
        return sk_fail(err, "read error on the temporary file: %s", strerror(errno));
    if (fflush(out) != 0)
        return sk_fail(err, "write error: %s", strerror(errno));
    return 0;
}

static int copy_to_special(NpzWriter *w, SkErr *err)
{
    FILE *out = fopen(w->path, "wb");
    if (!out)
        return sk_fail(err, "cannot open: %s", strerror(errno));
    int rc = copy_stream(w->f, out, err);
    if (fclose(out) != 0 && rc == 0)
        rc = sk_fail(err, "write error: %s", strerror(errno));
    return rc;
}

/* Flush, sync and close the temporary file, then rename it into place. */
static int install_file(NpzWriter *w, SkErr *err)
{
    FILE *f = w->f;
    w->f = NULL;
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        return sk_fail(err, "write error: %s", strerror(e));
    if (rename(w->tmp_path, w->path) != 0)
        return sk_fail(err, "cannot rename the temporary file into place: %s", strerror(errno));
    atomic_forget_temp(w->tmp_path);
    free(w->tmp_path);
    w->tmp_path = NULL;   /* nothing left to unlink */
    return 0;
}

static int finish(NpzWriter *w, SkErr *err)
{
    if (w->broken)
        return sk_fail(err, "an earlier write failed");
    if (w->npy_only && w->arrays != 1)
        return sk_fail(err, "a .npy file needs exactly one array, got none");
    if (!w->npy_only && zip_writer_finish(&w->zip, err))
        return -1;
    if (w->special)
        return copy_to_special(w, err);
    if (w->path)
        return install_file(w, err);
    return copy_stream(w->f, stdout, err);
}

int npz_commit(NpzWriter *w, SkErr *err)
{
    if (!w)
        return sk_fail(err, "no archive to commit");
    int rc = finish(w, err);
    if (rc)
        sk_prefix(err, writer_name(w));
    npz_abort(w);   /* closes and removes whatever is left, frees w */
    return rc;
}

/* ---- inputs named on a command line ---- */

void npz_cache_init(NpzCache *c) { memset(c, 0, sizeof *c); }

void npz_cache_free(NpzCache *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->paths[i]);
        npz_free(&c->files[i]);
    }
    free(c->paths);
    free(c->files);
    npz_cache_init(c);
}

int npz_cache_open(NpzCache *c, const char *path, const Npz **out, SkErr *err)
{
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->paths[i], path) == 0) {
            *out = &c->files[i];
            return 0;
        }
    }
    if (c->count == NPZ_CACHE_MAX)
        return sk_fail(err, "%s: too many input files (at most %d)", path, NPZ_CACHE_MAX);
    if (!c->files) {
        c->files = calloc(NPZ_CACHE_MAX, sizeof *c->files);
        c->paths = calloc(NPZ_CACHE_MAX, sizeof *c->paths);
        if (!c->files || !c->paths) {
            free(c->files);
            free(c->paths);
            c->files = NULL;
            c->paths = NULL;
            return sk_fail(err, "out of memory");
        }
    }
    char *copy = strdup(path);
    if (!copy)
        return sk_fail(err, "out of memory");
    if (npz_load(path, &c->files[c->count], err)) {
        free(copy);
        return -1;
    }
    c->paths[c->count] = copy;
    *out = &c->files[c->count++];
    return 0;
}

int npz_split_spec(const char *spec, char **file, char **member, SkErr *err)
{
    *file = *member = NULL;
    if (!spec || !*spec)
        return sk_fail(err, "empty file name");
    const char *colon = strrchr(spec, ':');
    bool split = colon && colon[1] != '\0' && !strchr(colon + 1, '/');
    size_t file_len = split ? (size_t)(colon - spec) : strlen(spec);
    if (file_len == 0)
        return sk_fail(err, "'%s': empty file name", spec);
    *file = strndup(spec, file_len);
    if (split)
        *member = strdup(colon + 1);
    if (!*file || (split && !*member)) {
        free(*file);
        free(*member);
        *file = *member = NULL;
        return sk_fail(err, "out of memory");
    }
    return 0;
}

/* "A, B, C" (shortened with "..." when long) into buf. */
static const char *member_list(const Npz *npz, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < npz->count; i++) {
        const char *sep = i ? ", " : "";
        size_t need = strlen(sep) + strlen(npz->arrays[i].name);
        if (used + need + 5 >= cap) {
            snprintf(buf + used, cap - used, "%s...", sep);
            break;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", sep, npz->arrays[i].name);
    }
    return npz->count ? buf : "none";
}

/* The array a spec names: its member, else default_member, else the only array. */
static int choose_array(const Npz *npz, const char *file, const char *member,
                        const char *default_member, const NpyArray **out, SkErr *err)
{
    char list[300];
    const char *want = member ? member : default_member;
    *out = want ? npz_get(npz, want) : NULL;
    if (*out)
        return 0;
    if (!member && npz->count == 1) {
        *out = &npz->arrays[0];
        return 0;
    }
    if (want)
        return sk_fail(err, "%s: no member '%s' (members: %s)", file, want,
                       member_list(npz, list, sizeof list));
    if (npz->count == 0)
        return sk_fail(err, "%s: holds no arrays", file);
    return sk_fail(err, "%s: holds %zu arrays; name one as %s:MEMBER (members: %s)", file,
                   npz->count, file, member_list(npz, list, sizeof list));
}

/* The array spec names (its file split off in *file, which the caller frees). */
static int spec_array(NpzCache *c, const char *spec, const char *default_member, char **file,
                      const NpyArray **out, SkErr *err)
{
    char *member;
    const Npz *npz;
    *out = NULL;
    if (npz_split_spec(spec, file, &member, err))
        return -1;
    int rc = npz_cache_open(c, *file, &npz, err) ||
             choose_array(npz, *file, member, default_member, out, err);
    free(member);
    return rc ? -1 : 0;
}

int npz_load_array(NpzCache *c, const char *spec, const char *default_member,
                   const NpyArray **out, SkErr *err)
{
    char *file = NULL;
    int rc = spec_array(c, spec, default_member, &file, out, err);
    free(file);
    return rc;
}

int npz_load_mat(NpzCache *c, const char *spec, const char *default_member, Mat *out,
                 SkErr *err)
{
    char *file = NULL;
    const NpyArray *a;
    out->rows = out->cols = 0;
    out->v = NULL;
    int rc = spec_array(c, spec, default_member, &file, &a, err);
    if (!rc && npy_to_mat(a, out, err))
        rc = sk_prefix(err, file);
    free(file);
    return rc ? -1 : 0;
}

void npz_spec_file(const char *spec, char *buf, size_t cap)
{
    char *file = NULL, *member = NULL;
    SkErr ignored;
    if (npz_split_spec(spec, &file, &member, &ignored) == 0)
        snprintf(buf, cap, "%s", strcmp(file, "-") == 0 ? "stdin" : file);
    else
        snprintf(buf, cap, "%s", spec);
    free(file);
    free(member);
}

const char *npz_spec_meta(NpzCache *c, const char *spec)
{
    char *file = NULL, *member = NULL;
    const Npz *npz = NULL;
    SkErr ignored;
    if (npz_split_spec(spec, &file, &member, &ignored) == 0)
        npz_cache_open(c, file, &npz, &ignored);
    free(file);
    free(member);
    return npz ? npz->meta_json : NULL;
}

int npz_load_mat_finite(NpzCache *c, const char *spec, const char *default_member, Mat *out,
                        const char *what, SkErr *err)
{
    if (npz_load_mat(c, spec, default_member, out, err))
        return -1;
    if (!mat_all_finite(out)) {
        char file[512];
        npz_spec_file(spec, file, sizeof file);
        mat_release(out);
        return sk_fail(err, "%s: %s holds non-finite values", file, what);
    }
    return 0;
}

int npz_member_mat(const Npz *npz, const char *file, const char *member, const char *needs,
                   Mat *out, SkErr *err)
{
    const NpyArray *a = npz_get(npz, member);
    if (!a)
        return needs ? sk_fail(err, "%s: no member '%s' (%s)", file, member, needs)
                     : sk_fail(err, "%s: no member '%s'", file, member);
    if (a->ndim != 2)
        return sk_fail(err, "%s: %s is %d-dimensional, expected a matrix", file, member, a->ndim);
    if (npy_to_mat(a, out, err))
        return sk_prefix(err, file);
    if (!mat_all_finite(out)) {
        mat_release(out);
        return sk_fail(err, "%s: %s holds non-finite values", file, member);
    }
    return 0;
}

int npz_member_mat_nonempty(const Npz *npz, const char *file, const char *member,
                            const char *needs, Mat *out, SkErr *err)
{
    if (npz_member_mat(npz, file, member, needs, out, err))
        return -1;
    if (out->rows == 0 || out->cols == 0) {
        sk_fail(err, "%s: %s is %zu x %zu (empty)", file, member, out->rows, out->cols);
        mat_release(out);
        return -1;
    }
    return 0;
}

/* "path:member", malloc'ed (NULL when out of memory). */
static char *member_spec(const char *path, const char *member)
{
    size_t len = strlen(path) + strlen(member) + 2;
    char *spec = malloc(len);
    if (spec)
        snprintf(spec, len, "%s:%s", path, member);
    return spec;
}

int npz_load_member_finite(NpzCache *c, const char *path, const char *member, Mat *out,
                           SkErr *err)
{
    char *spec = member_spec(path, member);
    if (!spec)
        return sk_fail(err, "out of memory");
    int rc = npz_load_mat_finite(c, spec, NULL, out, member, err);
    free(spec);
    return rc;
}

int npz_load_member_array(NpzCache *c, const char *path, const char *member,
                          const NpyArray **out, SkErr *err)
{
    char *spec = member_spec(path, member);
    if (!spec)
        return sk_fail(err, "out of memory");
    int rc = npz_load_array(c, spec, NULL, out, err);
    free(spec);
    return rc;
}
