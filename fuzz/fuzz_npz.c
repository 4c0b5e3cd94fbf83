/* fuzz_npz.c — libFuzzer harness for the file layer (lib/npz.c, npy.c, zip.c).
 *
 * One input exercises two paths:
 *   1. npz_parse on the whole input (a .npz, a .npy, or anything at all);
 *   2. when a newline appears in the first SPEC_MAX bytes: the first line is a
 *      command-line spec ("FILE", "FILE:MEMBER") and the rest is the archive
 *      that FILE names. The spec goes through npz_split_spec and npz_load_mat
 *      exactly as a tool's operand would, with the archive pre-loaded into the
 *      NpzCache so that no file is ever opened.
 * Invariants (checked by fuzz_npz_check, which the Check suite
 * tests/unit/test_fuzz_replay.c also runs under plain gcc on every file of
 * fuzz/corpus and fuzz/regressions):
 *   - every call returns 0 or -1; -1 comes with a non-empty one-line message;
 *   - every array that parses has a name, 0..2 dims, and exactly
 *     count * itemsize readable bytes (touched here, so ASan sees them);
 *   - conversions (npy_to_mat, npy_to_doubles) succeed or fail with a message.
 * Build and run: make fuzz FUZZ_SECONDS=60 (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mat.h"
#include "npz.h"

enum { SPEC_MAX = 256 };

/* A failed call must explain itself in one non-empty line. */
static int fuzz_message_ok(const SkErr *e, const char *what, SkErr *why)
{
    if (e->msg[0] == '\0')
        return sk_fail(why, "%s failed with an empty message", what);
    if (strchr(e->msg, '\n'))
        return sk_fail(why, "%s: message has a newline: %s", what, e->msg);
    return 0;
}

/* Touch every byte of every array and convert it both ways. */
static int fuzz_check_arrays(const Npz *npz, SkErr *why)
{
    for (size_t i = 0; i < npz->count; i++) {
        const NpyArray *a = &npz->arrays[i];
        if (!a->name || a->ndim < 0 || a->ndim > 2)
            return sk_fail(why, "array %zu: bad name or ndim %d", i, a->ndim);
        if (npz_get(npz, a->name) != a)
            return sk_fail(why, "array '%s' is not the first of its name", a->name);
        size_t bytes = npy_count(a) * npy_itemsize(a->dtype);
        volatile uint8_t sum = 0;
        for (size_t b = 0; a->data && b < bytes; b++) /* NULL: a sparse matrix (csr) */
            sum ^= ((const uint8_t *)a->data)[b];
        (void)sum;
        SkErr e = {{0}};
        Mat m;
        if (npy_to_mat(a, &m, &e) == 0) {
            if (m.rows * m.cols != npy_count(a))
                return sk_fail(why, "array '%s': matrix %zu x %zu for %zu values", a->name,
                               m.rows, m.cols, npy_count(a));
            mat_release(&m);
        } else if (fuzz_message_ok(&e, "npy_to_mat", why)) {
            return -1;
        }
        double *d = NULL;
        e.msg[0] = '\0';
        if (npy_to_doubles(a, &d, &e) == 0)
            free(d);
        else if (fuzz_message_ok(&e, "npy_to_doubles", why))
            return -1;
    }
    if (npz->meta_json)
        (void)strlen(npz->meta_json);
    return 0;
}

/* Path 1: the whole input is a file. */
static int fuzz_parse_whole(const uint8_t *data, size_t size, SkErr *why)
{
    Npz npz;
    SkErr e = {{0}};
    int rc = npz_parse(data, size, &npz, &e);
    if (rc != 0 && rc != -1)
        return sk_fail(why, "npz_parse returned %d", rc);
    if (rc)
        return fuzz_message_ok(&e, "npz_parse", why);
    rc = fuzz_check_arrays(&npz, why);
    npz_free(&npz);
    return rc;
}

/* Path 2: "SPEC\nARCHIVE". The cache is filled by hand with the parsed archive
 * under the spec's own file name, so npz_load_mat finds it there. */
static int fuzz_spec_lookup(const char *spec, const uint8_t *archive, size_t size, SkErr *why)
{
    char *file = NULL, *member = NULL;
    SkErr e = {{0}};
    if (npz_split_spec(spec, &file, &member, &e))
        return fuzz_message_ok(&e, "npz_split_spec", why);
    if (!file || !*file || (member && (!*member || strchr(member, '/'))))
        return sk_fail(why, "npz_split_spec('%s') gave file '%s' member '%s'", spec,
                       file ? file : "(null)", member ? member : "(null)");
    free(member);
    NpzCache cache;
    npz_cache_init(&cache);
    cache.paths = calloc(256, sizeof *cache.paths);   /* NPZ_CACHE_MAX entries */
    cache.files = calloc(256, sizeof *cache.files);
    if (!cache.paths || !cache.files) {
        free(cache.paths);
        free(cache.files);
        free(file);
        return 0;   /* out of memory is not a finding */
    }
    if (npz_parse(archive, size, &cache.files[0], &e) != 0) {
        int rc = fuzz_message_ok(&e, "npz_parse (after spec)", why);
        free(file);
        npz_cache_free(&cache);
        return rc;
    }
    cache.paths[0] = file;
    cache.count = 1;
    int rc = 0;
    const char *defaults[3] = {NULL, "A", "Y_val"};
    for (int i = 0; i < 3 && !rc; i++) {
        Mat m;
        e.msg[0] = '\0';
        if (npz_load_mat(&cache, spec, defaults[i], &m, &e) == 0) {
            if (!m.v && m.rows * m.cols != 0)
                rc = sk_fail(why, "npz_load_mat('%s') gave no data", spec);
            mat_release(&m);
        } else {
            rc = fuzz_message_ok(&e, "npz_load_mat", why);
        }
    }
    if (!rc)
        rc = fuzz_check_arrays(&cache.files[0], why);
    npz_cache_free(&cache);
    return rc;
}

/* All invariants on one input; 0 when they hold, else -1 with why filled. */
static int fuzz_npz_check(const uint8_t *data, size_t size, SkErr *why)
{
    if (fuzz_parse_whole(data, size, why))
        return -1;
    size_t limit = size < SPEC_MAX ? size : SPEC_MAX;
    const uint8_t *nl = memchr(data, '\n', limit);
    if (!nl || memchr(data, '\0', (size_t)(nl - data)))
        return 0;
    char spec[SPEC_MAX + 1];
    size_t spec_len = (size_t)(nl - data);
    memcpy(spec, data, spec_len);
    spec[spec_len] = '\0';
    return fuzz_spec_lookup(spec, nl + 1, size - spec_len - 1, why);
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SkErr why = {{0}};
    if (fuzz_npz_check(data, size, &why)) {
        fprintf(stderr, "fuzz_npz: invariant broken: %s\n", why.msg);
        abort();
    }
    return 0;
}
#endif
