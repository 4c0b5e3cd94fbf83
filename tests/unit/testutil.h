/* testutil.h — helpers shared by the Check suites. Fixtures are read from
 * $SK_FIXTURES (set by tests/run-all.sh) or tests/fixtures. */
#ifndef SK_TESTUTIL_H
#define SK_TESTUTIL_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mat.h"
#include "npz.h"

static inline const char *fixture_path(const char *name, char *buf, size_t cap)
{
    const char *dir = getenv("SK_FIXTURES");
    snprintf(buf, cap, "%s/%s", dir && *dir ? dir : "tests/fixtures", name);
    return buf;
}

/* Load a fixture archive; fails the test on error. */
static inline void fixture_load(const char *name, Npz *out)
{
    char path[1024];
    SkErr err = {{0}};
    int rc = npz_load(fixture_path(name, path, sizeof path), out, &err);
    ck_assert_msg(rc == 0, "loading fixture %s: %s", path, err.msg);
}

/* Member of a loaded fixture as a float32 matrix. */
static inline Mat fixture_mat(const Npz *npz, const char *member)
{
    const NpyArray *a = npz_get(npz, member);
    ck_assert_msg(a != NULL, "fixture has no member %s", member);
    Mat m;
    SkErr err = {{0}};
    ck_assert_msg(npy_to_mat(a, &m, &err) == 0, "%s: %s", member, err.msg);
    return m;
}

/* Scalar member as double. */
static inline double fixture_scalar(const Npz *npz, const char *member)
{
    const NpyArray *a = npz_get(npz, member);
    ck_assert_msg(a != NULL, "fixture has no member %s", member);
    double *v;
    SkErr err = {{0}};
    ck_assert_msg(npy_to_doubles(a, &v, &err) == 0, "%s: %s", member, err.msg);
    double x = v[0];
    free(v);
    return x;
}

/* Assert |got - want| <= atol + rtol*|want| elementwise over n values. */
#define assert_close_f(got, want, n, rtol, atol, what)                                 \
    do {                                                                               \
        for (size_t i_ = 0; i_ < (size_t)(n); i_++) {                                  \
            double g_ = (got)[i_], w_ = (want)[i_];                                    \
            ck_assert_msg(fabs(g_ - w_) <= (atol) + (rtol) * fabs(w_),                 \
                          "%s[%zu]: got %.9g want %.9g", (what), i_, g_, w_);          \
        }                                                                              \
    } while (0)

/* Run one suite; returns the process exit status (0 = all passed). */
static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

#endif
