#!/usr/bin/env bash
# Hostile files through the tools: each is refused with exit 1 and one line
# "tool: FILE: what is wrong", leaves no output (nor temporary) file, and a
# header that claims 10^12 elements is refused before anything is allocated
# (checked under `ulimit -v`). Files are crafted byte by byte with the Python
# standard library only (no NumPy needed).
source "$(dirname "$0")/lib.sh"
PY=${SK_PYTHON:-python3}
"$PY" -c 'import struct, zlib' 2>/dev/null || { echo "no python3"; exit 77; }

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz      # d_y = 12

"$PY" - <<'EOF'
import struct, zlib

def npy(descr, shape, nbytes, fortran=False, major=1):
    """A .npy whose header says (descr, shape) followed by nbytes bytes of data."""
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, fortran, "(%d,)" % shape[0] if len(shape) == 1 else str(tuple(shape)))
    pre = 10 if major == 1 else 12
    total = (pre + len(d) + 1 + 63) // 64 * 64
    h = (d + " " * (total - pre - len(d) - 1) + "\n").encode()
    size = struct.pack("<H", len(h)) if major == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([major, 0]) + size + h + bytes(range(256)) * (nbytes // 256) \
        + bytes(nbytes % 256)

def zip_(members):
    """members: (name, data, opts); opts may set crc, usize (ZIP64 extra), deflate."""
    out, cd = b"", b""
    for name, data, o in members:
        n = name.encode()
        crc = o.get("crc", zlib.crc32(data))
        body = data
        method = 0
        if o.get("deflate"):
            c = zlib.compressobj(1, zlib.DEFLATED, -15)
            body, method = c.compress(data) + c.flush(), 8
        usize = len(data)
        csize = len(body)
        extra = b""
        if "usize" in o:                     # claim a size through a ZIP64 extra field
            extra = struct.pack("<HHQQ", 1, 16, o["usize"], csize)
            usize32 = csize32 = 0xFFFFFFFF
        else:
            usize32, csize32 = usize, csize
        fixed = struct.pack("<HHHHHIII", 20, 0, method, 0, 33, crc, csize32, usize32)
        local = b"PK\x03\x04" + fixed + struct.pack("<HH", len(n), len(extra)) + n + extra
        cd += b"PK\x01\x02" + struct.pack("<H", 20) + fixed + \
            struct.pack("<HHHHHII", len(n), len(extra), 0, 0, 0, 0, len(out)) + n + extra
        out += local + body
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members),
                                      len(cd), len(out), 0)
    return out + cd + end

def write(path, b):
    open(path, "wb").write(b)

good = npy("<f4", (3, 12), 144)
write("huge.npy", npy("<f4", (1000000, 1000000), 16))
write("huge_member.npz", zip_([("Y_val.npy", npy("<f4", (1000000, 1000000), 16), {})]))
write("huge_claim.npz", zip_([("Y_val.npy", good, {"usize": 4 * 10**12, "deflate": True})]))
write("mismatch.npy", npy("<f4", (3, 4), 40))
write("mismatch_v2.npy", npy("<f4", (3, 4), 52, major=2))
write("complex.npy", npy("<c8", (3, 12), 288))
write("string.npy", npy("|S4", (3, 12), 144))
write("bigendian.npy", npy(">f4", (3, 12), 144))
write("fortran.npy", npy("<f4", (3, 12), 144, fortran=True))
write("dup.npz", zip_([("Y_val.npy", good, {}), ("Y_val.npy", good, {})]))
write("badcrc.npz", zip_([("Y_val.npy", good, {"crc": zlib.crc32(good) ^ 1})]))
write("badcrc_deflated.npz", zip_([("Y_val.npy", good, {"crc": 7, "deflate": True})]))
write("good.npz", zip_([("Y_val.npy", good, {})]))
write("good.npy", good)
EOF

# refused FILE PATTERN — mat-info and fista (FILE as the samples) both refuse
# FILE with one line matching "tool: FILE: PATTERN" and leave nothing behind.
refused() {
    local f=$1 pattern=$2
    expect_status 1 mat-info "$f"
    expect_one_error_line "^mat-info: $f: $pattern"
    expect_status 1 fista --dict d.npz:A "$f" -o out.npz
    expect_one_error_line "^fista: $f: $pattern"
    assert_no_file out.npz
    assert_no_temp_files .
}

# the crafted good files are read (so the refusals below are about the flaw)
fista --dict d.npz:A good.npz -o ok.npz && fista --dict d.npz:A good.npy -o ok2.npz
assert_file ok.npz && rm -f ok.npz ok2.npz

