/* mat-print — print one array of a .npz/.npy file as text: one row per line,
 * values separated by tabs. A 0-d array is one value, a 1-d array one row.
 * Values print exactly: float32 with %.9g, float64 with %.17g, integers as
 * integers, bools as 0/1. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npz.h"

static const char *PROG = "mat-print";

enum { HEAD_ROWS = 10 };

typedef struct {
    const char *spec;      /* FILE[:MEMBER] */
    const char *member;    /* --member: used when the spec names none */
    long max_rows;         /* -1 = all */
    bool header;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [OPTIONS] FILE[:MEMBER]\n"
            "Print one array of a .npz/.npy file ('-' = stdin) as text: one row per line,\n"
            "values tab-separated (float32 %%.9g, float64 %%.17g, integers exact).\n\n"
            "  -n, --rows N       print at most the first N rows (default: all)\n"
            "      --head         print the first %d rows (same as --rows %d)\n"
            "  -m, --member NAME  array to print when FILE names none\n"
            "                     (default: the file's only array)\n"
            "  -H, --header       first print '# NAME DTYPE SHAPE' (default: off)\n"
            "  -h, --help         show this help\n"
            "      --version      show the version\n",
            PROG, HEAD_ROWS, HEAD_ROWS);
}

enum { OPT_HEAD = 256, OPT_VERSION };
static const struct option LONG_OPTIONS[] = {
    {"rows", required_argument, 0, 'n'},   {"head", no_argument, 0, OPT_HEAD},
    {"member", required_argument, 0, 'm'}, {"header", no_argument, 0, 'H'},
    {"help", no_argument, 0, 'h'},         {"version", no_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}};
static const char SHORT_OPTIONS[] = "n:m:Hh";

/* Parse argv into o; returns 0, or an exit code (help/version: -1 = exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    *o = (Options){.max_rows = -1};
    SkErr err = {{0}};
    opterr = 0;   /* we print our own one-line message */
    int c;
    while ((c = getopt_long(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_parse_long("--rows", optarg, 0, LONG_MAX, &o->max_rows, &err))
                return cli_usage_error(PROG, "%s", err.msg);
            break;
        case OPT_HEAD: o->max_rows = HEAD_ROWS; break;
        case 'm': o->member = optarg; break;
        case 'H': o->header = true; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: printf("%s sparsekit %s\n", PROG, SK_VERSION); return -1;
        default: return cli_bad_option(PROG, argv, optind, optopt);
        }
    }
    if (optind >= argc)
        return cli_usage_error(PROG, "no FILE given");
    if (argc - optind > 1)
        return cli_usage_error(PROG, "unexpected argument '%s'", argv[optind + 1]);
    o->spec = argv[optind];
    return 0;
}

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

static int run(const Options *o, NpzCache *cache, SkErr *err)
{
    char *file, *member;
    const Npz *npz;
    const NpyArray *a = NULL;
    if (npz_split_spec(o->spec, &file, &member, err))
        return -1;
    int rc = npz_cache_open(cache, file, &npz, err) ||
             choose_array(npz, file, member ? member : o->member, &a, err);
    free(file);
    free(member);
    if (rc)
        return -1;
    print_array(o, a);
    if (fflush(stdout) != 0 || ferror(stdout))
        return sk_fail(err, "write error on stdout");
    return 0;
}

int main(int argc, char **argv)
{
    Options o;
    int args_count;
    char **args = cli_protect_stdin_specs(argc, argv, SHORT_OPTIONS, LONG_OPTIONS, &args_count);
    if (!args) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return SK_EXIT_DATA;
    }
    int rc = parse_options(args_count, args, &o);
    if (rc) {
        free(args);
        return rc < 0 ? 0 : rc;
    }
    NpzCache cache;
    npz_cache_init(&cache);
    SkErr err = {{0}};
    int status = run(&o, &cache, &err) ? cli_error(PROG, SK_EXIT_DATA, &err) : 0;
    npz_cache_free(&cache);
    free(args);
    return status;
}
