# Sparse inputs: the same dataset written with dense and with sparse (CSR)
# code matrices gives the same bytes through every tool downstream (the
# storage is not part of the data); mat-print shows the same matrix; dense
# stays the default for small matrices (files as before).
source "$(dirname "$0")/lib.sh"

gen-data --dz 40 --k 4 --p 300 --seed 3 -o dense.npz
gen-data --dz 40 --k 4 --p 300 --seed 3 --storage sparse -o sparse.npz
gen-data --dz 40 --k 4 --p 300 --seed 3 --storage dense -o forced.npz
assert_same_bytes dense.npz forced.npz            # auto keeps a small matrix dense
cmp -s dense.npz sparse.npz && fail "--storage sparse wrote the dense file"
"$SK_PYTHON" -c 'import numpy as np, sys; f = np.load(sys.argv[1]); sys.exit(0 if "Z_val.indptr" in f.files and "Z_val" not in f.files else 1)' sparse.npz ||
    fail "sparse.npz has no CSR members for Z_val"
mat-info sparse.npz > info.txt
grep -Eq "^  Z_val	float32	\(150, 40\)	csr nnz=600	" info.txt || fail "mat-info does not show Z_val as sparse: $(cat info.txt)"
grep -Eq "^  Y_val	float32	\(150, [0-9]+\)	min=" info.txt || fail "mat-info shows Y_val oddly: $(cat info.txt)"
for m in Z_train Z_val Z_ood A; do
    [ "$(mat-print dense.npz:$m)" = "$(mat-print sparse.npz:$m)" ] || fail "mat-print $m differs"
done
for f in dense sparse; do
    fista --dict $f.npz:A $f.npz -o oracle-$f.npz
    "$SK_BIN/eval" --data $f.npz --codes oracle-$f.npz --dict $f.npz:A > eval-$f.tsv
    train-sae --variant topk --data $f.npz --seed 1 --epochs 3 -o sae-$f.npz
    probe --data $f.npz -o probe-$f.npz
    # the other readers of a dataset, and codes read sparse (a warm start)
    fista --dict $f.npz:A --init $f.npz --iters 5 $f.npz -o warm-$f.npz
    dl-fista --data $f.npz --seed 1 --rounds 2 --iters 5 -o dlfista-$f.npz
    softplus-adam --data $f.npz --seed 1 --steps 20 -o softplus-$f.npz
    lista --dict $f.npz:A --data $f.npz --seed 1 --epochs 2 -o lista-$f.npz
    learn-dict --data $f.npz --seed 1 --rounds 2 -o learndict-$f.npz
    support-refit --model sae-$f.npz --data $f.npz -o refit-$f.npz
    warm-start --model sae-$f.npz --data $f.npz --kind decoder --seed 1 --budgets 0,1 -o warmstart-$f.npz
done
for out in oracle eval sae probe warm dlfista softplus lista learndict refit warmstart; do
    ext=npz; [ $out = eval ] && ext=tsv
    assert_same_bytes $out-dense.$ext $out-sparse.$ext
done
