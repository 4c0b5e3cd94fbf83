/* cli helpers: number parsing, JSON metadata building and lookup. */
#include "cli.h"
#include "testutil.h"

#include <getopt.h>
#include <string.h>

START_TEST(parse_numbers_and_reject_junk)
{
    SkErr err;
    long v;
    double d;
    ck_assert_int_eq(cli_parse_long("--k", "10", 1, 100, &v, &err), 0);
    ck_assert_int_eq(v, 10);
    ck_assert_int_ne(cli_parse_long("--k", "10x", 1, 100, &v, &err), 0);
    ck_assert_int_ne(cli_parse_long("--k", "", 1, 100, &v, &err), 0);
    ck_assert_int_ne(cli_parse_long("--k", "0", 1, 100, &v, &err), 0);
    ck_assert(strstr(err.msg, "--k") != NULL);
    ck_assert_int_eq(cli_parse_double("--lambda", "1e-3", 0, 10, &d, &err), 0);
    ck_assert_double_eq(d, 1e-3);
    ck_assert_int_ne(cli_parse_double("--lambda", "nan", 0, 10, &d, &err), 0);
    ck_assert_int_ne(cli_parse_double("--lambda", "inf", 0, 1e300, &d, &err), 0);
    ck_assert_int_ne(cli_parse_double("--lambda", "-1", 0, 10, &d, &err), 0);
    uint64_t u;
    ck_assert_int_eq(cli_parse_u64("--seed", "18446744073709551615", &u, &err), 0);
    ck_assert_uint_eq(u, UINT64_MAX);
    ck_assert_int_ne(cli_parse_u64("--seed", "-1", &u, &err), 0);
    long *list;
    size_t n;
    ck_assert_int_eq(cli_parse_long_list("--snapshots", "0,1,2,500", &list, &n, &err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(list[3], 500);
    free(list);
    ck_assert_int_ne(cli_parse_long_list("--snapshots", "1,,x", &list, &n, &err), 0);
}
END_TEST

START_TEST(meta_round_trip)
{
    StrBuf inner, meta;
    sb_init(&inner);
    sb_init(&meta);
    meta_add_input(&inner, "data", "{\"tool\": \"gen-data\", \"params\": {\"k\": 10, \"dz\": 100}}\n");
    meta_add_input(&inner, "junk", "{not json");
    char *argv[] = {"fista", "--lambda", "0.1", "quote\"d"};
    meta_build(&meta, "fista", 4, argv, true, 7, "\"lambda\": 0.1", inner.s);
    ck_assert(!meta.failed);
    double x;
    ck_assert_int_eq(json_get_number(meta.s, "seed", &x), 0);
    ck_assert_double_eq(x, 7);
    ck_assert_int_eq(json_get_number(meta.s, "params.lambda", &x), 0);
    ck_assert_double_eq(x, 0.1);
    ck_assert_int_eq(json_get_number(meta.s, "inputs.data.params.k", &x), 0);
    ck_assert_double_eq(x, 10);
    ck_assert_int_ne(json_get_number(meta.s, "inputs.data.params.p", &x), 0);
    ck_assert_int_ne(json_get_number(meta.s, "tool", &x), 0);
    ck_assert(strstr(meta.s, "\"junk\": null") != NULL);

    sb_free(&inner);
    sb_free(&meta);
}
END_TEST

START_TEST(json_lookup_survives_malformed_text)
{
    double x;
    const char *bad[] = {"", "{", "{\"a\"", "{\"a\":", "{\"a\": {\"b\": ", "[1,2", "{\"a\" 1}", "\"x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_ne(json_get_number(bad[i], "a.b", &x), 0);
    ck_assert_int_eq(json_get_number("{\"s\": \"a\\\"}\", \"a\": [1, {\"b\": 2}], \"b\": -3.5e1}", "b", &x), 0);
    ck_assert_double_eq(x, -35);
}
END_TEST

static const struct option OPTS[] = {{"dict", required_argument, 0, 'd'},
                                     {"verbose", no_argument, 0, 'v'},
                                     {0, 0, 0, 0}};

/* Join argv with spaces for easy comparison. */
static void joined(char **argv, int argc, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; i < argc; i++) {
        strncat(buf, argv[i], cap - strlen(buf) - 1);
        if (i + 1 < argc)
            strncat(buf, " ", cap - strlen(buf) - 1);
    }
}

START_TEST(stdin_specs_move_behind_dashes)
{
    char buf[256];
    int n;
    char *a1[] = {"fista", "--dict", "-:A", "-:Y_val", "-o", "out", NULL};
    char **r = cli_protect_stdin_specs(6, a1, "o:v", OPTS, &n);
    joined(r, n, buf, sizeof buf);
    ck_assert_str_eq(buf, "fista --dict -:A -o out -- -:Y_val");
    ck_assert_ptr_null(r[n]);
    free(r);
    char *a2[] = {"t", "-o", "-:x", "-v", "-:y", "--", "-:z", NULL};  /* -o takes -:x as its value */
    r = cli_protect_stdin_specs(7, a2, "o:v", OPTS, &n);
    joined(r, n, buf, sizeof buf);
    ck_assert_str_eq(buf, "t -o -:x -v -- -:y -:z");
    free(r);
    char *a3[] = {"t", "--verbose", "plain", "--dict=-:A", NULL};     /* nothing to move */
    r = cli_protect_stdin_specs(4, a3, "o:v", OPTS, &n);
    joined(r, n, buf, sizeof buf);
    ck_assert_str_eq(buf, "t --verbose plain --dict=-:A");
    free(r);
}
END_TEST

START_TEST(json_strings_are_escaped)
{
    StrBuf b;
    sb_init(&b);
    sb_json_string(&b, "a\"b\\c\n\x01");
    ck_assert_str_eq(b.s, "\"a\\\"b\\\\c\\n\\u0001\"");
    sb_free(&b);
}
END_TEST

START_TEST(error_prefix_keeps_message)
{
    SkErr err;
    sk_fail(&err, "truncated file");
    sk_prefix(&err, "data.npz");
    ck_assert_str_eq(err.msg, "data.npz: truncated file");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parse_numbers_and_reject_junk);
    tcase_add_test(tc, meta_round_trip);
    tcase_add_test(tc, json_lookup_survives_malformed_text);
    tcase_add_test(tc, stdin_specs_move_behind_dashes);
    tcase_add_test(tc, json_strings_are_escaped);
    tcase_add_test(tc, error_prefix_keeps_message);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
