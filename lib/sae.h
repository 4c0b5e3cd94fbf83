/* sae.h — the four sparse autoencoders of SPEC §3 (ReLU, TopK, JumpReLU, MP):
 * forward, backward, the decoder-gradient projection, renormalisation, and
 * the training loop (AdamW, lib/adamw.h).
 *
 * Shapes (samples as rows, n = batch rows, w = width = d_z):
 *   y      n × d_y      input
 *   pre    n × w        W_enc (y − b_dec) + b_enc          (not MP)
 *   z      n × w        codes f(pre) / the MP codes
 *   ŷ      n × d_y      z W_decᵀ + b_dec
 *   loss   mse(ŷ, y) (mean over n × d_y) + γ · regulariser
 *
 * All parameters of a model live in one float buffer, in this order:
 *   W_enc      w × d_y   encoder, row j feeds latent j
 *   b_enc      w
 *   D          w × d_y   decoder atoms as ROWS: D = W_decᵀ, row j is column j
 *                        of the d_y × w W_dec that files hold
 *   b_dec      d_y
 *   log_theta  w         JumpReLU only
 * A gradient buffer has the same layout (sae_layout gives the views), so AdamW
 * is one loop over [trained_offset, n_params): MP's encoder takes no part in
 * the loss and is left untouched (PyTorch skips a parameter without a grad). */
#ifndef SK_SAE_H
#define SK_SAE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adamw.h"
#include "err.h"
#include "gemm.h"
#include "mat.h"

typedef enum { SAE_RELU = 0, SAE_TOPK = 1, SAE_JUMPRELU = 2, SAE_MP = 3 } SaeVariant;

/* "relu", "topk", "jumprelu", "mp". */
const char *sae_variant_name(SaeVariant v);
/* The names in SaeVariant order, NULL-terminated (a choice list for tools). */
extern const char *const SAE_VARIANT_NAMES[];
/* Parse a name; returns 0, or -1 when unknown. */
int sae_variant_parse(const char *name, SaeVariant *out);

/* JumpReLU constants (SPEC §3). */
#define SAE_JUMP_BANDWIDTH 1e-3f    /* ε of the rectangle kernel */
#define SAE_JUMP_THETA0 1e-3        /* initial threshold θ */
#define SAE_JUMP_LOG_CLAMP 20.0f    /* θ = exp(min(log θ, 20)) */

typedef struct {
    SaeVariant variant;
    size_t d_y, width;
    size_t k;        /* TopK: latents kept; MP: pursuit steps (both >= 1, <= width) */
    float gamma;     /* regulariser weight (ReLU, JumpReLU; 1e-4) */
} SaeConfig;

/* Views into a buffer with the model layout (log_theta NULL unless JumpReLU). */
typedef struct {
    float *w_enc, *b_enc, *dec, *b_dec, *log_theta;
} SaeParams;

typedef struct {
    SaeConfig cfg;
    size_t n_params;        /* length of the buffer */
    size_t trained_offset;  /* first parameter in the loss: 0, or D's offset for MP */
    float *params;
    SaeParams p;            /* views into params */
} Sae;

/* Views of buf (n_params floats laid out for cfg). */
void sae_layout(const SaeConfig *cfg, float *buf, SaeParams *out);
size_t sae_param_count(const SaeConfig *cfg);

/* Allocate a zeroed model; checks the configuration (d_y, width >= 1;
 * 1 <= k <= width for TopK and MP). */
int sae_alloc(Sae *m, const SaeConfig *cfg, SkErr *err);
void sae_release(Sae *m);

/* SPEC init from the seed alone (not the variant): W_enc ~ Uniform(±1/√d_y)
 * drawn row-major from rng stream SAE_STREAM_INIT, b_enc = 0, b_dec = 0,
 * D rows = W_enc rows scaled to unit norm, log θ = ln 1e-3. */
enum { SAE_STREAM_INIT = 0x5ae1, SAE_STREAM_BATCHES = 0x5ae2 };
void sae_init(Sae *m, uint64_t seed);

/* Scratch for batches of up to max_rows rows (no allocation per step). */
typedef struct {
    size_t max_rows;
    float *yc;      /* n × d_y        y − b_dec (MP: residual r_0) */
    float *pre;     /* n × w          pre-activations (MP: correlations) */
    float *z;       /* n × w          dense codes (sae_train_step leaves them
                                      unwritten for TopK and MP) */
    float *rec;     /* n × d_y        ŷ */
    float *g_rec;   /* n × d_y        ∂loss/∂ŷ */
    float *g_z;     /* n × w          ∂loss/∂z, then ∂loss/∂pre */
    size_t *idx;    /* n × k          TopK/MP support, in selection order */
    float *val;     /* n × k          TopK/MP code values at idx */
    float *res;     /* k × n × d_y    MP residuals r_0 … r_{k−1} (r_0 = yc) */
    float *unit;    /* w × d_y        MP: D with unit rows (Â) */
    float *norms;   /* w              MP: ‖D_j‖ */
    float *theta;   /* w              JumpReLU: exp(min(log θ, 20)) */
    double *acc;    /* w + d_y        column sums */
    float *vec;     /* 2 × d_y        MP: gradient reaching the residual, a difference */
    float *rec_scratch; /* w          JumpReLU: one row's ∂θ */
    SkThreadScratch cand; /* w indices a thread: TopK's candidate latents of
                                      the row it selects */
    float *gram;    /* w × w          MP at small widths: Â Âᵀ */
    unsigned char *active; /* w       TopK/MP: 1 for the latents in the last
                                      backward's support (others' gradient rows are 0) */
} SaeWork;

