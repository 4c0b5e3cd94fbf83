/* cliopts: a declared option table parsed by cli_main — values of every type
 * land in their fields, ranges and required options are enforced (exit 2),
 * lists are sorted sets, operands are counted, --help shows the live
 * defaults, and meta.json's params come from the same table. */
#include "cliopts.h"
#include "testutil.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    long iters;
    size_t width;
    double lambda;
    uint64_t seed;
    const char *dict, *output;
    int mode;
    bool verbose, lambda_given;
    long *budgets;
    size_t n_budgets;
    char **args;
    size_t nargs;
    /* what run saw */
    int runs;
    long budget_sum;
    char first_arg[32];
} Opts;

static const char *const MODES[] = {"fast", "exact", "lazy", NULL};

static const CliOption OPTIONS[] = {
    {.name = "dict", .type = CLI_STRING, .offset = offsetof(Opts, dict), .arg = "FILE",
     .flags = CLI_REQUIRED | CLI_META_PRESENCE, .help = "dictionary", .meta = "dict"},
    {.name = "iters", .type = CLI_LONG, .offset = offsetof(Opts, iters), .arg = "N", .min = 0,
     .max = 1000, .help = "iterations", .meta = "iters"},
    {.name = "width", .type = CLI_SIZE, .offset = offsetof(Opts, width), .arg = "N", .min = 1,
     .max = 64, .help = "width,\nsecond line", .meta = "width"},
    {.name = "lambda", .type = CLI_DOUBLE, .offset = offsetof(Opts, lambda), .arg = "X", .min = 0,
     .max = 10, .help = "penalty", .meta = "lambda", .seen_offset = offsetof(Opts, lambda_given)},
    {.name = "mode", .type = CLI_CHOICE, .offset = offsetof(Opts, mode), .arg = "M",
     .choices = MODES, .help = "mode", .meta = "mode"},
    {.name = "budgets", .type = CLI_LONG_LIST, .offset = offsetof(Opts, budgets),
     .count_offset = offsetof(Opts, n_budgets), .arg = "LIST", .min = 0, .max = 100,
     .flags = CLI_SORTED_SET | CLI_META_IF_SET, .help = "budgets", .meta = "budgets"},
    CLI_OPTION_SEED(Opts, seed, CLI_REQUIRED),
    CLI_OPTION_VERBOSE(Opts, verbose),
    CLI_OPTION_OUTPUT(Opts, output),
    {0}};

static int check_budgets(void *opts, SkErr *err)
{
    Opts *o = opts;
    if (o->n_budgets && o->budgets[o->n_budgets - 1] > o->iters)
        return sk_fail(err, "--budgets: %ld exceeds --iters", o->budgets[o->n_budgets - 1]);
    return 0;
}

static int record_run(void *opts, int argc, char **argv)
{
    Opts *o = opts;
    o->runs++;
    for (size_t i = 0; i < o->n_budgets; i++)
        o->budget_sum += o->budgets[i] * (long)(i + 1);
    if (o->nargs)
        snprintf(o->first_arg, sizeof o->first_arg, "%s", o->args[0]);
    return 7; /* the tool's own exit code passes through */
}

static const CliTool TOOL = {
    .prog = "demo", .synopsis = "--dict FILE --seed S [options] [INPUT]", .about = "A demo.\n",
    .options = OPTIONS, .options_size = sizeof(Opts), .args_name = "INPUT", .min_args = 0,
    .max_args = 1, .args_offset = offsetof(Opts, args), .nargs_offset = offsetof(Opts, nargs),
    .check = check_budgets, .run = record_run};

static Opts defaults(void)
{
    return (Opts){.iters = 100, .width = 8, .lambda = 0.1, .output = "-", .mode = 1};
}

/* cli_main of tool over a NULL-terminated word list (argv[0] = its prog),
 * stderr silenced. */
static int run_tool_words(const CliTool *tool, void *opts, const char *const *words)
{
    char *argv[32] = {(char *)tool->prog};
    int argc = 1;
    for (; words[argc - 1]; argc++)
        argv[argc] = (char *)words[argc - 1];
    argv[argc] = NULL;
    FILE *quiet = freopen("/dev/null", "w", stderr);
    (void)quiet;
    return cli_main(tool, opts, argc, argv);
}

