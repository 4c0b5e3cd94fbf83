#define _POSIX_C_SOURCE 200809L
#include "atomic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "dir/name" -> "dir/.name.tmp.XXXXXX" */
static char *temp_name_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_len;
    size_t cap = strlen(path) + 16;
    char *t = malloc(cap);
    if (t)
        snprintf(t, cap, "%.*s.%s.tmp.XXXXXX", (int)dir_len, path, base);
    return t;
}

int atomic_create_temp(const char *path, char **tmp_path, FILE **f, SkErr *err)
{
    *f = NULL;
    *tmp_path = temp_name_for(path);
    if (!*tmp_path)
        return sk_fail(err, "out of memory");
    int fd = mkstemp(*tmp_path);
    if (fd < 0) {
        int e = errno;
        free(*tmp_path);
        *tmp_path = NULL;
        return sk_fail(err, "cannot create a temporary file beside it: %s", strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    *f = fdopen(fd, "w+b");
    if (!*f) {
        int e = errno;
        close(fd);
        unlink(*tmp_path);
        free(*tmp_path);
        *tmp_path = NULL;
        return sk_fail(err, "cannot open a temporary file: %s", strerror(e));
    }
    return 0;
}

bool atomic_is_special(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

int atomic_open(AtomicFile *a, const char *path, SkErr *err)
{
    *a = (AtomicFile){0};
    if (strcmp(path, "-") == 0) {
        a->f = stdout;
        return 0;
    }
    a->final_path = strdup(path);
    if (!a->final_path)
        return sk_fail(err, "%s: out of memory", path);
    if (atomic_is_special(path)) {
        a->f = fopen(path, "w");
        if (!a->f) {
            int e = errno;
            atomic_abort(a);
            return sk_fail(err, "%s: cannot open: %s", path, strerror(e));
        }
        return 0;
    }
    if (atomic_create_temp(path, &a->tmp_path, &a->f, err)) {
        sk_prefix(err, path);
        atomic_abort(a);
        return -1;
    }
    return 0;
}

int atomic_commit(AtomicFile *a, SkErr *err)
{
    if (!a->final_path) {
        int bad = fflush(a->f) != 0 || ferror(a->f);
        a->f = NULL;
        return bad ? sk_fail(err, "stdout: write error: %s", strerror(errno)) : 0;
    }
    if (!a->tmp_path) { /* a special file written directly */
        int bad = fflush(a->f) != 0 || ferror(a->f);
        int e = errno;
        bad |= fclose(a->f) != 0;
        a->f = NULL;
        if (bad)
            sk_fail(err, "%s: write error: %s", a->final_path, strerror(e));
        free(a->final_path);
        a->final_path = NULL;
        return bad ? -1 : 0;
    }
    int bad = fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0;
    int e = errno;
    bad |= fclose(a->f) != 0;
    a->f = NULL;
    if (bad || rename(a->tmp_path, a->final_path) != 0) {
        if (!bad)
            e = errno;
        sk_fail(err, "%s: cannot write: %s", a->final_path, strerror(e));
        atomic_abort(a);
        return -1;
    }
    free(a->tmp_path);
    free(a->final_path);
    *a = (AtomicFile){0};
    return 0;
}

void atomic_abort(AtomicFile *a)
{
    if (a->f && a->final_path)
        fclose(a->f);
    if (a->tmp_path)
        unlink(a->tmp_path);
    free(a->tmp_path);
    free(a->final_path);
    *a = (AtomicFile){0};
}
