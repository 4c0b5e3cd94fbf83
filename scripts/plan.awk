# plan.awk — the cost model behind scripts/plan.sh (make plan) and the
# progress lines' totals and ETA (mk/progress.mk). Needs step-sig.awk (-f).
#
# Inputs, in order, each file announced by its name:
#   RECORDS files (timing-log format, see scripts/time-step.sh): the shipped
#     measurements (experiments/costs.tsv, src "shipped") and the build's
#     timing log (src "log"; the last record of each target). Only records
#     with a CPU time and a signature (9 columns) and exit status 0 count.
#   DRY-RUN files ("GOAL<TAB>" prepended to each line of `make -n V=1 GOAL`):
#     every line that runs scripts/time-step.sh (a tool step),
#     scripts/draw.sh (a figure) or scripts/report.sh (the report) is a step.
# Output: one line per step,
#   goal  target  tool  kind  est_cpu_s  est_rss_kib  basis
# basis: how the estimate was made, best first:
#   log      records of the timing log with the step's kind and signature
#   shipped  experiments/costs.tsv records with its kind and signature
#   tool     records of the same tool and signature (another kind of target)
#   kind     records of the same kind with other options (less reliable)
#   guess    no record of the tool at all (1 s, 100 MiB)
# Within the records chosen, the estimate is the mean of the records nearest
# in size (d_z, p, k) scaled by (d_z/d_z_r)^b (p/p_r)^c, b and c fitted by
# least squares on log cost over those records when their sizes vary (fit).
function basename_of(path) { sub(/.*\//, "", path); return path }
function kind_of(target, tool,    b) {
    if (tool == "eval") return "eval row"
    b = basename_of(target)
    if (b ~ /^dz[0-9]+_k[0-9]+_p[0-9]+(_dy[0-9]+)?_s[0-9]+\.npz$/) return "dataset"
    gsub(/lam[0-9.e-]+\./, "lam*.", b)
    return b
}
function sizes_of(target,    s, a, n, i) {   # sets DZ, K, P (1 when absent)
    DZ = 1; K = 1; P = 1
    if (!match(target, /dz[0-9]+_k[0-9]+_p[0-9]+(_dy[0-9]+)?_s[0-9]+/)) return
    s = substr(target, RSTART, RLENGTH); n = split(s, a, "_")
    for (i = 1; i <= n; i++) {
        if (a[i] ~ /^dz/) DZ = substr(a[i], 3) + 0
        else if (a[i] ~ /^k/) K = substr(a[i], 2) + 0
        else if (a[i] ~ /^p/) P = substr(a[i], 2) + 0
    }
}
function add_record(target, tool, cpu, rss, sig, src,    r, kd) {
    r = ++NR_REC
    kd = kind_of(target, tool)
    sizes_of(target)
    rdz[r] = DZ; rk[r] = K; rp[r] = P; rcpu[r] = cpu; rrss[r] = rss; rsrc[r] = src
    add_to("ks" SUBSEP kd SUBSEP sig, r); add_to("ts" SUBSEP tool SUBSEP sig, r)
    add_to("k" SUBSEP kd, r); add_to("t" SUBSEP tool, r)
}
function add_to(key, r) { members[key] = members[key] " " r }
# fit(key): exponents of d_z and p for cpu (FB, FC) and memory (FBM, FCM),
# fitted by least squares on the logs over the records of key. CPU times
# under 0.05 s are left out of the CPU fit (/usr/bin/time counts in 10 ms:
# there they are noise), as are memory records of a few MiB (the process's
# own size, not the data's).
function fit(key,    ids, n) {
    if (key in fitb) return
    n = split(members[key], ids, " ")
    lsq(ids, n, rcpu, 0.05, 1); fitb[key] = clamp(LB, 0, 3); fitc[key] = clamp(LC, 0, 1.5)
    lsq(ids, n, rrss, 8192, 0.5); fitbm[key] = clamp(LB, 0, 2); fitcm[key] = clamp(LC, 0, 1.5)
}
# lsq(ids, n, y, min, e0): LB, LC for log y = a + LB log dz + LC log p over
# the records with y >= min; e0 for an exponent whose size does not vary there
# (1 for time: work grows with both sizes; 0.5 for memory, which a tool's
# fixed part dominates at small sizes).
function lsq(ids, n, y, min, e0,    i, r, m, x1, x2, v, m1, m2, my, s11, s22, s12, s1y, s2y, det) {
    LB = e0; LC = e0
    m = m1 = m2 = my = 0
    for (i = 1; i <= n; i++) { r = ids[i]; if (y[r] < min) continue; m++; m1 += log(rdz[r]); m2 += log(rp[r]); my += log(y[r]) }
    if (m < 2) return
    m1 /= m; m2 /= m; my /= m
    s11 = s22 = s12 = s1y = s2y = 0
    for (i = 1; i <= n; i++) {
        r = ids[i]; if (y[r] < min) continue
        x1 = log(rdz[r]) - m1; x2 = log(rp[r]) - m2; v = log(y[r]) - my
        s11 += x1 * x1; s22 += x2 * x2; s12 += x1 * x2; s1y += x1 * v; s2y += x2 * v
    }
    det = s11 * s22 - s12 * s12
    if (s11 > 1e-6 && s22 > 1e-6 && det > 1e-6 * s11 * s22) { LB = (s1y * s22 - s2y * s12) / det; LC = (s2y * s11 - s1y * s12) / det }
    else if (s11 > 1e-6) LB = s1y / s11
    else if (s22 > 1e-6) LC = s2y / s22
}
function clamp(x, lo, hi) { return x < lo ? lo : (x > hi ? hi : x) }
# estimate(key, dz, k, p): sets EC (cpu s), EM (rss KiB), ESRC (log/shipped)
function estimate(key, dz, k, p,    ids, n, i, r, d, best, cnt, sc, sm, fromlog) {
    n = split(members[key], ids, " ")
    fit(key)
    for (i = 1; i <= n; i++) {
        r = ids[i]
        d = abs(log(dz / rdz[r])) + abs(log(p / rp[r])) + 0.3 * abs(log(k / rk[r]))
        if (rsrc[r] == "log") d -= 0.01   # the build's own records first (d may be < 0)
        dist[i] = d
        if (i == 1 || d < best) best = d
    }
    cnt = sc = sm = fromlog = 0
    for (i = 1; i <= n; i++) {
        if (dist[i] > best + 1e-3) continue
        r = ids[i]; cnt++
        sc += rcpu[r] * (dz / rdz[r]) ^ fitb[key] * (p / rp[r]) ^ fitc[key]
        sm += rrss[r] * (dz / rdz[r]) ^ fitbm[key] * (p / rp[r]) ^ fitcm[key]
        if (rsrc[r] == "log") fromlog = 1
    }
    EC = sc / cnt; EM = sm / cnt; ESRC = fromlog ? "log" : "shipped"
}
function abs(x) { return x < 0 ? -x : x }
# expand(line): the words a recipe line runs, with the parameter files that
# $(cat FILE) reads put in place (make -n shows the substitution unexpanded)
# and shell arithmetic $(( ... )) as one word.
function expand(line,    f, body, txt, l) {
    while (match(line, /\$\(cat [^)]*\)/)) {
        f = substr(line, RSTART + 6, RLENGTH - 7)
        if (!(f in params_text)) {
            txt = ""
            while ((getline l < f) > 0) txt = txt " " l
            close(f); params_text[f] = txt
        }
        line = substr(line, 1, RSTART - 1) params_text[f] substr(line, RSTART + RLENGTH)
    }
    while (match(line, /\$\(\([^)]*\)\)/)) line = substr(line, 1, RSTART - 1) "ARITH" substr(line, RSTART + RLENGTH)
    return line
}
function emit(goal, target, tool, kind, sig,    key, dz, k, p, basis) {
    if (kind == "figure") { print goal, target, "gnuplot", kind, 1, 60000, "fixed"; return }
    if (kind == "report") { print goal, target, "report", kind, 1, 20000, "fixed"; return }
    sizes_of(target); dz = DZ; k = K; p = P
    key = tool SUBSEP sig SUBSEP kind SUBSEP dz SUBSEP k SUBSEP p
    if (!(key in cache)) {
        if (("ks" SUBSEP kind SUBSEP sig) in members) { estimate("ks" SUBSEP kind SUBSEP sig, dz, k, p); basis = ESRC }
        else if (("ts" SUBSEP tool SUBSEP sig) in members) { estimate("ts" SUBSEP tool SUBSEP sig, dz, k, p); basis = "tool" }
        else if (("k" SUBSEP kind) in members) { estimate("k" SUBSEP kind, dz, k, p); basis = "kind" }
        else if (("t" SUBSEP tool) in members) { estimate("t" SUBSEP tool, dz, k, p); basis = "kind" }
        else { EC = 1; EM = 102400; basis = "guess" }
        cache[key] = sprintf("%.2f\t%.0f\t%s", EC, EM, basis)
    }
    print goal, target, tool, kind, cache[key]
}
BEGIN { FS = "\t"; OFS = "\t" }
FNR == 1 { src = (FILENAME == costs_file) ? "shipped" : (FILENAME == log_file) ? "log" : "dry" }
src == "shipped" && /^#/ { next }
src == "shipped" && NF >= 9 && $5 == 0 && $8 ~ /^[0-9.]+$/ { add_record($1, $2, $8, ($4 ~ /^[0-9]+$/) ? $4 : 102400, $9, "shipped"); next }
src == "log" { if (NF >= 9 && $5 == 0 && $8 ~ /^[0-9.]+$/) last[$1] = $0; next }
src == "dry" && !log_loaded {
    log_loaded = 1
    for (t in last) { split(last[t], f, "\t"); add_record(f[1], f[2], f[8], (f[4] ~ /^[0-9]+$/) ? f[4] : 102400, f[9], "log") }
}
src == "dry" {
    goal = $1; line = substr($0, length($1) + 2)
    if (line !~ /scripts\/(time-step|draw|report)\.sh/) next
    n = split(expand(line), w, /[ \t]+/)
    for (i = 1; i <= n; i++) {
        if (w[i] ~ /(^|\/)time-step\.sh$/) {
            m = 0
            for (j = i + 3; j <= n && w[j] !~ /^(\||&&|;|>|2>|\|\|)$/; j++) tw[++m] = w[j]
            emit(goal, w[i + 2], basename_of(tw[1]), kind_of(w[i + 2], basename_of(tw[1])), step_sig(tw, m))
            break
        }
        if (w[i] ~ /(^|\/)draw\.sh$/) { emit(goal, w[i + 2], "gnuplot", "figure", ""); break }
        if (w[i] ~ /(^|\/)report\.sh$/) { emit(goal, w[i + 1] "/index.html", "report", "report", ""); break }
    }
}
