/* learndict.h — dictionary learning beyond the paper's DL-FISTA (SPEC §8
 * "Dictionary learning against its limit"), and the limit itself.
 *
 * Samples as rows: Y_fit (n × d_y) is what the dictionary is learned from
 * (Y_val in the paper's protocol, Y_train ∪ Y_val as a named variant); the
 * dictionary D is d_y × p (atoms are columns, unit norm). Codes Z are n × p,
 * non-negative.
 *
 *   D = init (random N(0,1) or normalised data samples), unit columns
 *   round r = 0, 1, …, rounds − 1:
 *     λ_r = continuation(r)                      (λ_start → λ_learn geometrically)
 *     Z   = code(D, Y_fit)                       FISTA(λ_r, warm) or NN-OMP(k)
 *     Z   = refit(Z)   [optional]                least squares on each row's support
 *     D   = update(D, Z, Y_fit)                  MOD (ridge solve), K-SVD rank-one,
 *                                                or residual mean
 *     D   = replace(D)  [optional]               dead / duplicate atoms ← worst residuals
 *     stop when ‖D − D_old‖_F/‖D_old‖_F < tol after min_round (and no replacement)
 *   finally Z_val = FISTA(D, Y_val), Z_ood = FISTA(D, Y_ood): cold starts,
 *   λ, final_iters iterations (the codes any method is scored on).
 *
 * Ingredients (each switchable, each tested on its own):
 *   init "data":   atom j = y_{s_j}/‖y_{s_j}‖ for p distinct random rows s_j
 *                  (random N(0,1) columns for atoms beyond n).
 *   replacement:   an atom is dead when no row uses it (z_ij = 0 ∀i), a
 *                  duplicate when |cos| > dup_cos (0.95) to another atom (the
 *                  less used one of the pair is replaced; ties: the higher
 *                  index). The m atoms to replace take, in index order, the
 *                  normalised residuals r_i = y_i − D z_i of the m rows with
 *                  the largest ‖r_i‖ (ties: lower row first); their codes are
 *                  zeroed. A row with ‖r_i‖ ≤ 1e-6·‖y_i‖ is never used.
 *   λ_learn:       the FISTA coder's penalty during the rounds (0: λ); the
 *                  output codes always use λ. Sparser codes while learning
 *                  identify atoms better (see learndict_options_default).
 *   continuation:  λ_r = λ_start·(λ_learn/λ_start)^(r/R) for r < R, λ_learn
 *                  for r ≥ R.
 *   refit:         per row with support S = {j : z_j > 0}, |S| ≤ min(d_y, refit_max):
 *                  z_S = argmin ‖y − D_S z_S‖² (Cholesky of D_SᵀD_S in double);
 *                  when that has negative entries, the non-negative least
 *                  squares on S instead (the model's codes are ≥ 0). Rows
 *                  whose Gram is singular keep their codes.
 *   coder "omp":   non-negative OMP with the known k: k times, pick the atom
 *                  of largest positive correlation dᵀr not yet chosen, then
 *                  z_S = NNLS(D_S, y), r = y − D_S z_S.
 *   update "mod":  D = Yᵀ Z (ZᵀZ + ρI)⁻¹, unit columns (DL-FISTA's update,
 *                  dlfista_update in double); unused atoms get zero columns.
 *   update "ksvd": for j = 0 … p−1 over the rows I_j using atom j:
 *                  E = R_I + z_{I,j} d_jᵀ (|I| × d_y), (d_j, z_{I,j}) = best
 *                  rank-one fit of E (power iterations from d_j, sign such that
 *                  Σ z ≥ 0, codes clamped at 0), R_I = E − z_{I,j} d_jᵀ.
 *   update "mean": d_j ∝ Σ_{i∈I_j} (r_i + z_ij d_j) (ITKrM-type residual means,
 *                  all atoms from the same residuals R = Y − Z Dᵀ).
 *   restart:       at round R₀ (restart_round), atoms whose code mass Σ_i z_ij
 *                  is at least restart_mass × the mean atom's are frozen, the
 *                  others drawn afresh; then MOD on the fresh atoms only and
 *                  λ_r = continuation(r − R₀) (see learndict_restart).
 * Limit: learndict_true_code_dict, D* = Yᵀ Z (ZᵀZ)⁺ in double.
 */
#ifndef SK_LEARNDICT_H
#define SK_LEARNDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

/* rng stream of the "data" initialisation (DL-FISTA's random one is 16). */
enum { LEARNDICT_STREAM_INIT = 17, LEARNDICT_STREAM_RESTART = 18 };

