# dl-fista: bad data exits 1 with one line "dl-fista: FILE: what is wrong" and
# leaves no output (nor temporary) file; a divergence names its round.
source "$(dirname "$0")/lib.sh"

gen-data --dz 20 --k 3 --p 40 --seed 1 -o d.npz        # d_y = 12
gen-data --dz 30 --k 3 --p 40 --seed 2 -o other.npz    # d_y = 14

data_error() {  # PATTERN ARGS...
    local pattern=$1; shift
    expect_status 1 dl-fista "$@" -o out.npz
    expect_one_error_line "$pattern"
    assert_no_file out.npz
}
data_error '^dl-fista: nothere.npz: ' --data nothere.npz --seed 1
data_error '^dl-fista: other.npz: initial dictionary is 14 x 30, expected 12 \(d_y\)' --data d.npz --init other.npz:A
data_error "^dl-fista: d.npz: no member 'W'" --data d.npz --init d.npz:W
data_error '^dl-fista: other.npz: bias is 14 x 30' --data d.npz --seed 1 --bias other.npz:A
data_error '^dl-fista: other.npz: tracked dictionary is 14 x 30' --data d.npz --seed 1 --track-dict other.npz:A
head -c 1500 d.npz > trunc.npz
data_error '^dl-fista: trunc.npz: ' --data trunc.npz --seed 1
echo hello > junk.npz
data_error '^dl-fista: junk.npz: ' --data junk.npz --seed 1
# A file without Y_val is not a dataset.
fista --dict d.npz:A d.npz -o codes.npz
data_error '^dl-fista: codes.npz: no member Y_val' --data codes.npz --seed 1
assert_no_temp_files .

if ! have_numpy; then
    echo "NumPy missing: skipping the non-finite and meta-less cases"; exit 0
fi
"$SK_PYTHON" - <<'PY'
import numpy as np
d = np.load('d.npz')
y = d['Y_val'].copy(); y[3, 2] = np.nan
np.savez('nan.npz', Y_val=y, Y_ood=d['Y_ood'])
np.savez('nometa.npz', Y_val=d['Y_val'], Y_ood=d['Y_ood'])
a = d['A'].copy(); a[0, 0] = np.inf
np.savez('infdict.npz', D=a)
# samples near the float32 limit: the codes overflow during the first pass
s = 3e38 / np.abs(d['Y_val']).max()
np.savez('huge.npz', Y_val=(d['Y_val'] * s).astype(np.float32), Y_ood=d['Y_ood'])
PY
data_error '^dl-fista: nan.npz: Y_val holds non-finite values' --data nan.npz --seed 1
data_error '^dl-fista: infdict.npz: initial dictionary holds non-finite values' --data d.npz --init infdict.npz:D
data_error '^dl-fista: nometa.npz: meta.json has no params.dz; give --dz or --init' --data nometa.npz --seed 1
data_error '^dl-fista: round 0: .*not finite' --data huge.npz --init d.npz:A --rounds 3
# ... and --dz makes the meta-less file usable
dl-fista --data nometa.npz --seed 1 --dz 20 --rounds 2 -o ok.npz
assert_file ok.npz
assert_no_temp_files .
echo ok
