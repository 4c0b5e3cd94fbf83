/* zip.c — reading and writing the zip container of .npz archives.
 * Layout (APPNOTE.TXT): local header + data per member, then the central
 * directory (one record per member), then the end-of-central-directory record
 * (preceded, in ZIP64 archives, by a ZIP64 end record and its locator). */
#include "zip.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

enum {
    SIG_LOCAL = 0x04034b50,
    SIG_CENTRAL = 0x02014b50,
    SIG_END = 0x06054b50,
    SIG_END64 = 0x06064b50,
    SIG_END64_LOCATOR = 0x07064b50,
    LOCAL_HEADER_LEN = 30,
    CENTRAL_HEADER_LEN = 46,
    END_LEN = 22,
    END64_LEN = 56,
    END64_LOCATOR_LEN = 20,
    EXTRA_ZIP64 = 0x0001,
    FLAG_ENCRYPTED = 1 << 0,
    FLAG_UTF8_NAME = 1 << 11,
    METHOD_STORED = 0,
    METHOD_DEFLATE = 8,
    /* Deflate cannot expand better than about 1032:1 (258-byte matches of 2-bit codes). */
    DEFLATE_MAX_RATIO = 1032,
    /* Largest piece handed to zlib at once (its counters are 32-bit). */
    ZLIB_PIECE = 1 << 30,
    /* Fixed timestamp 1980-01-01 00:00 in MS-DOS format, for deterministic bytes. */
    DOS_TIME = 0,
    DOS_DATE = (0 << 9) | (1 << 5) | 1,
    ZIP_VERSION = 20
};

#define ZIP32_MAX 0xffffffffu

/* A member is deflated as one stream, or, from two of these on, in
 * independent pieces of this many bytes (as pigz --independent): each piece its own raw deflate
 * stream, ended on a byte boundary by Z_SYNC_FLUSH (the last by Z_FINISH), so
 * their concatenation is one valid deflate stream that any inflater reads.
 * The pieces are compressed on the threads the tool computes with
 * (OpenMP's default team, which sk_gemm_set_threads sets) and their CRC-32s
 * combined; where they split depends
 * only on the member's size, so the bytes never depend on the thread count.
 * Starting each piece afresh costs little on float data: 64 bytes in all on
 * gen-data's 70 MB dataset at d_z = 10^5. */
#define DEFLATE_PIECE ((size_t)4 << 20)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

int zip_has_magic(const uint8_t *buf, size_t len)
{
    return len >= 4 && (le32(buf) == SIG_LOCAL || le32(buf) == SIG_END);
}

/* True when [off, off+n) lies inside a buffer of len bytes (overflow-safe). */
static bool in_bounds(uint64_t off, uint64_t n, size_t len)
{
    return off <= len && n <= len - off;
}

/* ---- reading: the directory ---- */

typedef struct {
    uint64_t entries, cd_size, cd_offset;
} Directory;

/* The end record is the last 22 bytes plus a comment of up to 65535 bytes. */
static int find_end_record(const uint8_t *buf, size_t len, size_t *pos, SkErr *err)
{
    if (len < END_LEN)
        return sk_fail(err, "truncated file (too short for a zip archive)");
    size_t lowest = len - END_LEN > 0xffff ? len - END_LEN - 0xffff : 0;
    for (size_t p = len - END_LEN + 1; p-- > lowest;) {
        if (le32(buf + p) == SIG_END && p + END_LEN + le16(buf + p + 20) == len) {
            *pos = p;
            return 0;
        }
    }
    return sk_fail(err, "truncated file (no zip end-of-central-directory record)");
}

/* Read the ZIP64 end record that the locator just before the end record points at. */
static int read_end64(const uint8_t *buf, size_t end_pos, Directory *dir, SkErr *err)
{
    const uint8_t *loc = buf + end_pos - END64_LOCATOR_LEN;
    uint64_t off = le64(loc + 8);
    if (le32(loc + 4) != 0 || le32(loc + 16) > 1)
        return sk_fail(err, "multi-disk zip archives are not supported");
    if (!in_bounds(off, END64_LEN, end_pos - END64_LOCATOR_LEN) || le32(buf + off) != SIG_END64)
        return sk_fail(err, "corrupt zip archive (bad ZIP64 end record)");
    const uint8_t *e = buf + off;
    if (le32(e + 16) != 0 || le32(e + 20) != 0)
        return sk_fail(err, "multi-disk zip archives are not supported");
    dir->entries = le64(e + 32);
    dir->cd_size = le64(e + 40);
    dir->cd_offset = le64(e + 48);
    return 0;
}

