/* test_atomic.c — atomic outputs under signals: a process killed by SIGTERM,
 * SIGINT or SIGHUP while it writes (a scheduler's time limit, Ctrl-C) dies of
 * that signal and leaves neither the target nor its hidden temporary file;
 * committed files stay; signals that were ignored stay ignored. Each case runs
 * in a forked child that signals itself. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic.h"
#include "npz.h"
#include "testutil.h"

static void make_temp_dir(char *dir, size_t cap)
{
    const char *base = getenv("SK_TMP");
    snprintf(dir, cap, "%s/atomic.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp failed");
}

/* Names in dir, space-separated, sorted by readdir order; "" when empty. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    out[0] = '\0';
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            strncat(out, e->d_name, cap - strlen(out) - 2);
            strcat(out, " ");
        }
    if (d)
        closedir(d);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1200];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* In a child: commit "done.tsv", then open "text.tsv" (atomic_open) and
 * "codes.npz" (npz writer) and, with both temporaries on disk, raise sig. */
static void child_write_and_die(const char *dir, int sig)
{
    char path[1100];
    SkErr err = {{0}};
    AtomicFile a;
    snprintf(path, sizeof path, "%s/done.tsv", dir);
    if (atomic_open(&a, path, &err) || fputs("x\n", a.f) < 0 || atomic_commit(&a, &err))
        _exit(90);
    snprintf(path, sizeof path, "%s/text.tsv", dir);
    if (atomic_open(&a, path, &err) || fputs("partial\n", a.f) < 0 || fflush(a.f))
        _exit(91);
    snprintf(path, sizeof path, "%s/codes.npz", dir);
    NpzWriter *w = npz_create(path, 1, &err);
    if (!w)
        _exit(92);
    raise(sig);
    _exit(93); /* not reached when the signal kills */
}

START_TEST(test_signal_removes_temporaries)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    int sig = sigs[_i];
    char dir[1024], names[4096];
    make_temp_dir(dir, sizeof dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(sig, SIG_DFL);
        child_write_and_die(dir, sig);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig,
                  "child should die of signal %d (status %#x)", sig, status);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "done.tsv ");
    remove_dir(dir);
}
END_TEST

/* An ignored signal stays ignored: the child survives it and commits. */
START_TEST(test_ignored_signal_stays_ignored)
{
    char dir[1024], names[4096], path[1100];
    make_temp_dir(dir, sizeof dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        SkErr err = {{0}};
        AtomicFile a;
        snprintf(path, sizeof path, "%s/out.tsv", dir);
        if (atomic_open(&a, path, &err))
            _exit(91);
        raise(SIGTERM);
        struct sigaction now;
        sigaction(SIGTERM, NULL, &now);
        if (now.sa_handler != SIG_IGN)
            _exit(92);
        _exit(fputs("y\n", a.f) < 0 || atomic_commit(&a, &err) ? 93 : 0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "out.tsv ");
    remove_dir(dir);
}
END_TEST

/* Many files opened and committed or aborted in turn: the table of pending
 * temporaries never fills, and a later signal still removes the open one. */
START_TEST(test_many_files_then_signal)
{
    char dir[1024], names[4096], path[1100];
    make_temp_dir(dir, sizeof dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        SkErr err = {{0}};
        AtomicFile a;
        for (int i = 0; i < 100; i++) {
            snprintf(path, sizeof path, "%s/f%d.tsv", dir, i % 2);
            if (atomic_open(&a, path, &err))
                _exit(91);
            if (i % 2)
                atomic_abort(&a);
            else if (atomic_commit(&a, &err))
                _exit(92);
        }
        snprintf(path, sizeof path, "%s/last.tsv", dir);
        if (atomic_open(&a, path, &err))
            _exit(93);
        raise(SIGTERM);
        _exit(94);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "child status %#x", status);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "f0.tsv ");
    remove_dir(dir);
}
END_TEST

Suite *atomic_suite(void)
{
    Suite *s = suite_create("atomic");
    TCase *tc = tcase_create("atomic");
    tcase_add_loop_test(tc, test_signal_removes_temporaries, 0, 3);
    tcase_add_test(tc, test_ignored_signal_stays_ignored);
    tcase_add_test(tc, test_many_files_then_signal);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(atomic_suite()); }
