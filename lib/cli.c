#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- number parsing ---------------------------------------------------- */

int cli_parse_long(const char *name, const char *text, long min, long max, long *out, SkErr *err)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno)
        return sk_fail(err, "%s: '%s' is not an integer", name, text);
    if (v < min || v > max)
        return sk_fail(err, "%s: %ld is out of range [%ld, %ld]", name, v, min, max);
    *out = v;
    return 0;
}

int cli_parse_u64(const char *name, const char *text, uint64_t *out, SkErr *err)
{
    char *end;
    errno = 0;
    if (!*text || *text == '-' || isspace((unsigned char)*text))
        return sk_fail(err, "%s: '%s' is not a non-negative integer", name, text);
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno)
        return sk_fail(err, "%s: '%s' is not a non-negative integer", name, text);
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_double(const char *name, const char *text, double min, double max, double *out, SkErr *err)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno == ERANGE || !isfinite(v))
        return sk_fail(err, "%s: '%s' is not a finite number", name, text);
    if (v < min || v > max)
        return sk_fail(err, "%s: %g is out of range [%g, %g]", name, v, min, max);
    *out = v;
    return 0;
}

/* Split text at commas and parse each item with parse_item into out (an
 * array of item_size-byte elements, malloc'ed). */
static int parse_list(const char *name, const char *text, size_t item_size,
                      int (*parse_item)(const char *name, const char *item, void *out, const void *ctx, SkErr *err),
                      const void *ctx, void **out, size_t *count, SkErr *err)
{
    size_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    char *values = malloc(n * item_size);
    char *copy = strdup(text);
    if (!values || !copy) {
        free(values);
        free(copy);
        return sk_fail(err, "%s: out of memory", name);
    }
    size_t got = 0;
    char *start = copy;
    for (;;) {
        char *comma = strchr(start, ',');
        if (comma)
            *comma = '\0';
        if (!*start || parse_item(name, start, values + got * item_size, ctx, err)) {
            if (!*start)
                sk_fail(err, "%s: '%s' has an empty item", name, text);
            free(values);
            free(copy);
            return -1;
        }
        got++;
        if (!comma)
            break;
        start = comma + 1;
    }
    free(copy);
    *out = values;
    *count = got;
    return 0;
}

static int parse_long_item(const char *name, const char *item, void *out, const void *ctx, SkErr *err)
{
    (void)ctx;
    return cli_parse_long(name, item, 0, 1000000000L, (long *)out, err);
}

static int parse_double_item(const char *name, const char *item, void *out, const void *ctx, SkErr *err)
{
    const double *range = ctx;
    return cli_parse_double(name, item, range[0], range[1], (double *)out, err);
}

int cli_parse_long_list(const char *name, const char *text, long **out, size_t *count, SkErr *err)
{
    return parse_list(name, text, sizeof(long), parse_long_item, NULL, (void **)out, count, err);
}

int cli_parse_double_list(const char *name, const char *text, double min, double max,
                          double **out, size_t *count, SkErr *err)
{
    const double range[2] = {min, max};
    return parse_list(name, text, sizeof(double), parse_double_item, range, (void **)out, count, err);
}

/* ---- messages ---------------------------------------------------------- */

int cli_error(const char *prog, int code, const SkErr *err)
{
    fprintf(stderr, "%s: %s\n", prog, err && err->msg[0] ? err->msg : "failed");
    return code;
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (try '%s --help')\n", prog);
    va_end(ap);
    return SK_EXIT_USAGE;
}

int cli_bad_option(const char *prog, char **argv, int opt_index, int bad_char)
{
    const char *arg = argv[opt_index - 1];
    if (strncmp(arg, "--", 2) != 0 && bad_char > 0 && bad_char < 256)
        return cli_usage_error(prog, "unknown option or missing value: '-%c'", bad_char);
    return cli_usage_error(prog, "unknown option or missing value: '%.*s'",
                           (int)strcspn(arg, "="), arg);
}