typedef enum { LD_INIT_RANDOM = 0, LD_INIT_DATA } LdInit;
typedef enum { LD_CODER_FISTA = 0, LD_CODER_OMP } LdCoder;
typedef enum { LD_UPDATE_MOD = 0, LD_UPDATE_KSVD, LD_UPDATE_MEAN } LdUpdate;

/* After each round. */
typedef struct {
    long round;          /* 0-based */
    double lambda;       /* λ_r used by the FISTA coder */
    const Mat *d;        /* the dictionary after this round's update and replacement */
    const Mat *z;        /* this round's codes of Y_fit (before the update) */
    double rel_change;   /* ‖D − D_old‖_F / ‖D_old‖_F */
    double fit_mse;      /* mean (y − D_old z)² over Y_fit's elements, this round's codes */
    long replaced;       /* atoms replaced this round */
    bool last;
} LearnDictRound;

typedef int (*LearnDictRoundFn)(void *user, const LearnDictRound *r, SkErr *err);

typedef struct {
    LdInit init;            /* RANDOM */
    LdCoder coder;          /* FISTA */
    LdUpdate update;        /* MOD */
    bool refit;             /* false */
    size_t refit_max;       /* refit only rows with at most this many atoms (32; 0 = d_y) */
    bool replace;           /* true */
    double dup_cos;         /* 0.95 */
    long replace_settle;    /* no replacement in the last this many rounds (10) */
    float lambda;           /* λ of the output codes (0.1) */
    float learn_lambda;     /* λ_learn the continuation ends at (0 = λ, the default) */
    float lambda_start;     /* continuation start (0.3) */
    long continuation;      /* R: rounds to reach λ_learn (100; 0 = off) */
    int iters;              /* FISTA iterations per round (30) */
    int final_iters;        /* FISTA iterations of the final codes (100) */
    int k;                  /* NN-OMP's known sparsity (10) */
    int ksvd_power_iters;   /* power iterations per atom (3) */
    long rounds;            /* maximum rounds (150) */
    double tol;             /* stop: relative change < tol (1e-5) ... */
    long min_round;         /* ... and round > this (10) */
    double ridge;           /* MOD ridge ρ (1e-6) */
    long restart_round;     /* at this round, restart the atoms of small code mass (0 = never) */
    double restart_mass;    /* ... mass below this × the mean atom's (0.8) */
    bool restart_residuals; /* restarted atoms from the worst rows' residuals, not N(0,1) */
    uint64_t seed;          /* rng of the restarted atoms (0) */
    int threads;            /* FISTA worker threads (0/1 = BLIS threads per product) */
    LearnDictRoundFn on_round;
    void *user;
} LearnDictOptions;

/* The default learner (the best measured combination, see learndict.c).
 * The named variants below set init, coder, update, refit, replace,
 * learn_lambda, lambda_start, continuation and iters. */
void learndict_options_default(LearnDictOptions *opt);

/* Named variants (they set init, coder, update, refit, replace, λ_start,
 * continuation and iters; other options keep their values):
 *   "default"      random init, FISTA (30 iterations a round) with λ
 *                  0.3 → 0.1 over 100 rounds, MOD, replacement, no refit;
 *   "fista-fixes"  every fix of DL-FISTA the issue lists: data init, FISTA
 *                  (100) with λ 1 → 0.1 over 20 rounds, refit, MOD, replacement;
 *   "dl-fista"     random init, FISTA (100, λ), MOD, nothing else: the paper's
 *                  DL-FISTA in this loop (double solve, no OOD pass per round);
 *   "ksvd"         data init, NN-OMP, K-SVD rank-one updates, replacement;
 *   "itkrm"        data init, NN-OMP, residual means, replacement;
 *   "long"         the default's ingredients over 300 rounds (it also sets
 *                  rounds; the others leave it).
 * Fails on an unknown name. */
int learndict_preset(const char *name, LearnDictOptions *opt, SkErr *err);
/* The names above, NULL-terminated. */
extern const char *const LEARNDICT_PRESETS[];

typedef struct {
    long rounds_run;
    bool converged;
    long replaced_total;
    double *rel_change, *fit_mse, *lambda; /* per round (malloc'ed) */
    long *replaced;                         /* per round (malloc'ed) */
    double seconds_learn, seconds_final;
} LearnDictResult;

void learndict_result_release(LearnDictResult *r);

