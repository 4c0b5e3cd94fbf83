#define _POSIX_C_SOURCE 200809L
#include "cliopts.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

/* Long-only options get getopt values from here on (above any char). */
#define CLI_LONG_VALUE_BASE 256
enum { CLI_VALUE_HELP = 1000000, CLI_VALUE_VERSION };

static size_t option_count(const CliOption *options)
{
    size_t n = 0;
    while (options[n].name)
        n++;
    return n;
}

#define FIELD(opts, offset, type) ((type *)((char *)(opts) + (offset)))
#define CFIELD(opts, offset, type) ((const type *)((const char *)(opts) + (offset)))

/* ---- parsing one value -------------------------------------------------- */

static int parse_choice(const CliOption *o, const char *text, int *out, SkErr *err)
{
    for (int i = 0; o->choices[i]; i++)
        if (strcmp(text, o->choices[i]) == 0) {
            *out = i;
            return 0;
        }
    StrBuf names;
    sb_init(&names);
    for (int i = 0; o->choices[i]; i++)
        sb_printf(&names, "%s%s", i == 0 ? "" : o->choices[i + 1] ? ", " : " or ", o->choices[i]);
    sk_fail(err, "--%s: '%s' is not %s", o->name, text, names.failed ? "a known name" : names.s);
    sb_free(&names);
    return -1;
}

static int compare_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sort n items of `size` bytes ascending and drop repeats. */
static void sort_unique(void *items, size_t *n, size_t size, int (*cmp)(const void *, const void *))
{
    qsort(items, *n, size, cmp);
    size_t kept = 0;
    char *base = items;
    for (size_t i = 0; i < *n; i++)
        if (kept == 0 || cmp(base + i * size, base + (kept - 1) * size) != 0)
            memmove(base + kept++ * size, base + i * size, size);
    *n = kept;
}

/* owned: the field holds a list parsed earlier (freed when replaced), not the
 * caller's default. */
static int parse_list(const CliOption *o, const char *text, void *opts, bool owned, SkErr *err)
{
    char label[64];
    snprintf(label, sizeof label, "--%s", o->name);
    size_t *count = FIELD(opts, o->count_offset, size_t);
    if (o->type == CLI_LONG_LIST) {
        long **field = FIELD(opts, o->offset, long *), *items = NULL;
        if (cli_parse_long_list(label, text, &items, count, err))
            return -1;
        for (size_t i = 0; i < *count; i++)
            if ((double)items[i] < o->min || (double)items[i] > o->max) {
                sk_fail(err, "%s: %ld is out of range [%.0f, %.0f]", label, items[i], o->min, o->max);
                free(items);
                return -1;
            }
        if (o->flags & CLI_SORTED_SET)
            sort_unique(items, count, sizeof *items, compare_long);
        if (owned)
            free(*field);
        *field = items;
        return 0;
    }
    double **field = FIELD(opts, o->offset, double *), *items = NULL;
    if (cli_parse_double_list(label, text, o->min, o->max, &items, count, err))
        return -1;
    if (o->flags & CLI_SORTED_SET)
        sort_unique(items, count, sizeof *items, compare_double);
    if (owned)
        free(*field);
    *field = items;
    return 0;
}

/* A range bound as a long: doubles at or beyond ±2^63 (LONG_MAX rounds up to
 * 2^63) mean LONG_MAX / LONG_MIN instead of overflowing the conversion. */
static long long_bound(double x)
{
    if (x >= (double)LONG_MAX)
        return LONG_MAX;
    if (x <= (double)LONG_MIN)
        return LONG_MIN;
    return (long)x;
}