/* Does arg (an option word) consume the next argv element as its value? */
static bool takes_separate_value(const char *arg, const char *shortopts,
                                 const struct option *longopts)
{
    if (strncmp(arg, "--", 2) == 0) {
        if (strchr(arg, '='))
            return false;
        for (const struct option *o = longopts; o && o->name; o++)
            if (strcmp(arg + 2, o->name) == 0)
                return o->has_arg == required_argument;
        return false;
    }
    if (arg[0] != '-' || arg[1] == '\0' || arg[2] != '\0')
        return false; /* not a lone short option ("-o"); "-ofile" has its value */
    const char *p = strchr(shortopts, arg[1]);
    return p && arg[1] != ':' && p[1] == ':' && p[2] != ':';
}

char **cli_protect_stdin_specs(int argc, char **argv, const char *shortopts,
                               const struct option *longopts, int *new_argc)
{
    char **out = malloc((size_t)(argc + 2) * sizeof *out);
    bool *moved = calloc((size_t)argc + 1, sizeof *moved);
    if (!out || !moved) {
        free(out);
        free(moved);
        return NULL;
    }
    int n = 0, count = 0, dashes = argc; /* index of the first "--", if any */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            dashes = i;
            break;
        }
    for (int i = 1; i < dashes; i++)
        if (strncmp(argv[i], "-:", 2) == 0 && !takes_separate_value(argv[i - 1], shortopts, longopts))
            moved[i] = true, count++;
    /* options and ordinary operands, then "--", the protected specs, and
     * whatever followed the original "--" */
    for (int i = 0; i < dashes; i++)
        if (!moved[i])
            out[n++] = argv[i];
    if (count || dashes < argc)
        out[n++] = "--";
    for (int i = 1; i < dashes; i++)
        if (moved[i])
            out[n++] = argv[i];
    for (int i = dashes + 1; i < argc; i++)
        out[n++] = argv[i];
    out[n] = NULL;
    free(moved);
    *new_argc = n;
    return out;
}

/* ---- progress ---------------------------------------------------------- */

double sk_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_init(Progress *p, const char *prog, bool verbose)
{
    p->prog = prog;
    p->tty = isatty(STDERR_FILENO);
    p->verbose = verbose;
    p->start = p->last = sk_seconds();
    p->log_seconds = 10.0;
}

static void format_duration(char *buf, size_t cap, double s)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, cap, "?");
    else if (s < 120)
        snprintf(buf, cap, "%.0fs", s);
    else if (s < 7200)
        snprintf(buf, cap, "%.0fm%02.0fs", floor(s / 60), fmod(s, 60));
    else
        snprintf(buf, cap, "%.0fh%02.0fm", floor(s / 3600), fmod(floor(s / 60), 60));
}

void progress_update(Progress *p, double done, double total, const char *fmt, ...)
{
    if (!p->tty && !p->verbose)
        return;
    double now = sk_seconds();
    double interval = p->tty ? 0.2 : p->log_seconds;
    if (now - p->last < interval && done < total)
        return;
    p->last = now;
    char note[256] = "", elapsed[32], left[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, sizeof note, fmt, ap);
    va_end(ap);
    double spent = now - p->start;
    format_duration(elapsed, sizeof elapsed, spent);
    format_duration(left, sizeof left, done > 0 ? spent * (total - done) / done : NAN);
    double pct = total > 0 ? 100.0 * done / total : 0.0;
    if (p->tty)
        fprintf(stderr, "\r\033[K%s: %5.1f%% %s  elapsed %s, left %s", p->prog, pct, note, elapsed, left);
    else
        fprintf(stderr, "%s: %5.1f%% %s  elapsed %s, left %s\n", p->prog, pct, note, elapsed, left);
    fflush(stderr);
}

void progress_finish(Progress *p)
{
    if (p->tty) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    if (p->verbose) {
        char elapsed[32];
        format_duration(elapsed, sizeof elapsed, sk_seconds() - p->start);
        fprintf(stderr, "%s: done in %s\n", p->prog, elapsed);
    }
}

/* ---- strings and meta.json --------------------------------------------- */

