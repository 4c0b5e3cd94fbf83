/* lista.h — LISTA, learned ISTA with untied per-step weights (SPEC §3).
 *
 * K unrolled steps (K = 16) from z₀ = 0, for k = 0..K−1:
 *   u_k     = z_k W_kᵀ + y S_kᵀ               (n × d_z)
 *   z_{k+1} = soft(u_k, |θ_k|) = sign(u)·max(|u| − |θ_k|, 0)   (two-sided, θ_k per latent)
 * Every step has its own W_k (d_z × d_z), S_k (d_z × d_y), θ_k (d_z) — the
 * fixture lista.npz has separate gradients per step. Init from a dictionary
 * D (d_y × d_z): W_k = I − DᵀD/L, S_k = Dᵀ/L, θ_k = 0.01, with L =
 * fista_lipschitz(D) (as FISTA).
 * Training (D fixed): loss = mse(z_K Dᵀ, y) + λ·mean|z_K| (means over all
 * elements of the batch), PyTorch Adam (lib/adam), minibatches of `batch`
 * rows from a fresh permutation every epoch (rng_init(seed, LISTA_STREAM),
 * one rng_permutation per epoch), the last partial batch kept — like the SAEs.
 *
 * Parameters live in one buffer, in this order:
 *   W (K × d_z × d_z, W_k row-major) | S (K × d_z × d_y) | θ (K × d_z). */
#ifndef SK_LISTA_H
#define SK_LISTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mat.h"

#define LISTA_STEPS 16
/* The rng stream of the minibatch permutations ("LISTA" in ASCII). */
#define LISTA_STREAM 0x4c49535441ull

typedef struct {
    size_t d_y, d_z, steps;
    size_t n_params;
    float *params;
    float *w, *s, *theta;        /* views into params */
} ListaModel;

/* Initialise from D (d_y × d_z) with `steps` unrolled steps. */
int lista_model_init(ListaModel *m, const Mat *d, size_t steps, SkErr *err);
void lista_model_release(ListaModel *m);
/* Number of parameters, K (d_z² + d_z d_y + d_z); false on overflow. */
bool lista_param_count(size_t d_y, size_t d_z, size_t steps, size_t *count);
/* Bytes training needs: parameters, gradient and Adam's two moments (4 × the
 * parameters), the activations of one batch and the scratch of lista_encode.
 * The STABLE variant needs one more copy of the parameters: lista_variant_bytes. */
double lista_training_bytes(size_t d_y, size_t d_z, size_t steps, size_t batch);

/* Activations of one batch (at most `rows` rows) for the backward pass. */
typedef struct {
    size_t rows;
    float *z;        /* (K+1) × rows × d_z: z_0 = 0, …, z_K */
    float *u;        /* K × rows × d_z: pre-threshold u_k */
    float *r;        /* rows × d_y: residual z_K Dᵀ − y */
    float *gz, *gu;  /* rows × d_z each */
} ListaWork;

int lista_work_init(ListaWork *w, const ListaModel *m, size_t rows, SkErr *err);
void lista_work_release(ListaWork *w);

/* Forward pass of n ≤ w->rows rows y (n × d_y), keeping the activations;
 * returns z_K (inside w, n × d_z). */
const float *lista_forward(const ListaModel *m, const float *y, size_t n, ListaWork *w);
/* Forward and backward on one batch: returns the loss (as float32) and writes
 * ∂loss/∂params into grad (n_params floats, the params layout). d is the
 * fixed dictionary (d_y × d_z). */
float lista_loss_grad(const ListaModel *m, const Mat *d, const float *y, size_t n,
                      double lambda, float *grad, ListaWork *w);

/* Codes z_K for every row of y (n × d_y) → z (allocated, n × d_z). */
int lista_encode(const ListaModel *m, const Mat *y, Mat *z, SkErr *err);

/* What lista_train returns at the end:
 *  PAPER  the parameters after the last step (SPEC §3, the default);
 *  STABLE the parameters at the end of the best epoch (lowest epoch loss, the
 *         first of equals): the same training, the same loss history, but a
 *         late blow-up (see lista_train) is not what gets written. */
typedef enum { LISTA_VARIANT_PAPER, LISTA_VARIANT_STABLE } ListaVariant;

/* "paper" / "stable"; parse returns -1 for any other name. */
const char *lista_variant_name(ListaVariant v);
int lista_variant_parse(const char *name, ListaVariant *v);
/* Bytes a variant needs beyond lista_training_bytes (STABLE: its copy of the
 * best epoch's parameters; PAPER: 0). */
double lista_variant_bytes(ListaVariant v, size_t d_y, size_t d_z, size_t steps);

/* An epoch's loss is "exploded" when it is not finite or above
 * LISTA_DIVERGE_RATIO × the lowest epoch loss before it. */
#define LISTA_DIVERGE_RATIO 10.0

typedef struct {
    double lambda;    /* 0.1 */
    double lr;        /* 1e-3 */
    long epochs;      /* 200 */
    size_t batch;     /* 64 */
    uint64_t seed;
    ListaVariant variant;   /* LISTA_VARIANT_PAPER */
    /* Called after every batch (may be NULL). */
    void (*progress)(void *user, long epoch, long epochs, size_t batch, size_t batches,
                     double loss);
    void *progress_user;
} ListaTrainOptions;

void lista_train_options_default(ListaTrainOptions *o);

/* How a training run went (epochs count from 1; 0 means none).
 *  diverged_epoch  the first epoch whose loss exploded (see LISTA_DIVERGE_RATIO:
 *                  non-finite, or > ratio × the best loss of the epochs before
 *                  it), whether or not the run recovered afterwards;
 *  best_epoch, best_loss  the lowest finite epoch loss (NaN when none);
 *  kept_epoch      the epoch whose parameters m holds on return (PAPER: the last
 *                  epoch run, STABLE: best_epoch; 0 = the initialisation);
 *  kept_loss       that epoch's loss (NaN for the initialisation);
 *  diverged        the parameters returned are diverged: kept_loss is not
 *                  finite or above ratio × best_loss (never for STABLE once an
 *                  epoch finished);
 *  nonfinite_epoch, nonfinite_batch  where a batch whose loss or gradient is
 *                  not finite stopped training, before its step (0 if none). */
typedef struct {
    bool diverged;
    long diverged_epoch, best_epoch, kept_epoch, nonfinite_epoch;
    size_t nonfinite_batch;
    double best_loss, kept_loss;
} ListaTrainReport;

/* Train m on the rows of y (n × d_y) with D fixed. epoch_loss (epochs values,
 * allocated) gets each epoch's mean batch loss weighted by batch rows. A
 * non-finite loss of the very first batch (the initial model on the data) fails
 * with "loss is nan at epoch 1, batch 1"; a later one is the training's
 * divergence: it stops training before its step, that epoch and the later
 * ones are NaN in epoch_loss, and report says where. report may be NULL. */
int lista_train(ListaModel *m, const Mat *d, const Mat *y, const ListaTrainOptions *o,
                double **epoch_loss, ListaTrainReport *report, SkErr *err);

/* Threads for training with batches of batch rows and d_z latents:
 * requested when non-zero; else one below 2e7 multiply-adds per batch
 * product (batch · d_z²), where BLIS's fork and join cost more than they
 * save; else sk_default_threads(). */
int lista_threads(long requested, size_t batch, size_t dz);

#endif