/* Store text as option o's value in opts (given: o was seen before). */
static int parse_value(const CliOption *o, const char *text, void *opts, bool given, SkErr *err)
{
    char label[64];
    snprintf(label, sizeof label, "--%s", o->name);
    long v;
    switch (o->type) {
    case CLI_FLAG: *FIELD(opts, o->offset, bool) = true; return 0;
    case CLI_STRING: *FIELD(opts, o->offset, const char *) = text; return 0;
    case CLI_U64: return cli_parse_u64(label, text, FIELD(opts, o->offset, uint64_t), err);
    case CLI_DOUBLE: return cli_parse_double(label, text, o->min, o->max, FIELD(opts, o->offset, double), err);
    case CLI_FLOAT: {
        double x;
        if (cli_parse_double(label, text, o->min, o->max, &x, err))
            return -1;
        *FIELD(opts, o->offset, float) = (float)x;
        return 0;
    }
    case CLI_CHOICE: return parse_choice(o, text, FIELD(opts, o->offset, int), err);
    case CLI_LONG_LIST:
    case CLI_DOUBLE_LIST: return parse_list(o, text, opts, given, err);
    case CLI_CUSTOM: return o->parse(text, FIELD(opts, o->offset, void), err);
    case CLI_INT:
        if (cli_parse_long(label, text, long_bound(o->min), long_bound(o->max), &v, err))
            return -1;
        *FIELD(opts, o->offset, int) = (int)v;
        return 0;
    case CLI_SET_LONG: *FIELD(opts, o->offset, long) = o->value; return 0;
    case CLI_LONG:
        return cli_parse_long(label, text, long_bound(o->min), long_bound(o->max), FIELD(opts, o->offset, long), err);
    case CLI_SIZE:
        if (cli_parse_long(label, text, long_bound(o->min), long_bound(o->max), &v, err))
            return -1;
        *FIELD(opts, o->offset, size_t) = (size_t)v;
        return 0;
    }
    return sk_fail(err, "--%s: unknown option type", o->name);
}

/* ---- showing a value (help defaults and meta.json) ---------------------- */

static bool option_given(const CliOption *o, const void *opts)
{
    if (o->seen_offset)
        return *CFIELD(opts, o->seen_offset, bool);
    switch (o->type) {
    case CLI_FLAG: return *CFIELD(opts, o->offset, bool);
    case CLI_STRING: return *CFIELD(opts, o->offset, const char *) != NULL;
    case CLI_LONG_LIST:
    case CLI_DOUBLE_LIST: return *CFIELD(opts, o->count_offset, size_t) > 0;
    default: return true;
    }
}

/* The shortest text that reads back as the same double. */
static void append_double(StrBuf *b, double x)
{
    char text[32];
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, x);
        if (strtod(text, NULL) == x)
            break;
    }
    sb_printf(b, "%s", text);
}

/* The fewest digits that read back as the same float, written as %.9g writes
 * them (the tools' float parameters always were: 1000000, not 1e+06). */
static void append_float(StrBuf *b, float x)
{
    char text[32];
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, (double)x);
        if (strtof(text, NULL) == x)
            break;
    }
    sb_printf(b, "%.9g", strtod(text, NULL));
}

/* o's value as text; json quotes strings and writes lists as [a, b]. */
static void append_value(StrBuf *b, const CliOption *o, const void *opts, bool json)
{
    switch (o->type) {
    case CLI_FLAG: sb_printf(b, "%s", *CFIELD(opts, o->offset, bool) ? "true" : "false"); return;
    case CLI_LONG:
    case CLI_SET_LONG: sb_printf(b, "%ld", *CFIELD(opts, o->offset, long)); return;
    case CLI_SIZE: sb_printf(b, "%zu", *CFIELD(opts, o->offset, size_t)); return;
    case CLI_INT: sb_printf(b, "%d", *CFIELD(opts, o->offset, int)); return;
    case CLI_CUSTOM: return;
    case CLI_U64: sb_printf(b, "%llu", (unsigned long long)*CFIELD(opts, o->offset, uint64_t)); return;
    case CLI_DOUBLE: append_double(b, *CFIELD(opts, o->offset, double)); return;
    case CLI_FLOAT: append_float(b, *CFIELD(opts, o->offset, float)); return;
    case CLI_CHOICE:
    case CLI_STRING: {
        const char *s = o->type == CLI_CHOICE ? o->choices[*CFIELD(opts, o->offset, int)]
                                              : *CFIELD(opts, o->offset, const char *);
        if (!json)
            sb_printf(b, "%s", s ? s : "none");
        else if (s)
            sb_json_string(b, s);
        else
            sb_printf(b, "null");
        return;
    }
    case CLI_LONG_LIST:
    case CLI_DOUBLE_LIST: {
        size_t n = *CFIELD(opts, o->count_offset, size_t);
        sb_printf(b, "%s", json ? "[" : n ? "" : "none");
        for (size_t i = 0; i < n; i++) {
            sb_printf(b, "%s", i ? (json ? ", " : ",") : "");
            if (o->type == CLI_LONG_LIST)
                sb_printf(b, "%ld", (*CFIELD(opts, o->offset, long *))[i]);
            else
                append_double(b, (*CFIELD(opts, o->offset, double *))[i]);
        }
        sb_printf(b, "%s", json ? "]" : "");
        return;
    }
    }
}

