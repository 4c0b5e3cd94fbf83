/* csr.h — sparse matrices in .npz files, in the compressed-sparse-row layout
 * SciPy's csr_matrix((data, indices, indptr), shape) takes. A sparse matrix
 * NAME is four members:
 *   NAME.data     values, nnz (float32 when written here)
 *   NAME.indices  column of each value, nnz (int32, int64 beyond 2^31 columns)
 *   NAME.indptr   rows + 1 offsets: row i holds data[indptr[i] .. indptr[i+1])
 *                 (int32, int64 beyond 2^31 values)
 *   NAME.shape    int64 [rows, cols]
 * Readers fold the four into one array NAME (npz_parse does it for every
 * archive), so every tool reads dense and sparse alike; repeated columns
 * within a row add up, as in SciPy. In NumPy/SciPy:
 *   f = np.load("codes.npz")
 *   z = scipy.sparse.csr_matrix((f["Z_val.data"], f["Z_val.indices"], f["Z_val.indptr"]), shape=f["Z_val.shape"])
 */
#ifndef SK_CSR_H
#define SK_CSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"
#include "npz.h"

/* How a matrix is written: AUTO picks sparse for matrices of at least
 * CSR_AUTO_MIN_BYTES dense with at most one non-zero in CSR_AUTO_MAX_DENSITY_INV
 * entries (so the paper's default-grid files, all far smaller, stay dense and
 * open with np.load(f)["Z_val"] as before). */
typedef enum { CSR_STORAGE_AUTO, CSR_STORAGE_DENSE, CSR_STORAGE_SPARSE } CsrStorage;
#define CSR_AUTO_MIN_BYTES ((size_t)64 << 20)
#define CSR_AUTO_MAX_DENSITY_INV 8
/* A sparse member is held dense in memory: refuse shapes beyond this (16 GiB;
 * the fuzzing build lowers it to stay inside libFuzzer's memory limit). */
#ifndef CSR_MAX_DENSE_BYTES
#define CSR_MAX_DENSE_BYTES ((size_t)1 << 34)
#endif

/* "auto", "dense", "sparse" (NULL-terminated, indexed by CsrStorage). */
extern const char *const CSR_STORAGE_NAMES[];

size_t csr_count_nonzeros(const Mat *m);
/* Would AUTO store m sparse? */
bool csr_auto_prefers_sparse(const Mat *m);

/* Write m as NAME.data, NAME.indices, NAME.indptr, NAME.shape. */
int csr_put_mat(NpzWriter *w, const char *name, const Mat *m, SkErr *err);
/* Write m dense (npz_put_mat) or sparse, as storage says. */
int npz_put_mat_stored(NpzWriter *w, const char *name, const Mat *m, CsrStorage storage,
                       SkErr *err);

/* A code matrix (samples × latents, mostly zeros at large d_z): AUTO storage. */
int npz_put_codes(NpzWriter *w, const char *name, const Mat *m, SkErr *err);

/* A sparse matrix built a slice of rows at a time (a solver that never holds
 * all its codes dense): rows appended in order, then written as npz_put_codes
 * would write the same matrix held dense, byte for byte. */
typedef struct {
    size_t rows, cols, nnz;
    size_t cap_nnz, cap_rows;
    float *data;
    int64_t *indices;  /* nnz */
    int64_t *indptr;   /* rows + 1 */
} CsrBuilder;

void csr_builder_init(CsrBuilder *b, size_t cols);
void csr_builder_release(CsrBuilder *b);
/* Append the rows of m (m->cols == b->cols), keeping only its non-zeros. */
int csr_builder_append(CsrBuilder *b, const Mat *m, SkErr *err);
/* Write the rows appended so far as member NAME with AUTO storage: sparse when
 * npz_put_codes would choose it for the same matrix dense, else dense. */
int csr_builder_put_codes(NpzWriter *w, const char *name, const CsrBuilder *b, SkErr *err);

/* The four members of sparse matrix `name` → one float32 2-d array NAME held
 * in its CSR form (out: data NULL, csr set, its name a copy of name, nnz set;
 * npy_to_mat makes it dense). Every size and index is checked here: a
 * hostile or inconsistent group is an error naming the member. */
int csr_fold(const NpyArray *data, const NpyArray *indices, const NpyArray *indptr,
             const NpyArray *shape, const char *name, NpyArray *out, SkErr *err);

#endif