static int read_directory(const uint8_t *buf, size_t len, Directory *dir, SkErr *err)
{
    size_t pos = 0;
    if (find_end_record(buf, len, &pos, err))
        return -1;
    const uint8_t *e = buf + pos;
    if (le16(e + 4) != 0 || le16(e + 6) != 0)
        return sk_fail(err, "multi-disk zip archives are not supported");
    dir->entries = le16(e + 10);
    dir->cd_size = le32(e + 12);
    dir->cd_offset = le32(e + 16);
    if (pos >= END64_LOCATOR_LEN && le32(buf + pos - END64_LOCATOR_LEN) == SIG_END64_LOCATOR &&
        read_end64(buf, pos, dir, err))
        return -1;
    if (!in_bounds(dir->cd_offset, dir->cd_size, pos))
        return sk_fail(err, "corrupt zip archive (central directory outside the file)");
    if (dir->entries > dir->cd_size / CENTRAL_HEADER_LEN)
        return sk_fail(err, "corrupt zip archive (%llu entries cannot fit a %llu-byte directory)",
                       (unsigned long long)dir->entries, (unsigned long long)dir->cd_size);
    return 0;
}

/* ---- reading: one central directory record ---- */

typedef struct {
    const uint8_t *name;
    size_t name_len;
    uint16_t flags, method;
    uint32_t crc;
    uint64_t csize, usize, offset;
} CentralRecord;

/* ZIP64 extra field: 8-byte values for exactly the fields saturated at 0xffffffff,
 * in the order uncompressed size, compressed size, local header offset. */
static int apply_zip64_extra(const uint8_t *extra, size_t n, CentralRecord *r, SkErr *err)
{
    while (n >= 4) {
        uint16_t id = le16(extra), size = le16(extra + 2);
        if (size > n - 4)
            return sk_fail(err, "corrupt zip archive (bad extra field)");
        if (id == EXTRA_ZIP64) {
            uint64_t *fields[3] = {&r->usize, &r->csize, &r->offset};
            size_t at = 4;
            for (int i = 0; i < 3; i++) {
                if (*fields[i] != ZIP32_MAX)
                    continue;
                if (at + 8 > 4u + size)
                    return sk_fail(err, "corrupt zip archive (short ZIP64 extra field)");
                *fields[i] = le64(extra + at);
                at += 8;
            }
        }
        extra += 4u + size;
        n -= 4u + size;
    }
    return 0;
}

/* Parse the record at *at (advancing it) within the directory [.., cd_end). */
static int read_central_record(const uint8_t *buf, size_t *at, size_t cd_end, CentralRecord *r,
                               SkErr *err)
{
    const uint8_t *p = buf + *at;
    if (cd_end - *at < CENTRAL_HEADER_LEN || le32(p) != SIG_CENTRAL)
        return sk_fail(err, "corrupt zip archive (bad central directory record)");
    size_t name_len = le16(p + 28), extra_len = le16(p + 30), comment_len = le16(p + 32);
    size_t total = CENTRAL_HEADER_LEN + name_len + extra_len + comment_len;
    if (cd_end - *at < total)
        return sk_fail(err, "corrupt zip archive (central directory record overruns)");
    if (le16(p + 34) != 0)
        return sk_fail(err, "multi-disk zip archives are not supported");
    r->flags = le16(p + 8);
    r->method = le16(p + 10);
    r->crc = le32(p + 16);
    r->csize = le32(p + 20);
    r->usize = le32(p + 24);
    r->offset = le32(p + 42);
    r->name = p + CENTRAL_HEADER_LEN;
    r->name_len = name_len;
    *at += total;
    return apply_zip64_extra(p + CENTRAL_HEADER_LEN + name_len, extra_len, r, err);
}

/* ---- reading: one member's data ---- */

