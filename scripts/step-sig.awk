# step-sig.awk — the signature of a tool step: what, besides the sizes of its
# dataset, decides its cost. One definition for the timing log (time-step.sh)
# and the cost model (plan.sh), so the two always agree.
#   step_sig(w, n): w[1] is the tool (a path), w[2..n] its arguments. The
#   signature is the tool's name and the arguments that are options of the
#   method (--lambda 0.1 --iters 100, --variant topk, --epochs 500, ...);
#   paths (a word with '/'), '-', the seed, the tags and the dataset's own
#   parameters (--dz, --k, --p, --dy, --width: the cost model reads sizes from
#   the dataset's name) are left out, so every seed and every d_z of one
#   configuration share it.
# Run by itself (awk -v sig_main=1 -f step-sig.awk -- TOOL ARG...), it prints
# the signature of its arguments.
function step_sig(w, n,    i, s, t, skip) {
    s = w[1]; sub(/.*\//, "", s)
    for (i = 2; i <= n; i++) {
        t = w[i]
        if (t ~ /^(--seed|--tag|--dz|--k|--p|--dy|--width|-o|--data|--dict|--bias|--model|--codes|--init|--truth|--track-dict|--snapshots)$/) { i++; continue }
        if (t == "-" || t ~ /\//) continue
        s = s " " t
    }
    return s
}
BEGIN {
    if (sig_main) {
        for (i = 1; i < ARGC; i++) w[i] = ARGV[i]
        print step_sig(w, ARGC - 1)
        exit
    }
}
