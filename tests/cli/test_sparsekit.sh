# The front door: `sparsekit TOOL ARGS` runs the sibling TOOL with ARGS (and
# its exit status); no tool, an unknown tool or option: one line, exit 2; its
# list names every tools/TOOL.c; it runs only listed tools, and only from its
# own folder (found through /proc/self/exe, symlinks resolved), never from PATH.
source "$(dirname "$0")/lib.sh"

expect_status 2 sparsekit
expect_one_error_line '^sparsekit: no tool given'
[ ! -s "$SK_TMP/out" ] || fail "sparsekit with no tool wrote to stdout"
expect_status 2 sparsekit no-such-tool --help
expect_one_error_line "^sparsekit: 'no-such-tool' is not a sparsekit tool"
expect_status 2 sparsekit --frobnicate
expect_one_error_line "^sparsekit: unknown option '--frobnicate'"
# Not a way to run arbitrary programs that share its folder (/usr/bin/ls ...).
expect_status 2 sparsekit ls
expect_one_error_line "'ls' is not a sparsekit tool"
expect_status 2 sparsekit ../bin/fista
expect_status 2 sparsekit sparsekit

# --list: exactly the other tools/*.c, each with a purpose; --help shows them all.
sparsekit --list > list.tsv
cut -f 1 list.tsv | LC_ALL=C sort > listed.txt
ls "$SK_ROOT"/tools/*.c | sed 's#.*/##; s#\.c$##' | grep -vx sparsekit | LC_ALL=C sort > tools.txt
diff tools.txt listed.txt || fail "sparsekit --list differs from tools/*.c (< tools, > listed)"
awk -F '\t' 'NF != 2 || $2 == "" { exit 1 }' list.tsv || fail "a --list line has no purpose"
sparsekit --help > help.txt
while IFS=$'\t' read -r name purpose; do
    awk -v n="$name" -v p="$purpose" 'index($0, "  " n " ") == 1 &&
        substr($0, length($0) - length(p) + 1) == p { f = 1 } END { exit !f }' help.txt || fail "sparsekit --help does not show '$name  $purpose'"
done < list.tsv
sparsekit -h | cmp -s - help.txt || fail "-h and --help differ"
version=$(sed -n 's/^VERSION := //p' "$SK_ROOT/Makefile")
[ "$(sparsekit --version)" = "sparsekit $version" ] || fail "sparsekit --version: $(sparsekit --version), not sparsekit $version"

# Arguments, stdin, stdout and the exit status pass through unchanged.
gen-data --dz 20 --k 3 --p 200 --seed 0 -o data.npz
sparsekit fista --dict data.npz:A --iters 50 data.npz -o via-door.npz
fista --dict data.npz:A --iters 50 data.npz -o direct.npz
assert_same_bytes direct.npz via-door.npz
sparsekit eval --data data.npz --codes - < direct.npz > door.tsv
eval_tool=$SK_BIN/eval
"$eval_tool" --data data.npz --codes direct.npz > direct.tsv
assert_same_bytes direct.tsv door.tsv
expect_status 2 sparsekit eval --data data.npz
expect_one_error_line '^eval: '
expect_status 1 sparsekit mat-info missing.npz
expect_one_error_line '^mat-info: missing.npz'

# Through a symlink it finds the tools beside its target; a copy alone in a
# folder finds none (it never falls back to PATH): one line, exit 127.
mkdir -p links alone
ln -s "$SK_BIN/sparsekit" links/sk
links/sk mat-info -S -M data.npz | grep -q '^  A' || fail "sparsekit through a symlink did not run mat-info"
cp "$SK_BIN/sparsekit" alone/
expect_status 127 alone/sparsekit fista --help
expect_one_error_line "^sparsekit: $SK_TMP/alone/fista: cannot run"