static int run_words(Opts *o, const char *const *words) { return run_tool_words(&TOOL, o, words); }

START_TEST(values_land_in_their_fields)
{
    Opts o = defaults();
    const char *const words[] = {"--dict", "d.npz", "--seed", "18446744073709551615", "--iters",
                                 "50", "--width=64", "--mode", "lazy", "--budgets", "9,3,9,0",
                                 "-v", "-o", "out.npz", "in.npz", NULL};
    ck_assert_int_eq(run_words(&o, words), 7);
    ck_assert_int_eq(o.runs, 1);
    ck_assert_str_eq(o.dict, "d.npz");
    ck_assert_uint_eq(o.seed, UINT64_MAX);
    ck_assert_int_eq(o.iters, 50);
    ck_assert_uint_eq(o.width, 64);
    ck_assert_int_eq(o.mode, 2);
    ck_assert(o.verbose);
    ck_assert(!o.lambda_given);
    ck_assert_str_eq(o.output, "out.npz");
    ck_assert_str_eq(o.first_arg, "in.npz");
    /* sorted set {0, 3, 9}: 0·1 + 3·2 + 9·3 */
    ck_assert_int_eq(o.budget_sum, 33);
    ck_assert_ptr_null(o.budgets); /* freed by cli_main after run */
}
END_TEST

START_TEST(bad_usage_exits_2_without_running)
{
    const char *const *cases[] = {
        (const char *const[]){"--seed", "1", NULL},                                  /* required */
        (const char *const[]){"--dict", "d", "--seed", "1", "--iters", "1001", NULL}, /* range */
        (const char *const[]){"--dict", "d", "--seed", "1", "--width", "0", NULL},
        (const char *const[]){"--dict", "d", "--seed", "1", "--lambda", "nan", NULL},
        (const char *const[]){"--dict", "d", "--seed", "-3", NULL},
        (const char *const[]){"--dict", "d", "--seed", "1", "--mode", "slow", NULL},
        (const char *const[]){"--dict", "d", "--seed", "1", "--budgets", "1,101", NULL},
        (const char *const[]){"--dict", "d", "--seed", "1", "--iters", "5", "--budgets", "6", NULL},
        (const char *const[]){"--dict", "d", "--seed", "1", "a", "b", NULL},           /* operands */
        (const char *const[]){"--dict", "d", "--seed", "1", "--nope", NULL},
        (const char *const[]){"--dict", NULL},                                          /* no value */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Opts o = defaults();
        ck_assert_msg(run_words(&o, cases[i]) == SK_EXIT_USAGE, "case %zu", i);
        ck_assert_msg(o.runs == 0, "case %zu ran", i);
    }
}
END_TEST

START_TEST(stdin_member_operand_is_not_an_option)
{
    Opts o = defaults();
    const char *const words[] = {"--dict", "-:A", "--seed", "1", "-:Y_val", NULL};
    ck_assert_int_eq(run_words(&o, words), 7);
    ck_assert_str_eq(o.dict, "-:A");
    ck_assert_str_eq(o.first_arg, "-:Y_val");
}
END_TEST

START_TEST(help_shows_live_defaults)
{
    Opts o = defaults();
    o.iters = 250; /* as a library default would set it */
    StrBuf b;
    sb_init(&b);
    cli_help(&TOOL, &o, &b);
    ck_assert_msg(strstr(b.s, "Usage: demo --dict FILE --seed S") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "iterations (default: 250)") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "penalty (default: 0.1)") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "mode (default: exact)") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "budgets (default: none)") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "dictionary (required)") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "-o, --output FILE") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "  --version") != NULL, "%s", b.s);
    /* a continuation line is indented under the help column */
    const char *second = strstr(b.s, "\n") ? strstr(b.s, "width,\n") : NULL;
    ck_assert_ptr_nonnull(second);
    ck_assert_msg(strncmp(second + strlen("width,\n"), "    ", 4) == 0, "%s", b.s);
    sb_free(&b);
}
END_TEST

