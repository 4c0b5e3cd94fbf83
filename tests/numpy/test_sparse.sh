#!/usr/bin/env bash
# Sparse matrices from SciPy: a csr_matrix saved as NAME.data, NAME.indices,
# NAME.indptr, NAME.shape (lib/csr.h) is read by our tools as the dense matrix
# SciPy's toarray() gives — int32 and int64 indices, float32 and float64
# values, unsorted and repeated columns — and a broken one is one error line.
source "$SK_ROOT/tests/cli/lib.sh"
have_numpy || { echo "NumPy not available to $SK_PYTHON"; exit 77; }
"$SK_PYTHON" -c 'import scipy.sparse' 2>/dev/null || { echo "SciPy not available to $SK_PYTHON"; exit 77; }

"$SK_PYTHON" - <<'PY'
import numpy as np, scipy.sparse as sp
m = sp.random(40, 300, density=0.03, format="csr", random_state=5, dtype=np.float32)
# row 0 gets an extra value in a column it already holds, unsorted: SciPy sums
# repeats (toarray), and so must we
extra_col = m.indices[0] if m.indptr[1] > 0 else 7
data = np.insert(m.data, 0, np.float32(0.25))
indices = np.insert(m.indices, m.indptr[1], extra_col)
indptr = m.indptr + np.r_[0, np.ones(len(m.indptr) - 1, dtype=m.indptr.dtype)]
m = sp.csr_matrix((data, indices, indptr), shape=m.shape)
assert m.nnz == len(data) and not m.has_canonical_format
parts = {"Z.data": m.data, "Z.indices": m.indices.astype(np.int32), "Z.indptr": m.indptr.astype(np.int32),
         "Z.shape": np.array(m.shape, dtype=np.int64),
         "W.data": m.data.astype(np.float64), "W.indices": m.indices.astype(np.int64),
         "W.indptr": m.indptr.astype(np.int64), "W.shape": np.array(m.shape, dtype=np.int64)}
np.savez_compressed("s.npz", **parts)
np.savetxt("want.txt", m.toarray(), fmt="%.9g", delimiter="\t")
bad = dict(parts); bad["Z.indptr"] = m.indptr[::-1].astype(np.int32)
np.savez("bad.npz", **bad)
PY
for name in Z W; do
    expect_status 0 mat-print "s.npz:$name"
    "$SK_PYTHON" - "$name" <<'PY' || fail "mat-print s.npz:$name differs from SciPy toarray()"
import sys, numpy as np
got = np.loadtxt("out", delimiter="\t"); want = np.loadtxt("want.txt", delimiter="\t")
sys.exit(0 if got.shape == want.shape and np.array_equal(got.astype(np.float32), want.astype(np.float32)) else 1)
PY
done
# the sparse member scores like any matrix: eval-free check through mat-info
expect_status 0 mat-info s.npz
grep -q "Z" out || fail "mat-info does not list Z: $(cat out)"
expect_status 1 mat-print bad.npz:W
expect_one_error_line "sparse matrix 'Z': Z.indptr\[0\] = .* breaks the row offsets"
