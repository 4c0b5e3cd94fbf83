#!/usr/bin/env bash
# NumPy interoperability, both ways:
#  - files NumPy writes (np.save .npy, np.savez stored, np.savez_compressed
#    deflated, savez to a pipe = zip data descriptors) are read by mat-print and
#    mat-info with exact values, dtypes and shapes;
#  - files our writer produces (through gen-data, when it is built) open in
#    np.load with the right members, dtypes, shapes and a JSON meta.json.
source "$SK_ROOT/tests/cli/lib.sh"
have_numpy || { echo "NumPy not available to $SK_PYTHON"; exit 77; }

# --- NumPy writes; we read ---------------------------------------------------
# For each array NumPy also writes the text mat-print must produce: one row per
# line (0-d: one value; 1-d: one row), float32 '%.9g', float64 '%.17g', ints '%d'.
"$SK_PYTHON" - <<'PY'
import numpy as np
rng = np.random.default_rng(7)
arrays = {
    "f32": (rng.standard_normal((4, 5)) * 1e3).astype(np.float32),
    "f64": rng.standard_normal(6) * 1e-200,
    "i64": np.array([-(2**62), -1, 0, 2**62 + 12345], dtype=np.int64),
    "i32": np.array([[-7, 2**31 - 1], [-(2**31), 0]], dtype=np.int32),
    "u8": np.arange(250, 256, dtype=np.uint8),
    "flags": np.array([True, False, True]),
    "scalar": np.float32(0.1),
    "count": np.int64(42),
    "empty": np.zeros((0, 3), np.float32),
    "tiny": np.array([[np.float32(1e-45), np.float32(3.4028235e38)]], dtype=np.float32),
}
def fmt(x, dt):
    if dt == np.float32: return "%.9g" % x
    if dt == np.float64: return "%.17g" % x
    return "%d" % int(x)
for name, a in arrays.items():
    a = np.asarray(a)
    rows = a.reshape(1, -1) if a.ndim < 2 else a
    with open(f"{name}.txt", "w") as f:
        for r in (rows if a.size else []):
            f.write("\t".join(fmt(x, a.dtype) for x in r) + "\n")
    shape = "(" + ", ".join(str(d) for d in a.shape) + ("," if a.ndim == 1 else "") + ")"
    dtype = {"float32": "float32", "float64": "float64", "int64": "int64", "int32": "int32",
             "uint8": "uint8", "bool": "bool"}[a.dtype.name]
    with open(f"{name}.info", "w") as f:
        f.write(f"  {name}\t{dtype}\t{shape}\n")
    np.save(f"{name}.npy", a)
np.savez("stored.npz", **arrays)
np.savez_compressed("deflated.npz", **arrays)
PY
names="f32 f64 i64 i32 u8 flags scalar count empty tiny"
for name in $names; do
    for spec in "$name.npy" "stored.npz:$name" "deflated.npz:$name"; do
        expect_status 0 mat-print "$spec"
        cmp -s out "$name.txt" || { diff out "$name.txt" >&2; fail "mat-print $spec differs from NumPy"; }
    done
done
expect_status 0 mat-info --no-stats --no-meta stored.npz deflated.npz
for name in $names; do
    [ "$(grep -cxF "$(cat "$name.info")" out)" -eq 2 ] || fail "mat-info line for $name: want '$(cat "$name.info")'"
done

# np.savez to a pipe: zip data descriptors (flag bit 3), read from stdin
"$SK_PYTHON" -c 'import sys, numpy as np; np.savez(sys.stdout.buffer, A=np.arange(6, dtype=np.float32).reshape(2, 3))' | cat >piped.npz
"$SK_PYTHON" -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.exit(0 if z.infolist()[0].flag_bits & 8 else 1)' piped.npz \
    || fail "savez to a pipe wrote no data descriptor: this test would not test them"
expect_status 0 mat-print -:A <piped.npz
[ "$(cat out)" = $'0\t1\t2\n3\t4\t5' ] || fail "piped savez: $(cat out)"

# .npy format 2.0 (4-byte header length)
"$SK_PYTHON" -c 'import numpy as np; np.lib.format.write_array(open("v2.npy", "wb"), np.array([1.5, -2.5]), version=(2, 0))'
expect_status 0 mat-print v2.npy
[ "$(cat out)" = $'1.5\t-2.5' ] || fail "v2.npy: $(cat out)"

# --- we write; NumPy reads ---------------------------------------------------
if [ ! -x "$SK_BIN/gen-data" ]; then
    echo "gen-data not built: skipping the writer half" >&2
    echo ok
    exit 0
fi
gen-data --dz 20 --k 3 --p 40 --seed 1 -o x.npz
gen-data --dz 20 --k 3 --p 40 --seed 1 -o - >y.npz
assert_same_bytes x.npz y.npz
"$SK_PYTHON" - <<'PY'
import json, numpy as np, zipfile
z = np.load("x.npz")
members = ["A", "Y_train", "Z_train", "Y_val", "Z_val", "Y_ood", "Z_ood"]
for m in members:
    assert m in z.files, f"missing {m}: {z.files}"
    a = z[m]
    assert a.dtype == np.float32 and a.ndim == 2, (m, a.dtype, a.shape)
A = z["A"]
assert A.shape[1] == 20, A.shape
for split in ("train", "val", "ood"):
    Y, Z = z["Y_" + split], z["Z_" + split]
    assert Y.shape[0] == Z.shape[0] and Z.shape[1] == 20, (split, Y.shape, Z.shape)
    err = np.abs(Y - Z @ A.T).max()
    assert err <= 1e-5, (split, err)
meta = json.loads(z["meta.json"].decode())
assert isinstance(meta, dict), meta
# the zip itself is clean: CRCs verify, fixed timestamps
zf = zipfile.ZipFile("x.npz")
assert zf.testzip() is None
assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
print("numpy reads our archive:", ", ".join(f"{m}{z[m].shape}" for m in members))
PY
echo ok
