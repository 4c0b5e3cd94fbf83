/* npz.h — NumPy's .npy and .npz files (zip of .npy members, stored or deflated).
 *
 * Reading accepts what NumPy writes: np.save (.npy), np.savez (stored),
 * np.savez_compressed (deflate), ZIP64 extra fields, 0-d scalars, 1-d and 2-d
 * arrays of float32, float64, int64, int32, uint8 and bool, little-endian, C order.
 * Every size is checked before allocating; CRCs are verified; a truncated,
 * corrupt or hostile file is an error, never a crash.
 *
 * Writing produces a zip NumPy opens with np.load: one "NAME.npy" member per
 * array plus raw members such as "meta.json"; deterministic bytes (fixed
 * timestamps), deflated at a fast level, or stored when deflate does not pay.
 * Files go to a temporary name in the target's own folder and are renamed on
 * commit, so a failed run never leaves a file that looks complete.
 */
#ifndef SK_NPZ_H
#define SK_NPZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

typedef enum {
    NPY_FLOAT32,
    NPY_FLOAT64,
    NPY_INT64,
    NPY_INT32,
    NPY_UINT8,
    NPY_BOOL
} NpyDtype;

/* A sparse matrix as read (csr.h), checked: row i holds values[k] at column
 * indices[k] for k in [indptr[i], indptr[i+1]); every column is in range. */
typedef struct {
    float *values;
    int64_t *indices;
    int64_t *indptr;
} NpyCsr;

/* One array. ndim is 0, 1 or 2; shape[d] for d >= ndim is 1. data holds
 * shape[0]*shape[1] values in native (little-endian) C order, except for a
 * sparse matrix, which stays in its CSR form (csr, data NULL) until a
 * conversion (npy_to_mat, npy_to_doubles) makes it dense: so members a tool
 * never asks for cost only their non-zeros (at d_z = 10⁶ a dataset's three
 * code matrices are 6 GB dense). */
typedef struct {
    char *name;            /* member name without ".npy" ("arr_0" for a plain .npy) */
    NpyDtype dtype;
    int ndim;
    size_t shape[2];
    void *data;            /* NULL for a sparse matrix */
    bool sparse;           /* stored as compressed sparse rows (csr.h) */
    size_t nnz;            /* sparse: the values stored */
    NpyCsr *csr;           /* sparse: its rows, float32 values */
} NpyArray;

/* Free a sparse matrix's CSR form (and csr itself); NULL is fine. */
void npy_csr_free(NpyCsr *csr);

/* A whole archive held in memory. */
typedef struct {
    size_t count;
    NpyArray *arrays;
    char *meta_json;       /* NUL-terminated contents of member "meta.json", or NULL */
} Npz;

/* Read a .npz or .npy file (detected by its magic bytes); path "-" = stdin.
 * Sparse matrices (NAME.data, NAME.indices, NAME.indptr, NAME.shape; see
 * csr.h) come back as one dense float32 array NAME with sparse set. */
int npz_load(const char *path, Npz *out, SkErr *err);
/* Parse an archive (or a plain .npy) already in memory. */
int npz_parse(const uint8_t *buf, size_t len, Npz *out, SkErr *err);
void npz_free(Npz *npz);
/* Member by name (without ".npy"), or NULL. */
const NpyArray *npz_get(const Npz *npz, const char *name);

/* Element count and item size of an array. */
size_t npy_count(const NpyArray *a);
size_t npy_itemsize(NpyDtype t);
const char *npy_dtype_name(NpyDtype t);   /* "float32", "float64", ... */

/* Convert any numeric array to a float32 matrix (copy). 0-d -> 1x1,
 * 1-d of length n -> 1 x n. Fails if a float64 value overflows float32. */
int npy_to_mat(const NpyArray *a, Mat *out, SkErr *err);
/* Convert any numeric array to a malloc'ed array of doubles (length npy_count). */
int npy_to_doubles(const NpyArray *a, double **out, SkErr *err);

/* ---- writing ---- */
typedef struct NpzWriter NpzWriter;

/* Begin an archive at path ("-" = stdout, written on commit). A path ending in
 * ".npy" makes a plain .npy file that takes exactly one array.
 * level: zlib level 0-9 (1 is the default for tools). */
