/* sparsekit — the front door: `sparsekit TOOL [ARGS]` runs the sparsekit tool
 * TOOL that sits in the same folder as this binary (found through
 * /proc/self/exe, so an installed sparsekit runs the installed tools and
 * bin/sparsekit of a checkout runs that checkout's), with ARGS unchanged.
 * It exists so that a shell user can type `sparsekit eval ...`: `eval` alone
 * is the shell's builtin. Every tool also works under its own name.
 *
 * Only the tools listed in TOOLS run (never another program that happens to
 * share the folder, e.g. /usr/bin); a test checks that TOOLS names every
 * tools/TOOL.c. Its one-line purposes are also the NAME lines of the manual
 * pages (help2man --name, from `sparsekit --list`).
 *
 * Exit status: that of TOOL; 2 for bad usage (no tool, an unknown tool or
 * option); 127 when TOOL is not installed beside sparsekit, 126 when it cannot
 * be run (the convention of env(1) and the shells). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *PROG = "sparsekit";

typedef struct {
    const char *name;
    const char *purpose;
} Tool;

/* In the order of the README's table. */
static const Tool TOOLS[] = {
    {"gen-data", "draw the synthetic compositional-generalisation dataset"},
    {"fista", "non-negative FISTA sparse codes against a fixed dictionary"},
    {"dl-fista", "dictionary learning: FISTA codes and a ridge dictionary update"},
    {"learn-dict", "dictionary learning beyond DL-FISTA, and the true-code limit"},
    {"softplus-adam", "learn a dictionary and softplus codes jointly with Adam"},
    {"lista", "train unrolled ISTA (LISTA) with a fixed dictionary"},
    {"train-sae", "train a sparse autoencoder, or encode with a trained one"},
    {"probe", "the ridge linear probe from observations to latents"},
    {"freeze-decoder", "a trained SAE's decoder as a fixed dictionary for FISTA"},
    {"support-refit", "least-squares magnitudes on an SAE's own support"},
    {"warm-start", "MCC(OOD) of surgeries warm-started from an SAE vs cold starts"},
    {"eval", "score codes against the true latents: one TSV row of metrics"},
    {"mat-info", "describe the arrays and provenance of .npz/.npy files"},
    {"mat-print", "print one array of a .npz/.npy file as text"},
};
enum { N_TOOLS = sizeof TOOLS / sizeof TOOLS[0] };

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s TOOL [ARGS]...\n"
            "Run the sparsekit tool TOOL (installed beside %s) with ARGS; e.g.\n"
            "'%s eval --data d.npz --codes c.npz', since 'eval' alone is the shell's\n"
            "builtin. Every tool also runs under its own name; 'TOOL --help' shows its\n"
            "options. Exit status: TOOL's; 2 for bad usage, 127 when TOOL is missing.\n\n"
            "Tools:\n",
            PROG, PROG, PROG);
    for (int i = 0; i < N_TOOLS; i++)
        fprintf(f, "  %-15s %s\n", TOOLS[i].name, TOOLS[i].purpose);
    fprintf(f,
            "\nOptions:\n"
            "  --list        print each tool's name and purpose, tab-separated\n"
            "  -h, --help    show this help\n"
            "  --version     show the version\n");
}

static const Tool *find_tool(const char *name)
{
    for (int i = 0; i < N_TOOLS; i++)
        if (strcmp(TOOLS[i].name, name) == 0)
            return &TOOLS[i];
    return NULL;
}

/* The folder of the running binary (symlinks resolved by the kernel), into
 * dir (size n); 0 on success. */
static int self_dir(char *dir, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    if (len <= 0 || (size_t)len >= n - 1)
        return -1;
    dir[len] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    return 0;
}

/* Replace this process by DIR/TOOL ARGS; returns an exit status on failure. */
static int run_tool(const Tool *t, char **args)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    if (self_dir(dir, sizeof dir) != 0) {
        SkErr err;
        sk_fail(&err, "/proc/self/exe: cannot find the folder of the tools: %s", strerror(errno));
        return cli_error(PROG, 127, &err);
    }
    snprintf(path, sizeof path, "%s/%s", dir, t->name);
    args[0] = (char *)t->name;
    execv(path, args);
    int e = errno;
    SkErr err;
    sk_fail(&err, "%s: cannot run: %s", path, strerror(e));
    return cli_error(PROG, e == ENOENT ? 127 : 126, &err);
}

int main(int argc, char **argv)
{
    SkErr err;
    if (argc < 2) {
        sk_fail(&err, "no tool given: 'sparsekit TOOL [ARGS]' ('sparsekit --help' lists them)");
        return cli_error(PROG, SK_EXIT_USAGE, &err);
    }
    const char *first = argv[1];
    if (strcmp(first, "-h") == 0 || strcmp(first, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(first, "--version") == 0) {
        printf("%s %s\n", PROG, SK_VERSION);
        return 0;
    }
    if (strcmp(first, "--list") == 0) {
        for (int i = 0; i < N_TOOLS; i++)
            printf("%s\t%s\n", TOOLS[i].name, TOOLS[i].purpose);
        return 0;
    }
    if (first[0] == '-') {
        sk_fail(&err, "unknown option '%s' ('sparsekit --help' lists tools and options)", first);
        return cli_error(PROG, SK_EXIT_USAGE, &err);
    }
    const Tool *t = find_tool(first);
    if (t == NULL) {
        sk_fail(&err, "'%s' is not a sparsekit tool ('sparsekit --help' lists them)", first);
        return cli_error(PROG, SK_EXIT_USAGE, &err);
    }
    return run_tool(t, argv + 1);
}