/* `"key": value` of option o, after ", " unless out is empty. */
static void append_param(StrBuf *out, const CliOption *o, const void *opts)
{
    if ((o->flags & CLI_META_IF_SET) && !option_given(o, opts))
        return;
    sb_printf(out, "%s", out->len == 0 ? "" : ", ");
    sb_json_string(out, o->meta);
    sb_printf(out, ": ");
    if (o->flags & CLI_META_PRESENCE)
        sb_printf(out, "%s", option_given(o, opts) ? "true" : "false");
    else
        append_value(out, o, opts, true);
}

void cli_params_json(const CliTool *tool, const void *opts, StrBuf *out)
{
    for (const CliOption *o = tool->options; o->name; o++)
        if (o->meta && !(o->flags & CLI_META_PLACED))
            append_param(out, o, opts);
}

void cli_param_json(const CliTool *tool, const void *opts, const char *meta, StrBuf *out)
{
    for (const CliOption *o = tool->options; o->name; o++)
        if (o->meta && strcmp(o->meta, meta) == 0)
            append_param(out, o, opts);
}

/* ---- help --------------------------------------------------------------- */

/* "  -o, --output FILE" / "      --lambda X" */
static void option_label(const CliOption *o, StrBuf *b)
{
    if (o->short_name)
        sb_printf(b, "  -%c, --%s", o->short_name, o->name);
    else
        sb_printf(b, "  --%s", o->name);
    if (o->arg)
        sb_printf(b, " %s", o->arg);
}

/* Text with '\n' continuation lines indented to column `indent`. */
static void append_indented(StrBuf *b, const char *text, size_t indent)
{
    for (const char *p = text; *p; p++) {
        sb_printf(b, "%c", *p);
        if (*p == '\n')
            sb_printf(b, "%*s", (int)indent, "");
    }
}

static void help_line(StrBuf *b, const CliOption *o, const void *defaults, size_t column)
{
    StrBuf label;
    sb_init(&label);
    option_label(o, &label);
    size_t width = label.failed ? 0 : label.len;
    sb_printf(b, "%s", label.failed ? "" : label.s);
    sb_free(&label);
    if (width + 2 > column)
        sb_printf(b, "\n%*s", (int)column, "");
    else
        sb_printf(b, "%*s", (int)(column - width), "");
    append_indented(b, o->help ? o->help : "", column);
    if (o->flags & CLI_REQUIRED) {
        sb_printf(b, " (required)\n");
        return;
    }
    if (o->type == CLI_FLAG || o->type == CLI_SET_LONG || (o->default_text && !o->default_text[0]) ||
        (o->type == CLI_CUSTOM && !o->default_text)) {
        sb_printf(b, "\n");
        return;
    }
    sb_printf(b, " (default: ");
    if (o->default_text)
        append_indented(b, o->default_text, column);
    else
        append_value(b, o, defaults, false);
    sb_printf(b, ")\n");
}

void cli_help(const CliTool *tool, const void *defaults, StrBuf *out)
{
    static const CliOption help = {.name = "help", .short_name = 'h', .type = CLI_FLAG,
                                   .help = "show this help"};
    static const CliOption version = {.name = "version", .type = CLI_FLAG, .help = "show the version"};
    size_t column = 0;
    for (const CliOption *o = tool->options; o->name; o++) {
        StrBuf label;
        sb_init(&label);
        option_label(o, &label);
        if (!label.failed && label.len + 2 > column && label.len + 2 <= 26)
            column = label.len + 2;
        sb_free(&label);
    }
    if (column < 16)
        column = 16;
    sb_printf(out, "Usage: %s %s\n", tool->prog, tool->synopsis);
    if (tool->about)
        sb_printf(out, "%s", tool->about);
    sb_printf(out, "\n");
    for (const CliOption *o = tool->options; o->name; o++)
        help_line(out, o, defaults, column);
    help_line(out, &help, defaults, column);
    help_line(out, &version, defaults, column);
    if (tool->epilog)
        sb_printf(out, "\n%s", tool->epilog);
}

