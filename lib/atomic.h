/* atomic.h — text outputs written atomically: a temporary file in the target's
 * own folder, renamed into place on commit, so a failed or interrupted run never
 * leaves a file that looks complete. "-" means stdout. A target that exists
 * and is not a regular file (/dev/null, a FIFO) is written directly: renaming
 * over it would replace the device. */
#ifndef SK_ATOMIC_H
#define SK_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;          /* write here */
    char *final_path; /* NULL for stdout */
    char *tmp_path;   /* NULL for stdout and for a special target written directly */
} AtomicFile;

/* True when path exists and is not a regular file (a device, FIFO, socket). */
bool atomic_is_special(const char *path);

int atomic_open(AtomicFile *a, const char *path, SkErr *err);

/* The mechanism under atomic_open (also used by the .npz writer): create
 * "DIR/.NAME.tmp.XXXXXX" beside path, opened "w+b", with the permissions a
 * plain fopen would give (mkstemp's are 0600). *tmp_path is malloc'ed. */
int atomic_create_temp(const char *path, char **tmp_path, FILE **f, SkErr *err);
/* The temporary files of atomic_create_temp are removed if the process dies
 * of SIGINT, SIGTERM or SIGHUP (whose default action was in place) before
 * they are renamed or removed; a writer that renames or removes one itself
 * (the .npz writer) forgets it afterwards. Forgetting a name never remembered
 * does nothing. */
void atomic_remember_temp(const char *tmp_path);
void atomic_forget_temp(const char *tmp_path);
/* Flush, fsync and rename; closes. */
int atomic_commit(AtomicFile *a, SkErr *err);
/* Close and remove the temporary file. Safe to call twice. */
void atomic_abort(AtomicFile *a);

#endif
