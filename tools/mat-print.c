/* mat-print — print one array of a .npz/.npy file as text: one row per line,
 * values separated by tabs. A 0-d array is one value, a 1-d array one row.
 * Values print exactly: float32 with %.9g, float64 with %.17g, integers as
 * integers, bools as 0/1. */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "npz.h"

#define HEAD_ROWS 10
#define TEXT(x) #x
#define STR(x) TEXT(x)

typedef struct {
    char **args;           /* the one FILE[:MEMBER] */
    size_t nargs;
    const char *member;    /* --member: used when the spec names none */
    long max_rows;         /* -1 = all */
    bool header;
} Options;

static const CliOption OPTIONS[] = {
    {.name = "rows", .short_name = 'n', .type = CLI_LONG, .offset = offsetof(Options, max_rows),
     .arg = "N", .min = 0, .max = (double)LONG_MAX, .help = "print at most the first N rows",
     .default_text = "all"},
    {.name = "head", .type = CLI_SET_LONG, .offset = offsetof(Options, max_rows), .value = HEAD_ROWS,
     .help = "print the first " STR(HEAD_ROWS) " rows (same as --rows " STR(HEAD_ROWS) ")"},
    {.name = "member", .short_name = 'm', .type = CLI_STRING, .offset = offsetof(Options, member),
     .arg = "NAME", .help = "array to print when FILE names none",
     .default_text = "the file's only array"},
    {.name = "header", .short_name = 'H', .type = CLI_FLAG, .offset = offsetof(Options, header),
     .help = "first print '# NAME DTYPE SHAPE' (default: off)"},
    {0}};

/* "A, B, C" into buf (shortened with "..." when long). */
static const char *member_names(const Npz *npz, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < npz->count && used < cap; i++) {
        const char *name = npz->arrays[i].name;
        if (used + strlen(name) + 8 >= cap) {
            snprintf(buf + used, cap - used, "%s...", i ? ", " : "");
            break;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", name);
    }
    return npz->count ? buf : "none";
}

/* The array the spec names: FILE:MEMBER, else --member, else the only array. */
static int choose_array(const Npz *npz, const char *file, const char *member,
                        const NpyArray **out, SkErr *err)
{
    char names[300];
    if (member) {
        *out = npz_get(npz, member);
        if (!*out)
            return sk_fail(err, "%s: no member '%s' (members: %s)", file, member,
                           member_names(npz, names, sizeof names));
        return 0;
    }
    if (npz->count != 1)
        return sk_fail(err, "%s: holds %zu arrays; name one as %s:MEMBER (members: %s)", file,
                       npz->count, file, member_names(npz, names, sizeof names));
    *out = &npz->arrays[0];
    return 0;
}

/* Element i, printed exactly for its dtype. */
static void print_value(const NpyArray *a, size_t i)
{
    const unsigned char *p = (const unsigned char *)a->data + i * npy_itemsize(a->dtype);
    switch (a->dtype) {
    case NPY_FLOAT32: { float v; memcpy(&v, p, sizeof v); printf("%.9g", v); break; }
    case NPY_FLOAT64: { double v; memcpy(&v, p, sizeof v); printf("%.17g", v); break; }
    case NPY_INT64: { int64_t v; memcpy(&v, p, sizeof v); printf("%" PRId64, v); break; }
    case NPY_INT32: { int32_t v; memcpy(&v, p, sizeof v); printf("%" PRId32, v); break; }
    case NPY_UINT8: printf("%u", (unsigned)*p); break;
    case NPY_BOOL: printf("%d", *p ? 1 : 0); break;
    }
}

static void print_array(const Options *o, const NpyArray *a)
{
    size_t count = npy_count(a);
    size_t rows = a->ndim == 2 ? a->shape[0] : 1;
    size_t cols = count == 0 ? 0 : count / rows;
    if (o->header) {
        if (a->ndim == 2)
            printf("# %s %s (%zu, %zu)\n", a->name, npy_dtype_name(a->dtype), a->shape[0],
                   a->shape[1]);
        else if (a->ndim == 1)
            printf("# %s %s (%zu,)\n", a->name, npy_dtype_name(a->dtype), a->shape[0]);
        else
            printf("# %s %s ()\n", a->name, npy_dtype_name(a->dtype));
    }
    if (count == 0)
        return;
    if (o->max_rows >= 0 && (size_t)o->max_rows < rows)
        rows = (size_t)o->max_rows;
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            if (c)
                putchar('\t');
            print_value(a, r * cols + c);
        }
        putchar('\n');
    }
}

static int print_spec(const Options *o, const char *spec, NpzCache *cache, SkErr *err)
{
    char *file, *member;
    const Npz *npz;
    const NpyArray *a = NULL;
    if (npz_split_spec(spec, &file, &member, err))
        return -1;
    int rc = npz_cache_open(cache, file, &npz, err) ||
             choose_array(npz, file, member ? member : o->member, &a, err);
    free(file);
    free(member);
    if (rc)
        return -1;
    Mat dense = {0}; /* a sparse matrix (csr.h) is printed from its dense form */
    NpyArray view;
    if (a->csr) {
        if (npy_to_mat(a, &dense, err))
            return -1;
        view = *a;
        view.data = dense.v;
        view.csr = NULL;
        a = &view;
    }
    print_array(o, a);
    mat_release(&dense);
    if (fflush(stdout) != 0 || ferror(stdout))
        return sk_fail(err, "write error on stdout");
    return 0;
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = "mat-print",
    .synopsis = "[OPTIONS] FILE[:MEMBER]",
    .about = "Print one array of a .npz/.npy file ('-' = stdin) as text: one row per line,\n"
             "values tab-separated (float32 %.9g, float64 %.17g, integers exact).\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .args_name = "FILE",
    .args_missing = "no FILE given",
    .min_args = 1,
    .max_args = 1,
    .args_offset = offsetof(Options, args),
    .nargs_offset = offsetof(Options, nargs),
    .run = run,
};

static int run(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    NpzCache cache;
    npz_cache_init(&cache);
    SkErr err = {{0}};
    int status = print_spec(o, o->args[0], &cache, &err) ? cli_error(TOOL.prog, SK_EXIT_DATA, &err) : 0;
    npz_cache_free(&cache);
    return status;
}

int main(int argc, char **argv)
{
    Options o = {.max_rows = -1};
    return cli_main(&TOOL, &o, argc, argv);
}