refused huge.npy 'shape \(1000000, 1000000\) needs 4000000000000 bytes but has 16$'
refused huge_member.npz "member 'Y_val.npy': shape \(1000000, 1000000\) needs 4000000000000 bytes"
refused huge_claim.npz "member 'Y_val.npy' claims 4000000000000 bytes from [0-9]+ compressed bytes"
refused mismatch.npy 'shape \(3, 4\) needs 48 bytes but has 40$'
refused mismatch_v2.npy 'shape \(3, 4\) needs 48 bytes but has 52$'
refused complex.npy "unsupported dtype '<c8'"
refused string.npy "unsupported dtype '\|S4'"
refused bigendian.npy "big-endian dtype '>f4' is not supported"
refused fortran.npy 'Fortran-order arrays are not supported'
refused dup.npz "duplicate member 'Y_val.npy'"
refused badcrc.npz "CRC mismatch in member 'Y_val.npy'"
refused badcrc_deflated.npz "CRC mismatch in member 'Y_val.npy'"

# 10^12 elements are refused before allocating: under a 256 MiB address-space
# limit the message is the shape one, not "out of memory" (skipped for
# sanitizer builds, which cannot start under such a limit).
if (ulimit -v 262144 && mat-info good.npy) >/dev/null 2>&1; then
    for f in huge.npy huge_member.npz huge_claim.npz; do
        rc=0
        (ulimit -v 262144 && exec fista --dict d.npz:A "$f" -o out.npz) 2>err || rc=$?
        [ "$rc" -eq 1 ] || fail "$f under ulimit -v: exit $rc"
        grep -q 'out of memory' err && fail "$f: tried to allocate: $(cat err)"
        grep -Eq "^fista: $f: .*(needs|claims) " err || fail "$f under ulimit -v: $(cat err)"
        assert_no_file out.npz
    done
fi

# A missing member: named, with the members that exist.
expect_status 1 fista --dict d.npz:D good.npz -o out.npz
expect_one_error_line "^fista: d.npz: no member 'D' \(members: A, Y_train, "
expect_status 1 "$SK_BIN"/eval --data d.npz --codes good.npz -o out.tsv
expect_one_error_line "^eval: good.npz: no member 'Z_val' \(members: Y_val\)"
assert_no_file out.tsv

# Truncation at every section boundary of a real archive (each local header,
# its name, its data, the central directory records, the end record) and a
# byte either side: always "truncated", from a file and from stdin.
cuts=$("$PY" - d.npz <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
cuts, at = set(), 0
while b[at:at + 4] == b"PK\x03\x04":                  # local header, name, data
    csize, = struct.unpack_from("<I", b, at + 18)
    n, e = struct.unpack_from("<HH", b, at + 26)
    cuts |= {at, at + 4, at + 30, at + 30 + n, at + 30 + n + e, at + 30 + n + e + csize // 2}
    at += 30 + n + e + csize
while b[at:at + 4] == b"PK\x01\x02":                  # central directory records
    n, e, c = struct.unpack_from("<HHH", b, at + 28)
    cuts |= {at, at + 46}
    at += 46 + n + e + c
cuts |= {at, at + 4, at + 12, len(b) - 2}             # end record
print(" ".join(str(c + d) for c in sorted(cuts) for d in (-1, 0, 1) if 0 < c + d < len(b)))
EOF
)
[ "$(wc -w <<<"$cuts")" -gt 40 ] || fail "too few cut points: $cuts"
for cut in $cuts; do
    head -c "$cut" d.npz >t.npz
    expect_status 1 mat-info t.npz
    expect_one_error_line '^mat-info: t.npz: truncated'
done
for cut in $(echo "$cuts" | tr ' ' '\n' | awk 'NR % 7 == 1'); do
    head -c "$cut" d.npz | { expect_status 1 fista --dict d.npz:A - -o out.npz; }
    expect_one_error_line '^fista: stdin: truncated'
    assert_no_file out.npz
done
# ... and of a plain .npy: inside the magic, the version, the header length,
# the header, the data.
size=$(stat -c %s good.npy)
for cut in 3 7 9 40 127 128 $((size - 1)); do
    head -c "$cut" good.npy >t.npy
    expect_status 1 fista --dict d.npz:A t.npy -o out.npz
    expect_one_error_line '^fista: t.npy: (truncated|shape \(3, 12\) needs 144 bytes but has)'
    assert_no_file out.npz
done
assert_no_temp_files .
echo ok