START_TEST(params_json_from_the_table)
{
    Opts o = defaults();
    o.dict = "d.npz";
    StrBuf b;
    sb_init(&b);
    cli_params_json(&TOOL, &o, &b);
    ck_assert_str_eq(b.s, "\"dict\": true, \"iters\": 100, \"width\": 8, \"lambda\": 0.1, "
                          "\"mode\": \"exact\"");
    sb_free(&b);
    long budgets[] = {0, 5};
    o.budgets = budgets;
    o.n_budgets = 2;
    o.dict = NULL;
    o.lambda = 1.0 / 3.0;
    sb_init(&b);
    cli_params_json(&TOOL, &o, &b);
    ck_assert_str_eq(b.s, "\"dict\": false, \"iters\": 100, \"width\": 8, "
                          "\"lambda\": 0.3333333333333333, \"mode\": \"exact\", \"budgets\": [0, 5]");
    double back;
    sb_printf(&b, "}");
    StrBuf wrapped;
    sb_init(&wrapped);
    sb_printf(&wrapped, "{\"params\": {%s", b.s);
    ck_assert_int_eq(json_get_number(wrapped.s, "params.lambda", &back), 0);
    ck_assert(back == 1.0 / 3.0); /* the shortest text that reads back exactly */
    sb_free(&wrapped);
    sb_free(&b);
}
END_TEST

/* ---- a tool that reports required options one by one, names its missing
 * operands in its own words, and has a value-less option setting a long ---- */

typedef struct {
    const char *data;
    uint64_t seed;
    long rows;
    char **files;
    size_t nfiles;
    int runs;
} Opts2;

static const CliOption OPTIONS2[] = {
    {.name = "data", .type = CLI_STRING, .offset = offsetof(Opts2, data), .arg = "FILE",
     .flags = CLI_REQUIRED | CLI_META_PLACED, .help = "data", .meta = "data"},
    CLI_OPTION_SEED(Opts2, seed, CLI_REQUIRED),
    {.name = "rows", .short_name = 'n', .type = CLI_LONG, .offset = offsetof(Opts2, rows),
     .arg = "N", .min = 0, .max = (double)LONG_MAX, .help = "rows", .default_text = "all",
     .meta = "rows"},
    {.name = "head", .type = CLI_SET_LONG, .offset = offsetof(Opts2, rows), .value = 10,
     .help = "first 10 rows"},
    {0}};

static int count_run(void *opts, int argc, char **argv)
{
    ((Opts2 *)opts)->runs++;
    return 0;
}

static const CliTool TOOL2 = {
    .prog = "demo2", .synopsis = "--data FILE --seed S FILE...", .options = OPTIONS2,
    .options_size = sizeof(Opts2), .args_name = "FILE", .min_args = 1, .max_args = SIZE_MAX,
    .args_offset = offsetof(Opts2, files), .nargs_offset = offsetof(Opts2, nfiles),
    .args_missing = "no FILE given", .required_each = true, .run = count_run};

