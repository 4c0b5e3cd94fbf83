/* colset.h — the columns of wide code matrices that can matter, gathered
 * dense.
 *
 * At d_z = 10⁵–10⁶ a method's codes (n × d_z, held as CSR) and the true
 * codes are almost all all-zero columns; a dense copy is 2 GB a split at
 * 10⁶. Every metric of eval sees an all-zero column as the same thing (zero
 * variance, correlation 0, AUC 0.5, a logistic-regression weight that stays
 * 0, never active), so a set holding the columns with a non-zero in any of
 * the matrices, plus a few all-zero ones to stand for the rest, gives the
 * same metrics from an n × kept matrix. Columns keep their order, so a rule
 * "ties: lowest index" picks the same column. */
#ifndef SK_COLSET_H
#define SK_COLSET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "mat.h"
#include "npz.h"

typedef struct {
    size_t width;     /* columns of the matrices the set was taken from */
    size_t kept;      /* columns in the set */
    size_t *column;   /* kept entries, increasing: the original index of each */
    int64_t *index;   /* width entries: position in the set, or -1 */
    long zero;        /* position of the lowest-index all-zero column kept, or -1 */
} ColumnSet;

/* The columns holding a stored non-zero in any of the `count` matrices
 * (rows × width each, dense or CSR; a CSR entry counts even if its value is
 * 0), plus the `zeros` lowest-index columns holding none (all of them if
 * fewer). Column 0 too when keep_first. Fails when the widths differ. */
int colset_nonzero(const NpyArray *const *arrays, size_t count, size_t zeros, bool keep_first,
                   ColumnSet *out, SkErr *err);
void colset_release(ColumnSet *s);
/* out (rows × kept) = the set's columns of a (rows × width, dense or CSR;
 * repeated CSR columns add up, as npy_to_mat). */
int colset_gather(const ColumnSet *s, const NpyArray *a, Mat *out, SkErr *err);
/* out (d_y × kept) = the set's columns of dictionary d (d_y × width, atoms
 * as columns). */
int colset_gather_atoms(const ColumnSet *s, const Mat *d, Mat *out, SkErr *err);
#endif