/* Locate the member's data through its local header, which must agree on the name. */
static int locate_data(const uint8_t *buf, size_t len, const CentralRecord *r, const char *name,
                       const uint8_t **data, SkErr *err)
{
    if (!in_bounds(r->offset, LOCAL_HEADER_LEN, len))
        return sk_fail(err, "truncated file (member '%s' starts past the end)", name);
    const uint8_t *h = buf + r->offset;
    if (le32(h) != SIG_LOCAL)
        return sk_fail(err, "corrupt zip archive (member '%s' has no local header)", name);
    uint64_t start = r->offset + LOCAL_HEADER_LEN + le16(h + 26) + le16(h + 28);
    if (!in_bounds(start, r->csize, len))
        return sk_fail(err, "truncated file (member '%s' extends past the end)", name);
    if (le16(h + 26) != r->name_len || memcmp(h + LOCAL_HEADER_LEN, r->name, r->name_len) != 0)
        return sk_fail(err, "corrupt zip archive (member '%s': local header disagrees with the "
                            "central directory)", name);
    *data = buf + start;
    return 0;
}

/* Inflate raw deflate data into out, which has room for usize + 1 bytes: the
 * extra byte catches a stream that inflates to more than it claims. */
static int inflate_all(const uint8_t *in, uint64_t csize, uint8_t *out, size_t usize,
                       const char *name, SkErr *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return sk_fail(err, "member '%s': cannot start zlib", name);
    uint64_t in_left = csize;
    size_t out_left = usize + 1;
    int rc;
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            zs.next_in = (Bytef *)(in + (csize - in_left));
            zs.avail_in = (uInt)(in_left < ZLIB_PIECE ? in_left : ZLIB_PIECE);
            in_left -= zs.avail_in;
        }
        if (zs.avail_out == 0 && out_left > 0) {
            zs.next_out = out + (usize + 1 - out_left);
            zs.avail_out = (uInt)(out_left < ZLIB_PIECE ? out_left : ZLIB_PIECE);
            out_left -= zs.avail_out;
        }
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_left > 0)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_out == 0 && out_left > 0)
            continue;
        break;
    }
    size_t produced = usize + 1 - out_left - zs.avail_out;
    inflateEnd(&zs);
    if (produced > usize)
        return sk_fail(err, "member '%s' inflates to more than its declared %zu bytes", name,
                       usize);
    if (rc == Z_BUF_ERROR)
        return sk_fail(err, "member '%s': compressed data is truncated", name);
    if (rc != Z_STREAM_END)
        return sk_fail(err, "member '%s': corrupt compressed data", name);
    if (produced != usize)
        return sk_fail(err, "member '%s' inflates to %zu bytes, not the declared %zu", name,
                       produced, usize);
    return 0;
}

static uint32_t crc_of(const uint8_t *data, size_t n)
{
    return (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), data, n);
}

/* Check the sizes the record claims before allocating anything for them. */
static int check_sizes(const CentralRecord *r, const char *name, SkErr *err)
{
    if (r->flags & FLAG_ENCRYPTED)
        return sk_fail(err, "member '%s' is encrypted", name);
    if (r->method != METHOD_STORED && r->method != METHOD_DEFLATE)
        return sk_fail(err, "member '%s': unsupported compression method %u", name, r->method);
    if (r->method == METHOD_STORED && r->csize != r->usize)
        return sk_fail(err, "member '%s': stored with compressed size %llu != size %llu", name,
                       (unsigned long long)r->csize, (unsigned long long)r->usize);
    uint64_t bound = r->csize > (UINT64_MAX - 64) / DEFLATE_MAX_RATIO
                         ? UINT64_MAX
                         : r->csize * DEFLATE_MAX_RATIO + 64;
    if (r->usize > bound || r->usize >= SIZE_MAX)
        return sk_fail(err, "member '%s' claims %llu bytes from %llu compressed bytes, which "
                            "deflate cannot produce", name, (unsigned long long)r->usize,
                       (unsigned long long)r->csize);
    return 0;
}

/* Decompress (or copy) one member into a fresh buffer and verify its CRC. */
static int extract(const uint8_t *buf, size_t len, const CentralRecord *r, ZipMember *m,
                   SkErr *err)
{
    const uint8_t *src = NULL;
    if (check_sizes(r, m->name, err) || locate_data(buf, len, r, m->name, &src, err))
        return -1;
    size_t usize = (size_t)r->usize;
    m->data = malloc(usize + 1);
    if (!m->data)
        return sk_fail(err, "out of memory reading member '%s' (%zu bytes)", m->name, usize);
    if (r->method == METHOD_STORED)
        memcpy(m->data, src, usize);
    else if (inflate_all(src, r->csize, m->data, usize, m->name, err))
        return -1;
    m->size = usize;
    if (crc_of(m->data, usize) != r->crc)
        return sk_fail(err, "CRC mismatch in member '%s'", m->name);
    return 0;
}