int sae_work_alloc(SaeWork *w, const SaeConfig *cfg, size_t max_rows, SkErr *err);
void sae_work_release(SaeWork *w);

/* Loss of the last forward pass. */
typedef struct {
    double recon;   /* mse(ŷ, y) */
    double reg;     /* regulariser (batch mean of ‖z‖₁ or of #[z > θ]; 0 for TopK, MP) */
    double loss;    /* recon + γ · reg */
    double l0;      /* mean non-zero codes per row */
} SaeLoss;

/* Forward pass on n rows of y (n × d_y, n <= w->max_rows): codes in w->z
 * (n × w, dense), ŷ in w->rec, and what backward needs. loss may be NULL. */
void sae_forward(const Sae *m, const float *y, size_t n, SaeWork *w, SaeLoss *loss);

/* Backward of the last sae_forward (same y, n): grad (n_params floats, model
 * layout) receives ∂loss/∂params; entries that take no part in the loss (MP's
 * encoder) are 0. The decoder gradient is NOT yet projected. */
void sae_backward(const Sae *m, const float *y, size_t n, SaeWork *w, float *grad);

/* g_j −= (g_j · d_j) d_j for every atom j, with the current (not normalised)
 * atom d_j, as the reference does before every optimiser step. */
void sae_project_decoder_grad(const Sae *m, float *grad);

/* Every atom d_j /= ‖d_j‖ (an atom of norm 0 is left as is). */
void sae_renorm_decoder(Sae *m);

/* One optimiser step as one pass over the parameters, bit for bit the same as
 *   sae_project_decoder_grad(m, grad);
 *   adamw_step(opt, m->params + m->trained_offset, grad + m->trained_offset);
 *   if (renorm) sae_renorm_decoder(m);
 * (all three are per latent: atom j's projection, update and renorm touch
 * only row j), threaded over blocks of latents on sk_gemm_get_threads()
 * threads. opt steps the trained range [trained_offset, n_params). The
 * projection changes grad as sae_project_decoder_grad does. active (width
 * flags) may be NULL; where given, a latent with flag 0 must have all-zero
 * gradient rows (W_enc row j, D row j): they are then not read (AdamW with a
 * gradient of 0), which is what a sparse step (TopK, MP) saves. */
void sae_optimizer_step(Sae *m, float *grad, AdamW *opt, const unsigned char *active, bool renorm);

/* One training step on n rows of y: forward (loss into *loss), backward,
 * sae_optimizer_step (renorm: renormalise the atoms after it, as at the end
 * of a renorm epoch). grad: n_params floats of scratch, all 0 before the
 * first step (calloc) and passed again to every later step unchanged (the
 * sparse variants keep it 0 between steps and clear only their support).
 * Returns -1, before changing anything, when the loss is not finite as a
 * float; else 0. */
int sae_train_step(Sae *m, const float *y, size_t n, SaeWork *w, float *grad, AdamW *opt,
                   bool renorm, SaeLoss *loss);

/* Codes of every row of y (n × d_y) into z (allocated n × width), batch by
 * batch with scratch w. */
int sae_encode(const Sae *m, const Mat *y, SaeWork *w, Mat *z, SkErr *err);

/* W_dec (d_y × width, atoms as columns) of the model, allocated. */
int sae_decoder_mat(const Sae *m, Mat *out, SkErr *err);

/* ---- training ---- */

typedef struct {
    long epochs;            /* 500 */
    size_t batch;           /* 64 */
    long renorm_every;      /* 50: renormalise after epochs 0, 50, 100, … */
    AdamWConfig adam;       /* adamw_default_config() */
    uint64_t seed;          /* batch permutations: stream SAE_STREAM_BATCHES */
    /* Called after every epoch (after its renorm) with the epoch's mean batch
     * loss and mean L0; a non-zero return stops training with that error. */
    int (*on_epoch)(void *user, const Sae *m, long epoch, double loss, double l0, SkErr *err);
    void *user;
} SaeTrainOptions;

void sae_train_options_default(SaeTrainOptions *o);

/* Train m (already initialised) on y (n × d_y). loss_history (epochs entries,
 * may be NULL) receives each epoch's mean batch loss, l0_history its mean
 * L0. A non-finite loss or parameter stops with an error naming the epoch
 * (0-based) and leaves m unspecified. */
int sae_train(Sae *m, const Mat *y, const SaeTrainOptions *o, double *loss_history,
              double *l0_history, SkErr *err);

/* Threads for training or encoding (the products and sae_optimizer_step's
 * pass): requested when non-zero, else 1. A
 * training step is a few small products (64 rows), and BLIS forks and joins
 * its threads at every one of them; on a shared or busy machine that costs
 * more than it saves (measured: 2 threads 3-6x slower at d_z = 1000 and 10000
 * on a loaded 2-core machine), and make -j runs several trainings at once
 * anyway. Results do not depend on it: BLIS splits rows and columns of a
 * product between threads, never the sum of one element. */
int sae_threads(long requested);

#endif