/* cli_main(TOOL2) over words; the first stderr line lands in line. */
static int run2(Opts2 *o, const char *const *words, char *line, size_t cap)
{
    char *argv[32] = {"demo2"};
    int argc = 1;
    for (; words[argc - 1]; argc++)
        argv[argc] = (char *)words[argc - 1];
    argv[argc] = NULL;
    char path[] = "/tmp/test_cliopts_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ptr_nonnull(freopen(path, "w", stderr));
    int rc = cli_main(&TOOL2, o, argc, argv);
    fflush(stderr);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    line[0] = '\0';
    if (!fgets(line, (int)cap, f))
        line[0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    fclose(f);
    unlink(path);
    return rc;
}

START_TEST(required_each_and_args_missing)
{
    char line[256];
    const struct { const char *const *words; const char *want; } cases[] = {
        {(const char *const[]){"f", NULL}, "demo2: --data is required (try 'demo2 --help')"},
        {(const char *const[]){"--data", "d", "f", NULL}, "demo2: --seed is required (try 'demo2 --help')"},
        {(const char *const[]){"--data", "d", "--seed", "1", NULL}, "demo2: no FILE given (try 'demo2 --help')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Opts2 o = {.rows = -1};
        ck_assert_int_eq(run2(&o, cases[i].words, line, sizeof line), SK_EXIT_USAGE);
        ck_assert_str_eq(line, cases[i].want);
        ck_assert_int_eq(o.runs, 0);
    }
    Opts2 o = {.rows = -1};
    const char *const ok[] = {"--data", "d", "--seed", "1", "a", "b", "c", NULL};
    ck_assert_int_eq(run2(&o, ok, line, sizeof line), 0);
    ck_assert_int_eq(o.runs, 1);
    ck_assert_uint_eq(o.nfiles, 3);
}
END_TEST

START_TEST(set_long_and_long_max_range)
{
    char line[256];
    /* the last of --rows/--head wins */
    Opts2 o = {.rows = -1};
    const char *const head_last[] = {"--data", "d", "--seed", "1", "-n", "3", "--head", "f", NULL};
    ck_assert_int_eq(run2(&o, head_last, line, sizeof line), 0);
    ck_assert_int_eq(o.rows, 10);
    o = (Opts2){.rows = -1};
    const char *const rows_last[] = {"--data", "d", "--seed", "1", "--head", "-n", "3", "f", NULL};
    ck_assert_int_eq(run2(&o, rows_last, line, sizeof line), 0);
    ck_assert_int_eq(o.rows, 3);
    /* max = LONG_MAX accepts LONG_MAX (the double 2^63 is not converted as is) */
    o = (Opts2){.rows = -1};
    const char *const big[] = {"--data", "d", "--seed", "1", "--rows", "9223372036854775807", "f", NULL};
    ck_assert_int_eq(run2(&o, big, line, sizeof line), 0);
    ck_assert_int_eq(o.rows, LONG_MAX);
    o = (Opts2){.rows = -1};
    const char *const neg[] = {"--data", "d", "--seed", "1", "--rows", "-1", "f", NULL};
    ck_assert_int_eq(run2(&o, neg, line, sizeof line), SK_EXIT_USAGE);
    ck_assert_str_eq(line, "demo2: --rows: -1 is out of range [0, 9223372036854775807] (try 'demo2 --help')");
    /* help: --head takes no value and shows no default */
    StrBuf b;
    sb_init(&b);
    o = (Opts2){.rows = -1};
    cli_help(&TOOL2, &o, &b);
    ck_assert_msg(strstr(b.s, "  --head") && strstr(b.s, "first 10 rows\n"), "%s", b.s);
    ck_assert_msg(strstr(b.s, "rows (default: all)"), "%s", b.s);
    sb_free(&b);
}
END_TEST

START_TEST(placed_param_goes_where_the_tool_puts_it)
{
    Opts2 o = {.rows = -1, .data = "d.npz"};
    StrBuf b;
    sb_init(&b);
    cli_params_json(&TOOL2, &o, &b);
    ck_assert_str_eq(b.s, "\"rows\": -1");
    sb_printf(&b, ", \"result\": 1");
    cli_param_json(&TOOL2, &o, "data", &b);
    cli_param_json(&TOOL2, &o, "no such key", &b);
    ck_assert_str_eq(b.s, "\"rows\": -1, \"result\": 1, \"data\": \"d.npz\"");
    sb_free(&b);
    sb_init(&b);
    cli_param_json(&TOOL2, &o, "data", &b); /* first: no comma */
    ck_assert_str_eq(b.s, "\"data\": \"d.npz\"");
    sb_free(&b);
}
END_TEST

/* An empty default_text shows no default: for options whose absence the
 * help text itself explains ("required to train", "MODEL's W_dec"). */
START_TEST(empty_default_text_shows_no_default)
{
    typedef struct {
        const char *init;
        long steps;
    } Small;
    static const CliOption small_options[] = {
        {.name = "init", .type = CLI_STRING, .offset = offsetof(Small, init), .arg = "FILE",
         .default_text = "", .help = "start from FILE (cold without it)"},
        {.name = "steps", .type = CLI_LONG, .offset = offsetof(Small, steps), .arg = "N", .min = 0,
         .max = 9, .default_text = "", .help = "steps (required for cold starts)"},
        {0}};
    static const CliTool small = {.prog = "small", .synopsis = "[options]",
                                  .options = small_options, .options_size = sizeof(Small)};
    Small o = {.steps = 3};
    StrBuf b;
    sb_init(&b);
    cli_help(&small, &o, &b);
    ck_assert_msg(strstr(b.s, "start from FILE (cold without it)\n") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "steps (required for cold starts)\n") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "default") == NULL, "%s", b.s);
    sb_free(&b);
}
END_TEST