/* A NUL-terminated copy of the member name; names with NUL bytes or other
 * control characters are refused (error messages quote names on one line). */
static int copy_name(const CentralRecord *r, char **out, SkErr *err)
{
    if (memchr(r->name, 0, r->name_len))
        return sk_fail(err, "corrupt zip archive (member name contains a NUL byte)");
    for (size_t i = 0; i < r->name_len; i++)
        if (r->name[i] < 0x20 || r->name[i] == 0x7f)
            return sk_fail(err, "corrupt zip archive (member name contains control character "
                                "0x%02x)", r->name[i]);
    *out = malloc(r->name_len + 1);
    if (!*out)
        return sk_fail(err, "out of memory");
    memcpy(*out, r->name, r->name_len);
    (*out)[r->name_len] = '\0';
    return 0;
}

int zip_read(const uint8_t *buf, size_t len, ZipVisitor visit, void *ctx, SkErr *err)
{
    Directory dir = {0, 0, 0};
    if (read_directory(buf, len, &dir, err))
        return -1;
    size_t at = (size_t)dir.cd_offset, cd_end = (size_t)(dir.cd_offset + dir.cd_size);
    for (uint64_t i = 0; i < dir.entries; i++) {
        CentralRecord r;
        ZipMember m = {NULL, NULL, 0};
        int rc = read_central_record(buf, &at, cd_end, &r, err) || copy_name(&r, &m.name, err) ||
                 extract(buf, len, &r, &m, err) || visit(ctx, &m, err);
        free(m.name);
        free(m.data);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---- writing ---- */

void zip_writer_init(ZipWriter *z, FILE *f, int level)
{
    memset(z, 0, sizeof *z);
    z->f = f;
    z->level = level;
}

void zip_writer_release(ZipWriter *z)
{
    for (size_t i = 0; i < z->count; i++)
        free(z->entries[i].name);
    free(z->entries);
    z->entries = NULL;
    z->count = z->cap = 0;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static int write_bytes(ZipWriter *z, const void *p, size_t n, SkErr *err)
{
    if (n && fwrite(p, 1, n, z->f) != n)
        return sk_fail(err, "write error: %s", strerror(errno));
    z->offset += n;
    return 0;
}

static int add_entry(ZipWriter *z, const ZipEntry *e, SkErr *err)
{
    if (z->count == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 16;
        ZipEntry *grown = realloc(z->entries, cap * sizeof *grown);
        if (!grown)
            return sk_fail(err, "out of memory");
        z->entries = grown;
        z->cap = cap;
    }
    z->entries[z->count++] = *e;
    return 0;
}

static uint16_t name_flags(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p >= 0x80)
            return FLAG_UTF8_NAME;
    return 0;
}

/* Fields shared by the local header (at p + 4) and the central record (at p + 6). */
static void put_common(uint8_t *p, const ZipEntry *e, size_t name_len)
{
    put16(p + 0, ZIP_VERSION);
    put16(p + 2, e->flags);
    put16(p + 4, e->method);
    put16(p + 6, DOS_TIME);
    put16(p + 8, DOS_DATE);
    put32(p + 10, e->crc);
    put32(p + 14, (uint32_t)e->csize);
    put32(p + 18, (uint32_t)e->usize);
    put16(p + 22, (uint32_t)name_len);
}

/* A member's deflated bytes: the concatenation of count pieces (count = 0:
 * the member is stored). */
typedef struct {
    uint8_t **data;
    size_t *len;
    size_t count;
} Packed;

static void packed_release(Packed *p)
{
    for (size_t i = 0; p->data && i < p->count; i++)
        free(p->data[i]);
    free(p->data);
    free(p->len);
    memset(p, 0, sizeof *p);
}

static int write_member(ZipWriter *z, ZipEntry *e, const ZipChunk *chunks, size_t nchunks,
                        const Packed *packed, SkErr *err)
{
    size_t name_len = strlen(e->name);
    uint8_t h[LOCAL_HEADER_LEN] = {0};
    put32(h, SIG_LOCAL);
    put_common(h + 4, e, name_len);
    if (write_bytes(z, h, sizeof h, err) || write_bytes(z, e->name, name_len, err))
        return -1;
    if (packed->count) {
        for (size_t i = 0; i < packed->count; i++)
            if (write_bytes(z, packed->data[i], packed->len[i], err))
                return -1;
        return 0;
    }
    for (size_t c = 0; c < nchunks; c++)
        if (write_bytes(z, chunks[c].data, chunks[c].len, err))
            return -1;
    return 0;
}

/* Threads for the pieces: OpenMP's default team (1 in a build without it,
 * e.g. the fuzzer's). */
static int piece_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Piece status codes (set on worker threads, reported after the join). */
enum { PIECE_OK = 0, PIECE_NO_ZLIB = 1, PIECE_NO_MEMORY = 2, PIECE_BAD_STREAM = 3 };

/* Deflate bytes [start, start + len) of the chunks' concatenation as one
 * piece (see DEFLATE_PIECE) into a fresh buffer, and their CRC-32. */
static int deflate_piece(const ZipChunk *chunks, size_t nchunks, uint64_t start, size_t len,
                         int level, bool last, uint8_t **out, size_t *out_len, uint32_t *crc)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return PIECE_NO_ZLIB;
    const size_t cap = deflateBound(&zs, (uLong)len) + 16; /* + the sync flush's empty block */
    *out = malloc(cap);
    if (!*out) {
        deflateEnd(&zs);
        return PIECE_NO_MEMORY;
    }
    zs.next_out = *out;
    zs.avail_out = (uInt)cap;
    *crc = (uint32_t)crc32_z(0L, Z_NULL, 0);
    uint64_t chunk_start = 0;
    int rc = Z_OK;
    for (size_t c = 0; c < nchunks && rc == Z_OK; chunk_start += chunks[c].len, c++) {
        uint64_t lo = start > chunk_start ? start : chunk_start;
        uint64_t hi = start + len < chunk_start + chunks[c].len ? start + len : chunk_start + chunks[c].len;
        if (lo >= hi)
            continue;
        const uint8_t *p = (const uint8_t *)chunks[c].data + (lo - chunk_start);
        *crc = (uint32_t)crc32_z(*crc, p, (size_t)(hi - lo));
        zs.next_in = (Bytef *)p;
        zs.avail_in = (uInt)(hi - lo);
        rc = deflate(&zs, Z_NO_FLUSH);
        if (rc == Z_OK && zs.avail_in != 0)
            rc = Z_BUF_ERROR; /* cap is deflateBound: never short of room */
    }
    if (rc == Z_OK)
        rc = deflate(&zs, last ? Z_FINISH : Z_SYNC_FLUSH);
    /* a sync flush is complete only when it left room to spare */
    const bool done = last ? rc == Z_STREAM_END : rc == Z_OK && zs.avail_out > 0;
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return done ? PIECE_OK : PIECE_BAD_STREAM;
}

/* The whole member (total > 0 bytes) deflated, one piece below
 * 2·DEFLATE_PIECE bytes, else DEFLATE_PIECE pieces on the tool's threads:
 * *crc, and packed filled when the pieces come to less than total bytes (else
 * left empty: the member is stored). */
static int deflate_in_pieces(const ZipWriter *z, const ZipChunk *chunks, size_t nchunks,
                             uint64_t total, const char *name, uint32_t *crc, Packed *packed,
                             SkErr *err)
{
    const size_t piece = total < 2 * (uint64_t)DEFLATE_PIECE ? (size_t)total : DEFLATE_PIECE;
    const size_t count = (size_t)((total + piece - 1) / piece);
    Packed p = {calloc(count, sizeof *p.data), calloc(count, sizeof *p.len), count};
    uint32_t *crcs = calloc(count, sizeof *crcs);
    int *status = calloc(count, sizeof *status);
    if (!p.data || !p.len || !crcs || !status) {
        free(crcs);
        free(status);
        packed_release(&p);
        return sk_fail(err, "out of memory compressing member '%s'", name);
    }
    const int threads = piece_threads();
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1 && count > 1)
    for (size_t i = 0; i < count; i++) {
        const uint64_t start = (uint64_t)i * piece;
        const size_t len = total - start < piece ? (size_t)(total - start) : piece;
        status[i] = deflate_piece(chunks, nchunks, start, len, z->level, i + 1 == count, &p.data[i],
                                  &p.len[i], &crcs[i]);
    }
    (void)threads;   /* unused without OpenMP */
    int bad = PIECE_OK;
    uint64_t packed_total = 0;
    *crc = crcs[0];
    for (size_t i = 0; i < count; i++) {
        if (status[i] != PIECE_OK && bad == PIECE_OK)
            bad = status[i];
        packed_total += p.len[i];
        if (i > 0) {
            const uint64_t len = total - (uint64_t)i * piece;
            *crc = (uint32_t)crc32_combine(*crc, crcs[i], (z_off_t)(len < piece ? len : piece));
        }
    }
    free(crcs);
    free(status);
    if (bad != PIECE_OK) {
        packed_release(&p);
        return sk_fail(err, "%s compressing member '%s'",
                       bad == PIECE_NO_MEMORY ? "out of memory"
                       : bad == PIECE_NO_ZLIB ? "cannot start zlib deflate"
                                              : "zlib deflate failed",
                       name);
    }
    if (packed_total < total)
        *packed = p;
    else
        packed_release(&p);
    return 0;
}

