/* cliopts.h — a tool's options declared once, in a table, and one cli_main
 * that parses them, checks ranges, handles the common options (-o, -v, -h,
 * --version, --threads, --seed), protects stdin specs ("-:MEMBER"), prints
 * --help with each live default, and writes meta.json's "params" from the
 * same table.
 *
 * A tool fills its options struct with the library's defaults, then hands it
 * to cli_main with its table (see tools/TEMPLATE.c):
 *
 *     static const CliOption OPTIONS[] = {
 *         {.name = "lambda", .type = CLI_DOUBLE, .offset = offsetof(Options, lambda),
 *          .arg = "X", .min = 0, .max = 3e38, .help = "L1 penalty", .meta = "lambda"},
 *         CLI_OPTION_OUTPUT(Options, output),
 *         {0}};
 *
 * Help lines read "  --lambda X   L1 penalty (default: 0.1)": the default is
 * the field's value before parsing (or default_text), so it is never stale.
 * Exit codes: 0 after --help/--version, 2 for bad usage (one line on stderr,
 * "prog: what is wrong" then "Try 'prog --help'."), else whatever run returns. */
#ifndef SK_CLIOPTS_H
#define SK_CLIOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "err.h"

typedef enum {
    CLI_FLAG,        /* bool; takes no value */
    CLI_LONG,        /* long in [min, max] */
    CLI_SIZE,        /* size_t in [min, max] */
    CLI_DOUBLE,      /* finite double in [min, max] */
    CLI_U64,         /* uint64_t (seeds) */
    CLI_STRING,      /* const char *, argv's own text (NULL until given) */
    CLI_CHOICE,      /* int: index of the value in choices */
    CLI_LONG_LIST,   /* long *, count at count_offset; items in [min, max] */
    CLI_DOUBLE_LIST, /* double *, count at count_offset; items in [min, max] */
    CLI_SET_LONG,    /* takes no value; stores .value in a long field (--head = --rows 10) */
    CLI_INT,         /* int in [min, max] (a library's int field, e.g. iters) */
    CLI_FLOAT,       /* float (a library's float field), parsed as a finite double in
                        [min, max] (max <= FLT_MAX) then rounded; shown as the
                        shortest text that reads back as the same float */
    CLI_CUSTOM,      /* the tool's own parse(text, field): repeatable options, odd
                        syntax; shows default_text (or no default); no meta key */
} CliType;

enum {
    CLI_REQUIRED = 1u << 0,      /* usage error when not given */
    CLI_SORTED_SET = 1u << 1,    /* lists: sorted ascending, repeats dropped */
    CLI_META_PRESENCE = 1u << 2, /* meta records whether it was given (true/false), not the value */
    CLI_META_IF_SET = 1u << 3,   /* meta records it only when given */
    CLI_META_PLACED = 1u << 4,   /* cli_params_json leaves it out: the tool places it among
                                    its result fields with cli_param_json */
};

typedef struct {
    const char *name;          /* "lambda" for --lambda; NULL ends a table */
    char short_name;           /* 'o' for -o, or 0 */
    CliType type;
    size_t offset;             /* of the field in the tool's options struct */
    size_t count_offset;       /* lists: of the size_t count */
    const char *arg;           /* "X" in "--lambda X"; NULL for flags */
    const char *help;          /* '\n' starts an indented continuation line */
    double min, max;           /* numbers and list items: accepted range */
    const char *const *choices; /* CLI_CHOICE: names, NULL-terminated */
    unsigned flags;
    const char *default_text;  /* shown as the default instead of the value (e.g. "none");
                                  "": no default shown (the help says what happens without it) */
    const char *meta;          /* key in meta.json's "params"; NULL: not recorded */
    size_t seen_offset;        /* when non-zero, a bool field set when the option is given */
    long value;                /* CLI_SET_LONG: the value stored */
    /* CLI_CUSTOM: store text in field (opts + offset); on failure err holds the
     * whole message ("--tag: 'x' is not NAME=VALUE"), a usage error. */
    int (*parse)(const char *text, void *field, SkErr *err);
} CliOption;