static int tiny_run(void *opts, int argc, char **argv) { return 5; }

/* A float field (a library's float λ) takes its default from the library:
 * 0.1f shows as 0.1, not as the double it widens to (0.100000001...). */
START_TEST(float_fields_parse_and_show_as_floats)
{
    typedef struct {
        float rate;
    } Tiny;
    static const CliOption tiny_options[] = {
        {.name = "rate", .type = CLI_FLOAT, .offset = offsetof(Tiny, rate), .arg = "X", .min = 0,
         .max = 3e38, .help = "rate", .meta = "rate"},
        {0}};
    static const CliTool tiny = {.prog = "tiny", .synopsis = "[options]", .options = tiny_options,
                                 .options_size = sizeof(Tiny), .run = tiny_run};
    Tiny o = {.rate = 0.1f};
    StrBuf b;
    sb_init(&b);
    cli_help(&tiny, &o, &b);
    ck_assert_msg(strstr(b.s, "rate (default: 0.1)\n") != NULL, "%s", b.s);
    sb_free(&b);
    o.rate = 1.0f / 3.0f;
    sb_init(&b);
    cli_params_json(&tiny, &o, &b);
    ck_assert_str_eq(b.s, "\"rate\": 0.33333334"); /* the shortest that reads back as 1/3f */
    sb_free(&b);
    char *bad[] = {"tiny", "--rate", "-1", NULL};
    FILE *quiet = freopen("/dev/null", "w", stderr);
    (void)quiet;
    ck_assert_int_eq(cli_main(&tiny, &o, 3, bad), SK_EXIT_USAGE);
    char *good[] = {"tiny", "--rate", "0.3", NULL};
    ck_assert_int_eq(cli_main(&tiny, &o, 3, good), 5);
    ck_assert(o.rate == (float)0.3); /* rounded once, from the double */
}
END_TEST

/* ---- float, int and custom entries; a placed list with a static default ---- */

typedef struct {
    float lambda;
    int iters;
    const char *tags[4];
    size_t n_tags;
    double *alphas;
    size_t n_alphas;
    int runs;
    double first_alpha;
} Lib;

static const double DEFAULT_ALPHAS[] = {1e-6, 1.0, 10.0};

static int parse_tag(const char *text, void *field, SkErr *err)
{
    Lib *l = (Lib *)((char *)field - offsetof(Lib, tags));
    if (!strchr(text, '='))
        return sk_fail(err, "--tag: '%s' is not NAME=VALUE", text);
    if (l->n_tags == 4)
        return sk_fail(err, "--tag: more than 4 tags");
    l->tags[l->n_tags++] = text;
    return 0;
}

static const CliOption LIB_OPTIONS[] = {
    {.name = "lambda", .type = CLI_FLOAT, .offset = offsetof(Lib, lambda), .arg = "X", .min = 0,
     .max = 3e38, .help = "penalty", .meta = "lambda"},
    {.name = "iters", .type = CLI_INT, .offset = offsetof(Lib, iters), .arg = "N", .min = 0,
     .max = 1000, .help = "iterations", .meta = "iters"},
    {.name = "tag", .type = CLI_CUSTOM, .offset = offsetof(Lib, tags), .arg = "NAME=VALUE",
     .parse = parse_tag, .help = "a column (repeatable)"},
    {.name = "alphas", .type = CLI_DOUBLE_LIST, .offset = offsetof(Lib, alphas),
     .count_offset = offsetof(Lib, n_alphas), .arg = "LIST", .min = 0, .max = 1e300,
     .flags = CLI_META_PLACED, .help = "alphas", .meta = "alphas"},
    {0}};

static int lib_run(void *opts, int argc, char **argv)
{
    Lib *l = opts;
    l->runs++;
    l->first_alpha = l->alphas[0];
    return 0;
}

static const CliTool LIB_TOOL = {.prog = "lib", .synopsis = "[options]", .options = LIB_OPTIONS,
                                 .options_size = sizeof(Lib), .run = lib_run};

static Lib lib_defaults(void)
{
    return (Lib){.lambda = 0.1f, .iters = 100, .alphas = (double *)DEFAULT_ALPHAS, .n_alphas = 3};
}

static int run_lib(Lib *l, const char *const *words) { return run_tool_words(&LIB_TOOL, l, words); }

