/* sae_io.h — the SAE model file: what train-sae writes and train-sae
 * --encode, freeze-decoder, support-refit and warm-start read.
 *
 * Members (an .npz archive, see npz.h):
 *   W_enc      width × d_y   float32
 *   b_enc      width         float32
 *   W_dec      d_y × width   float32, atoms as columns (the Sae holds D = W_decᵀ)
 *   b_dec      d_y           float32
 *   log_theta  width         float32, JumpReLU only
 *   variant    int64 scalar  0 relu, 1 topk, 2 jumprelu, 3 mp (SaeVariant)
 *   k          int64 scalar  TopK/MP k, 0 for ReLU/JumpReLU
 * and, beside them in train-sae's output, the codes Z_val and Z_ood the model
 * gave its training dataset's val and OOD samples (which the surgeries read),
 * training histories and meta.json. */
#ifndef SK_SAE_IO_H
#define SK_SAE_IO_H

#include <stdbool.h>

#include "err.h"
#include "mat.h"
#include "npz.h"
#include "sae.h"

/* Add the model's members (W_enc, b_enc, W_dec, b_dec, log_theta when
 * JumpReLU, variant, k) to an archive being written. */
int sae_save(NpzWriter *w, const Sae *m, SkErr *err);

/* Load a whole model (allocated here, sae_release to free) from the archive
 * at path ("-" = stdin) through cache. Every value must be finite and every
 * shape agree with W_enc's; errors are "FILE: what", and m is left empty.
 * *meta_json (may be NULL) receives the file's meta.json (owned by the
 * cache) or NULL. */
int sae_load(NpzCache *cache, const char *path, Sae *m, const char **meta_json, SkErr *err);

/* What the surgeries take from a model file: the decoder, its bias and the
 * codes the SAE gave its training dataset's val and OOD samples. */
typedef struct {
    Mat w_dec;              /* d_y × width */
    Mat b_dec;              /* 1 × d_y */
    Mat z_val, z_ood;       /* n_val × width, n_ood × width (empty when absent) */
    long variant;           /* 0 relu, 1 topk, 2 jumprelu, 3 mp; -1 when absent */
    const char *meta_json;  /* the model's meta.json (owned by the cache), or NULL */
} SaeModelFile;

/* Load W_dec, b_dec, variant and, when need_codes, Z_val and Z_ood (both
 * required then) from the archive at path ("-" = stdin) through cache. All
 * values must be finite and the shapes agree; errors are "FILE: what". */
int sae_model_file_load(NpzCache *cache, const char *path, bool need_codes, SaeModelFile *m,
                        SkErr *err);
void sae_model_file_release(SaeModelFile *m);

#endif
