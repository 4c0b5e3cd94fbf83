/* npy.h — the .npy array format (private to the file layer: npy.c, npz.c).
 *
 * A .npy file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), a header
 * length (uint16 for 1.0, uint32 after), a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and a newline, then the raw C-order data.
 */
#ifndef SK_NPY_H
#define SK_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "npz.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6

/* What a .npy header says. shape[d] for d >= ndim is 1. */
typedef struct {
    NpyDtype dtype;
    int ndim;
    size_t shape[2];
    size_t data_offset;   /* where the data starts in the buffer */
    size_t data_bytes;    /* count * itemsize, overflow-checked */
} NpyHeader;

/* Parse the header of a .npy held in buf[0..len) and check that exactly
 * data_bytes follow it. Errors are one line without a file name. */
int npy_parse_header(const uint8_t *buf, size_t len, NpyHeader *h, SkErr *err);

/* Decode a whole .npy (header + data) into out, copying the data. out->name
 * is a malloc'ed copy of name. */
int npy_decode(const uint8_t *buf, size_t len, const char *name, NpyArray *out, SkErr *err);

/* Write a version 1.0 header for (dtype, ndim, shape) into out (cap bytes),
 * padded so the data starts at a multiple of 64; *len gets its length. */
int npy_format_header(NpyDtype dtype, int ndim, const size_t *shape, char *out, size_t cap,
                      size_t *len, SkErr *err);

/* Check ndim (0..2) and compute element count and byte count without overflow. */
int npy_check_shape(NpyDtype dtype, int ndim, const size_t *shape, size_t *count,
                    size_t *bytes, SkErr *err);

/* "(3, 4)", "(5,)" or "()" into buf. */
const char *npy_shape_text(int ndim, const size_t *shape, char *buf, size_t cap);

#endif