START_TEST(float_int_custom_and_static_list_default)
{
    Lib l = lib_defaults();
    const char *const words[] = {"--lambda", "0.05", "--iters", "7", "--tag", "a=1", "--tag",
                                 "b=2", "--alphas", "3,2", NULL};
    ck_assert_int_eq(run_lib(&l, words), 0);
    ck_assert(l.lambda == 0.05f);
    ck_assert_int_eq(l.iters, 7);
    ck_assert_uint_eq(l.n_tags, 2);
    ck_assert_str_eq(l.tags[1], "b=2");
    ck_assert(l.first_alpha == 3.0);
    ck_assert_ptr_null(l.alphas); /* parsed: freed after run */

    const char *const *bad[] = {
        (const char *const[]){"--tag", "nonsense", NULL},   /* the tool's parser */
        (const char *const[]){"--iters", "1001", NULL},
        (const char *const[]){"--lambda", "-1", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Lib b = lib_defaults();
        ck_assert_msg(run_lib(&b, bad[i]) == SK_EXIT_USAGE, "case %zu", i);
        ck_assert_msg(b.runs == 0, "case %zu ran", i);
    }

    /* the static default is the caller's: used, never freed */
    Lib d = lib_defaults();
    ck_assert_int_eq(run_lib(&d, (const char *const[]){NULL}), 0);
    ck_assert(d.alphas == DEFAULT_ALPHAS && d.first_alpha == 1e-6);

    StrBuf b;
    sb_init(&b);
    cli_params_json(&LIB_TOOL, &d, &b);
    sb_printf(&b, ", \"d_z\": 40");
    cli_param_json(&LIB_TOOL, &d, "alphas", &b);
    ck_assert_str_eq(b.s, "\"lambda\": 0.1, \"iters\": 100, \"d_z\": 40, \"alphas\": [1e-06, 1, 10]");
    sb_free(&b);
    sb_init(&b);
    cli_help(&LIB_TOOL, &d, &b);
    ck_assert_msg(strstr(b.s, "penalty (default: 0.1)\n") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "a column (repeatable)\n") != NULL, "%s", b.s);
    ck_assert_msg(strstr(b.s, "alphas (default: 1e-06,1,10)") != NULL, "%s", b.s);
    sb_free(&b);
    /* floats: the fewest digits that read back, in %.9g's notation */
    const float floats[] = {1e6f, 0.123456789f, 3e38f, 1e-7f, 0.0f};
    const char *const texts[] = {"\"lambda\": 1000000,", "\"lambda\": 0.12345679,",
                                 "\"lambda\": 3e+38,", "\"lambda\": 1e-07,",
                                 "\"lambda\": 0,"};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        d.lambda = floats[i];
        sb_init(&b);
        cli_params_json(&LIB_TOOL, &d, &b);
        ck_assert_msg(strncmp(b.s, texts[i], strlen(texts[i])) == 0, "%s", b.s);
        sb_free(&b);
    }

    /* --help after replacing a list shows the default, which is still alive */
    Lib h = lib_defaults();
    FILE *quiet = freopen("/dev/null", "w", stdout);
    (void)quiet;
    ck_assert_int_eq(run_lib(&h, (const char *const[]){"--alphas", "5", "--help", NULL}), 0);
    ck_assert(h.runs == 0 && DEFAULT_ALPHAS[0] == 1e-6);
}
END_TEST

static Suite *cliopts_suite(void)
{
    Suite *s = suite_create("cliopts");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, values_land_in_their_fields);
    tcase_add_test(tc, bad_usage_exits_2_without_running);
    tcase_add_test(tc, stdin_member_operand_is_not_an_option);
    tcase_add_test(tc, help_shows_live_defaults);
    tcase_add_test(tc, params_json_from_the_table);
    tcase_add_test(tc, required_each_and_args_missing);
    tcase_add_test(tc, set_long_and_long_max_range);
    tcase_add_test(tc, placed_param_goes_where_the_tool_puts_it);
    tcase_add_test(tc, empty_default_text_shows_no_default);
    tcase_add_test(tc, float_fields_parse_and_show_as_floats);
    tcase_add_test(tc, float_int_custom_and_static_list_default);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(cliopts_suite()); }