/* Size, CRC and (when it pays) the deflated form of a member's content. */
static int pack_member(const ZipWriter *z, const ZipChunk *chunks, size_t nchunks,
                       ZipEntry *e, Packed *packed, SkErr *err)
{
    uint64_t total = 0;
    for (size_t c = 0; c < nchunks; c++)
        total += chunks[c].len;
    e->usize = e->csize = total;
    e->method = METHOD_STORED;
    memset(packed, 0, sizeof *packed);
    if (z->level <= 0 || total == 0) {
        uint32_t crc = crc32_z(0L, Z_NULL, 0);
        for (size_t c = 0; c < nchunks; c++)
            if (chunks[c].len) /* crc32_z(crc, NULL, 0) would restart the CRC */
                crc = (uint32_t)crc32_z(crc, chunks[c].data, chunks[c].len);
        e->crc = crc;
        return 0;
    }
    if (deflate_in_pieces(z, chunks, nchunks, total, e->name, &e->crc, packed, err))
        return -1;
    if (packed->count) {
        e->method = METHOD_DEFLATE;
        e->csize = 0;
        for (size_t i = 0; i < packed->count; i++)
            e->csize += packed->len[i];
    }
    return 0;
}

int zip_writer_add(ZipWriter *z, const char *name, const ZipChunk *chunks, size_t nchunks,
                   SkErr *err)
{
    size_t name_len = strlen(name);
    if (name_len == 0 || name_len > 0xffff)
        return sk_fail(err, "bad member name '%s'", name);
    if (z->count >= 0xffff)
        return sk_fail(err, "too many members (at most 65535)");
    ZipEntry e = {.name = strdup(name), .offset = z->offset, .flags = name_flags(name)};
    Packed packed = {0};
    if (!e.name)
        return sk_fail(err, "out of memory");
    int rc = pack_member(z, chunks, nchunks, &e, &packed, err);
    if (!rc && (e.usize >= ZIP32_MAX || e.offset + e.csize >= ZIP32_MAX))
        rc = sk_fail(err, "member '%s': archives over 4 GiB are not supported", name);
    if (!rc)
        rc = write_member(z, &e, chunks, nchunks, &packed, err);
    packed_release(&packed);
    if (!rc)
        rc = add_entry(z, &e, err);
    if (rc)
        free(e.name);
    return rc;
}

