#include "err.h"

#include <stdio.h>
#include <string.h>

int sk_fail(SkErr *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int sk_prefix(SkErr *err, const char *prefix)
{
    if (err) {
        /* Shift the old message right to make room for "prefix: ". */
        size_t cap = sizeof err->msg, plen = strlen(prefix) + 2;
        if (plen >= cap)
            plen = cap - 1;
        size_t keep = strnlen(err->msg, cap - 1);
        if (keep > cap - 1 - plen)
            keep = cap - 1 - plen;
        memmove(err->msg + plen, err->msg, keep);
        err->msg[plen + keep] = '\0';
        memcpy(err->msg, prefix, plen - 2);
        err->msg[plen - 2] = ':';
        err->msg[plen - 1] = ' ';
    }
    return -1;
}