typedef struct {
    const char *prog;
    const char *synopsis;      /* after "Usage: prog " */
    const char *about;         /* lines between the usage line and the options */
    const char *epilog;        /* lines after the options (may be NULL) */
    const CliOption *options;
    size_t options_size;       /* sizeof the options struct */
    /* Positional arguments (operands): stored at args_offset (const char **,
     * into argv) and nargs_offset (size_t); args_name names them in errors. */
    const char *args_name;     /* NULL: the tool takes none */
    size_t min_args, max_args, args_offset, nargs_offset;
    /* Rules between options, after parsing (may be NULL); a failure is a
     * usage error with err's message. */
    int (*check)(void *opts, SkErr *err);
    /* The work; returns the exit code. argc/argv are the original ones. */
    int (*run)(void *opts, int argc, char **argv);
    /* The usage error when operands are fewer than min_args (NULL: "missing
     * ARGS_NAME"). */
    const char *args_missing;
    /* true: a missing required option is reported alone, the first in table
     * order ("--data is required"); false: one line names all of them. */
    bool required_each;
} CliTool;

/* Parse argv into opts (holding the defaults), then run the tool. Lists
 * allocated while parsing are freed after run; a list default stays the
 * caller's (it may point at a static array: it is neither freed nor written). */
int cli_main(const CliTool *tool, void *opts, int argc, char **argv);

/* The help text (as --help prints it) for opts' values as defaults. */
void cli_help(const CliTool *tool, const void *opts, StrBuf *out);

/* Append `"key": value` for every option with a meta key ("params" of
 * meta.json), comma-separated, in table order. An option counts as given
 * when its seen field says so (seen_offset), else when a string is non-NULL,
 * a list non-empty or a flag true. */
void cli_params_json(const CliTool *tool, const void *opts, StrBuf *out);
/* Append the one option whose meta key is `meta` the same way (CLI_META_PLACED
 * options, where the tool wants them), comma-separated from what out holds. */
void cli_param_json(const CliTool *tool, const void *opts, const char *meta, StrBuf *out);

/* ---- the common options, spelt once ---- */
#define CLI_OPTION_OUTPUT(T, field)                                                         \
    {.name = "output", .short_name = 'o', .type = CLI_STRING, .offset = offsetof(T, field), \
     .arg = "FILE", .help = "output .npz, '-' for stdout"}
#define CLI_OPTION_VERBOSE(T, field)                                                         \
    {.name = "verbose", .short_name = 'v', .type = CLI_FLAG, .offset = offsetof(T, field), \
     .help = "log progress lines on stderr"}
#define CLI_OPTION_THREADS(T, field)                                                     \
    {.name = "threads", .type = CLI_LONG, .offset = offsetof(T, field), .arg = "N",     \
     .min = 1, .max = 4096, .help = "compute threads",                                   \
     .default_text = "SLURM_CPUS_PER_TASK, else\nBLIS_NUM_THREADS, else the CPUs available"}
/* --threads of a tool that runs small problems on one thread (sk_threads_for_work) */
#define CLI_OPTION_THREADS_AUTO(T, field)                                                \
    {.name = "threads", .type = CLI_LONG, .offset = offsetof(T, field), .arg = "N",     \
     .min = 1, .max = 4096, .help = "compute threads",                                   \
     .default_text = "1 for small problems, else\nSLURM_CPUS_PER_TASK, "                 \
                     "BLIS_NUM_THREADS or the CPUs available"}
#define CLI_OPTION_SEED(T, field, extra_flags)                                              \
    {.name = "seed", .type = CLI_U64, .offset = offsetof(T, field), .arg = "S",            \
     .help = "seed of every random draw", .flags = (extra_flags)}

#endif