NpzWriter *npz_create(const char *path, int level, SkErr *err);
/* Add an array (ndim 0, 1 or 2; shape has ndim entries). */
int npz_put(NpzWriter *w, const char *name, NpyDtype dtype, int ndim,
            const size_t *shape, const void *data, SkErr *err);
/* Add a float32 matrix as a 2-d array. */
int npz_put_mat(NpzWriter *w, const char *name, const Mat *m, SkErr *err);
/* Add a float64 0-d scalar / an int64 0-d scalar. */
int npz_put_f64(NpzWriter *w, const char *name, double value, SkErr *err);
int npz_put_i64(NpzWriter *w, const char *name, int64_t value, SkErr *err);
/* Add a raw (non-.npy) member, e.g. "meta.json". */
int npz_put_raw(NpzWriter *w, const char *name, const void *bytes, size_t len, SkErr *err);
/* Finish: write the central directory, flush, fsync, rename into place
 * (or copy to stdout). Frees w whatever the outcome. */
int npz_commit(NpzWriter *w, SkErr *err);
/* Give up: remove the temporary file, free w. Safe on NULL. */
void npz_abort(NpzWriter *w);

/* ---- opening inputs named on a command line ---- */

/* Files opened so far by one tool run. stdin can be read once only, so "-"
 * is cached here and every spec naming "-" sees the same archive. */
typedef struct {
    size_t count;
    char **paths;
    Npz *files;
} NpzCache;

void npz_cache_init(NpzCache *c);
void npz_cache_free(NpzCache *c);
/* Load (or find already loaded) the archive at path. */
int npz_cache_open(NpzCache *c, const char *path, const Npz **out, SkErr *err);

/* Split "FILE:MEMBER" into file and member (member NULL when absent). The split
 * is at the last ':' when what follows is a non-empty name without '/'.
 * Returns malloc'ed strings in *file and *member. */
int npz_split_spec(const char *spec, char **file, char **member, SkErr *err);

/* Load the matrix named by spec ("FILE:MEMBER", or "FILE" alone, which takes
 * default_member when given, else the archive's only array). Errors name the
 * spec: "data.npz: no member 'A' (members: Y_val, Z_val)". */
int npz_load_mat(NpzCache *c, const char *spec, const char *default_member,
                 Mat *out, SkErr *err);
/* The array spec names, found as npz_load_mat finds it (same errors) but
 * not converted: a sparse matrix stays in its CSR form. It lives as long as
 * the cache. */
int npz_load_array(NpzCache *c, const char *spec, const char *default_member,
                   const NpyArray **out, SkErr *err);

/* Member of a loaded archive as a finite float32 matrix (it must be 2-d).
 * Errors name file: "FILE: no member 'NAME' (NEEDS)" (without the parenthesis
 * when needs is NULL), "FILE: NAME holds non-finite values", ... */
int npz_member_mat(const Npz *npz, const char *file, const char *member, const char *needs,
                   Mat *out, SkErr *err);

/* npz_member_mat, then refuse an empty matrix: "FILE: NAME is R x C (empty)". */
int npz_member_mat_nonempty(const Npz *npz, const char *file, const char *member,
                            const char *needs, Mat *out, SkErr *err);

/* The file part of a spec, for messages ("-" is shown as "stdin"). */
void npz_spec_file(const char *spec, char *buf, size_t cap);

/* The meta.json text of the archive a spec names, opened through the cache
 * (NULL when it has none or cannot be opened): for provenance of inputs. */
const char *npz_spec_meta(NpzCache *c, const char *spec);

/* npz_load_mat, then refuse NaN or infinite values with
 * "FILE: WHAT holds non-finite values". */
int npz_load_mat_finite(NpzCache *c, const char *spec, const char *default_member, Mat *out,
                        const char *what, SkErr *err);

/* Member `member` of the archive at path ("-" = stdin) as a finite matrix:
 * npz_load_mat_finite of the spec "path:member", its messages naming member
 * ("data.npz: no member 'Z_val' (members: ...)"). */
int npz_load_member_finite(NpzCache *c, const char *path, const char *member, Mat *out,
                           SkErr *err);
/* The same member unconverted (npz_load_array: a sparse matrix stays CSR). */
int npz_load_member_array(NpzCache *c, const char *path, const char *member,
                          const NpyArray **out, SkErr *err);

#endif
