/* mat-info — describe .npz/.npy files: each member's name, dtype, shape and
 * (optionally) the min, max and mean of its values, then the meta.json text.
 *
 * Output, per file:
 *   FILE: N arrays
 *     NAME<TAB>DTYPE<TAB>SHAPE<TAB>min=..<TAB>max=..<TAB>mean=..
 *   meta.json: TEXT            (or "meta.json: none")
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npz.h"

static const char *PROG = "mat-info";

typedef struct {
    bool stats;        /* print min/max/mean per member */
    bool meta;         /* print meta.json */
    bool meta_only;    /* print nothing but meta.json */
    char **files;
    int nfiles;
} Options;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s [OPTIONS] FILE...\n"
            "Describe .npz/.npy files ('-' = stdin): each array's name, dtype and shape,\n"
            "the min, max and mean of its values, then the meta.json text.\n\n"
            "  -S, --no-stats   do not print min/max/mean (default: print them)\n"
            "  -M, --no-meta    do not print meta.json (default: print it)\n"
            "  -m, --meta       print only the raw meta.json text of each file\n"
            "                   (default: off)\n"
            "  -h, --help       show this help\n"
            "  --version        show the version\n",
            PROG);
}

/* Parse argv into o; returns 0, or an exit code (help/version: -1 = exit 0). */
static int parse_options(int argc, char **argv, Options *o)
{
    enum { OPT_VERSION = 256 };
    static const struct option longopts[] = {
        {"no-stats", no_argument, 0, 'S'}, {"no-meta", no_argument, 0, 'M'},
        {"meta", no_argument, 0, 'm'},     {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, OPT_VERSION}, {0, 0, 0, 0}};
    *o = (Options){.stats = true, .meta = true};
    opterr = 0;   /* we print our own one-line message */
    int c;
    while ((c = getopt_long(argc, argv, "SMmh", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': o->stats = false; break;
        case 'M': o->meta = false; break;
        case 'm': o->meta_only = true; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: printf("%s sparsekit %s\n", PROG, SK_VERSION); return -1;
        default: return cli_bad_option(PROG, argv, optind, optopt);
        }
    }
    if (optind >= argc)
        return cli_usage_error(PROG, "no FILE given");
    if (o->meta_only && !o->meta)
        return cli_usage_error(PROG, "--meta and --no-meta contradict each other");
    o->files = argv + optind;
    o->nfiles = argc - optind;
    return 0;
}

/* min, max and mean of the finite values; *nonfinite counts the others. */
static int array_stats(const NpyArray *a, double *min, double *max, double *mean,
                       size_t *nonfinite, SkErr *err)
{
    double *v;
    if (npy_to_doubles(a, &v, err))
        return -1;
    size_t n = npy_count(a), finite = 0;
    double sum = 0.0;
    *min = INFINITY;
    *max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        finite++;
        sum += v[i];
        *min = fmin(*min, v[i]);
        *max = fmax(*max, v[i]);
    }
    free(v);
    *nonfinite = n - finite;
    *mean = finite ? sum / (double)finite : NAN;
    return 0;
}

static const char *shape_text(const NpyArray *a, char *buf, size_t cap)
{
    if (a->ndim == 0)
        snprintf(buf, cap, "()");
    else if (a->ndim == 1)
        snprintf(buf, cap, "(%zu,)", a->shape[0]);
    else
        snprintf(buf, cap, "(%zu, %zu)", a->shape[0], a->shape[1]);
    return buf;
}

static int print_array(const NpyArray *a, bool stats, SkErr *err)
{
    char shape[64];
    printf("  %s\t%s\t%s", a->name, npy_dtype_name(a->dtype), shape_text(a, shape, sizeof shape));
    double min, max, mean;
    size_t nonfinite;
    if (stats && npy_count(a) > 0) {
        if (array_stats(a, &min, &max, &mean, &nonfinite, err))
            return -1;
        if (nonfinite < npy_count(a))
            printf("\tmin=%.9g\tmax=%.9g\tmean=%.9g", min, max, mean);
        if (nonfinite)
            printf("\tnonfinite=%zu", nonfinite);
    }
    putchar('\n');
    return 0;
}

static int describe_file(const Options *o, const char *path, NpzCache *cache, SkErr *err)
{
    const Npz *npz;
    if (npz_cache_open(cache, path, &npz, err))
        return -1;
    if (o->meta_only) {
        if (npz->meta_json)
            printf("%s\n", npz->meta_json);
        return 0;
    }
    printf("%s: %zu array%s\n", path, npz->count, npz->count == 1 ? "" : "s");
    for (size_t i = 0; i < npz->count; i++)
        if (print_array(&npz->arrays[i], o->stats, err))
            return sk_prefix(err, path);
    if (o->meta)
        printf("meta.json: %s\n", npz->meta_json ? npz->meta_json : "none");
    return 0;
}

int main(int argc, char **argv)
{
    Options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    NpzCache cache;
    npz_cache_init(&cache);
    int status = 0;
    for (int i = 0; i < o.nfiles; i++) {
        SkErr err = {{0}};
        if (describe_file(&o, o.files[i], &cache, &err))
            status = cli_error(PROG, SK_EXIT_DATA, &err);
    }
    npz_cache_free(&cache);
    if (fflush(stdout) != 0 && status == 0) {
        SkErr err;
        sk_fail(&err, "write error on stdout");
        status = cli_error(PROG, SK_EXIT_DATA, &err);
    }
    return status;
}