/* ---- cli_main ----------------------------------------------------------- */

typedef struct {
    struct option *longopts;   /* n + 3 entries, the last zero */
    char *shortopts;
    bool *seen;                /* per option */
    void *defaults;            /* a copy of opts before parsing */
} Parser;

static void parser_release(Parser *p)
{
    free(p->longopts);
    free(p->shortopts);
    free(p->seen);
    free(p->defaults);
}

static int parser_init(Parser *p, const CliTool *tool, const void *opts, size_t n)
{
    p->longopts = calloc(n + 3, sizeof *p->longopts);
    p->shortopts = calloc(2 * n + 3, 1);
    p->seen = calloc(n + 1, sizeof *p->seen);
    p->defaults = malloc(tool->options_size ? tool->options_size : 1);
    if (!p->longopts || !p->shortopts || !p->seen || !p->defaults)
        return -1;
    memcpy(p->defaults, opts, tool->options_size);
    size_t s = 0;
    for (size_t i = 0; i < n; i++) {
        const CliOption *o = &tool->options[i];
        int has_arg = o->type == CLI_FLAG || o->type == CLI_SET_LONG ? no_argument : required_argument;
        int value = o->short_name ? o->short_name : CLI_LONG_VALUE_BASE + (int)i;
        p->longopts[i] = (struct option){o->name, has_arg, NULL, value};
        if (o->short_name) {
            p->shortopts[s++] = o->short_name;
            if (has_arg == required_argument)
                p->shortopts[s++] = ':';
        }
    }
    p->longopts[n] = (struct option){"help", no_argument, NULL, CLI_VALUE_HELP};
    p->longopts[n + 1] = (struct option){"version", no_argument, NULL, CLI_VALUE_VERSION};
    p->shortopts[s] = 'h';
    return 0;
}

/* Index of the option getopt returned as `value`, or -1. */
static long option_index(const CliTool *tool, size_t n, int value)
{
    if (value >= CLI_LONG_VALUE_BASE && value < CLI_LONG_VALUE_BASE + (int)n)
        return value - CLI_LONG_VALUE_BASE;
    for (size_t i = 0; i < n; i++)
        if (tool->options[i].short_name && tool->options[i].short_name == value)
            return (long)i;
    return -1;
}

/* 0 when parsed, 1 after --help/--version (exit 0), else an exit code. */
static int parse_arguments(const CliTool *tool, void *opts, Parser *p, size_t n, int argc, char **argv)
{
    SkErr err = {{0}};
    int c;
    opterr = 0; /* cli_bad_option prints the one error line */
    optind = 1;
    while ((c = getopt_long(argc, argv, p->shortopts, p->longopts, NULL)) != -1) {
        if (c == 'h' || c == CLI_VALUE_HELP) {
            StrBuf help;
            sb_init(&help);
            cli_help(tool, p->defaults, &help);
            fputs(help.failed ? "out of memory\n" : help.s, stdout);
            sb_free(&help);
            return 1;
        }
        if (c == CLI_VALUE_VERSION) {
            printf("%s sparsekit %s\n", tool->prog, SK_VERSION);
            return 1;
        }
        long i = option_index(tool, n, c);
        if (i < 0)
            return cli_bad_option(tool->prog, argv, optind, optopt);
        const CliOption *o = &tool->options[i];
        if (parse_value(o, optarg, opts, p->seen[i], &err))
            return cli_usage_error(tool->prog, "%s", err.msg);
        p->seen[i] = true;
        if (o->seen_offset)
            *FIELD(opts, o->seen_offset, bool) = true;
    }
    return 0;
}

