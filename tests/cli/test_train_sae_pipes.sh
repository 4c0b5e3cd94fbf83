# train-sae: the same seed gives the same bytes (files, pipes, 1 or 2 threads);
# another seed does not; --encode reproduces the model's own codes.
source "$(dirname "$0")/lib.sh"

gen-data --dz 60 --k 4 --p 300 --seed 2 -o d.npz
for v in relu topk jumprelu mp; do
    train-sae --variant $v --data d.npz --seed 5 --epochs 6 --renorm-every 4 -o a.npz
    train-sae --variant $v --data d.npz --seed 5 --epochs 6 --renorm-every 4 -o b.npz
    assert_same_bytes a.npz b.npz
    train-sae --variant $v --data - --seed 5 --epochs 6 --renorm-every 4 < d.npz > c.npz
    assert_same_bytes a.npz c.npz
    gen-data --dz 60 --k 4 --p 300 --seed 2 -o - |
        train-sae --variant $v --data - --seed 5 --epochs 6 --renorm-every 4 -o - > e.npz
    assert_same_bytes a.npz e.npz
    train-sae --variant $v --data d.npz --seed 6 --epochs 6 --renorm-every 4 -o f.npz
    cmp -s a.npz f.npz && fail "$v: seeds 5 and 6 gave the same bytes"
    # the model's codes = encoding the same data again with the model
    train-sae --encode a.npz --data d.npz -o codes.npz
    for s in Z_val Z_ood; do
        mat-print a.npz:$s > want.txt
        mat-print codes.npz:$s > got.txt
        cmp -s want.txt got.txt || fail "$v: --encode $s differs from the model's"
    done
    train-sae --encode - --data d.npz < a.npz > codes2.npz
    assert_same_bytes codes.npz codes2.npz
done

# threads: large enough for BLIS to split the products
gen-data --dz 1000 --k 10 --p 256 --seed 1 -o big.npz
for v in relu mp; do
    train-sae --variant $v --data big.npz --seed 1 --epochs 2 --threads 1 -o t1.npz
    train-sae --variant $v --data big.npz --seed 1 --epochs 2 --threads 2 -o t2.npz
    assert_same_bytes t1.npz t2.npz
done
assert_no_temp_files .
echo ok
