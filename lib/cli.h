/* cli.h — what every tool shares: number parsing, error lines, progress,
 * provenance metadata (meta.json). Library code never prints; these helpers
 * are the one place tools format messages. */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "err.h"

/* Exit codes (DESIGN): 1 bad data or runtime failure, 2 bad usage. */
enum { SK_EXIT_DATA = 1, SK_EXIT_USAGE = 2 };

/* Parse the whole string as an integer in [min, max] / a finite double in
 * [min, max]; on failure err says "--name: 'text' is not ..." */
int cli_parse_long(const char *name, const char *text, long min, long max, long *out, SkErr *err);
int cli_parse_u64(const char *name, const char *text, uint64_t *out, SkErr *err);
int cli_parse_double(const char *name, const char *text, double min, double max, double *out, SkErr *err);
/* Parse a comma-separated list of non-negative integers ("0,1,2,5"); *out is malloc'ed. */
int cli_parse_long_list(const char *name, const char *text, long **out, size_t *count, SkErr *err);
/* Parse a comma-separated list of finite numbers in [min, max]; *out is malloc'ed. */
int cli_parse_double_list(const char *name, const char *text, double min, double max,
                          double **out, size_t *count, SkErr *err);

/* Print "prog: message" on stderr. Returns code (for `return cli_error(...)`). */
int cli_error(const char *prog, int code, const SkErr *err);
/* Print "prog: formatted" plus "Try 'prog --help'." and return SK_EXIT_USAGE. */
int cli_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long returned '?' (set opterr = 0 before parsing): name the bad
 * option in one usage line. Call as cli_bad_option(PROG, argv, optind, optopt). */
int cli_bad_option(const char *prog, char **argv, int opt_index, int bad_char);

/* getopt_long reads a positional "-:MEMBER" (a member of stdin) as a cluster
 * of options. This returns a malloc'ed argv (NULL-terminated, *new_argc
 * entries) where such positional arguments follow a "--"; the value of an
 * option that takes one ("--dict -:A", "-o -:x") stays where it is.
 * Free the array (not its strings) with free(). NULL when out of memory. */
struct option;
char **cli_protect_stdin_specs(int argc, char **argv, const char *shortopts,
                               const struct option *longopts, int *new_argc);

/* A live progress line on stderr when stderr is a terminal (silent otherwise,
 * unless verbose, which prints plain log lines at most every log_seconds). */
typedef struct {
    const char *prog;
    bool tty;
    bool verbose;
    double start, last;
    double log_seconds;
} Progress;

void progress_init(Progress *p, const char *prog, bool verbose);
/* Report done/total units of work plus a caller's note; shows elapsed time and
 * the estimated time left. Cheap to call often (rate-limited). */
void progress_update(Progress *p, double done, double total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Clear the live line (and log the final line when verbose). */
void progress_finish(Progress *p);
/* Monotonic seconds. */
double sk_seconds(void);

/* ---- meta.json: provenance of an output file ---- */

/* A growable NUL-terminated string. */
typedef struct {
    char *s;
    size_t len, cap;
    bool failed;      /* set when an allocation failed; the text is then unusable */
} StrBuf;

void sb_init(StrBuf *b);
void sb_free(StrBuf *b);
void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a JSON string literal (quoted, escaped). */
void sb_json_string(StrBuf *b, const char *s);

/* Build the meta.json text of a tool run:
 * {"tool": prog, "version": SK_VERSION, "seed": seed (or null when has_seed is
 *  false), "params": {params_json}, "inputs": {inputs_json}}
 * params_json (every effective option) and inputs_json are the inner text of
 * JSON objects (may be ""). argv is not recorded: it names paths, and the same
 * computation written elsewhere or through a pipe must give the same bytes. */
void meta_build(StrBuf *out, const char *prog, int argc, char **argv, bool has_seed,
                uint64_t seed, const char *params_json, const char *inputs_json);
/* Append `"name": <meta of that input, or null>` (with a leading comma when
 * inputs is not empty) to an inputs object under construction. */
void meta_add_input(StrBuf *inputs, const char *name, const char *input_meta_json);

/* Look up a number in JSON text by a dotted path of object keys, e.g.
 * "params.k". Returns 0 and sets *out when found. */
int json_get_number(const char *json, const char *path, double *out);

#endif
