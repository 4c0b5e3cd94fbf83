#define _POSIX_C_SOURCE 200809L
#include "atomic.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- temporary files removed on SIGINT, SIGTERM, SIGHUP ----
 * A scheduler's time limit or pre-emption (SIGTERM), a closed terminal
 * (SIGHUP) and Ctrl-C (SIGINT) would otherwise leave ".NAME.tmp.XXXXXX"
 * behind. The handler only reads this table and calls unlink, sigaction and
 * raise (async-signal-safe), then dies of the same signal, so the parent sees
 * what it would have seen without the handler. A slot is FREE, being FILLED
 * (ignored by the handler) or READY; slots change state atomically. A name
 * removed or renamed away is forgotten after the fact, so a signal in between
 * only unlinks a name that no longer exists. Signals that are ignored (e.g. a
 * background job's SIGINT) stay ignored, and another handler is kept. */
enum { SLOT_FREE, SLOT_FILLED, SLOT_READY, PENDING_MAX = 32 };
static char pending_path[PENDING_MAX][PATH_MAX];
static volatile sig_atomic_t pending_state[PENDING_MAX];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_pending_and_die(int sig)
{
    for (int i = 0; i < PENDING_MAX; i++)
        if (pending_state[i] == SLOT_READY)
            unlink(pending_path[i]);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig); /* blocked while we run: delivered, fatally, on return */
}

static void install_cleanup_handlers(void)
{
    static int installed;
    if (__atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL))
        return;
    for (size_t k = 0; k < sizeof cleanup_signals / sizeof *cleanup_signals; k++) {
        struct sigaction old;
        if (sigaction(cleanup_signals[k], NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO))
            continue;
        struct sigaction sa = {.sa_handler = remove_pending_and_die};
        sigfillset(&sa.sa_mask); /* no other cleanup signal interrupts the loop */
        sigaction(cleanup_signals[k], &sa, NULL);
    }
}

void atomic_remember_temp(const char *tmp_path)
{
    if (strlen(tmp_path) >= PATH_MAX)
        return; /* not removed on a signal; still hidden */
    install_cleanup_handlers();
    for (int i = 0; i < PENDING_MAX; i++) {
        sig_atomic_t expect = SLOT_FREE;
        if (__atomic_compare_exchange_n(&pending_state[i], &expect, SLOT_FILLED, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            strcpy(pending_path[i], tmp_path);
            __atomic_store_n(&pending_state[i], SLOT_READY, __ATOMIC_RELEASE);
            return;
        }
    }
}

void atomic_forget_temp(const char *tmp_path)
{
    for (int i = 0; i < PENDING_MAX; i++)
        if (__atomic_load_n(&pending_state[i], __ATOMIC_ACQUIRE) == SLOT_READY &&
            strcmp(pending_path[i], tmp_path) == 0) {
            __atomic_store_n(&pending_state[i], SLOT_FREE, __ATOMIC_RELEASE);
            return;
        }
}

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
    /* No cleanup signal between creating the file and remembering it. */
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t k = 0; k < sizeof cleanup_signals / sizeof *cleanup_signals; k++)
        sigaddset(&block, cleanup_signals[k]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int fd = mkstemp(*tmp_path);
    int e = errno;
    if (fd >= 0)
        atomic_remember_temp(*tmp_path);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        free(*tmp_path);
        *tmp_path = NULL;
        return sk_fail(err, "cannot create a temporary file beside it: %s", strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    *f = fdopen(fd, "w+b");
    if (!*f) {
        e = errno;
        close(fd);
        unlink(*tmp_path);
        atomic_forget_temp(*tmp_path);
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
    atomic_forget_temp(a->tmp_path);
    free(a->tmp_path);
    free(a->final_path);
    *a = (AtomicFile){0};
    return 0;
}

void atomic_abort(AtomicFile *a)
{
    if (a->f && a->final_path)
        fclose(a->f);
    if (a->tmp_path) {
        unlink(a->tmp_path);
        atomic_forget_temp(a->tmp_path);
    }
    free(a->tmp_path);
    free(a->final_path);
    *a = (AtomicFile){0};
}
