/* cliopts: a declared option table parsed by cli_main — values of every type
 * land in their fields, ranges and required options are enforced (exit 2),
 * lists are sorted sets, operands are counted, --help shows the live
 * defaults, and meta.json's params come from the same table. */
#include "cliopts.h"
#include "testutil.h"

#include <stddef.h>
#include <string.h>

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

/* cli_main over a NULL-terminated word list (argv[0] added). */
static int run_words(Opts *o, const char *const *words)
{
    char *argv[32] = {"demo"};
    int argc = 1;
    for (; words[argc - 1]; argc++)
        argv[argc] = (char *)words[argc - 1];
    argv[argc] = NULL;
    FILE *quiet = freopen("/dev/null", "w", stderr);
    (void)quiet;
    return cli_main(&TOOL, o, argc, argv);
}

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

static int run_lib(Lib *l, const char *const *words)
{
    char *argv[32] = {"lib"};
    int argc = 1;
    for (; words[argc - 1]; argc++)
        argv[argc] = (char *)words[argc - 1];
    argv[argc] = NULL;
    FILE *quiet = freopen("/dev/null", "w", stderr);
    (void)quiet;
    return cli_main(&LIB_TOOL, l, argc, argv);
}

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
    tcase_add_test(tc, float_int_custom_and_static_list_default);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(cliopts_suite()); }