void sb_init(StrBuf *b)
{
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

void sb_free(StrBuf *b)
{
    free(b->s);
    sb_init(b);
}

static bool sb_reserve(StrBuf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void sb_printf(StrBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || !sb_reserve(b, (size_t)need))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

void sb_json_string(StrBuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sb_printf(b, "\\n");
        else if (*p == '\t')
            sb_printf(b, "\\t");
        else if (*p < 0x20)
            sb_printf(b, "\\u%04x", *p);
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

void meta_build(StrBuf *out, const char *prog, int argc, char **argv, bool has_seed,
                uint64_t seed, const char *params_json, const char *inputs_json)
{
    /* argv is not recorded: it holds file paths, and the same computation
     * written to another folder or through a pipe must give the same bytes.
     * params_json carries every effective option instead. */
    (void)argc;
    (void)argv;
    sb_printf(out, "{\"tool\": ");
    sb_json_string(out, prog);
    sb_printf(out, ", \"version\": ");
    sb_json_string(out, SK_VERSION);
    sb_printf(out, ", \"seed\": ");
    if (has_seed)
        sb_printf(out, "%llu", (unsigned long long)seed);
    else
        sb_printf(out, "null");
    sb_printf(out, ", \"params\": {%s}, \"inputs\": {%s}}\n",
              params_json ? params_json : "", inputs_json ? inputs_json : "");
}

/* A minimal JSON value scanner: enough to validate embedded metadata and to
 * look numbers up by key. Returns a pointer past the value, or NULL. */
static const char *json_skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *json_skip_string(const char *p)
{
    if (*p != '"')
        return NULL;
    for (p++; *p; p++) {
        if (*p == '\\') {
            if (!p[1])
                return NULL;
            p++;
        } else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

static const char *json_skip_value(const char *p, int depth)
{
    p = json_skip_ws(p);
    if (depth > 64)
        return NULL;
    if (*p == '"')
        return json_skip_string(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = json_skip_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                p = json_skip_string(json_skip_ws(p));
                if (!p || *(p = json_skip_ws(p)) != ':')
                    return NULL;
                p++;
            }
            p = json_skip_value(p, depth + 1);
            if (!p)
                return NULL;
            p = json_skip_ws(p);
            if (*p == close)
                return p + 1;
            if (*p != ',')
                return NULL;
            p++;
        }
    }
    const char *start = p;
    while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.'))
        p++;
    return p > start ? p : NULL;
}

void meta_add_input(StrBuf *inputs, const char *name, const char *input_meta_json)
{
    if (inputs->len > 0)
        sb_printf(inputs, ", ");
    sb_json_string(inputs, name);
    sb_printf(inputs, ": ");
    const char *end = input_meta_json ? json_skip_value(input_meta_json, 0) : NULL;
    if (end && *json_skip_ws(end) == '\0') {
        /* Embed without the trailing newline, if any. */
        size_t len = strlen(input_meta_json);
        while (len && (input_meta_json[len - 1] == '\n' || input_meta_json[len - 1] == ' '))
            len--;
        sb_printf(inputs, "%.*s", (int)len, input_meta_json);
    } else
        sb_printf(inputs, "null");
}

/* Find key in the object starting at p; returns a pointer to its value. */
static const char *json_object_find(const char *p, const char *key, size_t key_len)
{
    p = json_skip_ws(p);
    if (*p != '{')
        return NULL;
    p = json_skip_ws(p + 1);
    while (*p == '"') {
        const char *kend = json_skip_string(p);
        if (!kend)
            return NULL;
        bool match = (size_t)(kend - p - 2) == key_len && strncmp(p + 1, key, key_len) == 0;
        p = json_skip_ws(kend);
        if (*p != ':')
            return NULL;
        p = json_skip_ws(p + 1);
        if (match)
            return p;
        p = json_skip_value(p, 0);
        if (!p)
            return NULL;
        p = json_skip_ws(p);
        if (*p != ',')
            return NULL;
        p = json_skip_ws(p + 1);
    }
    return NULL;
}

int json_get_number(const char *json, const char *path, double *out)
{
    const char *p = json;
    while (p && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        p = json_object_find(p, path, len);
        path += len + (dot ? 1 : 0);
    }
    if (!p)
        return -1;
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
