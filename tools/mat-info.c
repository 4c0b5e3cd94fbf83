/* mat-info — describe .npz/.npy files: each member's name, dtype, shape and
 * (optionally) the min, max and mean of its values, then the meta.json text.
 *
 * Output, per file:
 *   FILE: N arrays
 *     NAME<TAB>DTYPE<TAB>SHAPE<TAB>min=..<TAB>max=..<TAB>mean=..
 *   meta.json: TEXT            (or "meta.json: none")
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopts.h"
#include "npz.h"

typedef struct {
    bool no_stats;     /* leave out min/max/mean per member */
    bool no_meta;      /* leave out meta.json */
    bool meta_only;    /* print nothing but meta.json */
    char **files;
    size_t nfiles;
} Options;

static const CliOption OPTIONS[] = {
    {.name = "no-stats", .short_name = 'S', .type = CLI_FLAG, .offset = offsetof(Options, no_stats),
     .help = "do not print min/max/mean (default: print them)"},
    {.name = "no-meta", .short_name = 'M', .type = CLI_FLAG, .offset = offsetof(Options, no_meta),
     .help = "do not print meta.json (default: print it)"},
    {.name = "meta", .short_name = 'm', .type = CLI_FLAG, .offset = offsetof(Options, meta_only),
     .help = "print only the raw meta.json text of each file (default: off)"},
    {0}};

static int check_options(void *opts, SkErr *err)
{
    const Options *o = opts;
    if (o->meta_only && o->no_meta)
        return sk_fail(err, "--meta and --no-meta contradict each other");
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
    if (a->sparse) /* stored as compressed sparse rows (csr.h) */
        printf("\tcsr nnz=%zu", a->nnz);
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
        if (print_array(&npz->arrays[i], !o->no_stats, err))
            return sk_prefix(err, path);
    if (!o->no_meta)
        printf("meta.json: %s\n", npz->meta_json ? npz->meta_json : "none");
    return 0;
}

static int run(void *opts, int argc, char **argv);

static const CliTool TOOL = {
    .prog = "mat-info",
    .synopsis = "[OPTIONS] FILE...",
    .about = "Describe .npz/.npy files ('-' = stdin): each array's name, dtype and shape,\n"
             "the min, max and mean of its values, then the meta.json text.\n",
    .options = OPTIONS,
    .options_size = sizeof(Options),
    .args_name = "FILE",
    .args_missing = "no FILE given",
    .min_args = 1,
    .max_args = SIZE_MAX,
    .args_offset = offsetof(Options, files),
    .nargs_offset = offsetof(Options, nfiles),
    .check = check_options,
    .run = run,
};

static int run(void *opts, int argc, char **argv)
{
    const Options *o = opts;
    NpzCache cache;
    npz_cache_init(&cache);
    int status = 0;
    for (size_t i = 0; i < o->nfiles; i++) {
        SkErr err = {{0}};
        if (describe_file(o, o->files[i], &cache, &err))
            status = cli_error(TOOL.prog, SK_EXIT_DATA, &err);
    }
    npz_cache_free(&cache);
    if (fflush(stdout) != 0 && status == 0) {
        SkErr err;
        sk_fail(&err, "write error on stdout");
        status = cli_error(TOOL.prog, SK_EXIT_DATA, &err);
    }
    return status;
}

int main(int argc, char **argv)
{
    Options o = {0};
    return cli_main(&TOOL, &o, argc, argv);
}
