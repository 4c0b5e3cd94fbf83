/* gemm.h — the one matrix-product wrapper (BLIS), and its naive twin for tests.
 *
 * C (m × n) = alpha · op(A) · op(B) + beta · C, all row-major with row strides
 * lda, ldb, ldc. op(A) is m × k (A stored k × m when trans_a), op(B) is k × n
 * (B stored n × k when trans_b).
 */
#ifndef SK_GEMM_H
#define SK_GEMM_H

#include <stdbool.h>
#include <stddef.h>

void sk_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
             float alpha, const float *A, size_t lda, const float *B, size_t ldb,
             float beta, float *C, size_t ldc);

/* The same product on the calling thread alone, whatever the thread setting:
 * for a product inside a parallel region (each thread its own block). */
void sk_gemm_on_this_thread(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
                            float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                            float beta, float *C, size_t ldc);

/* The same product in double precision (BLIS dgemm). */
void sk_dgemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
              double alpha, const double *A, size_t lda, const double *B, size_t ldb,
              double beta, double *C, size_t ldc);

/* Same contract as sk_gemm, triple loop with double accumulation (reference for tests). */
void sk_gemm_naive(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
                   float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                   float beta, float *C, size_t ldc);

/* Threads BLIS may use for the following products (>= 1); products under
 * about a million multiply-adds always run on one thread. Also OpenMP's
 * default team, which passes without a thread count of their own use (the
 * parallel deflate of lib/zip.c). */
void sk_gemm_set_threads(int threads);
int sk_gemm_get_threads(void);

/* Scratch for the threads of a parallel pass: one slot of `slot` bytes per
 * thread running at once, found by the thread's number in its team. */
typedef struct {
    unsigned char *buf;
    size_t slot;
    int slots;
} SkThreadScratch;

/* Slots for `threads` threads (at least 1); -1 when out of memory. */
int sk_scratch_init(SkThreadScratch *s, size_t slot, int threads);
void sk_scratch_release(SkThreadScratch *s);
/* Threads a pass may run on with it: want, once it has a slot each (added
 * when memory allows), else as many as it has slots. */
int sk_scratch_threads(SkThreadScratch *s, int want);
/* The calling thread's slot, inside a parallel region of at most
 * sk_scratch_threads threads (or outside any). */
void *sk_scratch_slot(const SkThreadScratch *s);

/* Name of the BLIS kernel set in use (e.g. "skx", "zen3", "generic"). On AMD
 * CPUs newer than BLIS knows (Zen 5), sparsekit selects kernels by instruction
 * set unless BLIS_ARCH_TYPE is set. */
const char *sk_gemm_kernels(void);

/* Default thread count for a tool: SLURM_CPUS_PER_TASK if set, else
 * BLIS_NUM_THREADS if set, else the CPUs this process may run on. */
int sk_default_threads(void);

/* Threads for a tool's run: the user's request when non-zero; else one when the
 * work (in the caller's unit) is below serial_below, where threads cost more
 * than they give; else sk_default_threads(). */
int sk_threads_for_work(long requested, double work, double serial_below);

#endif