/* λ_r of the continuation. */
double learndict_lambda_at(const LearnDictOptions *opt, long round);

/* Initial dictionary (d_y × p, allocated): "data" draws p distinct rows of y
 * (rng_init(seed, LEARNDICT_STREAM_INIT); all rows in a random order then
 * random columns when p > n); "random" is dlfista_init_dict(seed). */
int learndict_init(LdInit init, uint64_t seed, const Mat *y, size_t p, Mat *d, SkErr *err);

/* Learn from y_fit, starting from d (d_y × p, on return the learned one), then
 * infer z_val (y_val rows × p) and z_ood (may be NULL with y_ood NULL). */
int learndict_learn(const Mat *y_fit, const Mat *y_val, const Mat *y_ood, Mat *d, Mat *z_val,
                    Mat *z_ood, const LearnDictOptions *opt, LearnDictResult *res, SkErr *err);

/* ---- ingredients (exposed for tests) ---- */

/* Refit every row of z (n × p) with at most max_support (0: d_y) atoms on
 * its support (see above). Returns the number of rows refitted in *count
 * (may be NULL). */
int learndict_refit(const Mat *d, const Mat *y, Mat *z, size_t max_support, size_t *count,
                    SkErr *err);

/* Non-negative OMP with sparsity k: z (n × p, allocated by the caller) is
 * overwritten. */
int learndict_omp(const Mat *d, const Mat *y, int k, Mat *z, SkErr *err);

/* Replace dead and duplicate atoms of d (codes z of rows y, n × p) by the
 * normalised residuals of the worst-fit rows; zeroes the replaced atoms'
 * codes. replaced_atoms / source_rows (p entries each, may be NULL) receive
 * which atom took which row; *count how many. */
int learndict_replace(Mat *d, const Mat *y, Mat *z, double dup_cos, size_t *replaced_atoms,
                      size_t *source_rows, size_t *count, SkErr *err);

/* The restart (deflation): atoms whose code mass Σ_i z_ij is at least
 * mass_frac × the mean atom's stay (frozen[j] = 1): the frequent atoms the
 * rounds have established; every other atom is drawn afresh (N(0,1), unit,
 * rng_init(seed, LEARNDICT_STREAM_RESTART), in index order) and its codes
 * zeroed. From then on the MOD update solves for the fresh atoms only on the
 * residual the frozen ones leave, D_U = (Y − Z_F D_Fᵀ)ᵀ Z_U (Z_UᵀZ_U + ρI)⁻¹,
 * replacement leaves frozen atoms alone, and the λ continuation runs again:
 * rare atoms (the OOD pool's, half as frequent) are learned on a problem
 * whose frequent part is solved. *count: atoms drawn afresh. */
int learndict_restart(Mat *d, Mat *z, double mass_frac, uint64_t seed, unsigned char *frozen,
                      size_t *count, SkErr *err);

/* The MOD update of the atoms with frozen[j] = 0 on the residual of the
 * others (equation above), unit columns (zero for a free atom no row uses);
 * frozen columns untouched. */
int learndict_update_free(Mat *d, const Mat *y, const Mat *z, const unsigned char *frozen,
                          double ridge, SkErr *err);

/* K-SVD sweep / residual means (the update rules above), in place on d
 * (and on z for K-SVD). */
int learndict_update_ksvd(Mat *d, const Mat *y, Mat *z, int power_iters, SkErr *err);
int learndict_update_mean(Mat *d, const Mat *y, const Mat *z, SkErr *err);

/* Non-negative least squares on a Gram: min ½xᵀGx − bᵀx, x ≥ 0 (s × s, row-
 * major, positive definite on the passive sets it visits), Lawson–Hanson.
 * Fails when a passive Gram is singular. */
int nnls_gram(const double *g, const double *b, size_t s, double *x, SkErr *err);

/* ---- the limit ---- */

/* D* = Yᵀ Z (ZᵀZ)⁺ from the true codes z (n × p) of y (n × d_y), minimum-
 * norm least squares in double, then unit columns (zero columns for latents
 * never active). Exact: Cholesky of the Gram of Z's active columns when they
 * are at most n (primal), else of Z Zᵀ (dual: D*ᵀ = Zᵀ(ZZᵀ)⁻¹Y); a singular
 * Gram falls back to an eigendecomposition pseudo-inverse. d: d_y × p,
 * allocated here. */
int learndict_true_code_dict(const Mat *y, const Mat *z, Mat *d, SkErr *err);

#endif