static int write_central_record(ZipWriter *z, const ZipEntry *e, SkErr *err)
{
    size_t name_len = strlen(e->name);
    uint8_t h[CENTRAL_HEADER_LEN] = {0};
    put32(h, SIG_CENTRAL);
    put16(h + 4, ZIP_VERSION);          /* version made by: MS-DOS, 2.0 */
    put_common(h + 6, e, name_len);     /* extra, comment, disk, attributes stay 0 */
    put32(h + 42, (uint32_t)e->offset);
    if (write_bytes(z, h, sizeof h, err) || write_bytes(z, e->name, name_len, err))
        return -1;
    return 0;
}

int zip_writer_finish(ZipWriter *z, SkErr *err)
{
    uint64_t cd_offset = z->offset;
    for (size_t i = 0; i < z->count; i++)
        if (write_central_record(z, &z->entries[i], err))
            return -1;
    uint64_t cd_size = z->offset - cd_offset;
    if (z->offset >= ZIP32_MAX)
        return sk_fail(err, "archives over 4 GiB are not supported");
    uint8_t e[END_LEN] = {0};
    put32(e, SIG_END);
    put16(e + 8, (uint32_t)z->count);
    put16(e + 10, (uint32_t)z->count);
    put32(e + 12, (uint32_t)cd_size);
    put32(e + 16, (uint32_t)cd_offset);
    return write_bytes(z, e, sizeof e, err);
}
