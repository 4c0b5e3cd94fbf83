/* err.h — error reporting for library code: functions never print or exit;
 * they fill an SkErr with one line of text and return non-zero. */
#ifndef SK_ERR_H
#define SK_ERR_H

#include <stdarg.h>

typedef struct {
    char msg[512];
} SkErr;

/* Format a message into err (if err is not NULL); returns -1 so callers can
 * write `return sk_fail(err, "...")`. */
int sk_fail(SkErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the existing message with "prefix: " (e.g. a file name). */
int sk_prefix(SkErr *err, const char *prefix);

#endif
