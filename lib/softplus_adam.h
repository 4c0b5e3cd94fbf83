/* softplus_adam.h — Softplus-Adam dictionary learning (SPEC §3).
 *
 * Free pre-activations P_val (n_val × d_z) and P_ood (n_ood × d_z); codes
 * Z = softplus(P) (PyTorch's softplus: x itself above 20). The dictionary D
 * (d_y × d_z, atoms as columns, never renormalised) is trained jointly with
 * the codes by full-batch Adam on
 *   loss = mse(Z_val Dᵀ, Y_val) + mse(Z_ood sg(D)ᵀ, Y_ood)
 *        + λ·[mean(Z_val ⊙ ‖d_j‖) + mean(Z_ood ⊙ sg(‖d_j‖))]
 * (mse and mean over all elements; sg = no gradient: the OOD terms move only
 * P_ood, never D).
 *
 * Step t (1-based), as the paper's PyTorch code does it (pinned by the
 * fixture softplus_adam.npz):
 *   1. forward + backward at the current parameters → loss_t, gradient;
 *   2. Adam step with the current learning rate lr;
 *   3. adaptive learning rate on loss_t: improving when loss_t < best so far →
 *      lr ×= 1.1 (and the bad count restarts); otherwise after 2 consecutive
 *      non-improving steps lr ×= 0.5 (count restarts); lr clamped to [1e-6, 1];
 *   4. early stop: a step improves "enough" when loss_t < best' − 1e-6 (best'
 *      is the best such loss); stop after step t when t > 10 000 and the
 *      last 5000 steps did not improve enough.
 * A non-finite loss stops training with an error naming the step.
 *
 * Arithmetic: float32 like the paper; softplus and its derivative in the
 * form of PyTorch's CPU kernels (ATen's vectorised softplus: z = log1p(e),
 * backward g·e/(e + 1), e = exp(P) by SLEEF's expf8_u10, bit for bit; log1p
 * within 1 ulp, not SLEEF's bits: lib/vecmath.h), Adam as torch.optim.Adam
 * (lib/adam). A training step is two fused passes over the 2·n·d_z codes
 * around the five products (softplus_adam_step); blocks of a fixed number of
 * rows are spread over the threads (OpenMP, like BLIS's products), and their
 * sums added in block order, so results do not depend on the thread count.
 *
 * Randomness (softplus_adam_init_preactivations): rng_init(seed,
 * SOFTPLUS_ADAM_STREAM); P_val then P_ood, row-major, each N(0, 1) − 10.
 * D's initial values come from elsewhere (DL-FISTA's initial dictionary for
 * the same seed: dlfista_init_dict), so its draws never shift these. */
#ifndef SK_SOFTPLUS_ADAM_H
#define SK_SOFTPLUS_ADAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adam.h"
#include "err.h"
#include "gemm.h"
#include "mat.h"

/* The rng stream of the pre-activations ("SPA-PRE" in ASCII). */
#define SOFTPLUS_ADAM_STREAM 0x5350412d505245ull

typedef struct {
    double lambda;          /* 0.1 */
    double lr;              /* initial learning rate, 1e-3 */
    long max_steps;         /* 50 000 */
    long stop_patience;     /* 5000 steps without an improvement > stop_min_delta */
    double stop_min_delta;  /* 1e-6 */
    long stop_after;        /* 10 000: the early stop is checked only after this step */
    double lr_up, lr_down;  /* 1.1, 0.5 */
    long lr_patience;       /* 2 non-improving steps halve lr */
    double lr_min, lr_max;  /* 1e-6, 1 */
    int threads;            /* threads of the element-wise passes; 0 = as many as the
                               products use (sk_gemm_get_threads) */
    /* Called after every step (may be NULL): step t (1-based), its loss, the lr for the next step. */
    void (*progress)(void *user, long step, long max_steps, double loss, double lr);
    void *progress_user;
} SoftplusAdamOptions;

void softplus_adam_options_default(SoftplusAdamOptions *o);

/* All trainable parameters in one buffer: D | P_val | P_ood (views below). */
typedef struct {
    size_t d_y, d_z, n_val, n_ood;
    size_t n_params;
    float *params;
    Mat d, pre_val, pre_ood;     /* views into params (not separately owned) */
} SoftplusAdamModel;

/* Allocate a model and copy D and the pre-activations into it. */
int softplus_adam_model_init(SoftplusAdamModel *m, const Mat *d0, const Mat *pre_val,
                             const Mat *pre_ood, SkErr *err);
void softplus_adam_model_release(SoftplusAdamModel *m);

/* Pre-activations N(0, 1) − 10 for n_val and n_ood rows (see the header comment). */
int softplus_adam_init_preactivations(uint64_t seed, size_t n_val, size_t n_ood, size_t d_z,
                                      Mat *pre_val, Mat *pre_ood, SkErr *err);

