/* fista-lib.c — sparsekit as a C library: draw a dataset (SPEC §1: d_z = 50
 * latents, k = 3 active, p = 1000 draws, seed 0), code its validation samples
 * Y_val (500 × d_y) with non-negative FISTA on the true dictionary A
 * (d_y × d_z, λ = 0.1, 100 iterations), and print MCC(ID) against Z_val: the
 * mcc_id that `gen-data --dz 50 --k 3 --p 1000 --seed 0 | fista --dict -:A -
 * | sparsekit eval` prints.
 *   cc fista-lib.c $(pkg-config --cflags --libs sparsekit) -o fista-lib */
#include <stdio.h>

#include <sparsekit/datagen.h>
#include <sparsekit/fista.h>
#include <sparsekit/metrics.h>

int main(void)
{
    SkErr err = {{0}};
    DataParams params = {.dz = 50, .k = 3, .p = 1000, .seed = 0};
    Dataset data = {0};
    Mat codes = {0};   /* Y_val rows × d_z */
    FistaOptions opt;
    fista_options_default(&opt);
    double mcc = 0;
    int failed = datagen_validate(&params, &err) || datagen_generate(&params, &data, &err) ||
                 mat_alloc(&codes, data.y_val.rows, data.A.cols, &err) ||
                 fista_solve(&data.A, &data.y_val, NULL, &opt, &codes, &err) ||
                 mcc_paper_id(&data.z_val, &codes, &mcc, &err);
    if (failed)
        fprintf(stderr, "fista-lib: %s\n", err.msg);
    else
        printf("d_y %zu, d_z %zu, %zu samples: mcc_id %.10g\n", params.dy, params.dz, codes.rows, mcc);
    mat_release(&codes);
    dataset_release(&data);
    return failed ? 1 : 0;
}
