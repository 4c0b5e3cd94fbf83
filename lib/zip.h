/* zip.h — the zip container under .npz (private to the file layer).
 *
 * Reading walks the central directory of an archive held in memory, checks
 * every offset and size against the buffer, inflates (method 8) or copies
 * (method 0) each member and verifies its CRC-32. ZIP64 extra fields and the
 * ZIP64 end-of-central-directory record are understood.
 *
 * Writing appends members to a seekless FILE stream with fixed timestamps
 * (1980-01-01 00:00), so the same members give the same bytes.
 */
#ifndef SK_ZIP_H
#define SK_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* One member handed to a visitor: name NUL-terminated, data the uncompressed
 * bytes (malloc'ed; the visitor may take it by setting data to NULL). */
typedef struct {
    char *name;
    uint8_t *data;
    size_t size;
} ZipMember;

typedef int (*ZipVisitor)(void *ctx, ZipMember *member, SkErr *err);

/* True when buf starts like a zip archive (a local header or an empty archive). */
int zip_has_magic(const uint8_t *buf, size_t len);

/* Call visit for every member, in central-directory order. Stops at the first
 * error (from the archive or the visitor). Error text names the member. */
int zip_read(const uint8_t *buf, size_t len, ZipVisitor visit, void *ctx, SkErr *err);

/* ---- writing ---- */

typedef struct {
    char *name;
    uint32_t crc;
    uint64_t csize, usize, offset;
    uint16_t method, flags;
} ZipEntry;

typedef struct {
    FILE *f;
    int level;            /* zlib level 0-9; 0 stores every member */
    uint64_t offset;      /* bytes written so far */
    ZipEntry *entries;
    size_t count, cap;
} ZipWriter;

/* A piece of a member's content; a member is the concatenation of its chunks. */
typedef struct {
    const void *data;
    size_t len;
} ZipChunk;

void zip_writer_init(ZipWriter *z, FILE *f, int level);
/* Append one member made of nchunks chunks: deflated when that is smaller, else stored. */
int zip_writer_add(ZipWriter *z, const char *name, const ZipChunk *chunks, size_t nchunks,
                   SkErr *err);
/* Write the central directory and end record (does not close f). */
int zip_writer_finish(ZipWriter *z, SkErr *err);
/* Free the entry list (does not close f). */
void zip_writer_release(ZipWriter *z);

#endif