/* When a required option is missing: one line naming all of them
 * ("--a, --b and --c are required", as the tools always said). */
static int required_given(const CliTool *tool, const Parser *p, size_t n)
{
    size_t required = 0, missing = 0;
    for (size_t i = 0; i < n; i++)
        if (tool->options[i].flags & CLI_REQUIRED) {
            required++;
            missing += !p->seen[i];
        }
    if (missing == 0)
        return 0;
    if (tool->required_each)
        for (size_t i = 0; i < n; i++)
            if ((tool->options[i].flags & CLI_REQUIRED) && !p->seen[i])
                return cli_usage_error(tool->prog, "--%s is required", tool->options[i].name);
    StrBuf names;
    sb_init(&names);
    for (size_t i = 0, listed = 0; i < n; i++)
        if (tool->options[i].flags & CLI_REQUIRED) {
            listed++;
            sb_printf(&names, "%s--%s", listed == 1 ? "" : listed == required ? " and " : ", ",
                      tool->options[i].name);
        }
    int rc = cli_usage_error(tool->prog, "%s %s required", names.failed ? "options" : names.s,
                             required == 1 ? "is" : "are");
    sb_free(&names);
    return rc;
}

/* Required options, operand count, then the tool's own rules. */
static int check_arguments(const CliTool *tool, void *opts, const Parser *p, size_t n, int argc, char **argv)
{
    int rc = required_given(tool, p, n);
    if (rc)
        return rc;
    size_t operands = (size_t)(argc - optind);
    if (!tool->args_name && operands > 0)
        return cli_usage_error(tool->prog, "unexpected argument '%s'", argv[optind]);
    if (tool->args_name) {
        if (operands < tool->min_args)
            return tool->args_missing ? cli_usage_error(tool->prog, "%s", tool->args_missing)
                                      : cli_usage_error(tool->prog, "missing %s", tool->args_name);
        if (operands > tool->max_args)
            return cli_usage_error(tool->prog, "unexpected argument '%s'", argv[optind + (int)tool->max_args]);
        *FIELD(opts, tool->args_offset, char **) = argv + optind;
        *FIELD(opts, tool->nargs_offset, size_t) = operands;
    }
    SkErr err = {{0}};
    if (tool->check && tool->check(opts, &err))
        return cli_usage_error(tool->prog, "%s", err.msg);
    return 0;
}

/* The lists parsed from argv (a default that was never replaced is the caller's). */
static void free_lists(const CliTool *tool, void *opts, const bool *seen)
{
    for (size_t i = 0; tool->options[i].name; i++) {
        const CliOption *o = &tool->options[i];
        if ((o->type == CLI_LONG_LIST || o->type == CLI_DOUBLE_LIST) && seen && seen[i]) {
            void **field = FIELD(opts, o->offset, void *);
            free(*field);
            *field = NULL;
        }
    }
}

int cli_main(const CliTool *tool, void *opts, int argc, char **argv)
{
    /* Every tool starts on its default threads (SLURM_CPUS_PER_TASK,
     * BLIS_NUM_THREADS, else the CPUs it may run on), for its products and
     * for OpenMP's default team (lib/zip.c's deflate), so a tool without
     * --threads under `make -j2 THREADS=1` stays on its one CPU; a tool's own
     * --threads sets them again. */
    sk_gemm_set_threads(sk_default_threads());
    size_t n = option_count(tool->options);
    Parser p = {0};
    int protected_argc = argc;
    char **protected_argv = NULL;
    int rc;
    if (parser_init(&p, tool, opts, n) ||
        !(protected_argv = cli_protect_stdin_specs(argc, argv, p.shortopts, p.longopts, &protected_argc)))
        rc = cli_error(tool->prog, SK_EXIT_DATA, &(SkErr){"out of memory"});
    else if ((rc = parse_arguments(tool, opts, &p, n, protected_argc, protected_argv)) == 1)
        rc = 0;
    else if (rc == 0 && (rc = check_arguments(tool, opts, &p, n, protected_argc, protected_argv)) == 0)
        rc = tool->run(opts, argc, argv);
    free_lists(tool, opts, p.seen);
    free(protected_argv);
    parser_release(&p);
    return rc;
}