/* Scratch of one forward/backward pass (codes, residuals, column norms). */
typedef struct {
    Mat z_val, z_ood;       /* n × d_z: codes, then (2/(n d_y)) R D = ∂mse/∂Z */
    Mat r_val, r_ood;       /* n × d_y: residuals Z Dᵀ − Y */
    float *grad_d;          /* d_y × d_z: ∂loss/∂D (softplus_adam_step) */
    float *norms;           /* d_z + 8: ‖d_j‖ for j < d_z, then norms[j − d_z] again
                               (so 8 lanes from any column wrap to the next row) */
    double *colsum;         /* d_z: Σ_i Z_val[i, j] */
    double *block_colsum;   /* (blocks_val + blocks_ood) × d_z: each row block's
                               Σ_i Z[i, j] */
    double *block_sumsq;    /* blocks_val + blocks_ood: each row block's Σ R² */
    size_t block_rows;      /* rows of a block (the last of a split may have fewer) */
    size_t blocks_val, blocks_ood;
    SkThreadScratch scratch; /* 2 blocks of codes a thread: the fused step's exp(P)
                               and ∂mse/∂Z (none where the step runs on whole splits) */
    int threads;            /* threads of the element-wise passes (>= 1); work_init
                               sets sk_gemm_get_threads(), a caller may change it */
} SoftplusAdamWork;

int softplus_adam_work_init(SoftplusAdamWork *w, const SoftplusAdamModel *m, SkErr *err);
void softplus_adam_work_release(SoftplusAdamWork *w);

/* The four terms of the loss, each already divided by its element count:
 * mse_val, mse_ood, reg_val = mean(Z_val ⊙ ‖d_j‖), reg_ood (unscaled by λ). */
typedef struct {
    double mse_val, mse_ood, reg_val, reg_ood;
} SoftplusAdamLoss;

/* Forward pass only: the loss terms; loss = mse_val + mse_ood + λ(reg_val + reg_ood). */
void softplus_adam_forward(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                           SoftplusAdamWork *w, SoftplusAdamLoss *terms);
/* Forward and backward: returns the loss (float32, as PyTorch reports it) and
 * writes ∂loss/∂params into grad (n_params floats, the params layout; D's part
 * without the OOD terms, which are sg(D)). */
float softplus_adam_loss_grad(const SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                              double lambda, float *grad, SoftplusAdamWork *w);

/* One training step, fused: the forward pass at the current parameters,
 * the backward pass, and Adam's update of D, P_val and P_ood (moments adam,
 * learning rate lr), without storing the pre-activations' gradient. For
 * d_z ≤ 2048 each block of rows runs its whole step on one thread while its
 * codes stay in cache: softplus, exp(P) and the column sums (which give the
 * ℓ1 term), its rows of the two code-side products, then softplus'
 * derivative, the gradient and Adam's update; then D's gradient and update.
 * Wider, the same passes run around the whole splits' products. Returns the
 * loss of the forward pass (before the update), as softplus_adam_loss_grad
 * does; the parameters end as adam_step(lr) on softplus_adam_loss_grad's
 * gradient leaves them, to the bit. */
float softplus_adam_step(SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood, double lambda,
                         Adam *adam, double lr, SoftplusAdamWork *w);

/* What training did: loss_t and the lr after step t, for t = 1..steps. */
typedef struct {
    long steps;
    bool early_stopped;
    float *loss;            /* steps values */
    double *lr;             /* steps values: the learning rate after each step's adjustment */
} SoftplusAdamHistory;

void softplus_adam_history_release(SoftplusAdamHistory *h);

/* Train m in place. y_val is n_val × d_y, y_ood n_ood × d_y. On a non-finite
 * loss fails with "loss is nan at step T" (m then holds the parameters after
 * step T's update, not to be used). */
int softplus_adam_train(SoftplusAdamModel *m, const Mat *y_val, const Mat *y_ood,
                        const SoftplusAdamOptions *o, SoftplusAdamHistory *h, SkErr *err);

/* Codes softplus(P_val), softplus(P_ood) (allocates z_val, z_ood). */
int softplus_adam_codes(const SoftplusAdamModel *m, Mat *z_val, Mat *z_ood, SkErr *err);

/* PyTorch's softplus (β = 1, threshold 20), one value through the same
 * vector kernel as training. */
float softplus_f(float x);

/* Threads for a run on rows (val + OOD) samples with a d_y × d_z dictionary:
 * requested when non-zero; else one below 2e7 multiply-adds a step
 * (rows · d_y · d_z), where BLIS's fork and join cost more than they save;
 * else sk_default_threads(). */
int softplus_adam_threads(long requested, size_t rows, size_t dy, size_t dz);

#endif
