/* test_fuzz_replay.c — replay the fuzzing corpora through the libFuzzer
 * harness's own checks, built with the normal compiler (no libFuzzer):
 *   fuzz/regressions   inputs that once broke an invariant (must now hold);
 *   fuzz/corpus        the seed corpus (NumPy files, our files, fixtures).
 * Each input goes through fuzz_npz_check (fuzz/fuzz_npz.c): npz_parse on the
 * whole input, then "SPEC\nARCHIVE" lookups; every call must succeed or fail
 * with a one-line message; never crash (ASan checks under make check SANITIZE=1).
 * The seeds also have known outcomes, so the replay can fail on a regression
 * that breaks reading a good file. */
#define FUZZ_NO_MAIN
#include "../../fuzz/fuzz_npz.c"

#include <dirent.h>

#include "testutil.h"

static const char *fuzz_root(void)
{
    const char *root = getenv("SK_ROOT");
    return root && *root ? root : ".";
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
        ck_assert_ptr_nonnull(buf);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Run the harness checks on every regular file of fuzz/<dir>; returns the count. */
static size_t replay_dir(const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/fuzz/%s", fuzz_root(), dir);
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "cannot open %s", path);
    size_t count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, ent->d_name);
        size_t len;
        uint8_t *buf = read_all(file, &len);
        SkErr why = {{0}};
        int rc = fuzz_npz_check(buf, len, &why);
        free(buf);
        ck_assert_msg(rc == 0, "%s: %s", file, why.msg);
        count++;
    }
    closedir(d);
    return count;
}

START_TEST(test_regressions_replay)
{
    size_t n = replay_dir("regressions");
    ck_assert_msg(n >= 1, "fuzz/regressions is empty");
}
END_TEST

START_TEST(test_corpus_replay)
{
    size_t n = replay_dir("corpus");
    ck_assert_msg(n >= 10, "fuzz/corpus has only %zu files", n);
}
END_TEST

/* Seeds with a known outcome: NULL = parses, else a piece of the error. */
START_TEST(test_corpus_outcomes)
{
    static const struct {
        const char *file, *error;
        size_t arrays;
    } cases[] = {
        {"gen_small.npz", NULL, 7},
        {"gen_stored.npz", NULL, 7},
        {"np_f4.npy", NULL, 1},
        {"np_v2.npy", NULL, 1},
        {"np_empty.npy", NULL, 1},
        {"np_savez.npz", NULL, 3},
        {"np_savez_compressed.npz", NULL, 2},
        {"np_zip64.npz", NULL, 1},
        {"fista.npz", NULL, 10},
        {"np_fortran.npy", "Fortran-order arrays are not supported", 0},
        {"np_bigendian.npy", "big-endian dtype '>f4' is not supported", 0},
        {"np_c8.npy", "unsupported dtype '<c8'", 0},
        {"spec_member.npz", "not a .npz or .npy file", 0},
        {"sparse_ok.npz", NULL, 1},   /* four CSR members fold into one matrix */
        {"sparse_bad_indptr.npz", "breaks the row offsets", 0},
        {"sparse_bad_index.npz", "column 5 out of range", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/fuzz/corpus/%s", fuzz_root(), cases[i].file);
        size_t len;
        uint8_t *buf = read_all(path, &len);
        Npz npz;
        SkErr err = {{0}};
        int rc = npz_parse(buf, len, &npz, &err);
        free(buf);
        if (cases[i].error) {
            ck_assert_msg(rc != 0, "%s parsed but should not", cases[i].file);
            ck_assert_msg(strstr(err.msg, cases[i].error), "%s: '%s' lacks '%s'", cases[i].file,
                          err.msg, cases[i].error);
        } else {
            ck_assert_msg(rc == 0, "%s: %s", cases[i].file, err.msg);
            ck_assert_uint_eq(npz.count, cases[i].arrays);
            npz_free(&npz);
        }
    }
}
END_TEST

/* The first regression: a header key holding a newline made a two-line message. */
START_TEST(test_control_characters_refused)
{
    static const char header[] = "{'de\nscr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    uint8_t buf[128] = "\x93NUMPY\x01\x00";
    size_t hlen = sizeof header - 1;
    buf[8] = (uint8_t)hlen;
    buf[9] = 0;
    memcpy(buf + 10, header, hlen);
    memset(buf + 10 + hlen, 0, 4);
    Npz npz;
    SkErr err = {{0}};
    ck_assert_int_ne(npz_parse(buf, 10 + hlen + 4, &npz, &err), 0);
    ck_assert_msg(strstr(err.msg, "bad .npy header") && !strchr(err.msg, '\n'), "got '%s'",
                  err.msg);
}
END_TEST

Suite *fuzz_replay_suite(void)
{
    Suite *s = suite_create("fuzz_replay");
    TCase *tc = tcase_create("fuzz_replay");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_regressions_replay);
    tcase_add_test(tc, test_corpus_replay);
    tcase_add_test(tc, test_corpus_outcomes);
    tcase_add_test(tc, test_control_characters_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(fuzz_replay_suite()); }
